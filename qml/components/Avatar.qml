import QtQuick
import Pitchey

// A round avatar with the name's initials and, optionally, an online dot.
Item {
    id: avatar

    property string name
    property string initials
    property bool online: false
    property bool showPresence: false
    property int size: Theme.avatarSize

    implicitWidth: size
    implicitHeight: size

    Rectangle {
        anchors.fill: parent
        radius: width / 2
        color: Theme.avatarColor(avatar.name)

        Text {
            anchors.centerIn: parent
            text: avatar.initials
            textFormat: Text.PlainText
            color: Theme.onColor(Theme.avatarColor(avatar.name))
            font.pixelSize: avatar.size * 0.38
            font.bold: true
        }
    }

    Rectangle {
        objectName: "presenceDot"
        visible: avatar.showPresence && avatar.online
        width: avatar.size * 0.3
        height: width
        radius: width / 2
        color: Theme.online
        border.color: Theme.window
        border.width: 2
        anchors.right: parent.right
        anchors.bottom: parent.bottom
    }
}
