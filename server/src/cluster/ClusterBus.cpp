#include "cluster/ClusterBus.h"

#include "presence/ConnectionRegistry.h"
#include "storage/DbWorker.h"
#include "storage/Sql.h"

#include "protocol/Frames.h"
#include "protocol/Time.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcCluster, "pitchey.server.cluster", QtInfoMsg)

namespace pitchey::server {

namespace {

const QString kChannel = u"pitchey_cluster"_s;
// NOTIFY payloads must stay under 8,000 bytes; bigger events go through cluster_events.
constexpr qsizetype kMaxInline = 7000;
constexpr qint64 kEventRetentionMs = 120'000;

QJsonArray idsToJson(const QList<qint64> &ids)
{
    QJsonArray array;
    for (qint64 id : ids)
        array.append(id);
    return array;
}

QList<qint64> idsFromJson(const QJsonValue &value)
{
    QList<qint64> ids;
    for (const auto &id : value.toArray())
        ids.append(id.toInteger());
    return ids;
}

} // namespace

ClusterBus::ClusterBus(DbWorker &db, ConnectionRegistry &registry, Settings settings,
                       QObject *parent)
    : QObject(parent)
    , m_db(db)
    , m_registry(registry)
    , m_settings(std::move(settings))
    , m_node(QUuid::createUuid().toString(QUuid::Id128).left(12))
    , m_connectionName(u"pitchey-cluster-%1"_s.arg(m_node))
{
    m_heartbeat.setInterval(m_settings.heartbeat);
    connect(&m_heartbeat, &QTimer::timeout, this, &ClusterBus::tick);
    m_reconnect.setSingleShot(true);
    m_reconnect.setInterval(250);
    connect(&m_reconnect, &QTimer::timeout, this, &ClusterBus::reconnectListener);
}

ClusterBus::~ClusterBus()
{
    if (m_listener.isValid()) {
        m_listener.close();
        m_listener = {};
        QSqlDatabase::removeDatabase(m_connectionName);
    }
}

Status ClusterBus::start()
{
    if (!connectListener())
        return Error::internal(u"the cluster listener cannot reach the database"_s);
    m_heartbeat.start();
    publish({{"k"_L1, "sync"_L1}}); // who is online where?
    qCInfo(lcCluster).noquote() << "node" << m_node << "joined the cluster";
    return Done{};
}

void ClusterBus::leave()
{
    m_heartbeat.stop();
    publish({{"k"_L1, "bye"_L1}});
}

bool ClusterBus::connectListener(bool quiet)
{
    if (m_listener.isValid()) {
        m_listener.close();
        m_listener = {};
        QSqlDatabase::removeDatabase(m_connectionName);
    }
    m_listener = QSqlDatabase::addDatabase(u"QPSQL"_s, m_connectionName);
    m_listener.setHostName(m_settings.url.host);
    m_listener.setPort(m_settings.url.port);
    m_listener.setUserName(m_settings.url.user);
    m_listener.setPassword(m_settings.url.password);
    m_listener.setDatabaseName(m_settings.url.databaseName);
    m_listener.setConnectOptions(u"application_name=pitchey-listener"_s); // pg_stat_activity
    if (!m_listener.open() || !m_listener.driver()->subscribeToNotification(kChannel)) {
        if (!quiet)
            qCWarning(lcCluster) << "cannot listen for cluster events:"
                                 << m_listener.lastError().text();
        return false;
    }
    connect(m_listener.driver(),
            qOverload<const QString &, QSqlDriver::NotificationSource, const QVariant &>(
                &QSqlDriver::notification),
            this, &ClusterBus::onNotification, Qt::UniqueConnection);
    return true;
}

void ClusterBus::publishFrame(const QList<qint64> &userIds, const QByteArray &frame)
{
    if (!m_othersKnown.load(std::memory_order_relaxed))
        return; // alone in the cluster: nobody else holds connections
    publish({{"k"_L1, "f"_L1}, {"u"_L1, idsToJson(userIds)}, {"f"_L1, QString::fromUtf8(frame)}});
}

Status ClusterBus::publishMessageIn(QSqlDatabase &db, const StoredMessage &stored)
{
    if (!m_othersKnown.load(std::memory_order_relaxed))
        return Done{};
    const Message &message = stored.message;
    return notify(db, {{"k"_L1, "m"_L1},
                       {"u"_L1, idsToJson(stored.participants)},
                       {"c"_L1, message.conversationId},
                       {"i"_L1, message.id},
                       {"p"_L1, stored.previousId},
                       {"f"_L1, QString::fromUtf8(frames::encodeNewMessage(message))}});
}

void ClusterBus::publishPresence(qint64 userId, bool online)
{
    publish({{"k"_L1, "p"_L1}, {"u"_L1, QJsonArray{userId}}, {"o"_L1, online}});
}

void ClusterBus::publish(QJsonObject event)
{
    (void)m_db.submit<Done>(
        [this, event = std::move(event)](QSqlDatabase &db) { return notify(db, event); });
}

Status ClusterBus::notify(QSqlDatabase &db, QJsonObject event)
{
    // The sequence number keeps two equal events of one transaction apart (PostgreSQL
    // folds identical notifications of a transaction into one).
    const qint64 sequence = qint64(m_sequence.fetch_add(1, std::memory_order_relaxed) + 1);
    event.insert("n"_L1, m_node);
    event.insert("s"_L1, sequence);
    const QString payload = QString::fromUtf8(QJsonDocument(event).toJson(QJsonDocument::Compact));
    QString notice = payload;
    if (payload.size() > kMaxInline) {
        auto stored = sql::exec(
            db, u"INSERT INTO cluster_events (payload, created_at) VALUES (?, ?) RETURNING id"_s,
            {payload, currentTimeMs()});
        if (!stored.ok() || !stored.value().next())
            return Error::internal(u"cannot store a cluster event"_s);
        const qint64 id = stored.value().value(0).toLongLong();
        notice = QString::fromUtf8(
            QJsonDocument(QJsonObject{{"n"_L1, m_node}, {"s"_L1, sequence}, {"r"_L1, id}})
                .toJson(QJsonDocument::Compact));
    }
    auto sent = sql::exec(db, u"SELECT pg_notify(?, ?)"_s, {kChannel, notice});
    if (!sent.ok())
        return sent.error();
    return Done{};
}

void ClusterBus::onNotification(const QString &channel, QSqlDriver::NotificationSource,
                                const QVariant &payload)
{
    if (channel != kChannel)
        return;
    QJsonObject event = QJsonDocument::fromJson(payload.toString().toUtf8()).object();
    const QString from = event.value("n"_L1).toString();
    if (from.isEmpty() || from == m_node)
        return;
    if (event.contains("r"_L1)) {
        QSqlQuery query(m_listener);
        query.prepare(u"SELECT payload FROM cluster_events WHERE id = ?"_s);
        query.addBindValue(event.value("r"_L1).toInteger());
        if (!query.exec() || !query.next()) {
            qCWarning(lcCluster) << "a cluster event is gone before it was read";
            return;
        }
        event = QJsonDocument::fromJson(query.value(0).toString().toUtf8()).object();
    }
    handle(event);
}

void ClusterBus::handle(const QJsonObject &event)
{
    const QString from = event.value("n"_L1).toString();
    const QString kind = event.value("k"_L1).toString();
    if (kind == "bye"_L1)
        return forget(from);
    heard(from);

    if (kind == "f"_L1) {
        m_registry.sendHere(idsFromJson(event.value("u"_L1)),
                            event.value("f"_L1).toString().toUtf8());
    } else if (kind == "m"_L1) {
        Q_EMIT messageArrived(idsFromJson(event.value("u"_L1)), event.value("c"_L1).toInteger(),
                              event.value("i"_L1).toInteger(), event.value("p"_L1).toInteger(),
                              event.value("f"_L1).toString().toUtf8());
    } else if (kind == "p"_L1) {
        setOnline(idsFromJson(event.value("u"_L1)), from, event.value("o"_L1).toBool());
    } else if (kind == "sync"_L1) {
        // A node joined (or came back): tell it who is online here.
        publish({{"k"_L1, "online"_L1}, {"u"_L1, idsToJson(m_registry.onlineHere())}});
    } else if (kind == "online"_L1) {
        setOnline(idsFromJson(event.value("u"_L1)), from, true);
    }
}

void ClusterBus::heard(const QString &node)
{
    if (!m_lastHeard.contains(node))
        qCInfo(lcCluster).noquote() << "node" << node << "is in the cluster";
    m_lastHeard[node].start();
    m_othersKnown.store(true, std::memory_order_relaxed);
}

void ClusterBus::setOnline(const QList<qint64> &userIds, const QString &node, bool online)
{
    QList<qint64> changed;
    for (qint64 userId : userIds) {
        const bool before = m_registry.isOnline(userId);
        m_registry.setOnlineElsewhere(userId, node, online);
        if (m_registry.isOnline(userId) != before)
            changed.append(userId);
    }
    if (!changed.isEmpty())
        Q_EMIT presenceChanged(changed, online);
}

void ClusterBus::tick()
{
    // The listener's connection may have died with the database: reconnect, ask again who
    // is online where, and have what was missed meanwhile caught up (listenerRestored).
    if (!m_listenerDown && !listenerAlive()) {
        qCWarning(lcCluster) << "lost the cluster listener; reconnecting";
        m_listenerDown = true;
        Q_EMIT listenerLost();
        reconnectListener();
    }
    publish({{"k"_L1, "h"_L1}});
    for (auto it = m_lastHeard.begin(); it != m_lastHeard.end();) {
        if (it->hasExpired(m_settings.timeout.count())) {
            const QString node = it.key();
            it = m_lastHeard.erase(it);
            qCWarning(lcCluster).noquote() << "node" << node << "is silent; taking it for dead";
            const QList<qint64> gone = m_registry.forgetNode(node);
            if (!gone.isEmpty())
                Q_EMIT presenceChanged(gone, false);
        } else {
            ++it;
        }
    }
    const qint64 before = currentTimeMs() - kEventRetentionMs;
    (void)m_db.submit<bool>([before](QSqlDatabase &db) -> Result<bool> {
        auto deleted =
            sql::exec(db, u"DELETE FROM cluster_events WHERE created_at < ?"_s, {before});
        if (!deleted.ok())
            return deleted.error();
        return true;
    });
}

bool ClusterBus::listenerAlive()
{
    QSqlQuery probe(m_listener);
    return m_listener.isOpen() && probe.exec(u"SELECT 1"_s);
}

void ClusterBus::reconnectListener()
{
    if (!m_listenerDown)
        return;
    if (!connectListener(true)) {
        m_reconnect.start();
        return;
    }
    qCInfo(lcCluster) << "listening for cluster events again";
    m_listenerDown = false;
    publish({{"k"_L1, "sync"_L1}});
    Q_EMIT listenerRestored();
}

void ClusterBus::forget(const QString &node)
{
    m_lastHeard.remove(node);
    qCInfo(lcCluster).noquote() << "node" << node << "left the cluster";
    const QList<qint64> gone = m_registry.forgetNode(node);
    if (!gone.isEmpty())
        Q_EMIT presenceChanged(gone, false);
}

} // namespace pitchey::server
