#include "storage/PreferencesRepository.h"

#include "protocol/Time.h"
#include "storage/ConversationRepository.h"
#include "storage/Sql.h"

using namespace Qt::StringLiterals;

namespace pitchey::server::PreferencesRepository {

Result<NotificationPreferences> get(QSqlDatabase &db, qint64 userId)
{
    NotificationPreferences preferences;
    auto row = sql::exec(db,
                         u"SELECT email_enabled, realtime_enabled, email_delay_minutes, "
                         "send_read_receipts, send_typing_indicators, mentions_when_muted "
                         "FROM notification_preferences WHERE user_id = ?"_s,
                         {userId});
    if (!row.ok())
        return row.error();
    if (row.value().next()) {
        preferences.emailEnabled = row.value().value(0).toInt() != 0;
        preferences.realtimeEnabled = row.value().value(1).toInt() != 0;
        preferences.emailDelayMinutes = row.value().value(2).toInt();
        preferences.sendReadReceipts = row.value().value(3).toInt() != 0;
        preferences.sendTypingIndicators = row.value().value(4).toInt() != 0;
        preferences.mentionsWhenMuted = row.value().value(5).toInt() != 0;
    }
    auto muted = sql::exec(
        db,
        u"SELECT conversation_id FROM muted_conversations WHERE user_id = ? ORDER BY conversation_id"_s,
        {userId});
    if (!muted.ok())
        return muted.error();
    while (muted.value().next())
        preferences.mutedConversationIds.append(muted.value().value(0).toLongLong());
    return preferences;
}

Result<NotificationPreferences> update(QSqlDatabase &db, qint64 userId, const QJsonObject &patch)
{
    auto current = get(db, userId);
    if (!current.ok())
        return current.error();
    auto merged = current.value().merged(patch);
    if (!merged.ok())
        return merged.error();
    const NotificationPreferences &next = merged.value();

    auto upsert = sql::exec(
        db,
        u"INSERT INTO notification_preferences (user_id, email_enabled, realtime_enabled, "
        u"email_delay_minutes, send_read_receipts, send_typing_indicators, "
        u"mentions_when_muted, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET "
        "email_enabled = excluded.email_enabled, realtime_enabled = excluded.realtime_enabled, "
        "email_delay_minutes = excluded.email_delay_minutes, "
        "send_read_receipts = excluded.send_read_receipts, "
        "send_typing_indicators = excluded.send_typing_indicators, "
        "mentions_when_muted = excluded.mentions_when_muted, "
        "updated_at = excluded.updated_at"_s,
        {userId, next.emailEnabled ? 1 : 0, next.realtimeEnabled ? 1 : 0, next.emailDelayMinutes,
         next.sendReadReceipts ? 1 : 0, next.sendTypingIndicators ? 1 : 0,
         next.mentionsWhenMuted ? 1 : 0, currentTimeMs()});
    if (!upsert.ok())
        return upsert.error();

    if (patch.contains("mutedConversationIds"_L1)) {
        for (qint64 conversationId : next.mutedConversationIds) {
            if (auto access = ConversationRepository::checkAccess(db, conversationId, userId);
                !access.ok())
                return Error::forbidden(
                    u"mutedConversationIds names conversation %1, which you are not part of"_s.arg(
                        conversationId));
        }
        auto cleared =
            sql::exec(db, u"DELETE FROM muted_conversations WHERE user_id = ?"_s, {userId});
        if (!cleared.ok())
            return cleared.error();
        for (qint64 conversationId : next.mutedConversationIds) {
            auto muted = sql::exec(
                db, u"INSERT INTO muted_conversations (user_id, conversation_id) VALUES (?, ?)"_s,
                {userId, conversationId});
            if (!muted.ok())
                return muted.error();
        }
    }
    return get(db, userId);
}

} // namespace pitchey::server::PreferencesRepository
