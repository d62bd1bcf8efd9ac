#include "models/ConversationListModel.h"

#include <QDateTime>
#include <QLocale>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace pitchey::client {

QString initialsOf(const QString &name)
{
    const QStringList words = name.split(u' ', Qt::SkipEmptyParts);
    QString initials;
    for (const QString &word : words) {
        initials += word.front().toUpper();
        if (initials.size() == 2)
            break;
    }
    if (initials.size() < 2 && !name.isEmpty() && words.size() == 1 && name.size() > 1)
        initials = name.left(1).toUpper() + name.mid(1, 1).toLower();
    return initials.isEmpty() ? u"?"_s : initials;
}

qint64 activityOf(const Conversation &conversation)
{
    return conversation.lastMessage
               ? std::max(conversation.lastMessage->createdAt, conversation.updatedAt)
               : conversation.updatedAt;
}

namespace {

QString shortTime(qint64 ms)
{
    if (ms <= 0)
        return {};
    const QDateTime when = QDateTime::fromMSecsSinceEpoch(ms).toLocalTime();
    const QDate today = QDate::currentDate();
    if (when.date() == today)
        return when.toString(u"HH:mm"_s);
    if (when.date().daysTo(today) < 7)
        return QLocale().dayName(when.date().dayOfWeek(), QLocale::ShortFormat);
    return QLocale().toString(when.date(), QLocale::ShortFormat);
}

bool moreRecent(const Conversation &a, const Conversation &b)
{
    const qint64 left = activityOf(a), right = activityOf(b);
    return left != right ? left > right : a.id > b.id;
}

} // namespace

ConversationListModel::ConversationListModel(QObject *parent)
    : QAbstractListModel(parent)
{
    connect(this, &QAbstractItemModel::rowsInserted, this, &ConversationListModel::countChanged);
    connect(this, &QAbstractItemModel::rowsRemoved, this, &ConversationListModel::countChanged);
    connect(this, &QAbstractItemModel::modelReset, this, &ConversationListModel::countChanged);
}

int ConversationListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_items.size());
}

QHash<int, QByteArray> ConversationListModel::roleNames() const
{
    return {{IdRole, "conversationId"},   {TitleRole, "title"},   {InitialsRole, "initials"},
            {IsGroupRole, "isGroup"},     {OnlineRole, "online"}, {PreviewRole, "preview"},
            {TimeRole, "time"},           {UnreadRole, "unread"}, {TypingRole, "typing"},
            {PartnerIdRole, "partnerId"}, {DraftRole, "draft"},   {MentionsRole, "mentions"}};
}

QVariant ConversationListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Item &item = m_items.at(index.row());
    const Conversation &conversation = item.conversation;
    switch (role) {
    case Qt::DisplayRole:
    case TitleRole:
        return titleOf(conversation);
    case IdRole:
        return conversation.id;
    case InitialsRole:
        return initialsOf(titleOf(conversation));
    case IsGroupRole:
        return conversation.isGroup;
    case OnlineRole: {
        const auto partner = partnerOf(conversation.id);
        if (!partner)
            return false;
        return std::any_of(conversation.participants.cbegin(), conversation.participants.cend(),
                           [&](const User &user) { return user.id == *partner && user.online; });
    }
    case PreviewRole: {
        if (const auto pending = m_pending.constFind(conversation.id);
            pending != m_pending.cend()) {
            const QString text = pending->content.simplified().left(120);
            return pending->state == LocalMessage::State::Failed ? tr("Not sent: %1").arg(text)
                                                                 : tr("You: %1").arg(text);
        }
        if (!conversation.lastMessage)
            return QString();
        // One line of plain text; the view never renders it as rich text.
        QString text = conversation.lastMessage->content.simplified();
        if (text.size() > 120)
            text = text.left(120);
        if (const auto &files = conversation.lastMessage->attachments; !files.isEmpty()) {
            // What it carries, before its caption: "📎 sea.jpg", "📎 3 files".
            const QString what = files.size() == 1 ? files.constFirst().filename
                                                   : tr("%n files", nullptr, int(files.size()));
            text = text.isEmpty() ? u"📎 "_s + what : u"📎 %1 · %2"_s.arg(what, text);
        }
        if (conversation.lastMessage->senderId == m_me)
            return tr("You: %1").arg(text);
        if (conversation.isGroup)
            return u"%1: %2"_s.arg(displayName(conversation.lastMessage->senderId), text);
        return text;
    }
    case TimeRole:
        return shortTime(activityOf(conversation));
    case UnreadRole:
        return conversation.unreadCount;
    case MentionsRole:
        return conversation.mentionCount;
    case TypingRole:
        return typingText(item);
    case PartnerIdRole:
        return partnerOf(conversation.id).value_or(0);
    case DraftRole:
        return m_drafts.value(conversation.id).simplified().left(120);
    default:
        return {};
    }
}

