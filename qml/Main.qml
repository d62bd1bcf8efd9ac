import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import QtQuick.Window
import Pitchey

ApplicationWindow {
    id: window
    objectName: "mainWindow"

    width: 1000
    height: 680
    minimumWidth: 560
    minimumHeight: 420
    visible: true
    // The account in the title tells two windows (two profiles) apart; muted conversations
    // are not counted.
    title: (Chat.unreadTotal > 0 ? "(" + Chat.unreadTotal + ") " : "")
           + (Session.state === Session.LoggedIn ? Session.username + " \u2014 " : "")
           + qsTr("Pitchey Messenger")
    color: Theme.window

    // Every control and popup (menus, dialogs, tooltips) draws with the theme's colours,
    // light or dark, whatever the style would pick by itself.
    palette.window: Theme.window
    palette.windowText: Theme.text
    palette.base: Theme.base
    palette.alternateBase: Theme.otherBubble
    palette.text: Theme.text
    palette.button: Theme.button
    palette.buttonText: Theme.buttonText
    palette.brightText: Theme.accentText
    palette.highlight: Theme.accent
    palette.highlightedText: Theme.accentText
    palette.placeholderText: Theme.mutedText
    palette.toolTipBase: Theme.base
    palette.toolTipText: Theme.text
    palette.link: Theme.accentOnBase
    palette.light: Qt.lighter(Theme.button, 1.5)
    palette.midlight: Qt.lighter(Theme.button, 1.2)
    palette.mid: Qt.darker(Theme.button, 1.3)
    palette.dark: Qt.darker(Theme.button, 1.6)
    palette.shadow: Qt.darker(Theme.button, 3)

    onActiveChanged: Chat.windowActive = active
    // With a tray, closing the window keeps the app (and its notifications) running; the
    // tray's menu quits.
    onClosing: (close) => {
        if (Settings.trayAvailable && Settings.closeToTray) {
            close.accepted = false
            window.hide()
        }
    }

    Loader {
        id: pageLoader
        anchors.fill: parent
        focus: true // the page's own focus (the login page's first field) is the window's
        sourceComponent: Session.state === Session.LoggedIn ? chatPage
                       : Session.state === Session.LoggedOut ? loginPage : startingPage
        // One line per page change in the log: support (and the package check in CI) can
        // tell what the window shows.
        onLoaded: console.info("page shown:", item.objectName)
    }

    Component {
        id: loginPage
        LoginPage {
            id: login
            objectName: "loginPage"
            focus: true
            serverUrl: Session.serverUrl.length > 0 ? Session.serverUrl : "http://127.0.0.1:8000"
            busy: Session.busy
            notice: Session.keychainProblem
            onLoginRequested: (server, username, password) => { error = ""; Session.login(server, username, password) }
            onRegisterRequested: (server, username, displayName, password, email) => { error = ""; Session.registerAccount(server, username, displayName, password, email) }
            Connections {
                target: Session
                function onErrorOccurred(message) { login.error = message }
            }
        }
    }

    // At start, while the keychain gives the login back (a moment; at most a few seconds).
    Component {
        id: startingPage
        Page {
            objectName: "startingPage"
            background: Rectangle { color: Theme.window }
            ColumnLayout {
                anchors.centerIn: parent
                spacing: Theme.spacing * 2
                BusyIndicator { Layout.alignment: Qt.AlignHCenter; running: true }
                Label {
                    Layout.alignment: Qt.AlignHCenter
                    text: qsTr("Opening the keychain…")
                    color: Theme.mutedText
                }
            }
        }
    }

    Component {
        id: chatPage
        ChatPage {
            objectName: "chatPage"
            focus: true
            onLogoutRequested: Session.logout()
        }
    }

    // (Here, not in the component: the dialogs are this file's.)
    Connections {
        target: pageLoader.item
        ignoreUnknownSignals: true
        function onNewConversationRequested() { window.openNewConversation() }
        function onSettingsRequested() { window.openSettings() }
    }

    // The dialogs are made the first time they are asked for, not at start.
    property NewConversationDialog newConversation: null
    property SettingsDialog settingsDialog: null
    function openNewConversation() {
        if (!newConversation)
            newConversation = newConversationComponent.createObject(window)
        newConversation.open()
    }
    function openSettings() {
        if (!settingsDialog)
            settingsDialog = settingsComponent.createObject(window)
        settingsDialog.open()
    }
    Component { id: newConversationComponent; NewConversationDialog { objectName: "newConversationDialog" } }
    Component { id: settingsComponent; SettingsDialog { objectName: "settingsDialog" } }

    // Made only when the keychain fails.
    Loader {
        anchors.fill: parent
        active: Session.keychainProblem.length > 0 && Session.state === Session.LoggedIn
        sourceComponent: KeychainDialog {
            objectName: "keychainDialog"
            reason: Session.keychainProblem
            visible: true
            onKeepForThisRun: Session.keepForThisRun()
            onLogOut: Session.logout()
        }
    }

    // Errors from the chat (a refused request, a full disk) show briefly at the bottom.
    ToolTip {
        id: toast
        objectName: "toast"
        timeout: 5000
        x: (window.width - width) / 2
        y: window.height - height - 80
    }
    Connections {
        target: Chat
        function onErrorOccurred(message) { toast.show(message, 5000) }
    }
    Connections {
        target: Session
        function onErrorOccurred(message) { if (Session.state === Session.LoggedIn) toast.show(message, 5000) }
    }
}
