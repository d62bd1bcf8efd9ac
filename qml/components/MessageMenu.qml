import QtQuick
import QtQuick.Controls
import Pitchey

// A message's context menu. `target` is the view that asked (its composer takes Reply and
// Edit; its offersThreads says whether "Reply in thread" belongs there).
Menu {
    id: menu
    objectName: "messageMenu"

    property var message: null
    property var target: null
    readonly property bool live: message !== null && !message.deleted && message.messageId > 0

    signal reactRequested(var message)
    signal deleteRequested(var messageId)

    MenuItem {
        objectName: "replyToMessage"
        text: qsTr("Reply")
        enabled: menu.live
        onTriggered: menu.target.startReplying(menu.message)
    }
    MenuItem {
        objectName: "replyInThread"
        text: qsTr("Reply in thread")
        visible: menu.target !== null && menu.target.offersThreads
        height: visible ? implicitHeight : 0
        enabled: menu.live
        onTriggered: Chat.openThread(menu.message.messageId)
    }
    MenuItem {
        objectName: "reactToMessage"
        text: qsTr("React…")
        enabled: menu.live
        onTriggered: menu.reactRequested(menu.message)
    }
    MenuItem {
        objectName: "editMessage"
        text: qsTr("Edit")
        visible: menu.message !== null && menu.message.changeable
        height: visible ? implicitHeight : 0
        onTriggered: menu.target.startEditing(menu.message)
    }
    MenuItem {
        objectName: "copyMessage"
        text: qsTr("Copy text")
        enabled: menu.message !== null && !menu.message.deleted
        onTriggered: menu.message.copyText()
    }
    MenuItem {
        objectName: "deleteMessage"
        text: qsTr("Delete…")
        visible: menu.message !== null && menu.message.changeable
        height: visible ? implicitHeight : 0
        onTriggered: menu.deleteRequested(menu.message.messageId)
    }
}
