import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Pitchey

// The open conversation: header with presence or typing, messages, composer.
Page {
    id: view

    property bool atBottom: true
    property bool showBack: false // narrow window: the list is behind this view
    property bool threadTyping: false // in the thread beside: Ctrl+O is the thread's
    // Just opened: until the person scrolls (any way: wheel, keys, scroll bar, drag), the
    // view keeps its place at the "New messages" line (or the bottom) as messages come in.
    property bool placing: false
    property bool positioning: false // the view moves itself: not the person scrolling
    // Newer messages are being added under the ones read (Chat.messages.hasNewer): the view
    // stays where it is. And the newest page asked for: shown at its bottom once there.
    property bool pagingNewer: false
    property bool stayAtBottom: false // resized while at the bottom: keepBottom() puts it back
    property bool atTop: false // placed at the oldest message (all unread): keepTop() keeps it
    property bool wantNewest: false
    // The page's menu, picker and dialogs for a message (MessageActions).
    property MessageActions actions: null
    // For MessageActions: "Reply in thread" belongs here.
    readonly property bool offersThreads: true
    function startReplying(message) {
        composer.startReplying(message.messageId, message.senderName, message.content)
    }
    function startEditing(message) { composer.startEditing(message.messageId, message.content) }

    // The jump button: to the bottom, or, opened further up, to the newest page.
    function jumpToNewest() {
        if (Chat.messages.hasNewer) { // qmllint disable type
            view.wantNewest = true
            Chat.jumpToNewest() // the model is reset: onModelReset shows its bottom
        } else {
            view.showNewest()
        }
    }
    function fetchNewer() {
        view.pagingNewer = true
        Chat.messages.fetchNewer() // qmllint disable type
        view.pagingNewer = false
    }
    function toBottom() {
        view.atBottom = true
        view.positioning = true
        messages.positionViewAtBeginning()
        view.positioning = false
    }
    function keepBottom() {
        if (!view.stayAtBottom)
            return
        view.stayAtBottom = false
        view.toBottom()
    }
    function showNewest() {
        view.placing = false
        view.toBottom()
    }
    function showRow(row) {
        view.positioning = true
        // Twice: the rows around it are laid out by the first, so the second is exact.
        messages.positionViewAtIndex(row, ListView.Center)
        messages.forceLayout()
        messages.positionViewAtIndex(row, ListView.Center)
        view.positioning = false
        view.atBottom = messages.atYEnd
        view.stayAtBottom = false // a message brought into sight: not back to the bottom
        const item = messages.itemAtIndex(row) as MessageDelegate
        if (item)
            item.flash()
    }
    function place() {
        if (messages.height <= 0)
            return // not laid out yet: placed when it is (onHeightChanged)
        const row = Chat.messages.firstUnreadRow // qmllint disable type
        view.positioning = true
        view.stayAtBottom = false // placed anew: not put back at the bottom by a resize
        view.atTop = false
        // (All of it fits: it sits above the composer, line and all.)
        if (row < 0 || messages.contentHeight <= messages.height) {
            view.atBottom = true
            messages.positionViewAtBeginning()
        } else {
            // BottomToTop: the item's end is its top (and the line is at the delegate's
            // top). Twice: the rows around it are laid out by the first (a view just made
            // has none yet), so the second is exact.
            messages.positionViewAtIndex(row, ListView.End)
            messages.forceLayout()
            messages.positionViewAtIndex(row, ListView.End)
            // A little of what came before stays in sight above the line (at the oldest
            // message: the top itself).
            view.atTop = messages.contentY - Theme.spacing * 5 <= messages.originY
            if (view.atTop)
                messages.positionViewAtEnd()
            else
                messages.contentY -= Theme.spacing * 5
            view.atBottom = messages.atYEnd
        }
        view.positioning = false
        seenDelay.restart() // what is on screen now is what is seen
    }
    // At the top it stays as the rows there are made (a date heading above the line).
    function keepTop() {
        if (!view.placing || !view.atTop || messages.atYBeginning)
            return
        view.positioning = true
        messages.positionViewAtEnd()
        view.positioning = false
    }
    // Placed again, later (what moves the view until then is not the person).
    function placeAgain() {
        view.positioning = true
        Qt.callLater(view.place) // qmllint disable type
    }
    // A conversation opened (or the view made by the first opening): its own draft in the
    // composer, and the view placed at its first unread message or its bottom.
    function opened() {
        composer.stopReplying()
        composer.stopEditing(Chat.currentDraft)
        view.placing = true
        view.placeAgain()
    }
    Component.onCompleted: opened()

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
            onAttachmentOpened: (attachmentId, filename) => Chat.openAttachment(attachmentId, filename)
            onImageViewed: (attachmentId) => viewer.show(attachmentId)
            onAttachmentSaveRequested: (attachmentId, filename) => Chat.saveAttachment(attachmentId, filename)
            onDiscardRequested: (id) => Chat.discard(id)
            onMenuRequested: (message) => view.actions.showMenu(message, view)
            onReactRequested: (message, anchor) => view.actions.openPicker(message.messageId, anchor, view)
            onReactionToggled: (id, emoji) => Chat.toggleReaction(id, emoji)
            onReplyClicked: (id) => Chat.reveal(id)
            onThreadRequested: (id) => Chat.openThread(id)
            onVersionsRequested: (id) => view.actions.showVersions(id, view)
        }

        onAtYEndChanged: {
            if (!view.positioning && height === lastHeight) // (not while resized: see below)
                view.atBottom = atYEnd
        }
        // The view grows or shrinks (the composer's reply bar gone as a reply is sent, the
        // window resized): at the bottom, it stays there. (Height first: atYEnd follows.)
        // Just opened, and until the person scrolls, it is placed again as its height
        // changes (the jump bar shown under the messages would push the "New messages" line
        // under the header), and kept at the top if placed there (keepTop).
        // (Qt moves a BottomToTop view's content as it resizes, before heightChanged: that
        // is no scrolling by the person; hence the sizes last seen.)
        property real lastHeight: 0
        property real lastContentHeight: 0
        onHeightChanged: {
            lastHeight = height
            if (view.placing) {
                view.placeAgain()
            } else if (view.atBottom && !Chat.messages.hasNewer) { // qmllint disable type
                view.stayAtBottom = true
                Qt.callLater(view.keepBottom) // qmllint disable type
            }
        }
        onContentHeightChanged: {
            lastContentHeight = contentHeight
            if (view.placing && view.atTop)
                Qt.callLater(view.keepTop) // qmllint disable type
        }
        onContentYChanged: {
            if (!view.positioning && height === lastHeight && contentHeight === lastContentHeight)
                view.placing = false
            // Near the top: older messages (the model says whether there may be more).
            // (Later, not while the view is laying itself out.)
            if (contentY - originY < height)
                Qt.callLater(Chat.messages.fetchOlder) // qmllint disable type
            // Near the bottom of what is loaded, newer ones that are not.
            if (Chat.messages.hasNewer && originY + contentHeight - height - contentY < height) // qmllint disable type
                Qt.callLater(view.fetchNewer) // qmllint disable type
            seenDelay.restart()
        }
        onCountChanged: {
            if (view.pagingNewer)
                return // added under what is read: it stays in place
            if (view.placing)
                view.placeAgain()
            else if (view.atBottom && !Chat.messages.hasNewer) // qmllint disable type
                Qt.callLater(messages.positionViewAtBeginning) // qmllint disable type
            seenDelay.restart()
        }
        Component.onCompleted: {
            Chat.messages.ownMentionColor = mentionColor
            if (!view.placing)
                positionViewAtBeginning()
        }

        BusyIndicator {
            anchors.top: parent.top
            anchors.horizontalCenter: parent.horizontalCenter
            running: Chat.loadingOlder
            visible: running
        }
    }

    // The newest message on screen is reported as seen (a read receipt when the window is active).
    Timer {
        id: seenDelay
        interval: 300
        onTriggered: {
            if (view.positioning)
                return // restarted once placed
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
            view.stayAtBottom = false
            Qt.callLater(view.showRow, row) // qmllint disable type
        }
        // A thread reply arrived (its root's summary changed, not the rows): seen when the
        // view is at the bottom.
        function onCurrentStatusChanged() { seenDelay.restart() }
        function onCurrentChanged() { view.opened() }
    }
    Connections {
        target: Chat.messages // qmllint disable type
        // All of it replaced (the first unread one fetched): placed again, as when opened.
        function onModelReset() {
            if (view.wantNewest) {
                view.wantNewest = false
                Qt.callLater(view.showNewest) // qmllint disable type
                return
            }
            view.placing = true
            view.placeAgain()
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
            visible: (!view.atBottom || Chat.messages.hasNewer) && messages.count > 0 // qmllint disable type
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
            onClicked: view.jumpToNewest()
        }
        Composer {
            id: composer
            objectName: "composer"
            Layout.fillWidth: true
            mentionsFor: (prefix) => Chat.mentionCandidates(prefix)
            staged: Chat.files.files
            pasteFiles: () => Chat.files.paste()
            onAttachRequested: Chat.files.choose()
            onUnstageRequested: (index) => Chat.files.remove(index)
            onSendRequested: (text, replyToId) => {
                view.wantNewest = Chat.messages.hasNewer // qmllint disable type
                const sent = Chat.send(text, replyToId)
                view.wantNewest = false // (the reset, if any, came within)
                if (!sent)
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

    ImageViewer {
        id: viewer
        onClosed: view.focusComposer()
    }

    Shortcut {
        sequence: "Ctrl+O"
        enabled: view.visible && !view.threadTyping
        onActivated: Chat.files.choose()
    }

    // Files dropped anywhere on the conversation are staged for its next message.
    FileDropArea {
        objectName: "fileDropArea"
        anchors.fill: parent
        destination: Chat.currentTitle
        onFilesDropped: (urls) => {
            if (Chat.files.addUrls(urls))
                composer.focusField()
        }
    }
}
