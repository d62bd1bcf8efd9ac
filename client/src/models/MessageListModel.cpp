#include "models/MessageListModel.h"

#include "models/MessageText.h"

#include <QDateTime>
#include <QLocale>
#include <QUrl>

#include <algorithm>
#include <utility>

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

void MessageListModel::setOwnMentionColor(const QString &color)
{
    if (color == m_ownMentionColor)
        return;
    m_ownMentionColor = color;
    if (!m_items.isEmpty())
        Q_EMIT dataChanged(index(0), index(int(m_items.size()) - 1), {LinkedHtmlRole});
    Q_EMIT ownMentionColorChanged();
}

QList<MentionMark> MessageListModel::mentionMarks(const LocalMessage &message) const
{
    QList<MentionMark> marks;
    for (const qint64 userId : message.mentions.userIds) {
        const QString name = m_nameOf ? m_nameOf(userId) : QString();
        if (!name.isEmpty())
            marks.append({name, userId == m_me});
    }
    if (message.mentions.all)
        marks.append({u"all"_s, message.senderId != m_me});
    return marks;
}

MessageListModel::MessageListModel(QObject *parent)
    : QAbstractListModel(parent)
{
    connect(this, &QAbstractItemModel::rowsInserted, this, &MessageListModel::countChanged);
    connect(this, &QAbstractItemModel::rowsRemoved, this, &MessageListModel::countChanged);
    connect(this, &QAbstractItemModel::modelReset, this, &MessageListModel::countChanged);
    // Rows count from the newest: one more below moves the line's row.
    connect(this, &MessageListModel::countChanged, this, [this] {
        if (m_firstUnreadId != 0)
            Q_EMIT firstUnreadChanged();
    });
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
            {FirstOfDayRole, "firstOfDay"},
            {FirstUnreadRole, "firstUnread"},
            {LinkedHtmlRole, "linkedHtml"},
            {MentionsMeRole, "mentionsMe"},
            {EditedAtRole, "editedAt"},
            {DeletedRole, "deleted"},
            {ReplyToIdRole, "replyToId"},
            {ReplySenderRole, "replySender"},
            {ReplyExcerptRole, "replyExcerpt"},
            {ReplyDeletedRole, "replyDeleted"},
            {ReactionsRole, "reactions"},
            {ThreadSummaryRole, "threadSummary"},
            {AttachmentsRole, "attachments"},
            {UploadProgressRole, "uploadProgress"}};
}

QVariant MessageListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const int position = positionOf(index.row());
    const LocalMessage &message = m_items.at(position);
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
        return startsGroup(position);
    case FirstOfDayRole:
        return startsDay(position);
    case LinkedHtmlRole:
        return linkedHtml(message.content, mentionMarks(message), m_ownMentionColor);
    case MentionsMeRole:
        return message.senderId != m_me && message.mentions.reach(m_me);
    case FirstUnreadRole:
        return m_firstUnreadId != 0 && message.id == m_firstUnreadId;
    case EditedAtRole: // for the "(edited)" mark's tooltip; empty when never edited
        return message.editedAt == 0 || message.isDeleted()
                   ? QString()
                   : QLocale().toString(QDateTime::fromMSecsSinceEpoch(message.editedAt),
                                        QLocale::ShortFormat);
    case DeletedRole:
        return message.isDeleted();
    case ReplyToIdRole:
        return message.replyToId;
    case ReplySenderRole:
        return message.replyTo && m_nameOf ? m_nameOf(message.replyTo->senderId) : QString();
    case ReplyExcerptRole:
        return message.replyTo ? message.replyTo->excerpt.simplified() : QString();
    case ReplyDeletedRole:
        return message.replyTo && message.replyTo->deleted;
    case ReactionsRole:
        return reactionsOf(message);
    case ThreadSummaryRole:
        return threadSummaryOf(message);
    case AttachmentsRole:
        return attachmentsOf(message);
    case UploadProgressRole:
        return message.id == 0 ? m_uploads.value(message.clientMessageId, -1) : -1;
    default:
        return {};
    }
}

