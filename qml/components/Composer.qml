import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Pitchey

// The message field: Enter sends, Shift+Enter starts a new line. The text stays until the
// page clears it (once a send is accepted); near the length limit a counter shows what is left.
Rectangle {
    id: composer

    readonly property alias text: field.text
    property alias placeholder: field.placeholderText
    property int maxLength: 10000 // code points, as the server counts
    // Code points: UTF-16 units less the second halves of surrogate pairs.
    readonly property int length: field.text.length - (field.text.match(/[\uDC00-\uDFFF]/g) || []).length
    signal sendRequested(string text)
    signal edited(string text)

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

    implicitHeight: Math.min(layout.implicitHeight + Theme.spacing * 2, 180)
    color: Theme.window

    Rectangle { width: parent.width; height: 1; color: Theme.divider }

    RowLayout {
        id: layout
        anchors.fill: parent
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
            text: qsTr("Send")
            enabled: field.text.trim().length > 0
            onClicked: composer.submit()
            Accessible.name: qsTr("Send message")
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
        composer.sendRequested(field.text)
    }
}
