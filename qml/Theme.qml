pragma Singleton
import QtQuick

// Colours and sizes, derived from the system palette so that the app follows the
// desktop's light or dark theme. Every colour text is drawn in reads at a contrast of at
// least 4.5:1 (WCAG AA) on the backgrounds it is drawn on: readable() darkens it (light
// palette) or lightens it (dark) until it does. Main.qml hands the same colours to the
// controls' palette, so buttons, menus and dialogs follow too.
QtObject {
    id: theme

    readonly property SystemPalette system: SystemPalette { colorGroup: SystemPalette.Active }
    readonly property bool dark: system.window.hslLightness < 0.5

    readonly property color window: system.window
    readonly property color base: system.base
    readonly property color text: readable(system.windowText, [window, base, ownBubble, otherBubble])
    readonly property color mutedText: readable(Qt.tint(system.windowText, dark ? "#60000000" : "#60ffffff"),
                                                [window, base, ownBubble, otherBubble, selected])
    readonly property color accent: system.highlight
    readonly property color accentText: readable(system.highlightedText, [accent])
    // The accent as text (links, "New messages", the jump bar) on the window or the messages.
    readonly property color accentOnWindow: readable(system.highlight, [window, selected])
    readonly property color accentOnBase: readable(system.highlight, [base, ownBubble, otherBubble])
    readonly property color button: system.button
    readonly property color buttonText: readable(system.buttonText, [button, window])
    readonly property color divider: Qt.tint(system.window, dark ? "#22ffffff" : "#18000000")
    readonly property color selected: Qt.tint(system.base, Qt.rgba(system.highlight.r, system.highlight.g, system.highlight.b, 0.18))
    readonly property color ownBubble: Qt.tint(system.base, Qt.rgba(system.highlight.r, system.highlight.g, system.highlight.b, dark ? 0.35 : 0.16))
    readonly property color otherBubble: dark ? Qt.lighter(system.base, 1.35) : Qt.darker(system.base, 1.05)
    readonly property color mutedBadge: dark ? "#5c5f66" : "#8a8d93"
    readonly property color online: "#2fb344"
    readonly property color danger: readable("#d63939", [window, base, ownBubble, selected])
    readonly property color warning: "#f59f00"
    readonly property color readTicks: readable(dark ? "#5eb5ff" : "#1d7bd8", [ownBubble])

    // Emoji in colour where the system has the font (Qt 6.4's font fallback would often
    // pick a text font's black-and-white glyphs); any other system falls back as usual.
    readonly property string emojiFont: "Noto Color Emoji"

    readonly property int spacing: 8
    readonly property int radius: 10
    readonly property int avatarSize: 40
    // A bubble's widest: a line of about 70 characters.
    readonly property int bubbleMaxWidth: 560
    // Below this window width the list and the conversation take turns (one pane).
    readonly property int narrowWidth: 720

    // A stable colour per name, for avatars and names in groups.
    function avatarColor(name) {
        let hash = 0
        for (let i = 0; i < name.length; ++i)
            hash = (hash * 31 + name.charCodeAt(i)) % 360
        return Qt.hsla(hash / 360, 0.55, dark ? 0.45 : 0.5, 1)
    }
    // A sender's name colour that reads on the bubbles.
    function nameColor(name) { return readable(avatarColor(name), [otherBubble]) }

    // WCAG 2 relative luminance and contrast ratio.
    function luminance(value) {
        const c = Qt.lighter(value, 1.0) // a colour, also from a name or "#rrggbb"
        const linear = (x) => x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4)
        return 0.2126 * linear(c.r) + 0.7152 * linear(c.g) + 0.0722 * linear(c.b)
    }
    function contrast(a, b) {
        const la = luminance(a)
        const lb = luminance(b)
        return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05)
    }
    // `color`, darker on a light palette or lighter on a dark one, until it reads on each
    // of `backgrounds`.
    function readable(color, backgrounds) {
        let result = Qt.lighter(color, 1.0)
        for (let step = 0; step < 30 && backgrounds.some((b) => contrast(result, b) < 4.6); ++step)
            result = dark ? Qt.lighter(result, 1.1) : Qt.darker(result, 1.1)
        // As 8-bit RGB, the way a Text keeps its colour (so the two compare equal).
        const eightBit = (x) => Math.round(x * 255) / 255
        return Qt.rgba(eightBit(result.r), eightBit(result.g), eightBit(result.b), 1)
    }
    // Black or white, whichever reads better on `background` (initials on an avatar).
    function onColor(background) {
        return contrast("black", background) > contrast("white", background) ? "black" : "white"
    }
}
