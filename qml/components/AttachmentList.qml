import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Pitchey

// A message's files: images as thumbnails whose place (their real aspect ratio) is kept
// before they load, so the timeline never jumps; other files as a card with the name,
// size and type. A click asks for the file to be opened.
// A Column, not a ColumnLayout: a Repeater's items leaving a layout in a reused
// delegate crash Qt 6.4's layout engine (a text message taking the place of a file's).
Column {
    id: fileList

    // [{id, filename, mimeType, size, sizeText, width, height, image, source}]: id 0 and a
    // file: source for a message not sent yet (shown from this computer, not opened)
    required property var attachments
    required property real maxWidth
    signal openRequested(var attachmentId, string filename) // a file: open it
    signal viewRequested(var attachmentId)                  // a picture: the viewer
    signal saveRequested(var attachmentId, string filename)

    spacing: 4
    visible: attachments.length > 0

    Repeater {
        model: fileList.attachments

        delegate: Item {
            id: entry
            required property var modelData
            readonly property bool image: entry.modelData.image
            // At most 320 wide and 360 high, never larger than the image itself.
            readonly property real shownWidth: Math.min(fileList.maxWidth, entry.modelData.width, 320, // qmllint disable unqualified
                                                         360 * entry.modelData.width / Math.max(1, entry.modelData.height))
            implicitWidth: image ? shownWidth : card.implicitWidth
            implicitHeight: image ? Math.round(shownWidth * entry.modelData.height / Math.max(1, entry.modelData.width))
                                  : card.implicitHeight
            width: implicitWidth
            height: implicitHeight

            Item {
                objectName: "attachmentImage"
                anchors.fill: parent
                visible: entry.image
                Accessible.role: Accessible.Graphic
                Accessible.name: qsTr("Image %1").arg(entry.modelData.filename)

                Rectangle {
                    anchors.fill: parent
                    radius: 4
                    color: Theme.divider
                    visible: picture.status !== Image.Ready
                }
                Image {
                    id: picture
                    objectName: "attachmentPicture"
                    anchors.fill: parent
                    asynchronous: true
                    fillMode: Image.PreserveAspectFit
                    sourceSize.width: width
                    sourceSize.height: height
                    source: !entry.image ? ""
                        : entry.modelData.id === 0 ? entry.modelData.source
                        : "image://media/%1/%2".arg(entry.modelData.id)
                                               .arg(entry.shownWidth * Screen.devicePixelRatio > 320 ? 800 : 320)
                }
                TapHandler {
                    enabled: entry.modelData.id > 0
                    onTapped: fileList.viewRequested(entry.modelData.id) // qmllint disable unqualified
                }
                HoverHandler { id: tileHover; cursorShape: entry.modelData.id > 0 ? Qt.PointingHandCursor : Qt.ArrowCursor }
                ToolTip.visible: tileHover.hovered
                ToolTip.text: entry.modelData.filename
                ToolTip.delay: 600
            }

            Rectangle {
                id: card
                objectName: "attachmentFile"
                anchors.fill: parent
                visible: !entry.image
                implicitWidth: Math.min(fileList.maxWidth, Math.max(180, cardRow.implicitWidth + Theme.spacing * 2)) // qmllint disable unqualified
                implicitHeight: cardRow.implicitHeight + Theme.spacing
                radius: 6
                color: cardHover.hovered ? Theme.selected : "transparent"
                border.color: Theme.divider
                Accessible.role: Accessible.Button
                Accessible.name: qsTr("File %1, %2").arg(entry.modelData.filename).arg(entry.modelData.sizeText)
                Accessible.onPressAction: fileList.openRequested(entry.modelData.id, entry.modelData.filename) // qmllint disable unqualified

                RowLayout {
                    id: cardRow
                    anchors.fill: parent
                    anchors.margins: Theme.spacing / 2
                    spacing: Theme.spacing
                    Rectangle {
                        Layout.preferredWidth: 36
                        Layout.preferredHeight: 36
                        radius: 4
                        color: Theme.accent
                        Label {
                            anchors.centerIn: parent
                            width: parent.width - 4
                            horizontalAlignment: Text.AlignHCenter
                            elide: Text.ElideRight
                            font.pixelSize: 10
                            font.bold: true
                            color: Theme.accentText
                            text: {
                                const dot = entry.modelData.filename.lastIndexOf(".")
                                return dot > 0 ? entry.modelData.filename.slice(dot + 1).toUpperCase() : qsTr("FILE")
                            }
                        }
                    }
                    ColumnLayout {
                        Layout.fillWidth: true
                        spacing: 0
                        Label {
                            Layout.fillWidth: true
                            text: entry.modelData.filename
                            elide: Text.ElideMiddle
                            color: Theme.text
                        }
                        Label {
                            Layout.fillWidth: true
                            text: "%1 · %2".arg(entry.modelData.sizeText).arg(entry.modelData.mimeType)
                            elide: Text.ElideRight
                            font.pixelSize: 11
                            color: Theme.mutedText
                        }
                    }
                    ToolButton {
                        objectName: "saveFile"
                        visible: entry.modelData.id > 0
                        text: "\u2913"
                        Accessible.name: qsTr("Save %1 as…").arg(entry.modelData.filename)
                        ToolTip.visible: hovered
                        ToolTip.text: qsTr("Save as…")
                        ToolTip.delay: 600
                        onClicked: fileList.saveRequested(entry.modelData.id, entry.modelData.filename) // qmllint disable unqualified
                    }
                }
                TapHandler {
                    enabled: entry.modelData.id > 0
                    onTapped: fileList.openRequested(entry.modelData.id, entry.modelData.filename) // qmllint disable unqualified
                }
                HoverHandler { id: cardHover; cursorShape: entry.modelData.id > 0 ? Qt.PointingHandCursor : Qt.ArrowCursor }
                ToolTip.visible: cardHover.hovered
                ToolTip.text: qsTr("Open %1").arg(entry.modelData.filename)
                ToolTip.delay: 600
            }
        }
    }
}
