#include "models/UserSearchModel.h"

#include "models/ConversationListModel.h"

namespace pitchey::client {

UserSearchModel::UserSearchModel(QObject *parent)
    : QAbstractListModel(parent)
{}

int UserSearchModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_items.size());
}

QHash<int, QByteArray> UserSearchModel::roleNames() const
{
    return {{UserIdRole, "userId"},           {UsernameRole, "username"},
            {DisplayNameRole, "displayName"}, {InitialsRole, "initials"},
            {OnlineRole, "online"},           {SelectedRole, "selected"}};
}

QVariant UserSearchModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Item &item = m_items.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case DisplayNameRole:
        return item.user.displayName.isEmpty() ? item.user.username : item.user.displayName;
    case UserIdRole:
        return item.user.id;
    case UsernameRole:
        return item.user.username;
    case InitialsRole:
        return initialsOf(item.user.displayName.isEmpty() ? item.user.username
                                                          : item.user.displayName);
    case OnlineRole:
        return item.user.online;
    case SelectedRole:
        return item.selected;
    default:
        return {};
    }
}

bool UserSearchModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (role != SelectedRole ||
        !checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return false;
    m_items[index.row()].selected = value.toBool();
    Q_EMIT dataChanged(index, index, {SelectedRole});
    Q_EMIT selectionChanged();
    return true;
}

void UserSearchModel::setUsers(const QList<User> &users)
{
    beginResetModel();
    QList<Item> kept;
    for (const Item &item : std::as_const(m_items)) {
        if (item.selected)
            kept.append(item);
    }
    for (const User &user : users) {
        const bool known = std::any_of(kept.cbegin(), kept.cend(),
                                       [&](const Item &item) { return item.user.id == user.id; });
        if (!known)
            kept.append({user, false});
    }
    m_items = kept;
    endResetModel();
}

void UserSearchModel::toggle(int row)
{
    if (row >= 0 && row < m_items.size())
        setData(index(row), !m_items.at(row).selected, SelectedRole);
}

void UserSearchModel::clear()
{
    beginResetModel();
    m_items.clear();
    endResetModel();
    Q_EMIT selectionChanged();
}

QList<qint64> UserSearchModel::selectedIds() const
{
    QList<qint64> ids;
    for (const Item &item : m_items) {
        if (item.selected)
            ids.append(item.user.id);
    }
    return ids;
}

} // namespace pitchey::client
