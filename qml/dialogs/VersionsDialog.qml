import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Pitchey

// An edited message's versions, oldest first, as the server keeps them.
Dialog {
    id: dialog
    objectName: "versionsDialog"

    property var versions: []

    anchors.centerIn: parent
    width: Math.min((parent ? parent.width : 480) * 0.9, 480)
    modal: true
    title: qsTr("Versions")
    standardButtons: Dialog.Close

    ListView {
        objectName: "versionList"
        implicitHeight: Math.min(contentHeight, (dialog.parent ? dialog.parent.height : 600) * 0.6)
        width: parent.width
        clip: true
        spacing: Theme.spacing
        model: dialog.versions
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
}
