import QtQuick
import QtQuick.Controls
import QtTest
import Pitchey

Item {
    id: root
    width: 600
    height: 400

    Component { id: spyComponent; SignalSpy {} }
    Component { id: avatarComponent; Avatar {} }
    Component { id: ticksComponent; DeliveryTicks {} }
    Component { id: bannerComponent; ConnectionBanner { width: 400 } }
    Component { id: composerComponent; Composer { width: 400 } }
    Component {
        id: messageComponent
        MessageDelegate {
            width: 500
            index: 0; messageId: 1; clientMessageId: "c1"; senderName: "Bob"
            content: "<b>bold?</b> & <i>no</i>"; time: "10:00"; day: "Today"
            isOwn: true; deliveryState: MessageListModel.Failed; failure: "forbidden"
            firstOfGroup: true; firstOfDay: true; firstUnread: false; linkedHtml: ""
            editedAt: ""; deleted: false
            replyToId: 0; replySender: ""; replyExcerpt: ""; replyDeleted: false
            reactions: []; threadSummary: ""; attachments: []; uploadProgress: -1
        }
    }
    Component {
        id: conversationComponent
        ConversationDelegate {
            width: 300
            index: 0; conversationId: 7; title: "Bob Stone"; initials: "BS"; isGroup: false
            online: true; preview: "see you"; time: "09:30"; unread: 3; mentions: 0; typing: ""; draft: ""
        }
    }

    // The first visible item of that name (a hidden twin may come before it).
    function findShown(item, name) {
        if (item.objectName === name && item.visible)
            return item
        for (let i = 0; i < item.children.length; ++i) {
            const found = findShown(item.children[i], name)
            if (found)
                return found
        }
        return null
    }

    function find(item, name) {
        if (item.objectName === name)
            return item
        for (let i = 0; i < item.children.length; ++i) {
            const found = find(item.children[i], name)
            if (found)
                return found
        }
        return null
    }

    TestCase {
        name: "Components"
        when: windowShown

        function test_avatarShowsInitialsAndPresence() {
            const avatar = createTemporaryObject(avatarComponent, root, { name: "Bob", initials: "Bo", online: true, showPresence: true })
            verify(avatar)
            compare(find(avatar, "presenceDot").visible, true)
            avatar.online = false
            compare(find(avatar, "presenceDot").visible, false)
        }

        function test_ticksFollowTheState_data() {
            return [
                { tag: "queued", state: MessageListModel.Queued, text: "\u25F7" },
                { tag: "sent", state: MessageListModel.Sent, text: "\u2713" },
                { tag: "delivered", state: MessageListModel.Delivered, text: "\u2713\u2713" },
                { tag: "read", state: MessageListModel.Read, text: "\u2713\u2713" },
                { tag: "failed", state: MessageListModel.Failed, text: "\u26A0" },
            ]
        }
        function test_ticksFollowTheState(data) {
            const ticks = createTemporaryObject(ticksComponent, root, { deliveryState: data.state })
            compare(ticks.text, data.text)
            if (data.tag === "read")
                compare(ticks.color, Theme.readTicks)
            else if (data.tag === "delivered")
                verify(ticks.color !== Theme.readTicks)
        }

        function test_bannerSaysWhenMessagesGoOut() {
            const banner = createTemporaryObject(bannerComponent, root, { connectionState: 2 })
            compare(find(banner, "connectionText").text, "Connected")
            banner.connectionState = 1
            compare(find(banner, "connectionText").text, "Connecting…")
            banner.connectionState = 0
            banner.retryInSeconds = 7
            verify(find(banner, "connectionText").text.indexOf("retrying in 7 s") >= 0)
            verify(find(banner, "connectionText").text.indexOf("Messages will be sent when you are back") >= 0)
        }

        function test_enterSendsShiftEnterBreaksTheLine() {
            const composer = createTemporaryObject(composerComponent, root)
            const sent = createTemporaryObject(spyComponent, root,
                                               { target: composer, signalName: "sendRequested" })
            composer.focusField()
            keyClick("h"); keyClick("i")
            keyClick(Qt.Key_Return, Qt.ShiftModifier)
            keyClick("x")
            compare(composer.text, "hi\nx")
            compare(sent.count, 0)
            keyClick(Qt.Key_Return)
            compare(sent.count, 1)
            compare(sent.signalArguments[0][0], "hi\nx")
            compare(composer.text, "hi\nx") // until the page has the send accepted
            composer.clear()
            keyClick(Qt.Key_Return) // nothing to send
            compare(sent.count, 1)
        }

        function test_aDraftLoadsWithoutCountingAsTyping() {
            const composer = createTemporaryObject(composerComponent, root)
            const edited = createTemporaryObject(spyComponent, root,
                                                 { target: composer, signalName: "edited" })
            composer.load("half a thought")
            compare(composer.text, "half a thought")
            compare(edited.count, 0)
            composer.focusField()
            keyClick("!")
            compare(composer.text, "half a thought!") // the cursor was at the end
            compare(edited.count, 1)
        }

        function test_aCounterShowsNearTheLimit() {
            const composer = createTemporaryObject(composerComponent, root, { maxLength: 20 })
            const counter = find(composer, "lengthCounter")
            composer.load("0123456789012345")
            compare(counter.visible, false)
            composer.load("0123456789012345678")
            compare(counter.visible, true)
            compare(counter.text, "1")
            composer.load("0123456789012345678\uD83D\uDE00\uD83D\uDE00") // code points, as the server counts
            compare(counter.text, "-1")
            compare(counter.color, Theme.danger)
        }

        function test_messageContentIsPlainText() {
            const message = createTemporaryObject(messageComponent, root)
            const text = find(message, "messageText")
            compare(text.textFormat, TextEdit.PlainText)
            compare(text.text, "<b>bold?</b> & <i>no</i>")
            compare(find(message, "retryButton").visible, true)
            const retried = createTemporaryObject(spyComponent, root,
                                                  { target: message, signalName: "retryRequested" })
            mouseClick(find(message, "retryButton"))
            compare(retried.count, 1)
            compare(retried.signalArguments[0][0], "c1")
        }

        function test_editedAndDeletedMessagesSaySo() {
            const message = createTemporaryObject(messageComponent, root)
            verify(!findShown(message, "editedMark"))
            message.editedAt = "03/12/2026 10:05"
            verify(findShown(message, "editedMark"))
            compare(message.changeable, true)
            // A tombstone: never the old text, nothing to change, no edit mark.
            message.deleted = true
            message.editedAt = ""
            const text = find(message, "messageText")
            compare(text.text, "Message deleted")
            compare(text.font.italic, true)
            compare(message.changeable, false)
            verify(!findShown(message, "editedMark"))
        }

        function test_filesShowAsImagesAndCards() {
            const message = createTemporaryObject(messageComponent, root)
            const opened = createTemporaryObject(spyComponent, root,
                                                 {target: message, signalName: "attachmentOpened"})
            message.content = ""
            message.attachments = [
                {id: 5, filename: "wide.jpg", mimeType: "image/jpeg", size: 1000, sizeText: "1000 bytes",
                 width: 1000, height: 250, image: true},
                {id: 6, filename: "notes.pdf", mimeType: "application/pdf", size: 2048, sizeText: "2 KiB",
                 width: 0, height: 0, image: false}]
            const tile = findShown(message, "attachmentImage")
            tryVerify(() => tile.width > 0)
            compare(tile.width, 320) // 4:1, at most 320 wide, before anything loads
            compare(tile.height, 80)
            const card = findShown(message, "attachmentFile")
            verify(card)
            verify(card.Accessible.name.indexOf("notes.pdf") >= 0)
            compare(find(message, "messageText").visible, false) // no caption: no empty line
            // (Laid out: the card under the picture.)
            tryVerify(() => card.mapToItem(message, 0, 0).y >= tile.mapToItem(message, 0, 0).y + tile.height)
            mouseClick(card)
            compare(opened.count, 1)
            compare(opened.signalArguments[0][0], 6)
            compare(opened.signalArguments[0][1], "notes.pdf")
            message.attachments = [{id: 7, filename: "tall.png", mimeType: "image/png", size: 10,
                                    sizeText: "10 bytes", width: 300, height: 900, image: true}]
            tryCompare(findShown(message, "attachmentImage"), "height", 360) // capped, 1:3 kept
            compare(findShown(message, "attachmentImage").width, 120)
            message.deleted = true // a tombstone has no files
            tryVerify(() => !findShown(message, "attachmentImage"))
        }

        function test_aReplyShowsWhatItAnswers() {
            const message = createTemporaryObject(messageComponent, root)
            verify(!find(message, "replyQuote")) // not made for a message that answers none
            message.replyToId = 40
            message.replySender = "Ann"
            message.replyExcerpt = "<b>meet</b> at 5"
            const quote = find(message, "replyQuote")
            verify(quote)
            compare(quote.visible, true)
            const text = find(message, "messageText")
            tryVerify(() => quote.height > 0 && text.mapToItem(message, 0, 0).y
                                                >= quote.mapToItem(message, 0, 0).y + quote.height) // laid out
            const clicked = createTemporaryObject(spyComponent, root,
                                                  { target: message, signalName: "replyClicked" })
            mouseClick(quote)
            compare(clicked.count, 1)
            compare(clicked.signalArguments[0][0], 40)
            verify(quote.Accessible.name.indexOf("<b>meet</b> at 5") >= 0) // plain text
            message.replyDeleted = true
            verify(quote.Accessible.name.indexOf("Deleted message") >= 0)
        }

        function test_reactionChipsShowCountsAndToggle() {
            const message = createTemporaryObject(messageComponent, root)
            verify(!findShown(message, "reactions"))
            message.reactions = [{ emoji: "\u{1F44D}", count: 2, me: true, who: "You and Ann" },
                                 { emoji: "\u{1F389}", count: 1, me: false, who: "Ann" }]
            const chips = findShown(message, "reactions")
            verify(chips)
            const first = find(chips, "reactionChip")
            verify(first.checked) // the user's own
            verify(first.Accessible.name.indexOf("You and Ann") >= 0)
            const second = chips.children[1]
            // Laid out side by side, the user's message's from the right.
            tryVerify(() => first.width > 0 && second.x + second.width <= first.x)
            const toggled = createTemporaryObject(spyComponent, root,
                                                  { target: message, signalName: "reactionToggled" })
            mouseClick(first)
            compare(toggled.count, 1)
            compare(toggled.signalArguments[0][0], 1)
            compare(toggled.signalArguments[0][1], "\u{1F44D}")
            message.deleted = true // a tombstone shows none
            verify(!findShown(message, "reactions"))
        }

        function test_aThreadRootShowsItsRepliesAndOpensTheThread() {
            const message = createTemporaryObject(messageComponent, root)
            verify(!findShown(message, "threadSummary"))
            message.threadSummary = "2 replies · last 14:05"
            const summary = findShown(message, "threadSummary")
            verify(summary)
            tryVerify(() => summary.width > 0)
            const clicked = createTemporaryObject(spyComponent, root,
                                                  { target: message, signalName: "threadRequested" })
            mouseClick(summary)
            compare(clicked.count, 1)
            compare(clicked.signalArguments[0][0], 1)
            // The hover bar has it too, on any message.
            const bubble = find(message, "bubble")
            mouseMove(bubble, bubble.width / 2, bubble.height / 2)
            const button = find(message, "threadButton")
            tryVerify(() => button.visible && button.width > 0)
            mouseClick(button)
            compare(clicked.count, 2)
            verify(!findShown(message, "threadDivider"))
            message.inThread = true // in the thread's own panel, no thread of its own
            verify(!findShown(message, "threadSummary"))
            compare(button.visible, false)
            verify(findShown(message, "threadDivider")) // where the replies begin
        }

        function test_conversationRowShowsUnreadAndTyping() {
            const row = createTemporaryObject(conversationComponent, root)
            compare(find(row, "unreadBadge").visible, true)
            compare(find(row, "previewText").text, "see you")
            row.draft = "half a thought"
            compare(find(row, "previewText").text, "Draft: half a thought")
            row.typing = "typing…"
            compare(find(row, "previewText").text, "typing…") // what happens now comes first
            row.typing = ""
            row.draft = ""
            compare(find(row, "previewText").text, "see you")
            compare(find(row, "mentionMark").visible, false)
            row.mentions = 1 // an unread mention: the "@" mark beside the count
            compare(find(row, "mentionMark").visible, true)
            row.unread = 0
            row.mentions = 0
            compare(find(row, "unreadBadge").visible, false)
            compare(find(row, "mentionMark").visible, false)
        }
    }
}
