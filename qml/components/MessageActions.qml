import QtQuick
import Pitchey

// What can be done with a message, for every view that shows messages (the conversation and
// its thread): the context menu, the reaction picker, the versions of an edited message and
// the confirmation before deleting. One of each for the page (a menu per delegate costs
// memory per row), each made the first time it is needed (the page opens sooner). The view
// that asked is the `target`: Reply and Edit go to its composer (its functions
// startReplying, startEditing, focusComposer; offersThreads says whether "Reply in thread"
// belongs there).
Item {
    id: actions
    objectName: "pageMessageActions"

    property var target: null

    property MessageMenu menu: null
    property EmojiPicker picker: null
    property VersionsDialog versions: null
    property DeleteDialog confirmation: null

    function showMenu(message, target) {
        actions.target = target
        if (!menu) {
            menu = menuComponent.createObject(actions)
            menu.reactRequested.connect(message => actions.openPicker(message.messageId, message, actions.target))
            menu.deleteRequested.connect(messageId => actions.confirmDelete(messageId))
        }
        menu.target = target
        menu.message = message
        menu.popup()
    }

    // Opens the reaction picker for a message, next to `anchor` (an item of its delegate).
    function openPicker(messageId, anchor, target) {
        actions.target = target
        if (!picker) {
            picker = pickerComponent.createObject(actions)
            picker.picked.connect((id, emoji) => Chat.toggleReaction(id, emoji))
        }
        picker.messageId = messageId
        const at = anchor.mapToItem(actions, 0, anchor.height)
        picker.x = Math.max(0, Math.min(at.x, actions.width - picker.width))
        picker.y = Math.max(0, Math.min(at.y, actions.height - picker.height))
        picker.open()
    }

    function showVersions(messageId, target) {
        actions.target = target
        Chat.loadVersions(messageId)
    }

    function confirmDelete(messageId) {
        if (!confirmation) {
            confirmation = deleteComponent.createObject(actions)
            confirmation.closed.connect(actions.refocus)
        }
        confirmation.messageId = messageId
        confirmation.open()
    }

    function refocus() {
        if (actions.target)
            actions.target.focusComposer()
    }

    Component { id: menuComponent; MessageMenu {} }
    Component { id: pickerComponent; EmojiPicker { objectName: "emojiPicker" } }
    Component { id: versionsComponent; VersionsDialog {} }
    Component { id: deleteComponent; DeleteDialog {} }

    Connections {
        target: Chat
        function onVersionsLoaded(messageId, versions) {
            if (!actions.versions) {
                actions.versions = versionsComponent.createObject(actions)
                actions.versions.closed.connect(actions.refocus)
            }
            actions.versions.versions = versions
            actions.versions.open()
        }
    }
}