void ConversationListModel::setConversations(QList<Conversation> conversations)
{
    std::sort(conversations.begin(), conversations.end(), moreRecent);
    beginResetModel();
    QHash<qint64, QList<qint64>> typing;
    for (const Item &item : std::as_const(m_items))
        typing.insert(item.conversation.id, item.typing);
    m_items.clear();
    m_items.reserve(conversations.size());
    for (Conversation &conversation : conversations) {
        const qint64 id = conversation.id;
        m_items.append({std::move(conversation), typing.value(id)});
    }
    endResetModel();
}

void ConversationListModel::upsert(const Conversation &conversation)
{
    const int row = rowOf(conversation.id);
    if (row >= 0) {
        m_items[row].conversation = conversation;
        changed(row);
        reposition(row);
        return;
    }
    const auto at = std::find_if(m_items.cbegin(), m_items.cend(), [&](const Item &item) {
        return moreRecent(conversation, item.conversation);
    });
    const int position = int(at - m_items.cbegin());
    beginInsertRows({}, position, position);
    m_items.insert(position, {conversation, {}});
    endInsertRows();
}

void ConversationListModel::clear()
{
    beginResetModel();
    m_items.clear();
    m_drafts.clear();
    m_pending.clear();
    endResetModel();
}

const Conversation *ConversationListModel::find(qint64 conversationId) const
{
    const int row = rowOf(conversationId);
    return row >= 0 ? &m_items.at(row).conversation : nullptr;
}

qint64 ConversationListModel::unreadTotal(const QSet<qint64> &except) const
{
    qint64 total = 0;
    for (const Item &item : m_items) {
        if (!except.contains(item.conversation.id))
            total += item.conversation.unreadCount;
    }
    return total;
}

QString ConversationListModel::title(qint64 conversationId) const
{
    const Conversation *conversation = find(conversationId);
    return conversation ? titleOf(*conversation) : QString();
}

QList<std::pair<qint64, QString>> ConversationListModel::titles() const
{
    QList<std::pair<qint64, QString>> titles;
    titles.reserve(m_items.size());
    for (const Item &item : m_items)
        titles.append({item.conversation.id, titleOf(item.conversation)});
    return titles;
}

QString ConversationListModel::displayName(qint64 userId) const
{
    for (const Item &item : m_items) {
        for (const User &user : item.conversation.participants) {
            if (user.id == userId)
                return user.displayName.isEmpty() ? user.username : user.displayName;
        }
    }
    return tr("Someone");
}

std::optional<qint64> ConversationListModel::partnerOf(qint64 conversationId) const
{
    const Conversation *conversation = find(conversationId);
    if (!conversation || conversation->isGroup)
        return std::nullopt;
    for (const User &user : conversation->participants) {
        if (user.id != m_me)
            return user.id;
    }
    return std::nullopt;
}

std::optional<Conversation> ConversationListModel::setLastMessage(const Message &message,
                                                                  bool countAsUnread)
{
    const int row = rowOf(message.conversationId);
    if (row < 0)
        return std::nullopt;
    Conversation &conversation = m_items[row].conversation;
    // Only a message newer than the one shown adds to the count: the server's list, when
    // it arrived after this message was stored, has counted it already.
    const bool newer = !conversation.lastMessage || conversation.lastMessage->id < message.id;
    if (!conversation.lastMessage || conversation.lastMessage->id <= message.id)
        conversation.lastMessage = message;
    conversation.updatedAt = std::max(conversation.updatedAt, message.createdAt);
    if (countAsUnread && newer) {
        ++conversation.unreadCount;
        if (message.senderId != m_me && message.mentions.reach(m_me))
            ++conversation.mentionCount;
    }
    // Whoever writes has stopped typing.
    m_items[row].typing.removeAll(message.senderId);
    const Conversation copy = conversation;
    changed(row);
    reposition(row);
    return copy;
}