namespace {

// One file as AttachmentList.qml reads it. `id` 0 and a `source` URL: not sent yet.
QVariantMap fileEntry(qint64 id, const QString &filename, const QString &mimeType, qint64 size,
                      int width, int height, bool image, const QUrl &source)
{
    return {{u"id"_s, id},
            {u"filename"_s, filename},
            {u"mimeType"_s, mimeType},
            {u"size"_s, size},
            {u"sizeText"_s, QLocale().formattedDataSize(size)},
            {u"width"_s, width},
            {u"height"_s, height},
            {u"image"_s, image},
            {u"source"_s, source}};
}

} // namespace

QVariantList MessageListModel::attachmentsOf(const LocalMessage &message)
{
    QVariantList files;
    for (const OutgoingFile &file : message.files) { // not sent yet: this computer's copy
        files.append(fileEntry(0, file.filename, file.mimeType, file.size, file.width, file.height,
                               file.width > 0 && file.height > 0, QUrl::fromLocalFile(file.path)));
    }
    for (const Attachment &attachment : message.attachments) {
        const int width = attachment.width.value_or(0);
        const int height = attachment.height.value_or(0);
        const bool image = attachment.thumbnailState == "ready"_L1 && width > 0 && height > 0;
        files.append(fileEntry(attachment.id, attachment.filename, attachment.mimeType,
                               attachment.size, width, height, image, QUrl()));
    }
    return files;
}

QString MessageListModel::threadSummaryOf(const LocalMessage &message)
{
    if (!message.thread)
        return {};
    const QString last = QDateTime::fromMSecsSinceEpoch(message.thread->lastReplyAt)
                             .toLocalTime()
                             .toString(u"HH:mm"_s);
    return message.thread->replyCount == 1
               ? tr("1 reply · last %1").arg(last)
               : tr("%1 replies · last %2").arg(message.thread->replyCount).arg(last);
}

QVariantList MessageListModel::reactionsOf(const LocalMessage &message) const
{
    QVariantList list;
    for (const Reaction &reaction : message.reactions) {
        QStringList names;
        for (const qint64 userId : reaction.userIds)
            names.append(userId == m_me ? tr("You") : m_nameOf ? m_nameOf(userId) : QString());
        QString who = QLocale().createSeparatedList(names);
        if (reaction.count > reaction.userIds.size())
            who = tr("%1 and %n more", nullptr, int(reaction.count - reaction.userIds.size()))
                      .arg(names.join(u", "_s));
        list.append(QVariantMap{{u"emoji"_s, reaction.emoji},
                                {u"count"_s, reaction.count},
                                {u"me"_s, reaction.me},
                                {u"who"_s, who}});
    }
    return list;
}

void MessageListModel::reset(qint64 conversationId, const QList<LocalMessage> &messages,
                             qint64 threadRootId)
{
    beginResetModel();
    m_conversationId = conversationId;
    m_threadRootId = threadRootId;
    m_items = messages;
    std::stable_sort(m_items.begin(), m_items.end(), before);
    m_unreadAfter = -1;
    m_firstUnreadId = 0;
    endResetModel();
    Q_EMIT firstUnreadChanged();
    setHasNewer(false);
}

void MessageListModel::setHasNewer(bool hasNewer)
{
    if (m_hasNewer == hasNewer)
        return;
    m_hasNewer = hasNewer;
    Q_EMIT hasNewerChanged();
}

void MessageListModel::fetchNewer()
{
    if (!m_hasNewer || !m_fetchNewer || m_fetching)
        return;
    m_fetching = true;
    m_fetchNewer();
    m_fetching = false;
}

void MessageListModel::addNewer(const QList<LocalMessage> &messages)
{
    QList<LocalMessage> newer;
    const qint64 newest = newestId();
    for (const LocalMessage &message : messages) {
        if (holds(message) && message.id > newest)
            newer.append(message);
    }
    if (newer.isEmpty())
        return;
    std::sort(newer.begin(), newer.end(), before);
    const int added = int(newer.size());
    beginInsertRows({}, 0, added - 1);
    m_items.append(newer);
    endInsertRows();
    // The former newest row may now be continued by a newer one.
    if (added < rowCount())
        Q_EMIT dataChanged(index(added), index(added), {FirstOfGroupRole, FirstOfDayRole});
    if (m_firstUnreadId == 0)
        findFirstUnread();
}

