import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Pitchey

// One message: a day header when the day changes, the sender's name at the start of a
// run of their messages (in groups), the text as plain text, the time and, on the
// user's own messages, the delivery state; "(edited)" on an edited one, "Message deleted"
// in the place of a deleted one; its reactions under it. Bindings only, no JavaScript per
// frame.
Item {
    id: message

    required property int index
    required property var messageId
    required property string clientMessageId
    required property string senderName
    required property string content
    required property string linkedHtml // with clickable links; empty when there are none
    required property string time
    required property string day
    required property bool isOwn
    required property int deliveryState
    required property string failure
    required property bool firstOfGroup
    required property bool firstOfDay
    required property bool firstUnread
    required property string editedAt // "" when never edited
    required property bool deleted
    required property var replyToId // 0: not a reply
    required property string replySender
    required property string replyExcerpt
    required property bool replyDeleted
    required property var reactions // [{emoji, count, me, who}]
    required property string threadSummary // a root's "3 replies · last 14:05", or ""
    required property var attachments // AttachmentList's
    required property real uploadProgress // 0 to 1 while its files upload, else -1
    property bool showSender: false
    // In a thread's panel: the root shows no summary (the panel is the thread).
    property bool inThread: false
    // Sent, not deleted, the user's own: what Edit and Delete apply to.
    readonly property bool changeable: isOwn && !deleted && messageId > 0

    function copyText() {
        body.selectAll()
        body.copy()
        body.deselect()
    }

    // Briefly marks the bubble (the view has just brought it into sight).
    function flash() {
        flashOverlay.active = false
        flashOverlay.active = true
    }

    signal menuRequested(var message)
    signal reactRequested(var message, var anchor)
    signal reactionToggled(var messageId, string emoji)
    signal replyClicked(var messageId)
    signal threadRequested(var messageId)
    signal versionsRequested(var messageId)
    signal retryRequested(string clientMessageId)
    signal attachmentOpened(var attachmentId, string filename)
    signal imageViewed(var attachmentId)
    signal attachmentSaveRequested(var attachmentId, string filename)
    signal discardRequested(string clientMessageId)

    width: ListView.view ? ListView.view.width : 400
    // The pointer anywhere on the message's row shows its action buttons beside the bubble.
    HoverHandler { id: rowHover }
    // A bubble takes most of a narrow view, and a readable line's length on a wide one.
    readonly property real bubbleWidth: Math.min(width * 0.72, Theme.bubbleMaxWidth)
    implicitHeight: column.implicitHeight

    ColumnLayout {
        id: column
        width: parent.width
        spacing: 2

        Label {
            visible: message.firstOfDay
            Layout.alignment: Qt.AlignHCenter
            Layout.topMargin: Theme.spacing
            Layout.bottomMargin: Theme.spacing / 2
            text: message.day
            textFormat: Text.PlainText
            color: Theme.mutedText
            font.pixelSize: 12
            font.bold: true
        }

        // Above the oldest message not yet read when the conversation was opened (made
        // for that one row only).
        Loader {
            active: message.firstUnread
            visible: active
            Layout.fillWidth: true
            Layout.topMargin: Theme.spacing
            Layout.bottomMargin: Theme.spacing / 2
            Layout.leftMargin: Theme.spacing * 2
            Layout.rightMargin: Theme.spacing * 2
            sourceComponent: RowLayout {
                objectName: "newMessagesLine"
                spacing: Theme.spacing
                Rectangle { Layout.fillWidth: true; implicitHeight: 1; color: Theme.accentOnBase }
                Label {
                    text: qsTr("New messages")
                    color: Theme.accentOnBase
                    font.pixelSize: 12
                    font.bold: true
                }
                Rectangle { Layout.fillWidth: true; implicitHeight: 1; color: Theme.accentOnBase }
            }
        }

        Rectangle {
            id: bubble
            objectName: "bubble"
            Layout.alignment: message.isOwn ? Qt.AlignRight : Qt.AlignLeft
            Layout.leftMargin: Theme.spacing * 2
            Layout.rightMargin: Theme.spacing * 2
            Layout.topMargin: message.firstOfGroup ? Theme.spacing / 2 : 0
            Layout.maximumWidth: message.bubbleWidth
            implicitWidth: Math.max(body.visible ? body.implicitWidth : 0, meta.implicitWidth, sender.visible ? sender.implicitWidth : 0,
                                    files.visible ? files.implicitWidth : 0,
                                    quote.visible ? Math.min(quote.implicitWidth, message.bubbleWidth - Theme.spacing * 2) : 0) + Theme.spacing * 2
            implicitHeight: inner.implicitHeight + Theme.spacing
            radius: Theme.radius
            color: message.isOwn ? Theme.ownBubble : Theme.otherBubble
            border.color: message.deliveryState === MessageListModel.Failed ? Theme.danger : "transparent"

            Loader {
                id: flashOverlay
                anchors.fill: parent
                active: false
                sourceComponent: Rectangle {
                    radius: Theme.radius
                    color: Theme.accent
                    SequentialAnimation on opacity {
                        NumberAnimation { from: 0; to: 0.35; duration: 150 }
                        NumberAnimation { to: 0; duration: 900 }
                        onFinished: flashOverlay.active = false // qmllint disable unqualified
                    }
                }
            }

            // Right click, or the "⋯" that hovering shows: what can be done with the
            // message (one menu for the whole view).
            TapHandler {
                acceptedButtons: Qt.RightButton
                onTapped: message.menuRequested(message)
            }
            // (Made while hovered only: a few hundred buttons less in a long scroll.)
            Loader {
                active: rowHover.hovered && !message.deleted && message.messageId > 0
                anchors.verticalCenter: parent.verticalCenter
                anchors.right: message.isOwn ? parent.left : undefined
                anchors.left: message.isOwn ? undefined : parent.right
                sourceComponent: Row {
                    layoutDirection: message.isOwn ? Qt.RightToLeft : Qt.LeftToRight // qmllint disable unqualified
                    ToolButton {
                        id: reactButton
                        objectName: "reactButton"
                        text: "\u263A"
                        focusPolicy: Qt.NoFocus
                        Accessible.name: qsTr("React")
                        ToolTip.visible: hovered
                        ToolTip.text: Accessible.name
                        onClicked: message.reactRequested(message, reactButton) // qmllint disable unqualified
                    }
                    ToolButton {
                        objectName: "threadButton"
                        visible: !message.inThread // qmllint disable unqualified
                        text: "\u21B3"
                        focusPolicy: Qt.NoFocus
                        Accessible.name: qsTr("Reply in thread")
                        ToolTip.visible: hovered
                        ToolTip.text: Accessible.name
                        onClicked: message.threadRequested(message.messageId) // qmllint disable unqualified
                    }
                    ToolButton {
                        id: actionsButton
                        objectName: "messageActions"
                        text: "\u22EF"
                        focusPolicy: Qt.NoFocus
                        Accessible.name: qsTr("Message actions")
                        ToolTip.visible: hovered
                        ToolTip.text: Accessible.name
                        onClicked: message.menuRequested(message) // qmllint disable unqualified
                    }
                }
            }

            ColumnLayout {
                id: inner
                anchors.fill: parent
                anchors.margins: Theme.spacing / 2
                anchors.leftMargin: Theme.spacing
                anchors.rightMargin: Theme.spacing
                spacing: 2

                Label {
                    id: sender
                    visible: message.showSender && message.firstOfGroup && !message.isOwn
                    text: message.senderName
                    textFormat: Text.PlainText
                    color: Theme.nameColor(message.senderName)
                    font.bold: true
                    font.pixelSize: 12
                }
                // What it answers, as the server shows it now; a click goes there.
                Loader {
                    id: quote
                    active: message.replyToId > 0 && !message.deleted
                    visible: active
                    Layout.fillWidth: true
                    Layout.maximumWidth: message.bubbleWidth - Theme.spacing * 2
                    sourceComponent: Rectangle {
                        objectName: "replyQuote"
                        implicitWidth: quoteText.implicitWidth + Theme.spacing * 1.5
                        implicitHeight: quoteText.implicitHeight + Theme.spacing / 2
                        color: "transparent"
                        Accessible.role: Accessible.Button
                        Accessible.name: qsTr("Reply to %1: %2").arg(message.replySender).arg(quoteExcerpt.text) // qmllint disable unqualified
                        Rectangle { width: 3; height: parent.height; radius: 1; color: Theme.accentOnBase }
                        ColumnLayout {
                            id: quoteText
                            x: Theme.spacing
                            width: parent.width - Theme.spacing
                            spacing: 0
                            Label {
                                Layout.fillWidth: true
                                text: message.replySender // qmllint disable unqualified
                                textFormat: Text.PlainText
                                elide: Text.ElideRight
                                color: Theme.accentOnBase
                                font.pixelSize: 12
                                font.bold: true
                            }
                            Label {
                                id: quoteExcerpt
                                Layout.fillWidth: true
                                text: message.replyDeleted ? qsTr("Deleted message") : message.replyExcerpt // qmllint disable unqualified
                                textFormat: Text.PlainText
                                elide: Text.ElideRight
                                maximumLineCount: 2
                                wrapMode: Text.Wrap
                                font.italic: message.replyDeleted // qmllint disable unqualified
                                color: Theme.mutedText
                                font.pixelSize: 12
                            }
                        }
                        TapHandler { onTapped: message.replyClicked(message.replyToId) } // qmllint disable unqualified
                        HoverHandler { cursorShape: Qt.PointingHandCursor }
                    }
                }
                Loader {
                    id: files
                    active: !message.deleted && message.attachments.length > 0
                    visible: active
                    sourceComponent: AttachmentList {
                        attachments: message.attachments // qmllint disable unqualified
                        maxWidth: message.bubbleWidth - Theme.spacing * 2 // qmllint disable unqualified
                        onOpenRequested: (attachmentId, filename) => message.attachmentOpened(attachmentId, filename)
                        onViewRequested: (attachmentId) => message.imageViewed(attachmentId)
                        onSaveRequested: (attachmentId, filename) => message.attachmentSaveRequested(attachmentId, filename)
                    }
                }
                // Files not sent yet: how far their upload is, and a way to take it back.
                // (Made only then: a long conversation has no bar to keep per message.)
                Loader {
                    active: message.deliveryState === MessageListModel.Queued && message.attachments.length > 0
                            && message.attachments[0].id === 0
                    visible: active
                    Layout.fillWidth: true
                    sourceComponent: RowLayout {
                        objectName: "uploadBar"
                        ProgressBar {
                            objectName: "uploadProgress"
                            Layout.fillWidth: true
                            from: 0
                            to: 1
                            value: Math.max(0, message.uploadProgress) // qmllint disable unqualified
                            indeterminate: message.uploadProgress < 0 // qmllint disable unqualified
                            Accessible.name: message.uploadProgress < 0 ? qsTr("Waiting to upload") // qmllint disable unqualified
                                                                        : qsTr("Uploading, %1%").arg(Math.round(message.uploadProgress * 100))
                        }
                        ToolButton {
                            objectName: "cancelUpload"
                            text: "\u2715"
                            Accessible.name: qsTr("Cancel sending")
                            ToolTip.visible: hovered
                            ToolTip.text: Accessible.name
                            ToolTip.delay: 600
                            onClicked: message.discardRequested(message.clientMessageId) // qmllint disable unqualified
                        }
                    }
                }
                TextEdit {
                    id: body
                    objectName: "messageText"
                    // A file's message may have no text: no empty line under it.
                    visible: message.deleted || message.content.length > 0
                    readonly property bool hasLinks: message.linkedHtml.length > 0
                    Layout.fillWidth: true
                    Layout.maximumWidth: message.bubbleWidth - Theme.spacing * 2
                    // Plain text, never the sender's markup; only the links the model found
                    // (http, https, mailto) are rich.
                    text: message.deleted ? qsTr("Message deleted")
                        : hasLinks ? message.linkedHtml : message.content
                    textFormat: hasLinks && !message.deleted ? TextEdit.RichText : TextEdit.PlainText
                    font.italic: message.deleted
                    wrapMode: TextEdit.Wrap
                    readOnly: true
                    selectByMouse: true
                    color: message.deleted ? Theme.mutedText : Theme.text
                    selectionColor: Theme.accent
                    selectedTextColor: Theme.accentText
                    Accessible.role: Accessible.StaticText
                    Accessible.name: message.deleted ? qsTr("Message deleted") : message.content
                    onLinkActivated: (link) => Qt.openUrlExternally(link)
                    HoverHandler {
                        cursorShape: body.hoveredLink.length > 0 ? Qt.PointingHandCursor : Qt.IBeamCursor
                    }
                    // The whole address, before it is followed.
                    ToolTip.visible: body.hoveredLink.length > 0
                    ToolTip.text: body.hoveredLink
                    ToolTip.delay: 300
                }
                RowLayout {
                    id: meta
                    Layout.alignment: Qt.AlignRight
                    spacing: 4
                    Loader {
                        active: message.editedAt.length > 0
                        visible: active
                        sourceComponent: Label {
                            objectName: "editedMark"
                            text: qsTr("edited")
                            color: Theme.mutedText
                            font.pixelSize: 11
                            font.italic: true
                            ToolTip.visible: editedHover.hovered
                            ToolTip.text: qsTr("Edited %1 · click for the earlier versions").arg(message.editedAt) // qmllint disable unqualified
                            Accessible.role: Accessible.Button
                            Accessible.name: qsTr("Edited %1, show the versions").arg(message.editedAt) // qmllint disable unqualified
                            HoverHandler { id: editedHover; cursorShape: Qt.PointingHandCursor }
                            TapHandler { onTapped: message.versionsRequested(message.messageId) } // qmllint disable unqualified
                        }
                    }
                    Label {
                        text: message.time
                        textFormat: Text.PlainText
                        color: Theme.mutedText
                        font.pixelSize: 11
                    }
                    Loader {
                        active: message.isOwn && !message.deleted
                        visible: active
                        sourceComponent: DeliveryTicks {
                            objectName: "ticks"
                            deliveryState: message.deliveryState // qmllint disable unqualified
                        }
                    }
                }
            }
        }

        // A thread's root: how many replies and when the last came; a click opens it.
        // (This and the rest below are made only for the messages that have them: besides
        // the memory, a Text with no text watches the viewport, and every such item under
        // the list is visited on every frame of a scroll.)
        Loader {
            active: message.threadSummary.length > 0 && !message.inThread
            visible: active
            Layout.alignment: message.isOwn ? Qt.AlignRight : Qt.AlignLeft
            Layout.leftMargin: Theme.spacing * 2
            Layout.rightMargin: Theme.spacing * 2
            sourceComponent: Label {
                objectName: "threadSummary"
                text: message.threadSummary // qmllint disable unqualified
                color: Theme.accentOnBase
                font.pixelSize: 12
                font.bold: true
                Accessible.role: Accessible.Button
                Accessible.name: text
                HoverHandler { cursorShape: Qt.PointingHandCursor }
                TapHandler { onTapped: message.threadRequested(message.messageId) } // qmllint disable unqualified
            }
        }

        // Its reactions: one chip per emoji with its count, the user's own highlighted,
        // who reacted in the tooltip; a click adds or takes back the user's.
        Loader {
            active: message.reactions.length > 0 && !message.deleted
            visible: active
            Layout.alignment: message.isOwn ? Qt.AlignRight : Qt.AlignLeft
            Layout.leftMargin: Theme.spacing * 2
            Layout.rightMargin: Theme.spacing * 2
            // As wide as a bubble may be (a Flow has no width of its own); the chips start
            // at the bubble's side.
            Layout.preferredWidth: message.bubbleWidth
            sourceComponent: Flow {
                objectName: "reactions"
                layoutDirection: message.isOwn ? Qt.RightToLeft : Qt.LeftToRight // qmllint disable unqualified
                spacing: 4
                Repeater {
                    model: message.reactions // qmllint disable unqualified
                    delegate: AbstractButton {
                        id: chip
                        required property var modelData
                        objectName: "reactionChip"
                        implicitWidth: implicitContentWidth + Theme.spacing * 1.5
                        implicitHeight: implicitContentHeight + 4
                        focusPolicy: Qt.NoFocus
                        checkable: false
                        checked: chip.modelData.me
                        Accessible.name: qsTr("%1 %2, by %3").arg(chip.modelData.emoji)
                                         .arg(chip.modelData.count).arg(chip.modelData.who)
                        ToolTip.visible: hovered
                        ToolTip.delay: 300
                        ToolTip.text: qsTr("%1 reacted with %2").arg(chip.modelData.who).arg(chip.modelData.emoji)
                        onClicked: message.reactionToggled(message.messageId, chip.modelData.emoji) // qmllint disable unqualified
                        background: Rectangle {
                            radius: height / 2
                            color: chip.modelData.me ? Theme.selected : (message.isOwn ? Theme.ownBubble : Theme.otherBubble)
                            border.width: chip.modelData.me ? 1 : 0
                            border.color: Theme.accentOnBase
                        }
                        contentItem: Row {
                            spacing: 4
                            leftPadding: Theme.spacing * 0.75
                            Text {
                                text: chip.modelData.emoji
                                font.family: Theme.emojiFont
                                font.pixelSize: 14
                                anchors.verticalCenter: parent.verticalCenter
                            }
                            Label {
                                text: chip.modelData.count
                                font.pixelSize: 12
                                font.bold: chip.modelData.me
                                color: chip.modelData.me ? Theme.accentOnBase : Theme.mutedText
                                anchors.verticalCenter: parent.verticalCenter
                            }
                        }
                    }
                }
            }
        }

        Loader {
            active: message.isOwn && message.deliveryState === MessageListModel.Failed
            visible: active
            Layout.alignment: Qt.AlignRight
            Layout.rightMargin: Theme.spacing * 2
            sourceComponent: RowLayout {
                Label {
                    text: message.failure.length > 0 ? qsTr("Not sent: %1").arg(message.failure) : qsTr("Not sent") // qmllint disable unqualified
                    textFormat: Text.PlainText
                    color: Theme.danger
                    font.pixelSize: 12
                }
                Button {
                    objectName: "retryButton"
                    text: qsTr("Retry")
                    flat: true
                    onClicked: message.retryRequested(message.clientMessageId) // qmllint disable unqualified
                }
                Button {
                    text: qsTr("Delete")
                    flat: true
                    onClicked: message.discardRequested(message.clientMessageId) // qmllint disable unqualified
                }
            }
        }

        // In the thread's panel, under the root: where its replies begin.
        Loader {
            active: message.inThread && message.threadSummary.length > 0
            visible: active
            Layout.fillWidth: true
            Layout.topMargin: Theme.spacing / 2
            Layout.bottomMargin: Theme.spacing / 2
            Layout.leftMargin: Theme.spacing * 2
            Layout.rightMargin: Theme.spacing * 2
            sourceComponent: RowLayout {
                objectName: "threadDivider"
                spacing: Theme.spacing
                Label {
                    text: message.threadSummary // qmllint disable unqualified
                    color: Theme.mutedText
                    font.pixelSize: 12
                }
                Rectangle { Layout.fillWidth: true; implicitHeight: 1; color: Theme.divider }
            }
        }
    }
}