std::optional<Conversation> ConversationListModel::setUnread(qint64 conversationId, qint64 unread,
                                                             qint64 mentions)
{
    const int row = rowOf(conversationId);
    if (row < 0)
        return std::nullopt;
    m_items[row].conversation.unreadCount = unread;
    m_items[row].conversation.mentionCount = mentions;
    changed(row);
    return m_items.at(row).conversation;
}

std::optional<Conversation> ConversationListModel::setReadMarker(qint64 conversationId,
                                                                 qint64 userId, qint64 messageId)
{
    const int row = rowOf(conversationId);
    if (row < 0)
        return std::nullopt;
    qint64 &marker = m_items[row].conversation.readMarkers[userId];
    marker = std::max(marker, messageId);
    return m_items.at(row).conversation;
}

void ConversationListModel::setOnline(qint64 userId, bool online)
{
    for (int row = 0; row < m_items.size(); ++row) {
        for (User &user : m_items[row].conversation.participants) {
            if (user.id == userId && user.online != online) {
                user.online = online;
                changed(row);
            }
        }
    }
}

void ConversationListModel::setEveryoneOffline()
{
    for (int row = 0; row < m_items.size(); ++row) {
        bool wasOnline = false;
        for (User &user : m_items[row].conversation.participants)
            wasOnline |= std::exchange(user.online, false);
        if (wasOnline)
            changed(row);
    }
}

void ConversationListModel::setPending(qint64 conversationId,
                                       const std::optional<LocalMessage> &message)
{
    if (message)
        m_pending.insert(conversationId, *message);
    else if (!m_pending.remove(conversationId))
        return;
    if (const int row = rowOf(conversationId); row >= 0)
        changed(row);
}

void ConversationListModel::setDraft(qint64 conversationId, const QString &text)
{
    if (m_drafts.value(conversationId) == text)
        return;
    if (text.isEmpty())
        m_drafts.remove(conversationId);
    else
        m_drafts.insert(conversationId, text);
    if (const int row = rowOf(conversationId); row >= 0)
        changed(row);
}

void ConversationListModel::setTyping(qint64 conversationId, qint64 userId, bool typing)
{
    const int row = rowOf(conversationId);
    if (row < 0)
        return;
    QList<qint64> &users = m_items[row].typing;
    if (typing == users.contains(userId))
        return;
    if (typing)
        users.append(userId);
    else
        users.removeAll(userId);
    changed(row);
}

void ConversationListModel::clearTyping()
{
    for (int row = 0; row < m_items.size(); ++row) {
        if (m_items.at(row).typing.isEmpty())
            continue;
        m_items[row].typing.clear();
        changed(row);
    }
}

QList<qint64> ConversationListModel::typingUsers(qint64 conversationId) const
{
    const int row = rowOf(conversationId);
    return row >= 0 ? m_items.at(row).typing : QList<qint64>();
}

int ConversationListModel::rowOf(qint64 conversationId) const
{
    for (int row = 0; row < m_items.size(); ++row) {
        if (m_items.at(row).conversation.id == conversationId)
            return row;
    }
    return -1;
}

QString ConversationListModel::titleOf(const Conversation &conversation) const
{
    if (conversation.title && !conversation.title->isEmpty())
        return *conversation.title;
    QStringList names;
    for (const User &user : conversation.participants) {
        if (user.id != m_me)
            names.append(user.displayName.isEmpty() ? user.username : user.displayName);
    }
    return names.isEmpty() ? tr("Just you") : names.join(u", "_s);
}

QString ConversationListModel::typingText(const Item &item) const
{
    if (item.typing.isEmpty())
        return {};
    if (!item.conversation.isGroup)
        return tr("typing…");
    if (item.typing.size() == 1)
        return tr("%1 is typing…").arg(displayName(item.typing.constFirst()));
    return tr("%n people are typing…", nullptr, int(item.typing.size()));
}

void ConversationListModel::changed(int row)
{
    const QModelIndex at = index(row);
    Q_EMIT dataChanged(at, at);
}

void ConversationListModel::reposition(int row)
{
    int target = row;
    while (target > 0 &&
           moreRecent(m_items.at(row).conversation, m_items.at(target - 1).conversation))
        --target;
    while (target < m_items.size() - 1 &&
           moreRecent(m_items.at(target + 1).conversation, m_items.at(row).conversation))
        ++target;
    if (target == row)
        return;
    // beginMoveRows wants the destination as "insert before" in the old numbering.
    beginMoveRows({}, row, row, {}, target > row ? target + 1 : target);
    m_items.move(row, target);
    endMoveRows();
}

} // namespace pitchey::client