void MessageListModel::setUnreadAfter(qint64 readUpTo)
{
    m_unreadAfter = readUpTo;
    findFirstUnread();
}

int MessageListModel::firstUnreadRow() const
{
    if (m_firstUnreadId == 0)
        return -1;
    for (int position = 0; position < m_items.size(); ++position) {
        if (m_items.at(position).id == m_firstUnreadId)
            return rowAt(position);
    }
    return -1;
}

void MessageListModel::findFirstUnread()
{
    qint64 first = 0;
    if (m_unreadAfter >= 0) {
        for (const LocalMessage &message : std::as_const(m_items)) {
            if (message.id > m_unreadAfter && message.senderId != m_me) {
                first = message.id;
                break;
            }
        }
    }
    if (first == m_firstUnreadId)
        return;
    const int formerRow = firstUnreadRow();
    m_firstUnreadId = first;
    for (const int row : {formerRow, firstUnreadRow()}) {
        if (row >= 0)
            Q_EMIT dataChanged(index(row), index(row), {FirstUnreadRole});
    }
    Q_EMIT firstUnreadChanged();
}

bool MessageListModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && m_conversationId != 0 && m_mayHaveOlder && m_fetchOlder &&
           !m_fetching;
}

void MessageListModel::fetchMore(const QModelIndex &parent)
{
    if (!canFetchMore(parent))
        return;
    // Whoever hears of the rows it adds may ask again at once: that waits for the next time.
    m_fetching = true;
    m_fetchOlder();
    m_fetching = false;
}

void MessageListModel::addOlder(const QList<LocalMessage> &messages)
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
    const int rows = int(m_items.size());
    beginInsertRows({}, rows, rows + int(older.size()) - 1);
    m_items = older + m_items;
    endInsertRows();
    // The former oldest row may now continue the group an older one starts.
    if (rows > 0) {
        const QModelIndex boundary = index(rows - 1);
        Q_EMIT dataChanged(boundary, boundary, {FirstOfGroupRole, FirstOfDayRole});
    }
    // The line stays where it was: were it to move up with each older page, a view that
    // keeps the line in sight would page in the whole unread backlog.
    if (m_firstUnreadId == 0)
        findFirstUnread();
}

bool MessageListModel::holds(const LocalMessage &message) const
{
    if (m_conversationId == 0 || message.conversationId != m_conversationId)
        return false;
    return m_threadRootId == 0
               ? message.threadRootId == 0
               : message.threadRootId == m_threadRootId || message.id == m_threadRootId;
}

void MessageListModel::upsert(const LocalMessage &message)
{
    if (!holds(message))
        return;
    const int found = positionOfMessage(message);
    if (found >= 0)
        return replace(found, message);
    if (m_hasNewer && (message.id == 0 || message.id > newestId()))
        return; // beyond what is loaded: fetchNewer() brings it from the cache
    const auto at = std::upper_bound(m_items.cbegin(), m_items.cend(), message, before);
    const int position = int(at - m_items.cbegin());
    const int row = int(m_items.size()) - position; // counted after the insertion
    beginInsertRows({}, row, row);
    m_items.insert(position, message);
    endInsertRows();
    // The message after it (the row above in number, below on screen) may now continue its
    // group or day.
    if (row > 0)
        Q_EMIT dataChanged(index(row - 1), index(row - 1), {FirstOfGroupRole, FirstOfDayRole});
    findFirstUnread();
}

QList<int> MessageListModel::rolesChanged(LocalMessage was, const LocalMessage &now) const
{
    // Only the reactions, or all but them: a reaction rebuilds neither the text nor the
    // quote, a receipt or an edit not the chips (which may be under the pointer).
    const bool sameReactions = was.reactions == now.reactions;
    was.reactions = now.reactions;
    if (!sameReactions)
        return was == now ? QList<int>{ReactionsRole} : QList<int>{}; // empty: all
    QList<int> roles = roleNames().keys();
    roles.removeAll(ReactionsRole);
    if (was.attachments == now.attachments && was.files == now.files)
        roles.removeAll(AttachmentsRole); // a receipt, an edit: the pictures stay as they are
    return roles;
}

