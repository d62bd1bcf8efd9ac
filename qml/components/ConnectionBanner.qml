import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Pitchey

// Always tells the user whether messages go out now or later.
Rectangle {
    id: banner

    // Chat.ConnectionState as an int: 0 offline, 1 connecting, 2 connected.
    property int connectionState: 2
    property int retryInSeconds: 0
    signal retryRequested()

    readonly property bool connected: connectionState === 2

    implicitHeight: row.implicitHeight + Theme.spacing
    color: connected ? "transparent" : (connectionState === 1 ? Qt.tint(Theme.window, "#30f59f00") : Qt.tint(Theme.window, "#30d63939"))

    RowLayout {
        id: row
        anchors.fill: parent
        anchors.margins: Theme.spacing / 2
        anchors.leftMargin: Theme.spacing * 1.5
        spacing: Theme.spacing

        Rectangle {
            width: 8; height: 8; radius: 4
            color: banner.connected ? Theme.online : banner.connectionState === 1 ? Theme.warning : Theme.danger
        }
        Label {
            objectName: "connectionText"
            Layout.fillWidth: true
            elide: Text.ElideRight
            textFormat: Text.PlainText
            color: Theme.text
            text: banner.connected ? qsTr("Connected")
                : banner.connectionState === 1 ? qsTr("Connecting…")
                : banner.retryInSeconds > 0 ? qsTr("Offline, retrying in %1 s. Messages will be sent when you are back.").arg(banner.retryInSeconds)
                : qsTr("Offline. Messages will be sent when you are back.")
            wrapMode: Text.WordWrap
            font.pixelSize: 12
        }
        Button {
            visible: banner.connectionState === 0
            text: qsTr("Retry now")
            flat: true
            onClicked: banner.retryRequested()
        }
    }
}
