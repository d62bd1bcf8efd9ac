import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Pitchey

// Logged in: the conversation list beside the open conversation; in a narrow window one
// of the two at a time (the conversation has a way back).
Page {
    id: page

    readonly property bool narrow: width < Theme.narrowWidth
    readonly property bool chatOpen: Chat.currentConversationId > 0 // qmllint disable type
    readonly property bool threadOpen: Chat.threadRootId > 0 // qmllint disable type
    property bool conversationMade: false

    signal newConversationRequested()
    signal settingsRequested()
    signal logoutRequested()

    background: Rectangle { color: Theme.window }

    SplitView {
        anchors.fill: parent

        Pane {
            objectName: "listPane"
            visible: !page.narrow || !page.chatOpen
            SplitView.preferredWidth: page.narrow ? page.width : 320
            SplitView.minimumWidth: 240
            SplitView.fillWidth: page.narrow
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
                            MenuItem { text: qsTr("Jump to conversation (Ctrl+K)"); onTriggered: page.openSwitcher() }
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
                    activeFocusOnTab: true
                    highlightMoveDuration: 0
                    Accessible.role: Accessible.List
                    Accessible.name: qsTr("Conversations")
                    ScrollBar.vertical: ScrollBar {}
                    delegate: ConversationDelegate {
                        id: listRow
                        current: listRow.conversationId === Chat.currentConversationId // qmllint disable type
                        focusRing: ListView.isCurrentItem && conversations.activeFocus // qmllint disable unqualified
                        muted: Settings.mutedConversationIds.indexOf(listRow.conversationId) >= 0 // qmllint disable type
                        onClicked: page.open(listRow.conversationId) // qmllint disable unqualified
                    }
                    // Arrows choose a row, Enter opens it.
                    Keys.onReturnPressed: page.openRow(currentIndex)
                    Keys.onEnterPressed: page.openRow(currentIndex)
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
            id: chatPane
            objectName: "chatPane"
            // Too little room for the conversation beside the thread: the thread over it.
            readonly property bool threadOver: page.narrow || width < 660
            visible: !page.narrow || page.chatOpen
            SplitView.fillWidth: true
            // The conversation, and its open thread beside it (in a narrow window, over it).
            RowLayout {
                anchors.fill: parent
                spacing: 0
                // Made when the first conversation opens, then kept: the list shows in less
                // memory at start (the view places itself once made: ConversationView.opened).
                Loader {
                    id: conversationView
                    objectName: "conversationLoader"
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    active: page.chatOpen || page.conversationMade
                    visible: page.chatOpen && !(chatPane.threadOver && page.threadOpen)
                    onLoaded: page.conversationMade = true
                    sourceComponent: ConversationView {
                        showBack: page.narrow // qmllint disable unqualified
                        actions: messageActions // qmllint disable unqualified
                        threadTyping: threadPanel.item ? (threadPanel.item as ThreadPanel).typing : false // qmllint disable unqualified
                    }
                }
                Rectangle {
                    Layout.fillHeight: true
                    implicitWidth: 1
                    visible: threadPanel.active && conversationView.visible
                    color: Theme.divider
                }
                Loader {
                    id: threadPanel
                    objectName: "threadPanel"
                    active: page.chatOpen && page.threadOpen
                    visible: active
                    Layout.fillHeight: true
                    Layout.fillWidth: chatPane.threadOver
                    Layout.preferredWidth: chatPane.threadOver ? -1 : Math.max(300, Math.min(420, parent.width * 0.4))
                    sourceComponent: ThreadPanel { actions: messageActions } // qmllint disable unqualified
                    onLoaded: (item as ThreadPanel).focusComposer()
                }
            }
            Label {
                anchors.centerIn: parent
                visible: Chat.currentConversationId <= 0 // qmllint disable type
                text: qsTr("Choose a conversation, or press Ctrl+K")
                color: Theme.mutedText
            }
        }
    }

    // The menu, reaction picker and dialogs of a message, for the conversation and the thread.
    MessageActions {
        id: messageActions
        anchors.fill: parent
    }

    // A conversation just started: the next thing typed is its first message.
    Connections {
        target: Chat
        function onConversationStarted() { page.focusConversation() }
        // The thread closed: the typing goes back to the conversation.
        function onThreadChanged() {
            if (!page.threadOpen && page.chatOpen)
                page.focusConversation()
            else if (threadPanel.item)
                (threadPanel.item as ThreadPanel).focusComposer()
        }
        // The list's current row is the open conversation: arrows and Enter go on from it.
        // (Closed: the row stays, for Enter to open it again.)
        function onCurrentChanged() {
            if (page.chatOpen)
                conversations.currentIndex = Chat.conversations.rowOf(Chat.currentConversationId) // qmllint disable type
        }
    }

    // Made the first time Ctrl+K asks for it.
    property QuickSwitcher switcher: null
    Component { id: switcherComponent; QuickSwitcher { objectName: "quickSwitcher" } }

    Shortcut {
        sequence: "Ctrl+K"
        onActivated: page.openSwitcher()
    }
    // The next and the previous conversation in the list, as in Telegram and Slack.
    Shortcut {
        sequences: ["Alt+Down", "Ctrl+Tab", "Ctrl+PgDown"]
        onActivated: page.step(1)
    }
    Shortcut {
        sequences: ["Alt+Up", "Ctrl+Shift+Tab", "Ctrl+Backtab", "Ctrl+Shift+Backtab", "Ctrl+PgUp"]
        onActivated: page.step(-1)
    }
    // Esc closes the open conversation (a dialog, being on top, takes Esc first).
    Keys.onEscapePressed: (event) => {
        if (!page.chatOpen) {
            event.accepted = false
            return
        }
        Chat.closeConversation()
        conversations.forceActiveFocus()
    }

    function open(conversationId) {
        Chat.openConversation(conversationId)
        page.focusConversation()
    }
    function openRow(row) {
        if (row >= 0 && row < conversations.count)
            page.open(Chat.conversations.idAt(row)) // qmllint disable type
    }
    function step(by) {
        Chat.openNeighbour(by)
        page.focusConversation()
    }

    function openSwitcher() {
        if (!page.switcher) {
            page.switcher = switcherComponent.createObject(page)
            page.switcher.chosen.connect(id => page.open(id))
        }
        page.switcher.open()
    }
    function focusConversation() {
        if (conversationView.item)
            (conversationView.item as ConversationView).focusComposer()
    }
}
