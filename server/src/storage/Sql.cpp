#include "storage/Sql.h"

#include <QHash>
#include <QLoggingCategory>
#include <QSqlDriver>
#include <QSqlError>

#ifdef PITCHEY_SQLITE_DIRECT
#include <dlfcn.h>
#include <link.h>
#include <sqlite3.h>
#endif

#include <memory>
#include <unordered_map>
#include <utility>

using namespace Qt::StringLiterals;

Q_DECLARE_LOGGING_CATEGORY(lcStorage)

namespace pitchey::server::sql {

// One prepared statement of a connection.
class Statement
{
public:
    Statement() = default;
    virtual ~Statement() = default;
    Statement(const Statement &) = delete;
    Statement &operator=(const Statement &) = delete;

    // Binds `args` and runs it; false on failure (logged, never with the values).
    virtual bool exec(const QVariantList &args) = 0;
    virtual bool next() = 0;
    [[nodiscard]] virtual QVariant value(int column) const = 0;
    [[nodiscard]] virtual int numRowsAffected() const = 0;
    virtual void finish() = 0;
};

namespace {

bool transientFailure(const QSqlError &error);
void failed(const QString &statement, const QString &why, bool transient);

// Through Qt's driver: PostgreSQL, and SQLite where the direct path is not available.
class QtStatement final : public Statement
{
public:
    explicit QtStatement(const QSqlDatabase &db)
        : m_query(db)
    {
        m_query.setForwardOnly(true);
    }
    bool prepare(const QString &statement)
    {
        if (m_query.prepare(statement))
            return true;
        qCWarning(lcStorage).noquote()
            << "prepare failed:" << m_query.lastError().text() << "in" << statement;
        return false;
    }
    bool exec(const QVariantList &args) override
    {
        for (int i = 0; i < args.size(); ++i)
            m_query.bindValue(i, args.at(i));
        if (m_query.exec())
            return true;
        failed(m_query.lastQuery(), m_query.lastError().text(),
               transientFailure(m_query.lastError()));
        return false;
    }
    bool next() override { return m_query.next(); }
    [[nodiscard]] QVariant value(int column) const override { return m_query.value(column); }
    [[nodiscard]] int numRowsAffected() const override { return m_query.numRowsAffected(); }
    void finish() override { m_query.finish(); }

private:
    QSqlQuery m_query;
};

#ifdef PITCHEY_SQLITE_DIRECT
// SQLite's own prepared statement on the connection Qt opened. Values are bound the way
// Qt's driver binds them (a null QString or QByteArray is NULL, a QByteArray a blob,
// integers and booleans integers), and read back the way it reads them.
class SqliteStatement final : public Statement
{
public:
    explicit SqliteStatement(sqlite3 *db)
        : m_db(db)
    {}
    ~SqliteStatement() override { sqlite3_finalize(m_statement); }

    bool prepare(const QString &statement)
    {
        m_text = statement;
        const QByteArray utf8 = statement.toUtf8();
        if (sqlite3_prepare_v3(m_db, utf8.constData(), int(utf8.size()), SQLITE_PREPARE_PERSISTENT,
                               &m_statement, nullptr) == SQLITE_OK)
            return true;
        qCWarning(lcStorage).noquote()
            << "prepare failed:" << sqlite3_errmsg(m_db) << "in" << statement;
        return false;
    }

    bool exec(const QVariantList &args) override
    {
        sqlite3_reset(m_statement);
        m_state = State::Done;
        if (args.size() != sqlite3_bind_parameter_count(m_statement)) {
            failed(m_text, u"parameter count mismatch"_s, false);
            return false;
        }
        for (int i = 0; i < args.size(); ++i) {
            if (bind(i + 1, args.at(i)) != SQLITE_OK) {
                failed(m_text, QString::fromUtf8(sqlite3_errmsg(m_db)), false);
                return false;
            }
        }
        const int rc = sqlite3_step(m_statement);
        if (rc == SQLITE_ROW) {
            m_state = State::BeforeFirst;
            return true;
        }
        if (rc == SQLITE_DONE)
            return true;
        failed(m_text, QString::fromUtf8(sqlite3_errmsg(m_db)), false);
        sqlite3_reset(m_statement);
        return false;
    }

