#pragma once

#include "controllers/NotificationCenter.h"

#include <QHash>
#include <QObject>
#include <QSet>

namespace pitchey::app {

// Desktop notifications through the freedesktop notification service on the session bus
// (GNOME, KDE, XFCE, and most others). Clicking one emits activated() with its message; an
// edited message's notification is replaced in place, a deleted one's closed.
class FreedesktopNotifier : public QObject, public client::NotificationPresenter
{
    Q_OBJECT

public:
    explicit FreedesktopNotifier(QObject *parent = nullptr);

    // Whether a notification service answers on the session bus.
    [[nodiscard]] static bool available();
    void show(qint64 conversationId, qint64 messageId, const QString &title,
              const QString &body) override;
    void update(qint64 messageId, const QString &body) override;
    void withdraw(qint64 messageId) override;
    // With a sound (the "message-new-instant" of the desktop's sound theme), or silent.
    void setSound(bool on) { m_sound = on; }

Q_SIGNALS:
    void activated(qint64 conversationId, qint64 messageId);

private Q_SLOTS:
    void onActionInvoked(uint id, const QString &action);
    void onClosed(uint id, uint reason);

private:
    [[nodiscard]] QVariantMap hints() const;
    // Notify (`replaces`: the id of one to change in place, or 0 for a new one).
    void notify(uint replaces, qint64 conversationId, qint64 messageId, const QString &title,
                const QString &body);

    struct Shown
    {
        qint64 conversationId = 0;
        qint64 messageId = 0;
        QString title;
    };
    bool m_sound = true;
    QHash<uint, Shown> m_shown;    // notification id -> what it shows
    QSet<uint> m_clickedEarly;     // clicks on ids whose Notify answer is still on its way
    QSet<qint64> m_withdrawnEarly; // messages deleted while their Notify is on its way
};

} // namespace pitchey::app
