#include "spool/schema_store_sqlite.h"

#include <sqlite3.h>

#include <memory>
#include <mutex>

#include "spool/ledger.h"
#include "spool/sqlite.h"

namespace rbgate::spool {
namespace {

// `seq` orders the versions by when they began serving: a version served again moves last.
constexpr const char* kTable = R"sql(
CREATE TABLE IF NOT EXISTS schema_versions (
  feed TEXT NOT NULL, sha256 TEXT NOT NULL, origin TEXT NOT NULL, content BLOB NOT NULL,
  first_served_at TEXT NOT NULL, served_at TEXT NOT NULL, seq INTEGER NOT NULL,
  PRIMARY KEY (feed, sha256));
)sql";

class SqliteSchemaStore final : public schemas::SchemaStore {
 public:
  explicit SqliteSchemaStore(sqlite3* db)
      : db_(db), statements_(std::make_unique<StatementCache>(db)) {}
  ~SqliteSchemaStore() override {
    statements_.reset();  // the statements first, then their connection
    sqlite3_close_v2(db_);
  }

  std::optional<schemas::StoredSchema> LastServed(std::string_view feed,
                                                  std::string* error) const override {
    std::lock_guard lock(mu_);
    Stmt s(db_, *statements_,
           "SELECT sha256, origin, content, served_at FROM schema_versions WHERE feed = ?1 "
           "ORDER BY seq DESC LIMIT 1");
    if (const int rc = s.Bind(1, feed).Step(); rc != SQLITE_ROW) {
      // No row, or no table yet in a ledger no daemon has served schema files from.
      const std::string why = sqlite3_errmsg(db_);
      if (error != nullptr && rc != SQLITE_DONE && why.find("no such table") == std::string::npos)
        *error = why;
      return std::nullopt;
    }
    schemas::StoredSchema out{std::string(feed), s.Text(0), s.Text(1), std::string(s.Blob(2)),
                              s.Text(3)};
    return out;
  }

  std::optional<std::string> FeedServedFrom(std::string_view origin) const override {
    std::lock_guard lock(mu_);
    Stmt s(db_, *statements_,
           "SELECT feed FROM schema_versions WHERE origin = ?1 ORDER BY seq DESC LIMIT 1");
    if (s.Bind(1, origin).Step() != SQLITE_ROW) return std::nullopt;
    return s.Text(0);
  }

  Status Serving(schemas::StoredSchema& v) override {
    std::lock_guard lock(mu_);
    v.since = NowIso();
    Stmt s(db_, *statements_,
           "INSERT INTO schema_versions (feed, sha256, origin, content, first_served_at, "
           "served_at, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?5, "
           "(SELECT coalesce(max(seq), 0) + 1 FROM schema_versions)) "
           "ON CONFLICT (feed, sha256) DO UPDATE SET origin = ?3, served_at = ?5, "
           "seq = (SELECT max(seq) + 1 FROM schema_versions)");
    return s.Bind(1, v.feed)
        .Bind(2, v.sha256)
        .Bind(3, v.origin)
        .BindBlob(4, v.text)
        .Bind(5, v.since)
        .Run("record schema version");
  }

 private:
  mutable std::mutex mu_;
  sqlite3* db_;
  std::unique_ptr<StatementCache> statements_;
};

}  // namespace

StatusOr<std::shared_ptr<schemas::SchemaStore>> OpenSqliteSchemaStore(const std::string& path,
                                                                      bool create) {
  sqlite3* db = nullptr;
  const int flags = (create ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY) |
                    SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc == SQLITE_OK) {
    sqlite3_busy_timeout(db, 10000);
    if (create) rc = sqlite3_exec(db, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr);
    if (rc == SQLITE_OK && create) rc = sqlite3_exec(db, kTable, nullptr, nullptr, nullptr);
  }
  if (rc != SQLITE_OK) {
    Status failed = FromSqlite(rc, db, "open " + path);
    sqlite3_close_v2(db);
    if (!create && rc == SQLITE_CANTOPEN) return std::shared_ptr<schemas::SchemaStore>();
    return failed;
  }
  return std::shared_ptr<schemas::SchemaStore>(std::make_shared<SqliteSchemaStore>(db));
}

}  // namespace rbgate::spool
