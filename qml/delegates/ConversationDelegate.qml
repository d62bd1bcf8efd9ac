import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Pitchey

// One row of the conversation list.
ItemDelegate {
    id: row

    required property int index
    required property var conversationId
    required property string title
    required property string initials
    required property bool isGroup
    required property bool online
    required property string preview
    required property string draft
    required property string time
    required property var unread
    required property var mentions // unread messages that mention the user
    required property string typing
    property bool current: false
    property bool focusRing: false // the list has the keyboard focus and this is its row
    property bool muted: false

    width: ListView.view ? ListView.view.width : implicitWidth
    highlighted: current
    Accessible.name: title + (unread > 0 ? ", " + qsTr("%n unread", "", unread) : "")
                     + (mentions > 0 ? ", " + qsTr("%n mentions you", "", mentions) : "")
                     + (muted ? ", " + qsTr("muted") : "")

    background: Rectangle {
        color: row.current ? Theme.selected : row.hovered ? Theme.divider : "transparent"
        border.width: row.focusRing ? 2 : 0
        border.color: Theme.accent
    }

    contentItem: RowLayout { // qmllint disable deferred-property-id
        spacing: Theme.spacing * 1.5

        Avatar {
            name: row.title
            initials: row.initials
            online: row.online
            showPresence: !row.isGroup
        }

        ColumnLayout {
            Layout.fillWidth: true
            spacing: 2
            RowLayout {
                Layout.fillWidth: true
                Label {
                    Layout.fillWidth: true
                    text: row.title
                    textFormat: Text.PlainText
                    elide: Text.ElideRight
                    font.bold: row.unread > 0
                    color: Theme.text
                }
                Label {
                    objectName: "mutedMark"
                    visible: row.muted
                    text: qsTr("muted")
                    color: Theme.mutedText
                    font.pixelSize: 11
                    font.italic: true
                }
                Label {
                    text: row.time
                    textFormat: Text.PlainText
                    color: Theme.mutedText
                    font.pixelSize: 11
                }
            }
            RowLayout {
                Layout.fillWidth: true
                Label {
                    objectName: "previewText"
                    Layout.fillWidth: true
                    // (The open conversation's draft is in its composer, not here.)
                    readonly property bool showsDraft: row.draft.length > 0 && !row.current
                    text: row.typing.length > 0 ? row.typing
                        : showsDraft ? qsTr("Draft: %1").arg(row.draft) : row.preview
                    textFormat: Text.PlainText
                    elide: Text.ElideRight
                    maximumLineCount: 1
                    color: row.typing.length > 0 ? Theme.accentOnWindow
                        : showsDraft ? Theme.danger : Theme.mutedText
                    font.italic: row.typing.length > 0
                }
                Rectangle {
                    // An unread mention asks for attention also where the count does not.
                    objectName: "mentionMark"
                    visible: row.mentions > 0
                    radius: height / 2
                    color: Theme.accent
                    implicitHeight: 20
                    implicitWidth: 20
                    Label {
                        anchors.centerIn: parent
                        text: "@"
                        color: Theme.accentText
                        font.pixelSize: 12
                        font.bold: true
                    }
                }
                Rectangle {
                    objectName: "unreadBadge"
                    visible: row.unread > 0
                    radius: height / 2
                    // A muted conversation's count is grey: it asks for no attention.
                    color: row.muted ? Theme.mutedBadge : Theme.accent
                    implicitHeight: 20
                    implicitWidth: Math.max(20, badge.implicitWidth + 10)
                    Label {
                        id: badge
                        anchors.centerIn: parent
                        text: row.unread > 99 ? "99+" : row.unread
                        color: row.muted ? Theme.onColor(Theme.mutedBadge) : Theme.accentText
                        font.pixelSize: 11
                        font.bold: true
                    }
                }
            }
        }
    }
}
