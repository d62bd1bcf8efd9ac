import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Pitchey

// The open conversation: header with presence or typing, messages, composer.
Page {
    id: view

    property bool atBottom: true
    property bool showBack: false // narrow window: the list is behind this view
    // Just opened: until the person scrolls (any way: wheel, keys, scroll bar, drag), the
    // view keeps its place at the "New messages" line (or the bottom) as messages come in.
    property bool placing: false
    property bool positioning: false // the view moves itself: not the person scrolling

    function showNewest() {
        view.placing = false
        view.atBottom = true
        view.positioning = true
        messages.positionViewAtBeginning()
        view.positioning = false
    }
    function showRow(row) {
        view.positioning = true
        // Twice: the rows around it are laid out by the first, so the second is exact.
        messages.positionViewAtIndex(row, ListView.Center)
        messages.forceLayout()
        messages.positionViewAtIndex(row, ListView.Center)
        view.positioning = false
        view.atBottom = messages.atYEnd
        const item = messages.itemAtIndex(row) as MessageDelegate
        if (item)
            item.flash()
    }
    function place() {
        const row = Chat.messages.firstUnreadRow // qmllint disable type
        view.positioning = true
        // (All of it fits: it sits above the composer, line and all.)
        if (row < 0 || messages.contentHeight <= messages.height) {
            view.atBottom = true
            messages.positionViewAtBeginning()
        } else {
            // BottomToTop: the item's end is its top (and the line is at the delegate's top).
            messages.positionViewAtIndex(row, ListView.End)
            // A little of what came before stays in sight above the line.
            messages.contentY = Math.max(messages.originY, messages.contentY - Theme.spacing * 5)
            view.atBottom = messages.atYEnd
        }
        view.positioning = false
    }

    background: Rectangle { color: Theme.base }

    header: Rectangle {
        implicitHeight: headerRow.implicitHeight + Theme.spacing * 2
        color: Theme.window
        Rectangle { anchors.bottom: parent.bottom; width: parent.width; height: 1; color: Theme.divider }
        RowLayout {
            id: headerRow
            anchors.fill: parent
            anchors.margins: Theme.spacing
            anchors.leftMargin: Theme.spacing * 2
            spacing: Theme.spacing * 1.5
            ToolButton {
                objectName: "backButton"
                visible: view.showBack
                text: "\u2190"
                font.pixelSize: 18
                focusPolicy: Qt.TabFocus
                Accessible.name: qsTr("Back to the conversations")
                ToolTip.visible: hovered
                ToolTip.text: Accessible.name
                onClicked: Chat.closeConversation()
            }
            Avatar {
                size: 34
                name: Chat.currentTitle
                initials: Chat.currentInitials
                online: Chat.currentOnline
                showPresence: true
            }
            ColumnLayout {
                Layout.fillWidth: true
                spacing: 0
                Label {
                    objectName: "conversationTitle"
                    Layout.fillWidth: true
                    text: Chat.currentTitle
                    textFormat: Text.PlainText
                    elide: Text.ElideRight
                    font.bold: true
                    font.pixelSize: 15
                    color: Theme.text
                }
                Label {
                    objectName: "conversationStatus"
                    Layout.fillWidth: true
                    text: Chat.currentStatus
                    textFormat: Text.PlainText
                    elide: Text.ElideRight
                    font.pixelSize: 12
                    color: Chat.currentStatus.indexOf("…") >= 0 || Chat.currentOnline ? Theme.accentOnWindow : Theme.mutedText
                }
            }
            ToolButton {
                objectName: "muteButton"
                readonly property bool muted: Settings.mutedConversationIds.indexOf(Chat.currentConversationId) >= 0 // qmllint disable type
                text: muted ? qsTr("Unmute") : qsTr("Mute")
                Accessible.name: muted ? qsTr("Unmute notifications") : qsTr("Mute notifications")
                ToolTip.visible: hovered
                ToolTip.text: Accessible.name
                onClicked: Settings.setMuted(Chat.currentConversationId, !muted) // qmllint disable type
            }
        }
    }

    ListView {
        id: messages
        objectName: "messageList"
        Accessible.role: Accessible.List
        Accessible.name: qsTr("Messages with %1").arg(Chat.currentTitle)
        anchors.fill: parent
        clip: true
        model: Chat.messages
        // The user's own name in bubbles that mention them: the theme's accent, readable on both.
        readonly property string mentionColor: Theme.accentOnBase.toString()
        onMentionColorChanged: Chat.messages.ownMentionColor = mentionColor
        reuseItems: true
        cacheBuffer: 600
        boundsBehavior: Flickable.StopAtBounds
        // Row 0 is the newest message, at the bottom: the view stays there as messages
        // arrive, and the model pages older ones in (fetchMore) as the top comes near.
        verticalLayoutDirection: ListView.BottomToTop
        // Space under the newest message (in BottomToTop the header is at the bottom; unlike
        // bottomMargin, positionViewAtBeginning() counts it).
        header: Item { height: Theme.spacing }
        ScrollBar.vertical: ScrollBar {}

        delegate: MessageDelegate {
            showSender: !Chat.currentIsGroup ? false : true
            onRetryRequested: (id) => Chat.retry(id)
            onDiscardRequested: (id) => Chat.discard(id)
            onMenuRequested: (message) => { messageMenu.message = message; messageMenu.popup() }
            onReactRequested: (message, anchor) => view.openPicker(message.messageId, anchor)
            onReactionToggled: (id, emoji) => Chat.toggleReaction(id, emoji)
            onReplyClicked: (id) => Chat.reveal(id)
            onVersionsRequested: (id) => Chat.loadVersions(id)
        }

        onAtYEndChanged: view.atBottom = atYEnd
        onContentYChanged: {
            if (!view.positioning)
                view.placing = false
            // Near the top: older messages (the model says whether there may be more).
            // (Later, not while the view is laying itself out.)
            if (contentY - originY < height)
                Qt.callLater(Chat.messages.fetchOlder) // qmllint disable type
            seenDelay.restart()
        }
        onCountChanged: {
            if (view.placing)
                Qt.callLater(view.place) // qmllint disable type
            else if (view.atBottom)
                Qt.callLater(messages.positionViewAtBeginning) // qmllint disable type
            seenDelay.restart()
        }
        Component.onCompleted: {
            Chat.messages.ownMentionColor = mentionColor
            positionViewAtBeginning()
        }

        BusyIndicator {
            anchors.top: parent.top
            anchors.horizontalCenter: parent.horizontalCenter
            running: Chat.loadingOlder
            visible: running
        }
    }

    // A message's context menu (one for all: a menu per delegate costs memory per row).
    Menu {
        id: messageMenu
        objectName: "messageMenu"
        property var message: null
        MenuItem {
            objectName: "replyToMessage"
            text: qsTr("Reply")
            enabled: messageMenu.message !== null && !messageMenu.message.deleted && messageMenu.message.messageId > 0
            onTriggered: composer.startReplying(messageMenu.message.messageId,
                                                messageMenu.message.senderName,
                                                messageMenu.message.content)
        }
        MenuItem {
            objectName: "reactToMessage"
            text: qsTr("React…")
            enabled: messageMenu.message !== null && !messageMenu.message.deleted && messageMenu.message.messageId > 0
            onTriggered: view.openPicker(messageMenu.message.messageId, messageMenu.message)
        }
        MenuItem {
            objectName: "editMessage"
            text: qsTr("Edit")
            visible: messageMenu.message !== null && messageMenu.message.changeable
            height: visible ? implicitHeight : 0
            onTriggered: composer.startEditing(messageMenu.message.messageId, messageMenu.message.content)
        }
        MenuItem {
            objectName: "copyMessage"
            text: qsTr("Copy text")
            enabled: messageMenu.message !== null && !messageMenu.message.deleted
            onTriggered: messageMenu.message.copyText()
        }
        MenuItem {
            objectName: "deleteMessage"
            text: qsTr("Delete…")
            visible: messageMenu.message !== null && messageMenu.message.changeable
            height: visible ? implicitHeight : 0
            onTriggered: {
                deleteDialog.messageId = messageMenu.message.messageId
                deleteDialog.open()
            }
        }
    }

    // Opens the reaction picker for a message, next to `anchor` (an item of its delegate).
    function openPicker(messageId, anchor) {
        emojiPicker.messageId = messageId
        const at = anchor.mapToItem(view, 0, anchor.height)
        emojiPicker.x = Math.max(0, Math.min(at.x, view.width - emojiPicker.width))
        emojiPicker.y = Math.max(0, Math.min(at.y, view.height - emojiPicker.height))
        emojiPicker.open()
    }

    EmojiPicker {
        id: emojiPicker
        objectName: "emojiPicker"
        onPicked: (id, emoji) => Chat.toggleReaction(id, emoji)
    }

    // An edited message's versions, oldest first, as the server keeps them.
    Dialog {
        id: versionsDialog
        objectName: "versionsDialog"
        property var versions: []
        anchors.centerIn: parent
        width: Math.min(view.width * 0.9, 480)
        modal: true
        title: qsTr("Versions")
        standardButtons: Dialog.Close
        ListView {
            objectName: "versionList"
            implicitHeight: Math.min(contentHeight, view.height * 0.6)
            width: parent.width
            clip: true
            spacing: Theme.spacing
            model: versionsDialog.versions
            delegate: ColumnLayout {
                id: versionRow
                required property var modelData
                required property int index
                width: ListView.view.width
                spacing: 2
                Label {
                    text: (versionRow.index === 0 ? qsTr("Original") : qsTr("Edit %1").arg(versionRow.index))
                          + " · " + versionRow.modelData.time
                    color: Theme.mutedText
                    font.pixelSize: 12
                    font.bold: true
                }
                Label {
                    objectName: "versionText"
                    Layout.fillWidth: true
                    text: versionRow.modelData.content
                    textFormat: Text.PlainText
                    wrapMode: Text.Wrap
                    color: Theme.text
                }
            }
        }
        onClosed: view.focusComposer()
    }

    Dialog {
        id: deleteDialog
        objectName: "deleteDialog"
        property var messageId: 0
        anchors.centerIn: parent
        modal: true
        title: qsTr("Delete message?")
        width: Math.min(view.width * 0.9, 420)
        ColumnLayout {
            anchors.fill: parent
            Label {
                Layout.fillWidth: true
                wrapMode: Text.WordWrap
                textFormat: Text.PlainText
                text: qsTr("It is deleted for everyone in this conversation. People may already have read it or kept a copy.")
                color: Theme.text
            }
        }
        footer: DialogButtonBox {
            Button {
                objectName: "confirmDelete"
                text: qsTr("Delete")
                DialogButtonBox.buttonRole: DialogButtonBox.AcceptRole // qmllint disable type
            }
            Button {
                text: qsTr("Cancel")
                DialogButtonBox.buttonRole: DialogButtonBox.RejectRole // qmllint disable type
            }
        }
        // Enter confirms, Esc cancels, as in the messengers people know.
        Shortcut {
            sequences: ["Return", "Enter"]
            enabled: deleteDialog.opened
            onActivated: deleteDialog.accept()
        }
        onAccepted: Chat.deleteMessage(messageId)
        onClosed: view.focusComposer()
    }

    // The newest message on screen is reported as seen (a read receipt when the window is active).
    Timer {
        id: seenDelay
        interval: 300
        onTriggered: {
            const index = messages.indexAt(messages.width / 2, messages.contentY + messages.height - 4)
            const last = index >= 0 ? index : (view.atBottom ? 0 : -1)
            if (last >= 0)
                Chat.markSeen(Chat.messages.messageIdAt(last))
        }
    }
    Connections {
        target: Chat
        function onWindowActiveChanged() { seenDelay.restart() }
        // A message asked for (a reply's quote clicked) is loaded: into sight, marked.
        // (Later: after what the rows just paged in asked for.)
        function onMessageRevealed(row) {
            view.placing = false
            view.atBottom = false
            Qt.callLater(view.showRow, row) // qmllint disable type
        }
        function onVersionsLoaded(messageId, versions) {
            versionsDialog.versions = versions
            versionsDialog.open()
        }
        function onCurrentChanged() {
            composer.stopReplying()
            composer.stopEditing(Chat.currentDraft)
            view.placing = true
            Qt.callLater(view.place) // qmllint disable type
        }
    }
    Connections {
        target: Chat.messages // qmllint disable type
        // All of it replaced (the first unread one fetched): placed again, as when opened.
        function onModelReset() {
            view.placing = true
            Qt.callLater(view.place) // qmllint disable type
        }
    }

    footer: ColumnLayout {
        spacing: 0
        // Scrolled up: the way back down, with what waits there. (Above the composer, not
        // over the messages: it never covers the text.)
        ItemDelegate {
            id: jumpBar
            objectName: "jumpToNewest"
            Layout.fillWidth: true
            visible: !view.atBottom && messages.count > 0
            focusPolicy: Qt.TabFocus
            text: Chat.currentUnread === 1 ? qsTr("\u2193  1 new message")
                : Chat.currentUnread > 1 ? qsTr("\u2193  %1 new messages").arg(Chat.currentUnread)
                : qsTr("\u2193  Jump to the newest message")
            Accessible.name: text
            font.pixelSize: 13
            palette.text: Theme.accentOnWindow
            palette.windowText: Theme.accentOnWindow
            background: Rectangle {
                color: jumpBar.down || jumpBar.hovered ? Theme.selected : Theme.window
                Rectangle { width: parent.width; height: 1; color: Theme.divider }
            }
            onClicked: view.showNewest()
        }
        Composer {
            id: composer
            objectName: "composer"
            Layout.fillWidth: true
            mentionsFor: (prefix) => Chat.mentionCandidates(prefix)
            onSendRequested: (text, replyToId) => {
                if (!Chat.send(text, replyToId))
                    return // refused (too long, say): the text stays
                composer.clear()
                composer.stopReplying()
                view.showNewest()
            }
            onEditRequested: (messageId, text) => {
                if (Chat.editMessage(messageId, text))
                    composer.stopEditing(Chat.currentDraft)
            }
            onEditCancelled: composer.stopEditing(Chat.currentDraft)
            // Up in an empty composer: the user's last message, to edit.
            onLastEditRequested: {
                const last = Chat.lastEditable()
                if (last.messageId !== undefined)
                    composer.startEditing(last.messageId, last.content)
            }
            onEdited: (text) => {
                if (!composer.editing)
                    Chat.composerChanged(text)
            }
        }
    }

    function focusComposer() { composer.focusField() }
}
