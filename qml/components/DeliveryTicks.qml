import QtQuick
import Pitchey

// The state of one of the user's own messages: a clock while queued, one tick when the
// server has it, two when delivered, two coloured ones when read, a red mark on failure.
Text {
    id: ticks

    property int deliveryState: MessageListModel.Sent

    textFormat: Text.PlainText
    font.pixelSize: 12
    color: deliveryState === MessageListModel.Read ? Theme.readTicks
         : deliveryState === MessageListModel.Failed ? Theme.danger : Theme.mutedText
    text: {
        switch (deliveryState) {
        case MessageListModel.Queued: return "\u25F7"       // ◷
        case MessageListModel.Sent: return "\u2713"         // ✓
        case MessageListModel.Delivered:
        case MessageListModel.Read: return "\u2713\u2713"   // ✓✓
        case MessageListModel.Failed: return "\u26A0"       // ⚠
        default: return ""
        }
    }
    Accessible.name: {
        switch (deliveryState) {
        case MessageListModel.Queued: return qsTr("Waiting to be sent")
        case MessageListModel.Sent: return qsTr("Sent")
        case MessageListModel.Delivered: return qsTr("Delivered")
        case MessageListModel.Read: return qsTr("Read")
        case MessageListModel.Failed: return qsTr("Not sent")
        default: return ""
        }
    }
}
