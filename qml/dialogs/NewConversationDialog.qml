import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Pitchey

// Search the user directory; one person makes a 1:1 chat, several make a titled group.
// Up and Down move through the people found, Enter (or Space in the list) picks one.
Dialog {
    id: dialog

    title: qsTr("New conversation")
    modal: true
    anchors.centerIn: parent
    width: Math.min(parent ? parent.width - 48 : 420, 420)
    height: Math.min(parent ? parent.height - 48 : 520, 520)
    footer: DialogButtonBox {
        Button {
            text: qsTr("Cancel")
            Accessible.name: text
            DialogButtonBox.buttonRole: DialogButtonBox.RejectRole // qmllint disable type
        }
    }

    function pickCurrent() {
        if (results.count > 0)
            Chat.userSearch.toggle(Math.max(0, results.currentIndex))
    }

    onOpened: { search.clear(); groupTitle.clear(); Chat.userSearch.clear(); Chat.searchUsers(""); search.forceActiveFocus() }

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.spacing
        TextField {
            id: search
            objectName: "userSearchField"
            Accessible.name: qsTr("Search people")
            Layout.fillWidth: true
            placeholderText: qsTr("Search people by name")
            onTextEdited: searchDelay.restart()
            KeyNavigation.tab: results
            // Enter picks the highlighted person (the first, unless Down moved on).
            Keys.onReturnPressed: dialog.pickCurrent()
            Keys.onEnterPressed: dialog.pickCurrent()
            Keys.onDownPressed: results.incrementCurrentIndex()
            Keys.onUpPressed: results.decrementCurrentIndex()
            Timer { id: searchDelay; interval: 250; onTriggered: Chat.searchUsers(search.text) }
        }
        ListView {
            id: results
            objectName: "userResults"
            Accessible.role: Accessible.List
            Accessible.name: qsTr("People")
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            model: Chat.userSearch
            keyNavigationEnabled: true
            Keys.onReturnPressed: dialog.pickCurrent()
            Keys.onEnterPressed: dialog.pickCurrent()
            Keys.onSpacePressed: dialog.pickCurrent()
            delegate: CheckDelegate {
                required property int index
                required property string displayName
                required property string username
                required property string initials
                required property bool online
                required property bool selected
                width: ListView.view.width
                checked: selected
                highlighted: ListView.isCurrentItem
                text: displayName + "  (@" + username + ")"
                Accessible.name: text
                onClicked: Chat.userSearch.toggle(index)
            }
            Label {
                anchors.centerIn: parent
                visible: results.count === 0
                text: qsTr("Nobody found")
                color: Theme.mutedText
            }
        }
        TextField {
            id: groupTitle
            objectName: "groupTitleField"
            Accessible.name: qsTr("Group name")
            visible: Chat.userSearch.selectedCount > 1
            Layout.fillWidth: true
            placeholderText: qsTr("Group name")
        }
        Button {
            objectName: "startButton"
            Accessible.name: text
            Layout.fillWidth: true
            highlighted: true
            enabled: Chat.userSearch.selectedCount > 0
            text: Chat.userSearch.selectedCount > 1 ? qsTr("Create group") : qsTr("Start chat")
            onClicked: { Chat.startConversation(groupTitle.text); dialog.close() }
        }
    }
}
