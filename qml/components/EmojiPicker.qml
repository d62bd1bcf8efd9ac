import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Pitchey

// Picks a reaction: a row of the frequent ones, and every emoji Unicode lists, searchable
// by name (type to search, arrows to move, Enter to pick, Escape to close).
Popup {
    id: picker

    property var messageId: 0
    readonly property var frequent: ["\u{1F44D}", "\u2764\uFE0F", "\u{1F602}", "\u{1F62E}",
                                     "\u{1F622}", "\u{1F389}", "\u{1F64F}", "\u{1F440}"]

    signal picked(var messageId, string emoji)

    function choose(emoji) {
        if (emoji.length === 0)
            return
        picked(messageId, emoji)
        close()
    }

    width: 352
    height: 380
    padding: Theme.spacing
    margins: Theme.spacing // kept inside the window, wherever it is asked to open
    // Modal (without dimming): a press outside closes it and goes nowhere else.
    modal: true
    dim: false
    focus: true
    closePolicy: Popup.CloseOnEscape | Popup.CloseOnPressOutside
    onOpened: {
        search.text = ""
        search.forceActiveFocus()
        grid.currentIndex = 0
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.spacing

        RowLayout {
            spacing: 2
            Repeater {
                model: picker.frequent
                delegate: ToolButton {
                    id: quick
                    required property string modelData
                    objectName: "frequentEmoji"
                    text: modelData
                    font.family: Theme.emojiFont
                    font.pixelSize: 20
                    focusPolicy: Qt.NoFocus
                    Accessible.name: qsTr("React with %1").arg(modelData)
                    onClicked: picker.choose(quick.modelData) // qmllint disable unqualified
                }
            }
        }
        TextField {
            id: search
            objectName: "emojiSearch"
            Layout.fillWidth: true
            placeholderText: qsTr("Search emoji")
            onTextChanged: {
                Chat.emoji.filter = text
                grid.currentIndex = 0
            }
            Keys.onReturnPressed: picker.choose(Chat.emoji.emojiAt(grid.currentIndex))
            Keys.onEnterPressed: picker.choose(Chat.emoji.emojiAt(grid.currentIndex))
            Keys.onDownPressed: grid.moveCurrentIndexDown()
            Keys.onUpPressed: grid.moveCurrentIndexUp()
            Keys.onLeftPressed: (event) => {
                if (search.cursorPosition === 0) grid.moveCurrentIndexLeft()
                else event.accepted = false
            }
            Keys.onRightPressed: (event) => {
                if (search.cursorPosition === search.text.length) grid.moveCurrentIndexRight()
                else event.accepted = false
            }
        }
        GridView {
            id: grid
            objectName: "emojiGrid"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            cellWidth: 40
            cellHeight: 40
            keyNavigationEnabled: true
            model: picker.visible ? Chat.emoji : null
            ScrollBar.vertical: ScrollBar {}
            highlight: Rectangle { color: Theme.selected; radius: 6 }
            highlightMoveDuration: 0
            delegate: ItemDelegate {
                id: cell
                required property string emoji
                required property string name
                required property int index
                width: 40
                height: 40
                text: cell.emoji
                font.family: Theme.emojiFont
                font.pixelSize: 22
                focusPolicy: Qt.NoFocus
                background: null
                ToolTip.visible: hovered
                ToolTip.text: cell.name
                ToolTip.delay: 500
                Accessible.name: cell.name
                onClicked: picker.choose(cell.emoji) // qmllint disable unqualified
            }
            Label {
                anchors.centerIn: parent
                visible: grid.count === 0
                text: qsTr("No emoji found")
                color: Theme.mutedText
            }
        }
    }
}
