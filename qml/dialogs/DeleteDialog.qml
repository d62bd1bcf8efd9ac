import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Pitchey

// The confirmation before a message is deleted for everyone.
Dialog {
    id: dialog
    objectName: "deleteDialog"

    property var messageId: 0

    anchors.centerIn: parent
    modal: true
    title: qsTr("Delete message?")
    width: Math.min((parent ? parent.width : 420) * 0.9, 420)

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
        enabled: dialog.opened
        onActivated: dialog.accept()
    }
    onAccepted: Chat.deleteMessage(messageId)
}
