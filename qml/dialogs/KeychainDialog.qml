import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Pitchey

// The keychain could not keep the session: the user decides, nothing is stored in
// plain text behind their back.
Dialog {
    id: dialog

    property string reason
    signal keepForThisRun()
    signal logOut()

    title: qsTr("Your login cannot be remembered")
    modal: true
    anchors.centerIn: parent
    width: Math.min(parent ? parent.width - 48 : 460, 460)
    closePolicy: Popup.NoAutoClose

    ColumnLayout {
        anchors.fill: parent
        spacing: 12
        Label {
            Layout.fillWidth: true
            wrapMode: Text.WordWrap
            textFormat: Text.PlainText
            text: qsTr("Pitchey keeps your login in the system keychain, and none is available. You can stay logged in until you quit; next time you will be asked to log in again.")
        }
        Label {
            Layout.fillWidth: true
            wrapMode: Text.WordWrap
            textFormat: Text.PlainText
            color: Theme.mutedText
            font.pixelSize: 12
            text: dialog.reason
        }
    }
    footer: DialogButtonBox {
        Button {
            objectName: "keepButton"
            text: qsTr("Stay logged in for now")
            DialogButtonBox.buttonRole: DialogButtonBox.AcceptRole // qmllint disable type
        }
        Button {
            text: qsTr("Log out")
            DialogButtonBox.buttonRole: DialogButtonBox.RejectRole // qmllint disable type
        }
    }
    onAccepted: dialog.keepForThisRun()
    onRejected: dialog.logOut()
}
