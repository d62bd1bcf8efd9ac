#include "models/EmojiModel.h"

#include <QFile>
#include <QLoggingCategory>

using namespace Qt::StringLiterals;

namespace pitchey::client {

namespace {
Q_LOGGING_CATEGORY(lcEmoji, "pitchey.client.emoji", QtInfoMsg)
} // namespace

QList<EmojiModel::Entry> EmojiModel::parse(QStringView text)
{
    // "1F44D ; fully-qualified # 👍 E0.6 thumbs up": the code points, their status, and
    // after '#' the emoji, the version it came with and its name.
    QList<Entry> entries;
    for (const QStringView line : text.split(u'\n')) {
        if (line.startsWith(u'#') || !line.contains(u"; fully-qualified"))
            continue;
        const qsizetype hash = line.indexOf(u'#');
        if (hash < 0)
            continue;
        QString emoji;
        for (const QStringView code : line.first(line.indexOf(u';')).trimmed().split(u' ')) {
            bool ok = false;
            const char32_t point = code.toUInt(&ok, 16);
            if (!ok)
                break;
            emoji += QString::fromUcs4(&point, 1);
        }
        // After the emoji: "E0.6 thumbs up".
        const QStringView rest = line.sliced(hash + 1).trimmed();
        const qsizetype version = rest.indexOf(u" E");
        const qsizetype nameStart = version < 0 ? -1 : rest.indexOf(u' ', version + 2);
        if (emoji.isEmpty() || nameStart < 0)
            continue;
        const QString name = rest.sliced(nameStart + 1).toString();
        if (!name.contains(u"skin tone"))
            entries.append({emoji, name});
    }
    return entries;
}

EmojiModel::EmojiModel(QObject *parent)
    : QAbstractListModel(parent)
{
    QFile data(u":/emoji/emoji-test.txt"_s);
    if (!data.open(QIODevice::ReadOnly)) {
        qCWarning(lcEmoji) << "the emoji data is missing from this build";
        return;
    }
    m_all = parse(QString::fromUtf8(data.readAll()));
    m_shown.reserve(m_all.size());
    for (qsizetype i = 0; i < m_all.size(); ++i)
        m_shown.append(i);
}

int EmojiModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_shown.size());
}

QVariant EmojiModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Entry &entry = m_all.at(m_shown.at(index.row()));
    switch (role) {
    case Qt::DisplayRole:
    case EmojiRole:
        return entry.emoji;
    case NameRole:
        return entry.name;
    default:
        return {};
    }
}

QHash<int, QByteArray> EmojiModel::roleNames() const
{
    return {{EmojiRole, "emoji"}, {NameRole, "name"}};
}

void EmojiModel::setFilter(const QString &filter)
{
    if (filter == m_filter)
        return;
    m_filter = filter;
    const QStringList words = filter.simplified().split(u' ', Qt::SkipEmptyParts);
    beginResetModel();
    m_shown.clear();
    for (qsizetype i = 0; i < m_all.size(); ++i) {
        const QString &name = m_all.at(i).name;
        if (std::all_of(words.cbegin(), words.cend(), [&](const QString &word) {
                return name.contains(word, Qt::CaseInsensitive);
            }))
            m_shown.append(i);
    }
    endResetModel();
    Q_EMIT filterChanged();
    Q_EMIT countChanged();
}

QString EmojiModel::emojiAt(int row) const
{
    return row >= 0 && row < m_shown.size() ? m_all.at(m_shown.at(row)).emoji : QString();
}

} // namespace pitchey::client
