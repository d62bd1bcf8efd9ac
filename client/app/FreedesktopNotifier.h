#pragma once

#include "controllers/NotificationCenter.h"

#include <QHash>
#include <QObject>
#include <QSet>

namespace pitchey::app {

// Desktop notifications through the freedesktop notification service on the session bus
// (GNOME, KDE, XFCE, and most others). Clicking one emits activated().
class FreedesktopNotifier : public QObject, public client::NotificationPresenter
{
    Q_OBJECT

public:
    explicit FreedesktopNotifier(QObject *parent = nullptr);

    // Whether a notification service answers on the session bus.
    [[nodiscard]] static bool available();
    void show(qint64 conversationId, const QString &title, const QString &body) override;
    // With a sound (the "message-new-instant" of the desktop's sound theme), or silent.
    void setSound(bool on) { m_sound = on; }

Q_SIGNALS:
    void activated(qint64 conversationId);

private Q_SLOTS:
    void onActionInvoked(uint id, const QString &action);
    void onClosed(uint id, uint reason);

private:
    [[nodiscard]] QVariantMap hints() const;

    bool m_sound = true;
    QHash<uint, qint64> m_conversationOf; // notification id -> conversation
    QSet<uint> m_clickedEarly;            // clicks on ids whose Notify answer is still on its way
};

} // namespace pitchey::app
