import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Pitchey

// Notification and privacy settings; they live on the server and follow the user.
Dialog {
    id: dialog

    title: qsTr("Settings")
    modal: true
    anchors.centerIn: parent
    width: Math.min(parent ? parent.width - 48 : 440, 440)
    footer: DialogButtonBox {
        Button {
            objectName: "closeSettings"
            text: qsTr("Close")
            Accessible.name: text
            DialogButtonBox.buttonRole: DialogButtonBox.RejectRole // qmllint disable type
        }
    }

    onOpened: Settings.reload()

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.spacing

        Label { text: qsTr("Notifications"); font.bold: true; color: Theme.text }
        Switch {
            objectName: "realtimeSwitch"
            Accessible.name: text
            Layout.fillWidth: true
            text: qsTr("Desktop notifications for new messages")
            checked: Settings.realtimeEnabled
            onToggled: Settings.realtimeEnabled = checked
        }
        Switch {
            objectName: "emailSwitch"
            Accessible.name: text
            Layout.fillWidth: true
            text: qsTr("Email me about messages I missed")
            checked: Settings.emailEnabled
            onToggled: Settings.emailEnabled = checked
        }
        RowLayout {
            enabled: Settings.emailEnabled
            Layout.leftMargin: Theme.spacing * 6
            Label { text: qsTr("after"); color: Theme.text }
            SpinBox {
                objectName: "emailDelay"
                Accessible.name: qsTr("Minutes away before an email")
                from: 0
                to: 1440
                editable: true
                value: Settings.emailDelayMinutes
                onValueModified: Settings.emailDelayMinutes = value
            }
            Label { text: qsTr("minutes away"); color: Theme.text }
        }

        Label { text: qsTr("Privacy"); font.bold: true; color: Theme.text; Layout.topMargin: Theme.spacing }
        Switch {
            objectName: "readReceiptsSwitch"
            Accessible.name: text
            Layout.fillWidth: true
            text: qsTr("Send read receipts")
            checked: Settings.sendReadReceipts
            onToggled: Settings.sendReadReceipts = checked
        }
        Switch {
            objectName: "typingSwitch"
            Accessible.name: text
            Layout.fillWidth: true
            text: qsTr("Send typing indicators")
            checked: Settings.sendTypingIndicators
            onToggled: Settings.sendTypingIndicators = checked
        }
        Label {
            Layout.fillWidth: true
            wrapMode: Text.WordWrap
            font.pixelSize: 12
            color: Theme.mutedText
            text: qsTr("When off, nobody sees when you read or type; the server does not pass them on.")
        }
    }
}
