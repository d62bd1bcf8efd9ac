import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Pitchey

// The message field: Enter sends, Shift+Enter starts a new line. The text stays until the
// page clears it (once a send is accepted); near the length limit a counter shows what is left.
// Editing a message and replying to one happen here too: a bar above says which (Esc or
// its cross gives up), Enter saves or sends, and Up in an empty field asks for the user's
// last message to edit. "@" offers the conversation's people (Up, Down, Enter or Tab to
// take one, Esc to type on): the name goes in as "@Name", which is what mentions them.
Rectangle {
    id: composer

    readonly property alias text: field.text
    property alias placeholder: field.placeholderText
    property int maxLength: 10000 // code points, as the server counts
    // Code points: UTF-16 units less the second halves of surrogate pairs.
    readonly property int length: field.text.length - (field.text.match(/[\uDC00-\uDFFF]/g) || []).length
    signal sendRequested(string text, var replyToId)
    signal edited(string text)
    signal editRequested(var messageId, string text)
    signal editCancelled()
    signal lastEditRequested()

    // The message being edited, or 0.
    property var editingId: 0
    readonly property bool editing: editingId > 0
    // The message being answered, or 0, and what the bar shows of it.
    property var replyToId: 0
    property string replySender: ""
    property string replyExcerpt: ""

    property bool loading: false

    // Files staged for the message (FileStaging.files), and what adds more from the
    // clipboard (the page's: function() -> bool, true when it held files or a picture).
    property var staged: []
    property var pasteFiles: null
    readonly property bool canAttach: pasteFiles !== null
    readonly property bool fieldFocused: field.activeFocus
    signal attachRequested()
    signal unstageRequested(int index)
    readonly property bool hasContent: field.text.trim().length > 0 || staged.length > 0

    // Whom "@prefix" may mention: function(prefix) -> [{userId, name, username}] (the page's).
    property var mentionsFor: null
    // The "@" being completed (its position in the text, -1: none) and its candidates.
    property int mentionStart: -1
    property var mentionCandidates: []
    readonly property bool completing: mentionStart >= 0 && mentionCandidates.length > 0

    function updateMention() {
        const before = field.text.substring(0, field.cursorPosition)
        const typed = before.match(/(?:^|\s)@([^\s@]{0,32})$/)
        if (!typed || !composer.mentionsFor || composer.loading) {
            mentionStart = -1
            mentionCandidates = []
            return
        }
        mentionCandidates = composer.mentionsFor(typed[1])
        mentionStart = before.length - typed[1].length - 1
        mentionList.currentIndex = 0
    }
    function acceptMention(index) {
        const name = "@" + mentionCandidates[index].name + " "
        const start = mentionStart
        field.remove(start, field.cursorPosition)
        field.insert(start, name)
        field.cursorPosition = start + name.length
        mentionStart = -1
        mentionCandidates = []
    }
    function moveMention(step) {
        const count = mentionCandidates.length
        mentionList.currentIndex = (mentionList.currentIndex + step + count) % count
    }

    function focusField() { field.forceActiveFocus() }
    function clear() { field.clear() }
    // Shows a conversation's draft without it counting as typing.
    function load(text) {
        if (field.text === text)
            return
        loading = true
        field.text = text
        field.cursorPosition = field.length
        loading = false
    }

    function startEditing(messageId, text) {
        replyToId = 0
        editingId = messageId
        load(text)
        field.forceActiveFocus()
    }
    // Back to composing, with `draft` (the conversation's) in the field.
    function stopEditing(draft) {
        editingId = 0
        load(draft)
    }
    function startReplying(messageId, sender, excerpt) {
        if (editing)
            return
        replyToId = messageId
        replySender = sender
        replyExcerpt = excerpt
        field.forceActiveFocus()
    }
    function stopReplying() { replyToId = 0 }
    function cancel() {
        if (editing)
            composer.editCancelled()
        else
            stopReplying()
    }

    implicitHeight: Math.min(layout.implicitHeight, 200) + editBar.implicitHeight + stagedBar.implicitHeight
                    + Theme.spacing * 2
    color: Theme.window

    Rectangle { width: parent.width; height: 1; color: Theme.divider }

    RowLayout {
        id: editBar
        objectName: "editBar"
        visible: composer.editing || composer.replyToId > 0
        anchors.top: parent.top
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.margins: Theme.spacing
        anchors.leftMargin: Theme.spacing * 2
        implicitHeight: visible ? Math.max(cancelBar.implicitHeight, barText.implicitHeight) : 0
        Rectangle {
            visible: !composer.editing
            Layout.fillHeight: true
            implicitWidth: 3
            color: Theme.accentOnWindow
        }
        ColumnLayout {
            id: barText
            Layout.fillWidth: true
            spacing: 0
            Label {
                Layout.fillWidth: true
                text: composer.editing ? qsTr("Editing message · Esc to cancel")
                                       : qsTr("Reply to %1").arg(composer.replySender)
                textFormat: Text.PlainText
                elide: Text.ElideRight
                color: Theme.accentOnWindow
                font.pixelSize: 12
                font.bold: true
            }
            Label {
                objectName: "replyQuote"
                visible: !composer.editing
                Layout.fillWidth: true
                text: composer.replyExcerpt
                textFormat: Text.PlainText
                elide: Text.ElideRight
                maximumLineCount: 1
                color: Theme.mutedText
                font.pixelSize: 12
            }
        }
        ToolButton {
            id: cancelBar
            text: "\u2715"
            focusPolicy: Qt.NoFocus
            Accessible.name: composer.editing ? qsTr("Cancel editing") : qsTr("Cancel the reply")
            onClicked: composer.cancel()
        }
    }

    // The staged files: a picture or the file's type, name and size, and a cross.
    Flow {
        id: stagedBar
        objectName: "stagedFiles"
        anchors.top: editBar.visible ? editBar.bottom : parent.top
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.margins: Theme.spacing
        anchors.bottomMargin: 0
        spacing: Theme.spacing
        visible: composer.staged.length > 0
        height: visible ? implicitHeight : 0
        Repeater {
            model: composer.staged
            delegate: Rectangle {
                id: chip
                required property var modelData
                required property int index
                objectName: "stagedFile"
                implicitWidth: Math.min(260, chipRow.implicitWidth + Theme.spacing)
                implicitHeight: 52
                radius: 6
                color: "transparent"
                border.color: Theme.divider
                Accessible.role: Accessible.StaticText
                Accessible.name: qsTr("%1, %2").arg(chip.modelData.filename).arg(chip.modelData.sizeText)
                RowLayout {
                    id: chipRow
                    anchors.fill: parent
                    anchors.leftMargin: 4
                    spacing: Theme.spacing / 2
                    Image {
                        visible: chip.modelData.image
                        Layout.preferredWidth: 44
                        Layout.preferredHeight: 44
                        asynchronous: true
                        fillMode: Image.PreserveAspectCrop
                        sourceSize.width: 88
                        sourceSize.height: 88
                        source: chip.modelData.image ? chip.modelData.source : ""
                    }
                    ColumnLayout {
                        spacing: 0
                        Layout.maximumWidth: 170
                        Label {
                            Layout.fillWidth: true
                            text: chip.modelData.filename
                            textFormat: Text.PlainText
                            elide: Text.ElideMiddle
                            color: Theme.text
                            font.pixelSize: 12
                        }
                        Label {
                            Layout.fillWidth: true
                            text: chip.modelData.asFile ? qsTr("%1 · too large to show, sent as a file").arg(chip.modelData.sizeText)
                                                        : chip.modelData.sizeText
                            elide: Text.ElideRight
                            color: Theme.mutedText
                            font.pixelSize: 11
                        }
                    }
                    ToolButton {
                        objectName: "unstageButton"
                        text: "\u2715"
                        focusPolicy: Qt.NoFocus
                        Accessible.name: qsTr("Remove %1").arg(chip.modelData.filename)
                        onClicked: composer.unstageRequested(chip.index) // qmllint disable unqualified
                    }
                }
            }
        }
    }

    RowLayout {
        id: layout
        anchors.top: stagedBar.visible ? stagedBar.bottom : editBar.visible ? editBar.bottom : parent.top
        anchors.bottom: parent.bottom
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.margins: Theme.spacing
        spacing: Theme.spacing

        ToolButton {
            objectName: "attachButton"
            visible: composer.canAttach && !composer.editing
            text: "\uD83D\uDCCE"
            font.pixelSize: 18
            Accessible.name: qsTr("Attach files (Ctrl+O)")
            ToolTip.visible: hovered
            ToolTip.text: Accessible.name
            ToolTip.delay: 600
            onClicked: composer.attachRequested()
        }
        ScrollView {
            Layout.fillWidth: true
            Layout.fillHeight: true
            TextArea {
                id: field
                objectName: "composerField"
                placeholderText: qsTr("Write a message…")
                wrapMode: TextEdit.Wrap
                textFormat: TextEdit.PlainText
                Accessible.name: qsTr("Message")
                onTextChanged: {
                    if (!composer.loading)
                        composer.edited(text)
                    composer.updateMention()
                }
                onCursorPositionChanged: composer.updateMention()
                // Tab moves the focus on (a tab character is no use in a message), or takes
                // the name offered.
                Keys.onTabPressed: {
                    if (composer.completing)
                        composer.acceptMention(mentionList.currentIndex)
                    else
                        nextItemInFocusChain(true).forceActiveFocus(Qt.TabFocusReason)
                }
                Keys.onBacktabPressed: nextItemInFocusChain(false).forceActiveFocus(Qt.BacktabFocusReason)
                // Files or a picture on the clipboard are staged; text is pasted as ever.
                Keys.onPressed: (event) => {
                    if (event.matches(StandardKey.Paste) && composer.canAttach && !composer.editing)
                        event.accepted = composer.pasteFiles()
                }
                Keys.onReturnPressed: (event) => composer.handleReturn(event)
                Keys.onEnterPressed: (event) => composer.handleReturn(event)
                Keys.onUpPressed: (event) => {
                    if (composer.completing) {
                        composer.moveMention(-1)
                        return
                    }
                    event.accepted = field.text.length === 0 && !composer.editing
                    if (event.accepted)
                        composer.lastEditRequested()
                }
                Keys.onDownPressed: (event) => {
                    event.accepted = composer.completing
                    if (event.accepted)
                        composer.moveMention(1)
                }
                Keys.onEscapePressed: (event) => {
                    if (composer.completing) {
                        composer.mentionStart = -1
                        return
                    }
                    event.accepted = editBar.visible
                    if (event.accepted)
                        composer.cancel()
                }
            }
        }
        Label {
            objectName: "lengthCounter"
            visible: composer.length > composer.maxLength * 0.9
            text: composer.maxLength - composer.length
            color: composer.length > composer.maxLength ? Theme.danger : Theme.mutedText
            Accessible.name: qsTr("%n characters left", "", composer.maxLength - composer.length)
        }
        Button {
            objectName: "sendButton"
            text: composer.editing ? qsTr("Save") : qsTr("Send")
            enabled: composer.editing ? field.text.trim().length > 0 : composer.hasContent
            onClicked: composer.submit()
            Accessible.name: composer.editing ? qsTr("Save the edit") : qsTr("Send message")
        }
    }

    Popup {
        id: mentionPopup
        objectName: "mentionPopup"
        visible: composer.completing
        x: Theme.spacing
        y: -height - 2
        width: 280
        padding: 4
        // The field keeps the keyboard: it moves through the names and takes one.
        closePolicy: Popup.CloseOnPressOutside
        onClosed: composer.mentionStart = -1
        contentItem: ListView { // qmllint disable deferred-property-id
            id: mentionList
            objectName: "mentionList"
            implicitHeight: contentHeight
            clip: true
            model: composer.mentionCandidates
            Accessible.role: Accessible.List
            Accessible.name: qsTr("People to mention")
            delegate: ItemDelegate {
                id: candidate
                required property var modelData
                required property int index
                width: ListView.view.width
                highlighted: ListView.isCurrentItem
                focusPolicy: Qt.NoFocus
                Accessible.name: modelData.name
                contentItem: RowLayout {
                    spacing: Theme.spacing
                    Label {
                        text: "@" + candidate.modelData.name
                        textFormat: Text.PlainText
                        color: candidate.highlighted ? Theme.accentText : Theme.text
                        font.bold: true
                        elide: Text.ElideRight
                        Layout.maximumWidth: 170
                    }
                    Label {
                        Layout.fillWidth: true
                        text: candidate.modelData.username
                        textFormat: Text.PlainText
                        color: candidate.highlighted ? Theme.accentText : Theme.mutedText
                        elide: Text.ElideRight
                    }
                }
                onClicked: composer.acceptMention(candidate.index) // qmllint disable unqualified
            }
        }
    }

    function handleReturn(event) {
        if (composer.completing) {
            event.accepted = true
            composer.acceptMention(mentionList.currentIndex)
            return
        }
        if (event.modifiers & Qt.ShiftModifier) {
            event.accepted = false   // TextArea inserts the newline
            return
        }
        event.accepted = true
        submit()
    }

    function submit() {
        if (composer.editing ? field.text.trim().length === 0 : !composer.hasContent)
            return
        if (composer.editing)
            composer.editRequested(composer.editingId, field.text)
        else
            composer.sendRequested(field.text, composer.replyToId)
    }
}
