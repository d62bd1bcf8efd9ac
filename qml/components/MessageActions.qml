import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Pitchey

// What can be done with a message, for every view that shows messages (the conversation and
// its thread): the context menu, the reaction picker, the versions of an edited message and
// the confirmation before deleting. One of each for the page (a menu per delegate costs
// memory per row). The view that asked is the `target`: Reply and Edit go to its composer
// (its functions startReplying, startEditing, focusComposer; offersThreads says whether
// "Reply in thread" belongs there).
Item {
    id: actions

    property var target: null

    function showMenu(message, target) {
        actions.target = target
        messageMenu.message = message
        messageMenu.popup()
    }

    // Opens the reaction picker for a message, next to `anchor` (an item of its delegate).
    function openPicker(messageId, anchor, target) {
        actions.target = target
        emojiPicker.messageId = messageId
        const at = anchor.mapToItem(actions, 0, anchor.height)
        emojiPicker.x = Math.max(0, Math.min(at.x, actions.width - emojiPicker.width))
        emojiPicker.y = Math.max(0, Math.min(at.y, actions.height - emojiPicker.height))
        emojiPicker.open()
    }

    function showVersions(messageId, target) {
        actions.target = target
        Chat.loadVersions(messageId)
    }

    function refocus() {
        if (actions.target)
            actions.target.focusComposer()
    }

    Menu {
        id: messageMenu
        objectName: "messageMenu"
        property var message: null
        readonly property bool live: message !== null && !message.deleted && message.messageId > 0
        MenuItem {
            objectName: "replyToMessage"
            text: qsTr("Reply")
            enabled: messageMenu.live
            onTriggered: actions.target.startReplying(messageMenu.message)
        }
        MenuItem {
            objectName: "replyInThread"
            text: qsTr("Reply in thread")
            visible: actions.target !== null && actions.target.offersThreads
            height: visible ? implicitHeight : 0
            enabled: messageMenu.live
            onTriggered: Chat.openThread(messageMenu.message.messageId)
        }
        MenuItem {
            objectName: "reactToMessage"
            text: qsTr("React…")
            enabled: messageMenu.live
            onTriggered: actions.openPicker(messageMenu.message.messageId, messageMenu.message, actions.target)
        }
        MenuItem {
            objectName: "editMessage"
            text: qsTr("Edit")
            visible: messageMenu.message !== null && messageMenu.message.changeable
            height: visible ? implicitHeight : 0
            onTriggered: actions.target.startEditing(messageMenu.message)
        }
        MenuItem {
            objectName: "copyMessage"
            text: qsTr("Copy text")
            enabled: messageMenu.message !== null && !messageMenu.message.deleted
            onTriggered: messageMenu.message.copyText()
        }
        MenuItem {
            objectName: "deleteMessage"
            text: qsTr("Delete…")
            visible: messageMenu.message !== null && messageMenu.message.changeable
            height: visible ? implicitHeight : 0
            onTriggered: {
                deleteDialog.messageId = messageMenu.message.messageId
                deleteDialog.open()
            }
        }
    }

    EmojiPicker {
        id: emojiPicker
        objectName: "emojiPicker"
        onPicked: (id, emoji) => Chat.toggleReaction(id, emoji)
    }

    // An edited message's versions, oldest first, as the server keeps them.
    Dialog {
        id: versionsDialog
        objectName: "versionsDialog"
        property var versions: []
        anchors.centerIn: parent
        width: Math.min(actions.width * 0.9, 480)
        modal: true
        title: qsTr("Versions")
        standardButtons: Dialog.Close
        ListView {
            objectName: "versionList"
            implicitHeight: Math.min(contentHeight, actions.height * 0.6)
            width: parent.width
            clip: true
            spacing: Theme.spacing
            model: versionsDialog.versions
            delegate: ColumnLayout {
                id: versionRow
                required property var modelData
                required property int index
                width: ListView.view.width
                spacing: 2
                Label {
                    text: (versionRow.index === 0 ? qsTr("Original") : qsTr("Edit %1").arg(versionRow.index))
                          + " · " + versionRow.modelData.time
                    color: Theme.mutedText
                    font.pixelSize: 12
                    font.bold: true
                }
                Label {
                    objectName: "versionText"
                    Layout.fillWidth: true
                    text: versionRow.modelData.content
                    textFormat: Text.PlainText
                    wrapMode: Text.Wrap
                    color: Theme.text
                }
            }
        }
        onClosed: actions.refocus()
    }

    Dialog {
        id: deleteDialog
        objectName: "deleteDialog"
        property var messageId: 0
        anchors.centerIn: parent
        modal: true
        title: qsTr("Delete message?")
        width: Math.min(actions.width * 0.9, 420)
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
            enabled: deleteDialog.opened
            onActivated: deleteDialog.accept()
        }
        onAccepted: Chat.deleteMessage(messageId)
        onClosed: actions.refocus()
    }

    Connections {
        target: Chat
        function onVersionsLoaded(messageId, versions) {
            versionsDialog.versions = versions
            versionsDialog.open()
        }
    }
}
