import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Pitchey

// The message field: Enter sends, Shift+Enter starts a new line. The text stays until the
// page clears it (once a send is accepted); near the length limit a counter shows what is left.
// Editing a message and replying to one happen here too: a bar above says which (Esc or
// its cross gives up), Enter saves or sends, and Up in an empty field asks for the user's
// last message to edit.
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

    implicitHeight: Math.min(layout.implicitHeight + editBar.implicitHeight + Theme.spacing * 2, 220)
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

    RowLayout {
        id: layout
        anchors.top: editBar.visible ? editBar.bottom : parent.top
        anchors.bottom: parent.bottom
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.margins: Theme.spacing
        spacing: Theme.spacing

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
                onTextChanged: if (!composer.loading) composer.edited(text)
                // Tab moves the focus on (a tab character is no use in a message).
                Keys.onTabPressed: nextItemInFocusChain(true).forceActiveFocus(Qt.TabFocusReason)
                Keys.onBacktabPressed: nextItemInFocusChain(false).forceActiveFocus(Qt.BacktabFocusReason)
                Keys.onReturnPressed: (event) => composer.handleReturn(event)
                Keys.onEnterPressed: (event) => composer.handleReturn(event)
                Keys.onUpPressed: (event) => {
                    event.accepted = field.text.length === 0 && !composer.editing
                    if (event.accepted)
                        composer.lastEditRequested()
                }
                Keys.onEscapePressed: (event) => {
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
            enabled: field.text.trim().length > 0
            onClicked: composer.submit()
            Accessible.name: composer.editing ? qsTr("Save the edit") : qsTr("Send message")
        }
    }

    function handleReturn(event) {
        if (event.modifiers & Qt.ShiftModifier) {
            event.accepted = false   // TextArea inserts the newline
            return
        }
        event.accepted = true
        submit()
    }

    function submit() {
        if (field.text.trim().length === 0)
            return
        if (composer.editing)
            composer.editRequested(composer.editingId, field.text)
        else
            composer.sendRequested(field.text, composer.replyToId)
    }
}
