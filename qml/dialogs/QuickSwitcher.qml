import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Pitchey

// Ctrl+K: type part of a name, Enter opens the first match, arrows choose another.
Popup {
    id: switcher

    signal chosen(var conversationId)

    modal: true
    focus: true
    anchors.centerIn: parent
    width: Math.min(parent ? parent.width - 48 : 420, 420)
    height: Math.min(parent ? parent.height - 96 : 380, 380)
    padding: Theme.spacing

    property var matches: []
    function refresh() { matches = Chat.findConversations(filter.text); list.currentIndex = 0 }
    onOpened: { filter.clear(); refresh(); filter.forceActiveFocus() }

    ColumnLayout {
        anchors.fill: parent
        TextField {
            id: filter
            objectName: "switcherField"
            Layout.fillWidth: true
            placeholderText: qsTr("Jump to a conversation…")
            onTextEdited: switcher.refresh()
            Keys.onDownPressed: list.incrementCurrentIndex()
            Keys.onUpPressed: list.decrementCurrentIndex()
            onAccepted: if (switcher.matches.length > 0) { switcher.chosen(switcher.matches[list.currentIndex].id); switcher.close() }
        }
        ListView {
            id: list
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            model: switcher.matches
            highlightMoveDuration: 0
            delegate: ItemDelegate {
                required property var modelData
                required property int index
                width: ListView.view.width
                highlighted: ListView.isCurrentItem
                text: modelData.title
                onClicked: { switcher.chosen(modelData.id); switcher.close() } // qmllint disable unqualified
            }
        }
    }
}
