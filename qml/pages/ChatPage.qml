import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Pitchey

// Logged in: the conversation list beside the open conversation.
Page {
    id: page

    signal newConversationRequested()
    signal settingsRequested()
    signal logoutRequested()

    background: Rectangle { color: Theme.window }

    SplitView {
        anchors.fill: parent

        Pane {
            SplitView.preferredWidth: 320
            SplitView.minimumWidth: 240
            padding: 0
            background: Rectangle { color: Theme.window }

            ColumnLayout {
                anchors.fill: parent
                spacing: 0

                RowLayout {
                    Layout.fillWidth: true
                    Layout.margins: Theme.spacing
                    Layout.leftMargin: Theme.spacing * 1.5
                    Label {
                        Layout.fillWidth: true
                        text: Session.displayName.length > 0 ? Session.displayName : Session.username
                        textFormat: Text.PlainText
                        elide: Text.ElideRight
                        font.bold: true
                        font.pixelSize: 16
                        color: Theme.text
                    }
                    ToolButton {
                        objectName: "newConversationButton"
                        text: "+"
                        font.pixelSize: 18
                        Accessible.name: qsTr("New conversation")
                        ToolTip.visible: hovered
                        ToolTip.text: qsTr("New conversation")
                        focusPolicy: Qt.TabFocus // a click leaves the focus where the typing goes
                        onClicked: page.newConversationRequested()
                    }
                    ToolButton {
                        text: "\u22EE"
                        focusPolicy: Qt.TabFocus
                        Accessible.name: qsTr("Menu")
                        onClicked: menu.open()
                        Menu {
                            id: menu
                            MenuItem { text: qsTr("Jump to conversation (Ctrl+K)"); onTriggered: switcher.open() }
                            MenuItem { text: qsTr("Settings"); onTriggered: page.settingsRequested() }
                            MenuItem { text: qsTr("Log out"); onTriggered: page.logoutRequested() }
                        }
                    }
                }

                ConnectionBanner {
                    objectName: "connectionBanner"
                    Layout.fillWidth: true
                    connectionState: Chat.connectionState
                    retryInSeconds: Chat.retryInSeconds
                    onRetryRequested: Chat.reconnectNow()
                }

                Rectangle { Layout.fillWidth: true; height: 1; color: Theme.divider }

                ListView {
                    id: conversations
                    objectName: "conversationList"
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    clip: true
                    model: Chat.conversations
                    reuseItems: true
                    keyNavigationEnabled: true
                    ScrollBar.vertical: ScrollBar {}
                    delegate: ConversationDelegate {
                        current: conversationId === Chat.currentConversationId // qmllint disable type
                        onClicked: { Chat.openConversation(conversationId); conversationView.focusComposer() }
                    }
                    Label {
                        anchors.centerIn: parent
                        width: parent.width - 32
                        visible: conversations.count === 0
                        horizontalAlignment: Text.AlignHCenter
                        wrapMode: Text.WordWrap
                        text: qsTr("No conversations yet.\nPress + to start one.")
                        color: Theme.mutedText
                    }
                }
            }
        }

        Item {
            SplitView.fillWidth: true
            ConversationView {
                id: conversationView
                anchors.fill: parent
                visible: Chat.currentConversationId > 0 // qmllint disable type
            }
            Label {
                anchors.centerIn: parent
                visible: Chat.currentConversationId <= 0 // qmllint disable type
                text: qsTr("Choose a conversation, or press Ctrl+K")
                color: Theme.mutedText
            }
        }
    }

    // A conversation just started: the next thing typed is its first message.
    Connections {
        target: Chat
        function onConversationStarted() { conversationView.focusComposer() }
    }

    QuickSwitcher {
        id: switcher
        objectName: "quickSwitcher"
        onChosen: (id) => { Chat.openConversation(id); conversationView.focusComposer() }
    }

    Shortcut {
        sequence: "Ctrl+K"
        onActivated: switcher.open()
    }

    function openSwitcher() { switcher.open() }
}
