#pragma once

#include <QImage>
#include <QString>

namespace pitchey::app {

// The application id: the .desktop file, the AppStream component, the icon's name.
inline constexpr auto kAppId = "org.pitchey.Messenger";

// The app's mark, drawn (no image files, no SVG renderer): a blue rounded square with a
// white speech bubble. The same drawing makes the installed hicolor PNGs (pitchey-icongen),
// the window icon and the tray icon.
[[nodiscard]] QImage drawAppIcon(int size);
// The mark with a red badge counting unread messages (none for 0).
[[nodiscard]] QImage drawAppIconWithBadge(int size, int unread);

} // namespace pitchey::app
