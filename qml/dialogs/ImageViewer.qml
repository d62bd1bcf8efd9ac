import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Pitchey

// A conversation's pictures over the whole window, as in Telegram: the picture fitted,
// zoom with the wheel, + and - (0 fits again, 1 shows it pixel for pixel; the scale shown is
// of the picture's own size), drag to move a zoomed one; Left and Right
// (or the arrows at the sides) go to the previous and next picture of the conversation;
// "Save as…" keeps it where the person chooses; Esc closes.
Popup {
    id: viewer
    objectName: "imageViewer"

    // The open thread's pictures rather than the conversation's.
    property bool inThread: false
    // [{id, filename, width, height}] (Chat.images()) and the one shown.
    property var images: []
    property int index: -1
    readonly property var current: index >= 0 && index < images.length ? images[index] : null
    property real zoom: 1 // times the fitted size

    function show(attachmentId) {
        images = Chat.images(inThread)
        index = images.findIndex(image => image.id === attachmentId)
        zoom = 1
        if (index >= 0)
            open()
    }
    function step(by) {
        const next = index + by
        if (next < 0 || next >= images.length)
            return
        index = next
        zoom = 1
    }
    // Fitted at 1; up to 8 times that, or the picture's own size if more.
    function zoomBy(factor) { zoom = Math.max(1, Math.min(Math.max(8, 1 / picture.fit), zoom * factor)) }

    parent: Overlay.overlay
    x: 0
    y: 0
    width: parent ? parent.width : 0
    height: parent ? parent.height : 0
    modal: true
    focus: true
    padding: 0
    closePolicy: Popup.CloseOnEscape
    // Dark whatever the theme, as every picture viewer is: the picture is what shows.
    background: Rectangle { color: "#f0101010" }

    contentItem: Item { // qmllint disable deferred-property-id
        focus: true
        Keys.onLeftPressed: viewer.step(-1)
        Keys.onRightPressed: viewer.step(1)
        Keys.onPressed: (event) => {
            if (event.key === Qt.Key_Plus || event.key === Qt.Key_Equal)
                viewer.zoomBy(1.25)
            else if (event.key === Qt.Key_Minus)
                viewer.zoomBy(0.8)
            else if (event.key === Qt.Key_0)
                viewer.zoom = 1
            else if (event.key === Qt.Key_1) // the picture's own size, pixel for pixel
                viewer.zoom = 1 / picture.fit
            else
                return
            event.accepted = true
        }

        Flickable {
            id: flick
            anchors.fill: parent
            anchors.margins: 56
            clip: true
            contentWidth: Math.max(width, picture.width)
            contentHeight: Math.max(height, picture.height)
            boundsBehavior: Flickable.StopAtBounds

            Item {
                width: flick.contentWidth
                height: flick.contentHeight
                // The wheel zooms (never scrolls: a zoomed picture is dragged).
                WheelHandler {
                    onWheel: (event) => viewer.zoomBy(event.angleDelta.y > 0 ? 1.25 : 0.8)
                }
                Image {
                    id: picture
                    objectName: "viewerImage"
                    // Fitted: never larger than the picture itself.
                    readonly property real fit: viewer.current ? Math.min(1, flick.width / viewer.current.width,
                                                                         flick.height / Math.max(1, viewer.current.height)) : 1
                    width: viewer.current ? Math.round(viewer.current.width * fit * viewer.zoom) : 0
                    height: viewer.current ? Math.round(viewer.current.height * fit * viewer.zoom) : 0
                    x: Math.max(0, (flick.width - width) / 2)
                    y: Math.max(0, (flick.height - height) / 2)
                    asynchronous: true
                    fillMode: Image.PreserveAspectFit
                    // At most 4096 pixels wide decoded: enough to zoom into, bounded in memory.
                    sourceSize.width: viewer.current ? Math.min(viewer.current.width, 4096) : 0
                    source: viewer.current ? "image://media/%1/0/%2".arg(viewer.current.id)
                                                                    .arg(encodeURIComponent(viewer.current.filename))
                                           : ""
                    Accessible.role: Accessible.Graphic
                    Accessible.name: viewer.current ? viewer.current.filename : ""
                }
            }
        }

        BusyIndicator {
            anchors.centerIn: parent
            running: picture.status === Image.Loading
        }
        Label {
            anchors.centerIn: parent
            visible: picture.status === Image.Error
            text: qsTr("This picture could not be shown")
            color: "white"
        }

        RowLayout {
            anchors.top: parent.top
            anchors.left: parent.left
            anchors.right: parent.right
            anchors.margins: Theme.spacing
            spacing: Theme.spacing
            Label {
                objectName: "viewerTitle"
                Layout.fillWidth: true
                text: viewer.current ? qsTr("%1 · %2 of %3").arg(viewer.current.filename).arg(viewer.index + 1)
                                                            .arg(viewer.images.length)
                                     : ""
                textFormat: Text.PlainText
                elide: Text.ElideMiddle
                color: "white"
            }
            Label { // of the picture's own size
                objectName: "viewerScale"
                text: Math.round(picture.fit * viewer.zoom * 100) + "%"
                color: "#c0c0c0"
            }
            ViewerButton {
                text: "\u2212"
                label: qsTr("Zoom out (−)")
                onClicked: viewer.zoomBy(0.8)
            }
            ViewerButton {
                text: "+"
                label: qsTr("Zoom in (+)")
                onClicked: viewer.zoomBy(1.25)
            }
            ViewerButton {
                objectName: "viewerSave"
                text: qsTr("Save as…")
                label: text
                onClicked: Chat.saveAttachment(viewer.current.id, viewer.current.filename)
            }
            ViewerButton {
                text: "\u2715"
                label: qsTr("Close (Esc)")
                onClicked: viewer.close()
            }
        }
        ViewerButton {
            anchors.left: parent.left
            anchors.verticalCenter: parent.verticalCenter
            visible: viewer.index > 0
            text: "\u2039"
            font.pixelSize: 32
            label: qsTr("Previous picture (Left)")
            onClicked: viewer.step(-1)
        }
        ViewerButton {
            anchors.right: parent.right
            anchors.verticalCenter: parent.verticalCenter
            visible: viewer.index < viewer.images.length - 1
            text: "\u203A"
            font.pixelSize: 32
            label: qsTr("Next picture (Right)")
            onClicked: viewer.step(1)
        }
    }

    component ViewerButton: ToolButton {
        required property string label
        focusPolicy: Qt.NoFocus
        palette.buttonText: "white"
        Accessible.name: label
        ToolTip.visible: hovered
        ToolTip.text: label
        ToolTip.delay: 600
    }
}
