#include "models/MessageListModel.h"

#include <QDateTime>
#include <QLocale>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace pitchey::client {

namespace {

using State = LocalMessage::State;

// Messages of one sender within this many ms form one group.
constexpr qint64 kGroupGapMs = 5 * 60 * 1000;

QDate dayOf(const LocalMessage &message)
{
    return QDateTime::fromMSecsSinceEpoch(message.createdAt).toLocalTime().date();
}

QString dayText(const QDate &day)
{
    const QDate today = QDate::currentDate();
    if (day == today)
        return MessageListModel::tr("Today");
    if (day.daysTo(today) == 1)
        return MessageListModel::tr("Yesterday");
    return QLocale().toString(day, QLocale::LongFormat);
}

// Sent messages by id; unsent ones after all of them, in the order they were typed.
bool before(const LocalMessage &a, const LocalMessage &b)
{
    if ((a.id == 0) != (b.id == 0))
        return a.id != 0;
    return a.id != 0 ? a.id < b.id : a.localId < b.localId;
}

} // namespace

MessageListModel::MessageListModel(QObject *parent)
    : QAbstractListModel(parent)
{
    connect(this, &QAbstractItemModel::rowsInserted, this, &MessageListModel::countChanged);
    connect(this, &QAbstractItemModel::rowsRemoved, this, &MessageListModel::countChanged);
    connect(this, &QAbstractItemModel::modelReset, this, &MessageListModel::countChanged);
}

int MessageListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_items.size());
}

QHash<int, QByteArray> MessageListModel::roleNames() const
{
    return {{MessageIdRole, "messageId"},
            {ClientMessageIdRole, "clientMessageId"},
            {SenderIdRole, "senderId"},
            {SenderNameRole, "senderName"},
            {ContentRole, "content"},
            {TimeRole, "time"},
            {DayRole, "day"},
            {IsOwnRole, "isOwn"},
            {StateRole, "deliveryState"},
            {FailureRole, "failure"},
            {FirstOfGroupRole, "firstOfGroup"},
            {FirstOfDayRole, "firstOfDay"}};
}

QVariant MessageListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const LocalMessage &message = m_items.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case ContentRole:
        return message.content;
    case MessageIdRole:
        return message.id;
    case ClientMessageIdRole:
        return message.clientMessageId;
    case SenderIdRole:
        return message.senderId;
    case SenderNameRole:
        return m_nameOf ? m_nameOf(message.senderId) : QString();
    case TimeRole:
        return QDateTime::fromMSecsSinceEpoch(message.createdAt).toLocalTime().toString(u"HH:mm"_s);
    case DayRole:
        return dayText(dayOf(message));
    case IsOwnRole:
        return message.senderId == m_me;
    case StateRole:
        return int(message.state);
    case FailureRole:
        return message.failure;
    case FirstOfGroupRole:
        return startsGroup(index.row());
    case FirstOfDayRole:
        return startsDay(index.row());
    default:
        return {};
    }
}

void MessageListModel::reset(qint64 conversationId, const QList<LocalMessage> &messages)
{
    beginResetModel();
    m_conversationId = conversationId;
    m_items = messages;
    std::stable_sort(m_items.begin(), m_items.end(), before);
    endResetModel();
}

void MessageListModel::prependOlder(const QList<LocalMessage> &messages)
{
    QList<LocalMessage> older;
    const qint64 oldest = oldestId();
    for (const LocalMessage &message : messages) {
        if (message.id > 0 && (oldest == 0 || message.id < oldest))
            older.append(message);
    }
    if (older.isEmpty())
        return;
    std::sort(older.begin(), older.end(), before);
    beginInsertRows({}, 0, int(older.size()) - 1);
    m_items = older + m_items;
    endInsertRows();
    // The first old row may now continue the group the former first row started.
    const QModelIndex boundary = index(int(older.size()));
    Q_EMIT dataChanged(boundary, boundary, {FirstOfGroupRole, FirstOfDayRole});
}

void MessageListModel::upsert(const LocalMessage &message)
{
    if (message.conversationId != m_conversationId)
        return;
    const int row = rowOf(message);
    if (row >= 0) {
        const bool moved = m_items.at(row).id != message.id;
        m_items[row] = message;
        if (!moved) {
            Q_EMIT dataChanged(index(row), index(row));
            return;
        }
        // Acknowledged: it moves from the unsent tail to its place by id.
        beginRemoveRows({}, row, row);
        m_items.removeAt(row);
        endRemoveRows();
    }
    const auto at = std::upper_bound(m_items.cbegin(), m_items.cend(), message, before);
    const int position = int(at - m_items.cbegin());
    beginInsertRows({}, position, position);
    m_items.insert(position, message);
    endInsertRows();
    if (position + 1 < m_items.size())
        Q_EMIT dataChanged(index(position + 1), index(position + 1),
                           {FirstOfGroupRole, FirstOfDayRole});
}

void MessageListModel::removeByClientId(const QString &clientMessageId)
{
    for (int row = 0; row < m_items.size(); ++row) {
        if (m_items.at(row).clientMessageId == clientMessageId && m_items.at(row).id == 0) {
            beginRemoveRows({}, row, row);
            m_items.removeAt(row);
            endRemoveRows();
            return;
        }
    }
}

void MessageListModel::setStates(const QList<qint64> &messageIds, LocalMessage::State state)
{
    for (int row = 0; row < m_items.size(); ++row) {
        if (m_items.at(row).id > 0 && messageIds.contains(m_items.at(row).id)) {
            m_items[row].state = state;
            Q_EMIT dataChanged(index(row), index(row), {StateRole});
        }
    }
}

qint64 MessageListModel::oldestId() const
{
    for (const LocalMessage &message : m_items) {
        if (message.id > 0)
            return message.id;
    }
    return 0;
}

qint64 MessageListModel::newestId() const
{
    for (auto it = m_items.crbegin(); it != m_items.crend(); ++it) {
        if (it->id > 0)
            return it->id;
    }
    return 0;
}

int MessageListModel::rowOf(const LocalMessage &message) const
{
    for (int row = int(m_items.size()) - 1; row >= 0; --row) {
        const LocalMessage &item = m_items.at(row);
        if ((message.id > 0 && item.id == message.id) ||
            (message.localId > 0 && item.localId == message.localId) ||
            (!message.clientMessageId.isEmpty() && item.senderId == message.senderId &&
             item.clientMessageId == message.clientMessageId))
            return row;
    }
    return -1;
}

bool MessageListModel::startsGroup(int row) const
{
    if (row == 0 || startsDay(row))
        return true;
    const LocalMessage &previous = m_items.at(row - 1);
    const LocalMessage &current = m_items.at(row);
    return previous.senderId != current.senderId ||
           current.createdAt - previous.createdAt > kGroupGapMs;
}

bool MessageListModel::startsDay(int row) const
{
    return row == 0 || dayOf(m_items.at(row - 1)) != dayOf(m_items.at(row));
}

} // namespace pitchey::client
