#pragma once

#include "protocol/Types.h"

#include <QAbstractListModel>

namespace pitchey::client {

// Users found by a directory search, for starting a conversation; the user ticks one
// (a 1:1 chat) or several (a group).
class UserSearchModel : public QAbstractListModel
{
    Q_OBJECT
    Q_PROPERTY(int selectedCount READ selectedCount NOTIFY selectionChanged)

public:
    enum Role
    {
        UserIdRole = Qt::UserRole + 1,
        UsernameRole,
        DisplayNameRole,
        InitialsRole,
        OnlineRole,
        SelectedRole,
    };
    Q_ENUM(Role)

    explicit UserSearchModel(QObject *parent = nullptr);

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role) override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;

    void setUsers(const QList<User> &users); // keeps the selected ones listed first
    Q_INVOKABLE void toggle(int row);
    Q_INVOKABLE void clear();
    [[nodiscard]] QList<qint64> selectedIds() const;
    [[nodiscard]] int selectedCount() const { return int(selectedIds().size()); }

Q_SIGNALS:
    void selectionChanged();

private:
    struct Item
    {
        User user;
        bool selected = false;
    };
    QList<Item> m_items;
};

} // namespace pitchey::client
