#pragma once

#include <QAbstractListModel>
#include <QString>

namespace pitchey::client {

// Every emoji Unicode recommends (its emoji-test.txt, bundled from Debian's unicode-data
// at build time, in its CLDR order), without the skin-tone variants, with their names:
// the reaction picker's full set. `filter` keeps those whose name holds every word of it.
class EmojiModel : public QAbstractListModel
{
    Q_OBJECT
    Q_PROPERTY(QString filter READ filter WRITE setFilter NOTIFY filterChanged)
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)

public:
    enum Role
    {
        EmojiRole = Qt::UserRole + 1,
        NameRole,
    };
    Q_ENUM(Role)

    struct Entry
    {
        QString emoji;
        QString name;
    };

    explicit EmojiModel(QObject *parent = nullptr);

    // The fully-qualified, skin-tone-free entries of an emoji-test.txt text.
    [[nodiscard]] static QList<Entry> parse(QStringView text);

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;

    [[nodiscard]] QString filter() const { return m_filter; }
    void setFilter(const QString &filter);
    Q_INVOKABLE QString emojiAt(int row) const;

Q_SIGNALS:
    void filterChanged();
    void countChanged();

private:
    QList<Entry> m_all;
    QList<qsizetype> m_shown; // indexes into m_all
    QString m_filter;
};

} // namespace pitchey::client