void MessageListModel::replace(int position, const LocalMessage &message)
{
    const int row = rowAt(position);
    const bool acknowledged = m_items.at(position).id != message.id;
    const LocalMessage was = std::exchange(m_items[position], message);
    if (!acknowledged) {
        Q_EMIT dataChanged(index(row), index(row), rolesChanged(was, message));
        return;
    }
    // Acknowledged: its place is now by id. Mostly where it was (the newest); when others
    // came in meanwhile it moves, as one row (a removal and an insertion would leave the
    // view a stale delegate for a moment).
    QList<LocalMessage> others = m_items;
    others.removeAt(position);
    const int target =
        int(std::upper_bound(others.cbegin(), others.cend(), message, before) - others.cbegin());
    if (target == position) {
        Q_EMIT dataChanged(index(row), index(row));
        return;
    }
    const int newRow = int(m_items.size()) - 1 - target;
    beginMoveRows({}, row, row, {}, newRow > row ? newRow + 1 : newRow);
    m_items = others;
    m_items.insert(target, message);
    endMoveRows();
    // Groups and days around both places may have changed.
    Q_EMIT dataChanged(index(0), index(int(m_items.size()) - 1),
                       {FirstOfGroupRole, FirstOfDayRole});
}

void MessageListModel::setUploadProgress(const QString &clientMessageId, double done)
{
    if (done < 0)
        m_uploads.remove(clientMessageId);
    else
        m_uploads.insert(clientMessageId, done);
    for (int position = int(m_items.size()) - 1; position >= 0; --position) { // unsent: last
        const LocalMessage &item = m_items.at(position);
        if (item.clientMessageId == clientMessageId && item.id == 0) {
            const QModelIndex at = index(rowAt(position));
            Q_EMIT dataChanged(at, at, {UploadProgressRole});
            return;
        }
    }
}

void MessageListModel::removeByClientId(const QString &clientMessageId)
{
    for (int position = 0; position < m_items.size(); ++position) {
        const LocalMessage &item = m_items.at(position);
        if (item.clientMessageId == clientMessageId && item.id == 0) {
            const int row = rowAt(position);
            beginRemoveRows({}, row, row);
            m_items.removeAt(position);
            endRemoveRows();
            if (row > 0) // the next message may now start a group
                Q_EMIT dataChanged(index(row - 1), index(row - 1),
                                   {FirstOfGroupRole, FirstOfDayRole});
            return;
        }
    }
}

void MessageListModel::setStates(const QList<qint64> &messageIds, LocalMessage::State state)
{
    for (int position = 0; position < m_items.size(); ++position) {
        if (m_items.at(position).id > 0 && messageIds.contains(m_items.at(position).id)) {
            m_items[position].state = state;
            const int row = rowAt(position);
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

int MessageListModel::rowOfMessage(qint64 messageId) const
{
    for (int position = int(m_items.size()) - 1; position >= 0; --position) {
        if (m_items.at(position).id == messageId)
            return rowAt(position);
    }
    return -1;
}

int MessageListModel::positionOfMessage(const LocalMessage &message) const
{
    for (int position = int(m_items.size()) - 1; position >= 0; --position) {
        const LocalMessage &item = m_items.at(position);
        if ((message.id > 0 && item.id == message.id) ||
            (message.localId > 0 && item.localId == message.localId) ||
            (!message.clientMessageId.isEmpty() && item.senderId == message.senderId &&
             item.clientMessageId == message.clientMessageId))
            return position;
    }
    return -1;
}

bool MessageListModel::startsGroup(int position) const
{
    if (position == 0 || startsDay(position))
        return true;
    const LocalMessage &previous = m_items.at(position - 1);
    const LocalMessage &current = m_items.at(position);
    return previous.senderId != current.senderId ||
           current.createdAt - previous.createdAt > kGroupGapMs;
}

bool MessageListModel::startsDay(int position) const
{
    return position == 0 || dayOf(m_items.at(position - 1)) != dayOf(m_items.at(position));
}

} // namespace pitchey::client
