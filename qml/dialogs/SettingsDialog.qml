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
            objectName: "soundSwitch"
            Accessible.name: text
            Layout.fillWidth: true
            text: qsTr("Play a sound with notifications")
            checked: Settings.sound
            onToggled: Settings.sound = checked
        }
        Switch {
            objectName: "emailSwitch"
            Accessible.name: text
            Layout.fillWidth: true
            text: qsTr("Email me about messages I missed")
            // No address on the account: nothing could be sent, so it shows (and is) off.
            enabled: Session.hasEmail
            checked: Settings.emailEnabled && Session.hasEmail
            onToggled: Settings.emailEnabled = checked
        }
        Label {
            objectName: "noEmailNote"
            visible: !Session.hasEmail
            Layout.fillWidth: true
            Layout.leftMargin: Theme.spacing * 6
            wrapMode: Text.WordWrap
            font.pixelSize: 12
            color: Theme.mutedText
            text: qsTr("This account has no email address, so no digests can be sent.")
        }
        RowLayout {
            enabled: Settings.emailEnabled && Session.hasEmail
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

        Label { text: qsTr("This computer"); font.bold: true; color: Theme.text; Layout.topMargin: Theme.spacing; visible: Settings.trayAvailable }
        Switch {
            objectName: "closeToTraySwitch"
            visible: Settings.trayAvailable
            Accessible.name: text
            Layout.fillWidth: true
            text: qsTr("Keep running in the tray when the window is closed")
            checked: Settings.closeToTray
            onToggled: Settings.closeToTray = checked
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
