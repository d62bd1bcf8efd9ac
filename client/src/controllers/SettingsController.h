#pragma once

#include "net/ApiClient.h"
#include "protocol/Api.h"

#include <QObject>

namespace pitchey::client {

// The user's notification and privacy settings, kept on the server (they follow the user
// to every device). Each change is shown at once and sent in order; on failure the shown value goes
// back to what the server has.
class SettingsController : public QObject
{
    Q_OBJECT
    Q_PROPERTY(bool loaded READ loaded NOTIFY changed)
    Q_PROPERTY(bool emailEnabled READ emailEnabled WRITE setEmailEnabled NOTIFY changed)
    Q_PROPERTY(
        int emailDelayMinutes READ emailDelayMinutes WRITE setEmailDelayMinutes NOTIFY changed)
    Q_PROPERTY(bool realtimeEnabled READ realtimeEnabled WRITE setRealtimeEnabled NOTIFY changed)
    Q_PROPERTY(bool sendReadReceipts READ sendReadReceipts WRITE setSendReadReceipts NOTIFY changed)
    Q_PROPERTY(bool sendTypingIndicators READ sendTypingIndicators WRITE setSendTypingIndicators
                   NOTIFY changed)
    Q_PROPERTY(QVariantList mutedConversationIds READ mutedConversationIds NOTIFY changed)
    // This device's own (QSettings, not the server): a sound with each notification, and
    // whether closing the window leaves the app in the tray.
    Q_PROPERTY(bool sound READ sound WRITE setSound NOTIFY deviceChanged)
    Q_PROPERTY(bool closeToTray READ closeToTray WRITE setCloseToTray NOTIFY deviceChanged)
    // Whether this desktop shows a tray icon (the app's wiring says).
    Q_PROPERTY(bool trayAvailable READ trayAvailable NOTIFY deviceChanged)

public:
    explicit SettingsController(ApiClient &api, QObject *parent = nullptr);

    Q_INVOKABLE void reload();
    Q_INVOKABLE bool isMuted(qint64 conversationId) const;
    Q_INVOKABLE void setMuted(qint64 conversationId, bool muted);
    void clear(); // on logout

    [[nodiscard]] bool sound() const;
    void setSound(bool on);
    [[nodiscard]] bool closeToTray() const;
    void setCloseToTray(bool on);
    [[nodiscard]] bool trayAvailable() const { return m_trayAvailable; }
    void setTrayAvailable(bool available)
    {
        m_trayAvailable = available;
        Q_EMIT deviceChanged();
    }

    [[nodiscard]] bool loaded() const { return m_loaded; }
    [[nodiscard]] bool saving() const { return m_sending; } // a change is on its way
    [[nodiscard]] QVariantList mutedConversationIds() const
    {
        QVariantList ids;
        for (qint64 id : m_preferences.mutedConversationIds)
            ids.append(id);
        return ids;
    }
    [[nodiscard]] const NotificationPreferences &preferences() const { return m_preferences; }
    [[nodiscard]] bool emailEnabled() const { return m_preferences.emailEnabled; }
    [[nodiscard]] int emailDelayMinutes() const { return m_preferences.emailDelayMinutes; }
    [[nodiscard]] bool realtimeEnabled() const { return m_preferences.realtimeEnabled; }
    [[nodiscard]] bool mentionsWhenMuted() const { return m_preferences.mentionsWhenMuted; }
    [[nodiscard]] bool sendReadReceipts() const { return m_preferences.sendReadReceipts; }
    [[nodiscard]] bool sendTypingIndicators() const { return m_preferences.sendTypingIndicators; }
    void setEmailEnabled(bool on) { change({{api::preference::kEmailEnabled, on}}); }
    void setEmailDelayMinutes(int minutes)
    {
        change({{api::preference::kEmailDelayMinutes, minutes}});
    }
    void setRealtimeEnabled(bool on) { change({{api::preference::kRealtimeEnabled, on}}); }
    void setSendReadReceipts(bool on) { change({{api::preference::kSendReadReceipts, on}}); }
    void setSendTypingIndicators(bool on)
    {
        change({{api::preference::kSendTypingIndicators, on}});
    }

Q_SIGNALS:
    void changed();
    void deviceChanged();
    void errorOccurred(const QString &message);

private:
    void setDeviceSetting(QLatin1StringView key, bool on);
    bool m_trayAvailable = false;
    void change(const QJsonObject &patch);
    void sendUnsent();
    void take(const NotificationPreferences &preferences);

    ApiClient &m_api;
    NotificationPreferences m_preferences;
    bool m_loaded = false;
    // Changes go to the server one at a time, in order: two requests on the way at once may
    // be applied in either order (on two connections), leaving the older value stored.
    bool m_sending = false;
    QJsonObject m_unsent;   // changes made while one was on its way, merged
    quint64 m_sequence = 0; // of the latest request: only its answer is shown
};

} // namespace pitchey::client