    bool next() override
    {
        switch (m_state) {
        case State::BeforeFirst:
            m_state = State::OnRow;
            return true;
        case State::OnRow:
            if (const int rc = sqlite3_step(m_statement); rc == SQLITE_ROW)
                return true;
            else if (rc != SQLITE_DONE)
                failed(m_text, QString::fromUtf8(sqlite3_errmsg(m_db)), false);
            m_state = State::Done;
            return false;
        case State::Done:
            return false;
        }
        return false;
    }

    [[nodiscard]] QVariant value(int column) const override
    {
        if (m_state != State::OnRow)
            return {};
        switch (sqlite3_column_type(m_statement, column)) {
        case SQLITE_INTEGER:
            return qlonglong(sqlite3_column_int64(m_statement, column));
        case SQLITE_FLOAT:
            return sqlite3_column_double(m_statement, column);
        case SQLITE_TEXT: {
            const auto *text =
                reinterpret_cast<const char *>(sqlite3_column_text(m_statement, column));
            return QString::fromUtf8(text, sqlite3_column_bytes(m_statement, column));
        }
        case SQLITE_BLOB: {
            const auto *blob = static_cast<const char *>(sqlite3_column_blob(m_statement, column));
            return QByteArray(blob, sqlite3_column_bytes(m_statement, column));
        }
        default:
            return {};
        }
    }

    [[nodiscard]] int numRowsAffected() const override { return sqlite3_changes(m_db); }

    void finish() override
    {
        sqlite3_reset(m_statement);
        m_state = State::Done;
    }

private:
    enum class State
    {
        BeforeFirst,
        OnRow,
        Done
    };

    int bind(int index, const QVariant &value)
    {
        if (value.isNull())
            return sqlite3_bind_null(m_statement, index);
        switch (value.typeId()) {
        case QMetaType::Bool:
        case QMetaType::Int:
        case QMetaType::UInt:
        case QMetaType::Long:
        case QMetaType::LongLong:
        case QMetaType::ULong:
        case QMetaType::ULongLong:
        case QMetaType::Short:
        case QMetaType::UShort:
        case QMetaType::Char:
        case QMetaType::SChar:
        case QMetaType::UChar:
            return sqlite3_bind_int64(m_statement, index, value.toLongLong());
        case QMetaType::Double:
        case QMetaType::Float:
            return sqlite3_bind_double(m_statement, index, value.toDouble());
        case QMetaType::QByteArray: {
            const QByteArray bytes = value.toByteArray();
            if (bytes.isNull())
                return sqlite3_bind_null(m_statement, index);
            return sqlite3_bind_blob64(m_statement, index, bytes.constData(),
                                       sqlite3_uint64(bytes.size()), SQLITE_TRANSIENT);
        }
        default: {
            const QString text = value.toString();
            if (text.isNull())
                return sqlite3_bind_null(m_statement, index);
            const QByteArray utf8 = text.toUtf8();
            return sqlite3_bind_text64(m_statement, index, utf8.constData(),
                                       sqlite3_uint64(utf8.size()), SQLITE_TRANSIENT, SQLITE_UTF8);
        }
        }
    }

