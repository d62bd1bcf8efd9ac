import QtQuick
import QtQuick.Controls
import Pitchey

// Where files dragged from a file manager can be let go: while they are over it, it says
// where they will go ("Drop files to send them to …"); filesDropped(urls) once let go.
DropArea {
    id: area

    property string destination
    signal filesDropped(var urls)

    keys: ["text/uri-list"]
    onDropped: (drop) => {
        area.filesDropped(drop.urls)
        drop.accept(Qt.CopyAction)
    }

    Rectangle {
        anchors.fill: parent
        visible: area.containsDrag
        color: Theme.selected
        opacity: 0.9
        border.color: Theme.accent
        border.width: 2
        Label {
            anchors.centerIn: parent
            width: parent.width - Theme.spacing * 4
            horizontalAlignment: Text.AlignHCenter
            wrapMode: Text.Wrap
            text: qsTr("Drop files to send them to %1").arg(area.destination)
            textFormat: Text.PlainText
            color: Theme.text
            font.pixelSize: 18
        }
    }
}
