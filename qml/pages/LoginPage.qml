import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Pitchey

// First start: the server's address, then log in or create an account.
Page {
    id: page

    property string serverUrl: "http://127.0.0.1:8000"
    property bool registering: false
    property bool busy: false
    property string error
    // Why the person has to log in again (the keychain could not give the login back).
    property string notice
    signal loginRequested(string server, string username, string password)
    signal registerRequested(string server, string username, string displayName, string password, string email)

    function submit() {
        if (page.busy)
            return
        if (page.registering)
            page.registerRequested(server.text, username.text, displayName.text, password.text, email.text)
        else
            page.loginRequested(server.text, username.text, password.text)
    }

    background: Rectangle { color: Theme.window }
    // The first field to type in (through the Pane and layouts between).
    Component.onCompleted: username.forceActiveFocus()

    Pane {
        anchors.centerIn: parent
        width: Math.min(parent.width - 48, 380)
        padding: 24
        background: Rectangle { color: Theme.base; radius: Theme.radius; border.color: Theme.divider }

        ColumnLayout {
            anchors.left: parent.left
            anchors.right: parent.right
            spacing: 10

            Label {
                text: qsTr("Pitchey Messenger")
                font.pixelSize: 24
                font.bold: true
                color: Theme.text
                Layout.alignment: Qt.AlignHCenter
            }
            Label {
                text: page.registering ? qsTr("Create an account") : qsTr("Log in to your server")
                color: Theme.mutedText
                Layout.alignment: Qt.AlignHCenter
                Layout.bottomMargin: 8
            }
            Label { text: qsTr("Server"); color: Theme.text }
            TextField {
                id: server
                objectName: "serverField"
                Accessible.name: qsTr("Server")
                Layout.fillWidth: true
                text: page.serverUrl
                placeholderText: "http://127.0.0.1:8000"
                inputMethodHints: Qt.ImhUrlCharactersOnly
                onAccepted: username.forceActiveFocus()
                KeyNavigation.tab: username
            }
            Label { text: qsTr("Username"); color: Theme.text }
            TextField {
                id: username
                objectName: "usernameField"
                Accessible.name: qsTr("Username")
                Layout.fillWidth: true
                focus: true
                placeholderText: qsTr("3–32 letters, digits, . _ -")
                onAccepted: (page.registering ? displayName : password).forceActiveFocus()
                KeyNavigation.tab: page.registering ? displayName : password
            }
            Label { visible: page.registering; text: qsTr("Display name (optional)"); color: Theme.text }
            TextField {
                id: displayName
                objectName: "displayNameField"
                Accessible.name: qsTr("Display name")
                visible: page.registering
                Layout.fillWidth: true
                onAccepted: email.forceActiveFocus()
                KeyNavigation.tab: email
            }
            Label { visible: page.registering; text: qsTr("Email (optional, for digests of missed messages)"); color: Theme.text }
            TextField {
                id: email
                objectName: "emailField"
                Accessible.name: qsTr("Email")
                visible: page.registering
                Layout.fillWidth: true
                inputMethodHints: Qt.ImhEmailCharactersOnly
                onAccepted: password.forceActiveFocus()
                KeyNavigation.tab: password
            }
            Label { text: qsTr("Password"); color: Theme.text }
            TextField {
                id: password
                objectName: "passwordField"
                Accessible.name: qsTr("Password")
                Layout.fillWidth: true
                echoMode: TextInput.Password
                placeholderText: page.registering ? qsTr("At least 8 characters") : ""
                onAccepted: page.submit()
                KeyNavigation.tab: submitButton
            }
            Label {
                objectName: "noticeText"
                visible: page.notice.length > 0 && page.error.length === 0
                Layout.fillWidth: true
                text: page.notice
                textFormat: Text.PlainText
                wrapMode: Text.WordWrap
                color: Theme.text
            }
            Label {
                objectName: "errorText"
                visible: page.error.length > 0
                Layout.fillWidth: true
                text: page.error
                textFormat: Text.PlainText
                wrapMode: Text.WordWrap
                color: Theme.danger
            }
            Button {
                id: submitButton
                objectName: "submitButton"
                Layout.fillWidth: true
                Layout.topMargin: 6
                highlighted: true
                enabled: !page.busy && username.text.length > 0 && password.text.length > 0
                text: page.busy ? qsTr("Please wait…") : page.registering ? qsTr("Create account") : qsTr("Log in")
                onClicked: page.submit()
                KeyNavigation.tab: switchMode
            }
            Button {
                id: switchMode
                objectName: "switchModeButton"
                Accessible.name: text
                Layout.alignment: Qt.AlignHCenter
                flat: true
                text: page.registering ? qsTr("I already have an account") : qsTr("Create an account")
                onClicked: { page.registering = !page.registering; page.error = "" }
                KeyNavigation.tab: server
            }
        }
    }
}