    sqlite3 *m_db;
    sqlite3_stmt *m_statement = nullptr;
    QString m_text; // for the log
    State m_state = State::Done;
};

// The SQLite library of this program is the one Qt's driver uses: the driver plugin in
// this process needs libsqlite3 (a plugin with SQLite built in, as in Qt's own binary
// packages, does not), and this program's sqlite3 functions come from that library.
// Otherwise two copies of SQLite would share one connection, and the Qt path is taken.
bool sameSqliteAsQt()
{
    static const bool same = [] {
        Dl_info info{};
        if (dladdr(reinterpret_cast<void *>(&sqlite3_step), &info) == 0 || !info.dli_fname ||
            !QByteArray(info.dli_fname).contains("libsqlite3.so"))
            return false;
        bool pluginNeedsIt = false;
        dl_iterate_phdr(
            [](dl_phdr_info *object, size_t, void *found) -> int {
                if (!object->dlpi_name || !QByteArray(object->dlpi_name).contains("libqsqlite"))
                    return 0;
                for (int i = 0; i < object->dlpi_phnum; ++i) {
                    if (object->dlpi_phdr[i].p_type != PT_DYNAMIC)
                        continue;
                    // The program headers give addresses as integers.
                    // NOLINTNEXTLINE(performance-no-int-to-ptr)
                    const auto *dynamic = reinterpret_cast<const ElfW(Dyn) *>(
                        object->dlpi_addr + object->dlpi_phdr[i].p_vaddr);
                    const char *strings = nullptr;
                    for (const ElfW(Dyn) *entry = dynamic; entry->d_tag != DT_NULL; ++entry) {
                        if (entry->d_tag == DT_STRTAB)
                            // NOLINTNEXTLINE(performance-no-int-to-ptr)
                            strings = reinterpret_cast<const char *>(entry->d_un.d_ptr);
                    }
                    for (const ElfW(Dyn) *entry = dynamic; strings && entry->d_tag != DT_NULL;
                         ++entry) {
                        if (entry->d_tag == DT_NEEDED &&
                            QByteArray(strings + entry->d_un.d_val).startsWith("libsqlite3.so"))
                            *static_cast<bool *>(found) = true;
                    }
                }
                return 0;
            },
            &pluginNeedsIt);
        qCDebug(lcStorage) << "SQLite statements" << (pluginNeedsIt ? "direct" : "through Qt");
        return pluginNeedsIt;
    }();
    return same;
}

sqlite3 *sqliteHandle(const QSqlDatabase &db)
{
    if (db.driverName() != "QSQLITE"_L1 || !sameSqliteAsQt())
        return nullptr;
    const QVariant handle = db.driver()->handle();
    if (!handle.isValid() || qstrcmp(handle.typeName(), "sqlite3*") != 0)
        return nullptr;
    return *static_cast<sqlite3 *const *>(handle.constData());
}
#endif

// Prepared statements by connection name, then by text. A connection is used by one
// thread only (DbWorker), so each thread keeps its own cache.
struct StatementCache
{
    QHash<QString, std::shared_ptr<Statement>> byText;
    // Run since the last finishAll(): a statement that was not read to its end (a SELECT
    // read for one row, an INSERT ... RETURNING) stays active, and SQLite refuses
    // SAVEPOINT, RELEASE and COMMIT while a writing statement is active.
    QList<Statement *> active;
};
thread_local std::unordered_map<std::string, StatementCache> t_caches;
// The cache cacheFor() found last, and for which connection: copying, converting and
// hashing the connection's name for every statement was ~1.5 % of the database thread.
thread_local const QSqlDriver *t_lastDriver = nullptr;
thread_local StatementCache *t_lastCache = nullptr;
thread_local bool t_transientFailure = false;

// serialization_failure, deadlock_detected, lock_not_available
bool transientFailure(const QSqlError &error)
{
    const QString code = error.nativeErrorCode();
    return code == "40001"_L1 || code == "40P01"_L1 || code == "55P03"_L1;
}

void failed(const QString &statement, const QString &why, bool transient)
{
    if (transient) {
        // Expected under contention, and run again (DbWorker).
        t_transientFailure = true;
        qCDebug(lcStorage).noquote() << "busy:" << why << "in" << statement;
    } else {
        qCWarning(lcStorage).noquote() << "query failed:" << why << "in" << statement;
    }
}

StatementCache &cacheFor(const QSqlDatabase &db)
{
    if (!t_lastCache || db.driver() != t_lastDriver) {
        t_lastCache = &t_caches[db.connectionName().toStdString()]; // nodes do not move
        t_lastDriver = db.driver();
    }
    return *t_lastCache;
}

std::shared_ptr<Statement> prepared(QSqlDatabase &db, const QString &statement)
{
#ifdef PITCHEY_SQLITE_DIRECT
    if (sqlite3 *handle = sqliteHandle(db)) {
        auto direct = std::make_shared<SqliteStatement>(handle);
        return direct->prepare(statement) ? direct : nullptr;
    }
#endif
    auto query = std::make_shared<QtStatement>(db);
    return query->prepare(statement) ? query : nullptr;
}

} // namespace

bool sqliteDirect(const QSqlDatabase &db)
{
#ifdef PITCHEY_SQLITE_DIRECT
    return sqliteHandle(db) != nullptr;
#else
    Q_UNUSED(db);
    return false;
#endif
}

bool Cursor::next()
{
    return m_statement->next();
}

QVariant Cursor::value(int column) const
{
    return m_statement->value(column);
}

int Cursor::numRowsAffected() const
{
    return m_statement->numRowsAffected();
}

Result<Cursor> exec(QSqlDatabase &db, const QString &statement, const QVariantList &args)
{
    StatementCache &cache = cacheFor(db);
    std::shared_ptr<Statement> &cached = cache.byText[statement];
    if (!cached) {
        cached = prepared(db, statement);
        if (!cached) {
            cache.byText.remove(statement);
            return Error::internal(u"database error"_s);
        }
    }
    Statement *query = cached.get();
    if (!cache.active.contains(query))
        cache.active.append(query);
    if (!query->exec(args))
        return Error::internal(u"database error"_s);
    return Cursor(query);
}

bool takeTransientFailure()
{
    return std::exchange(t_transientFailure, false);
}

Status control(QSqlDatabase &db, const QString &statement)
{
    // SQLite prepares them like any other: cached, as they run twice for every job.
    if (db.driverName() != "QPSQL"_L1) {
        auto cached = exec(db, statement);
        return cached.ok() ? Status(Done{}) : Status(cached.error());
    }
    QSqlQuery query(db);
    if (!query.exec(statement)) {
        failed(statement, query.lastError().text(), false);
        return Error::internal(u"database error"_s);
    }
    return Done{};
}

Result<qint64> scalar(QSqlDatabase &db, const QString &statement, const QVariantList &args,
                      qint64 fallback)
{
    auto query = exec(db, statement, args);
    if (!query.ok())
        return query.error();
    if (!query.value().next() || query.value().value(0).isNull())
        return fallback;
    return query.value().value(0).toLongLong();
}

void finishAll(const QSqlDatabase &db)
{
    StatementCache &cache = cacheFor(db);
    for (Statement *query : std::as_const(cache.active))
        query->finish();
    cache.active.clear();
}

void dropCache(const QSqlDatabase &db)
{
    t_caches.erase(db.connectionName().toStdString());
    t_lastCache = nullptr;
}

QString lockRowClause(const QSqlDatabase &db, const QString &of)
{
    if (db.driverName() != "QPSQL"_L1)
        return {};
    return of.isEmpty() ? u" FOR NO KEY UPDATE NOWAIT"_s
                        : u" FOR NO KEY UPDATE OF %1 NOWAIT"_s.arg(of);
}

QString placeholders(qsizetype n)
{
    QString text;
    for (qsizetype i = 0; i < n; ++i)
        text += i == 0 ? u"?"_s : u", ?"_s;
    return text;
}

std::optional<qint64> optionalInt(const QVariant &value)
{
    if (value.isNull())
        return std::nullopt;
    return value.toLongLong();
}

QVariant nullable(const std::optional<qint64> &value)
{
    return value ? QVariant(*value) : QVariant(QMetaType::fromType<qint64>());
}

QVariant nullable(const std::optional<QString> &value)
{
    return value ? QVariant(*value) : QVariant(QMetaType::fromType<QString>());
}

} // namespace pitchey::server::sql
