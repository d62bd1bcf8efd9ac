#pragma once

#include "store/LocalMessage.h"

#include <QAbstractListModel>

#include <functional>

namespace pitchey::client {

// The messages of the open conversation, oldest first, the user's unsent ones last.
// Each row knows whether it starts a new day or a new run of one sender's messages, so
// that delegates group them without looking at their neighbours.
class MessageListModel : public QAbstractListModel
{
    Q_OBJECT
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)

public:
    enum Role
    {
        MessageIdRole = Qt::UserRole + 1,
        ClientMessageIdRole,
        SenderIdRole,
        SenderNameRole,
        ContentRole,
        TimeRole,
        DayRole,
        IsOwnRole,
        StateRole,
        FailureRole,
        FirstOfGroupRole,
        FirstOfDayRole,
    };
    Q_ENUM(Role)

    // LocalMessage::State, for QML (MessageListModel.Queued ...).
    enum DeliveryState
    {
        Queued = int(LocalMessage::State::Queued),
        Sent = int(LocalMessage::State::Sent),
        Delivered = int(LocalMessage::State::Delivered),
        Read = int(LocalMessage::State::Read),
        Failed = int(LocalMessage::State::Failed),
        Received = int(LocalMessage::State::Received),
    };
    Q_ENUM(DeliveryState)

    explicit MessageListModel(QObject *parent = nullptr);

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;

    void setMe(qint64 userId) { m_me = userId; }
    void setNameLookup(std::function<QString(qint64)> lookup) { m_nameOf = std::move(lookup); }

    void reset(qint64 conversationId, const QList<LocalMessage> &messages);
    void prependOlder(const QList<LocalMessage> &messages);
    // Inserts a message in id order (unsent ones last) or updates the row that has it.
    void upsert(const LocalMessage &message);
    void removeByClientId(const QString &clientMessageId);
    void setStates(const QList<qint64> &messageIds, LocalMessage::State state);

    Q_INVOKABLE qint64 messageIdAt(int row) const
    {
        return row >= 0 && row < m_items.size() ? m_items.at(row).id : 0;
    }
    [[nodiscard]] qint64 conversationId() const { return m_conversationId; }
    [[nodiscard]] qint64 oldestId() const;
    [[nodiscard]] qint64 newestId() const;
    [[nodiscard]] const QList<LocalMessage> &messages() const { return m_items; }

Q_SIGNALS:
    void countChanged();

private:
    [[nodiscard]] int rowOf(const LocalMessage &message) const;
    [[nodiscard]] bool startsGroup(int row) const;
    [[nodiscard]] bool startsDay(int row) const;

    QList<LocalMessage> m_items;
    qint64 m_conversationId = 0;
    qint64 m_me = 0;
    std::function<QString(qint64)> m_nameOf;
};

} // namespace pitchey::client
