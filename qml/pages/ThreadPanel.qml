import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Pitchey

// The open thread beside its conversation: the root, its replies, newest at the bottom, and
// a composer of its own. Esc (when the composer has nothing to cancel) or × closes it.
Page {
    id: panel

    property MessageActions actions: null
    property bool atBottom: true
    // The person is typing in the thread's composer (Ctrl+O attaches to the thread then).
    readonly property bool typing: composer.fieldFocused
    // For MessageActions: a thread has no threads of its own.
    readonly property bool offersThreads: false
    function startReplying(message) {
        composer.startReplying(message.messageId, message.senderName, message.content)
    }
    function startEditing(message) { composer.startEditing(message.messageId, message.content) }
    function focusComposer() { composer.focusField() }
    function showNewest() {
        panel.atBottom = true
        replies.positionViewAtBeginning()
    }

    background: Rectangle { color: Theme.base }
    Keys.onEscapePressed: Chat.closeThread()

    header: Rectangle {
        implicitHeight: headerRow.implicitHeight + Theme.spacing * 2
        color: Theme.window
        Rectangle { anchors.bottom: parent.bottom; width: parent.width; height: 1; color: Theme.divider }
        RowLayout {
            id: headerRow
            anchors.fill: parent
            anchors.margins: Theme.spacing
            anchors.leftMargin: Theme.spacing * 2
            Label {
                objectName: "threadTitle"
                Layout.fillWidth: true
                text: qsTr("Thread")
                font.bold: true
                font.pixelSize: 15
                color: Theme.text
            }
            BusyIndicator {
                implicitWidth: 24
                implicitHeight: 24
                running: Chat.loadingThread
                visible: running
            }
            // Slack's "Following" / "Follow thread": whether its replies notify.
            ToolButton {
                objectName: "followThread"
                // Not checkable: a click asks the controller, and the binding stays.
                checked: Chat.threadFollowing
                enabled: !Chat.threadFollowPending
                text: checked ? qsTr("Following") : qsTr("Follow")
                focusPolicy: Qt.TabFocus
                Accessible.name: checked ? qsTr("Stop following the thread")
                                         : qsTr("Follow the thread")
                ToolTip.visible: hovered
                ToolTip.text: checked ? qsTr("Its replies notify you. Click to stop.")
                                      : qsTr("Get notified of its replies")
                onClicked: Chat.threadFollowing = !checked
            }
            ToolButton {
                objectName: "closeThread"
                text: "\u2715"
                focusPolicy: Qt.TabFocus
                Accessible.name: qsTr("Close the thread")
                ToolTip.visible: hovered
                ToolTip.text: qsTr("Close the thread (Esc)")
                onClicked: Chat.closeThread()
            }
        }
    }

    ListView {
        id: replies
        objectName: "threadList"
        Accessible.role: Accessible.List
        Accessible.name: qsTr("Thread")
        anchors.fill: parent
        clip: true
        model: Chat.thread
        reuseItems: true
        boundsBehavior: Flickable.StopAtBounds
        // As the conversation: the newest at the bottom, older replies paged in at the top.
        verticalLayoutDirection: ListView.BottomToTop
        header: Item { height: Theme.spacing }
        ScrollBar.vertical: ScrollBar {}

        delegate: MessageDelegate {
            inThread: true
            showSender: true
            onRetryRequested: (id) => Chat.retry(id)
            onAttachmentOpened: (attachmentId, filename) => Chat.openAttachment(attachmentId, filename)
            onImageViewed: (attachmentId) => viewer.show(attachmentId)
            onAttachmentSaveRequested: (attachmentId, filename) => Chat.saveAttachment(attachmentId, filename)
            onDiscardRequested: (id) => Chat.discard(id)
            onMenuRequested: (message) => panel.actions.showMenu(message, panel)
            onReactRequested: (message, anchor) => panel.actions.openPicker(message.messageId, anchor, panel)
            onReactionToggled: (id, emoji) => Chat.toggleReaction(id, emoji)
            onReplyClicked: (id) => panel.showMessage(id)
            onVersionsRequested: (id) => panel.actions.showVersions(id, panel)
        }

        onAtYEndChanged: panel.atBottom = atYEnd
        onContentYChanged: {
            if (contentY - originY < height)
                Qt.callLater(Chat.thread.fetchOlder) // qmllint disable type
            seenDelay.restart()
        }
        onCountChanged: {
            if (panel.atBottom)
                Qt.callLater(replies.positionViewAtBeginning) // qmllint disable type
            seenDelay.restart()
        }
        Component.onCompleted: {
            Chat.thread.ownMentionColor = Theme.accentOnBase.toString()
            positionViewAtBeginning()
        }
    }

    // A quoted message of the thread, into sight.
    function showMessage(messageId) {
        const row = Chat.thread.rowOfMessage(messageId) // qmllint disable type
        if (row < 0)
            return
        replies.positionViewAtIndex(row, ListView.Center)
        const item = replies.itemAtIndex(row) as MessageDelegate
        if (item)
            item.flash()
    }

    // The newest reply on screen is reported as seen, as in the conversation.
    Timer {
        id: seenDelay
        interval: 300
        onTriggered: {
            const index = replies.indexAt(replies.width / 2, replies.contentY + replies.height - 4)
            const last = index >= 0 ? index : (panel.atBottom ? 0 : -1)
            if (last >= 0)
                Chat.markSeen(Chat.thread.messageIdAt(last)) // qmllint disable type
        }
    }
    Connections {
        target: Chat
        function onWindowActiveChanged() { seenDelay.restart() }
        function onThreadChanged() {
            composer.stopReplying()
            composer.stopEditing(Chat.threadDraft)
            panel.showNewest()
        }
    }

    footer: Composer {
        id: composer
        objectName: "threadComposer"
        placeholder: qsTr("Reply in the thread…")
        mentionsFor: (prefix) => Chat.mentionCandidates(prefix)
        staged: Chat.threadFiles.files
        pasteFiles: () => Chat.threadFiles.paste()
        onAttachRequested: Chat.threadFiles.choose()
        onUnstageRequested: (index) => Chat.threadFiles.remove(index)
        onSendRequested: (text, replyToId) => {
            if (!Chat.sendInThread(text, replyToId))
                return // refused (too long, say): the text stays
            composer.clear()
            composer.stopReplying()
            panel.showNewest()
        }
        onEditRequested: (messageId, text) => {
            if (Chat.editMessage(messageId, text))
                composer.stopEditing(Chat.threadDraft)
        }
        onEditCancelled: composer.stopEditing(Chat.threadDraft)
        onLastEditRequested: {
            const last = Chat.lastEditable(Chat.threadRootId)
            if (last.messageId !== undefined)
                composer.startEditing(last.messageId, last.content)
        }
        onEdited: (text) => {
            if (!composer.editing)
                Chat.threadComposerChanged(text)
        }
        Component.onCompleted: composer.load(Chat.threadDraft)
    }

    ImageViewer {
        id: viewer
        inThread: true
        onClosed: panel.focusComposer()
    }

    // Ctrl+O while typing here attaches to the thread's next reply (the conversation's
    // shortcut gives way).
    Shortcut {
        sequence: "Ctrl+O"
        enabled: composer.fieldFocused
        onActivated: Chat.threadFiles.choose()
    }

    // Files dropped on the thread are staged for its next reply.
    FileDropArea {
        anchors.fill: parent
        destination: qsTr("the thread")
        onFilesDropped: (urls) => {
            if (Chat.threadFiles.addUrls(urls))
                composer.focusField()
        }
    }
}
