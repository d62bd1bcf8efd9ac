pragma Singleton
import QtQuick

// Colours and sizes, derived from the system palette so that the app follows the
// desktop's light or dark theme.
QtObject {
    id: theme

    readonly property SystemPalette system: SystemPalette { colorGroup: SystemPalette.Active }
    readonly property bool dark: system.window.hslLightness < 0.5

    readonly property color window: system.window
    readonly property color base: system.base
    readonly property color text: system.windowText
    readonly property color mutedText: Qt.tint(system.windowText, dark ? "#80000000" : "#80ffffff")
    readonly property color accent: system.highlight
    readonly property color accentText: system.highlightedText
    readonly property color divider: Qt.tint(system.window, dark ? "#22ffffff" : "#18000000")
    readonly property color selected: Qt.tint(system.base, Qt.rgba(system.highlight.r, system.highlight.g, system.highlight.b, 0.18))
    readonly property color ownBubble: Qt.tint(system.base, Qt.rgba(system.highlight.r, system.highlight.g, system.highlight.b, dark ? 0.35 : 0.16))
    readonly property color otherBubble: dark ? Qt.lighter(system.base, 1.35) : Qt.darker(system.base, 1.05)
    readonly property color online: "#2fb344"
    readonly property color danger: "#d63939"
    readonly property color warning: "#f59f00"
    readonly property color readTicks: dark ? "#5eb5ff" : "#1d7bd8"

    readonly property int spacing: 8
    readonly property int radius: 10
    readonly property int avatarSize: 40

    // A stable colour per name, for avatars.
    function avatarColor(name) {
        let hash = 0
        for (let i = 0; i < name.length; ++i)
            hash = (hash * 31 + name.charCodeAt(i)) % 360
        return Qt.hsla(hash / 360, 0.55, dark ? 0.45 : 0.55, 1)
    }
}
