import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Pitchey

// The message field: Enter sends, Shift+Enter starts a new line.
Rectangle {
    id: composer

    property alias text: field.text
    property alias placeholder: field.placeholderText
    signal sendRequested(string text)
    signal edited(string text)

    function focusField() { field.forceActiveFocus() }
    function clear() { field.clear() }

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
                onTextChanged: composer.edited(text)
                Keys.onReturnPressed: (event) => composer.handleReturn(event)
                Keys.onEnterPressed: (event) => composer.handleReturn(event)
            }
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
        const text = field.text
        field.clear()
        composer.sendRequested(text)
    }
}
