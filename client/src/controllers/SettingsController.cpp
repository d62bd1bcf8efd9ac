#include "controllers/SettingsController.h"

#include <QJsonArray>
#include <QSettings>

#include <utility>

using namespace Qt::StringLiterals;

namespace pitchey::client {

SettingsController::SettingsController(ApiClient &api, QObject *parent)
    : QObject(parent)
    , m_api(api)
{}

namespace {

bool deviceSetting(QLatin1StringView key)
{
    return QSettings().value(key, true).toBool();
}

} // namespace

bool SettingsController::sound() const
{
    return deviceSetting("device/sound"_L1);
}

void SettingsController::setSound(bool on)
{
    setDeviceSetting("device/sound"_L1, on);
}

bool SettingsController::closeToTray() const
{
    return deviceSetting("device/closeToTray"_L1);
}

void SettingsController::setCloseToTray(bool on)
{
    setDeviceSetting("device/closeToTray"_L1, on);
}

void SettingsController::setDeviceSetting(QLatin1StringView key, bool on)
{
    if (on == deviceSetting(key))
        return;
    QSettings().setValue(key, on);
    Q_EMIT deviceChanged();
}

void SettingsController::reload()
{
    const quint64 sequence = ++m_sequence;
    m_api.preferences({}, this, [this, sequence](Result<NotificationPreferences> answer) {
        if (sequence != m_sequence)
            return; // a change was made since: its answer is newer
        if (!answer.ok())
            return Q_EMIT errorOccurred(answer.error().message);
        take(answer.value());
    });
}

void SettingsController::clear()
{
    m_preferences = {};
    m_loaded = false;
    Q_EMIT changed();
}

bool SettingsController::isMuted(qint64 conversationId) const
{
    return m_preferences.mutedConversationIds.contains(conversationId);
}

void SettingsController::setMuted(qint64 conversationId, bool muted)
{
    QList<qint64> ids = m_preferences.mutedConversationIds;
    ids.removeAll(conversationId);
    if (muted)
        ids.append(conversationId);
    QJsonArray list;
    for (qint64 id : ids)
        list.append(id);
    change({{api::preference::kMutedConversationIds, list}});
}

void SettingsController::change(const QJsonObject &patch)
{
    // Shown at once; the server's answer has the last word.
    auto optimistic = m_preferences.merged(patch);
    if (!optimistic.ok())
        return Q_EMIT errorOccurred(optimistic.error().message);
    m_preferences = optimistic.value();
    Q_EMIT changed();
    for (auto it = patch.begin(); it != patch.end(); ++it)
        m_unsent.insert(it.key(), it.value());
    if (!m_sending)
        sendUnsent();
}

void SettingsController::sendUnsent()
{
    m_sending = true;
    const quint64 sequence = ++m_sequence;
    m_api.preferences(std::exchange(m_unsent, {}), this,
                      [this, sequence](Result<NotificationPreferences> answer) {
                          m_sending = false;
                          if (!answer.ok())
                              Q_EMIT errorOccurred(answer.error().message);
                          // Each answer is the server's whole state after that change: while
                          // a later change waits, it would undo that one on screen.
                          if (!m_unsent.isEmpty())
                              return sendUnsent();
                          if (sequence != m_sequence)
                              return; // a reload since: its answer is newer
                          if (!answer.ok())
                              return reload(); // show what the server really has
                          take(answer.value());
                      });
}

void SettingsController::take(const NotificationPreferences &preferences)
{
    m_preferences = preferences;
    m_loaded = true;
    Q_EMIT changed();
}

} // namespace pitchey::client
