#include "spool/schema_store_sql.h"

#include <fmt/format.h>

#include <filesystem>
#include <memory>
#include <mutex>

#include "spool/ledger.h"
#include "spool/sql.h"

namespace rbgate::spool {
namespace {

// `seq` orders the versions by when they began serving: a version served again moves last.
std::string Table(sql::Dialect d) {
  return fmt::format(
      "CREATE TABLE IF NOT EXISTS schema_versions (feed TEXT NOT NULL, sha256 TEXT NOT NULL, "
      "origin TEXT NOT NULL, content {} NOT NULL, first_served_at TEXT NOT NULL, "
      "served_at TEXT NOT NULL, seq {} NOT NULL, PRIMARY KEY (feed, sha256))",
      d == sql::Dialect::kPostgres ? "BYTEA" : "BLOB",
      d == sql::Dialect::kPostgres ? "BIGINT" : "INTEGER");
}

class SqlSchemaStore final : public schemas::SchemaStore {
 public:
  explicit SqlSchemaStore(std::unique_ptr<sql::Connection> c) : c_(std::move(c)) {}

  std::optional<schemas::StoredSchema> LastServed(std::string_view feed,
                                                  std::string* error) const override {
    std::lock_guard lock(mu_);
    sql::Stmt s(*c_,
                "SELECT sha256, origin, content, served_at FROM schema_versions WHERE feed = ?1 "
                "ORDER BY seq DESC LIMIT 1");
    if (const sql::StepResult rc = s.Bind(1, feed).Step(); rc != sql::kRow) {
      // No row, or no table yet in a ledger no daemon has served schema files from.
      const std::string why = rc == sql::kError ? s.Why("read").message : "";
      const bool no_table = why.find("no such table") != std::string::npos ||
                            why.find("does not exist") != std::string::npos;
      if (error != nullptr && rc != sql::kDone && !no_table) *error = why;
      return std::nullopt;
    }
    schemas::StoredSchema out{std::string(feed), s.Text(0), s.Text(1), std::string(s.Blob(2)),
                              s.Text(3)};
    return out;
  }

  std::optional<std::string> FeedServedFrom(std::string_view origin) const override {
    std::lock_guard lock(mu_);
    sql::Stmt s(*c_,
                "SELECT feed FROM schema_versions WHERE origin = ?1 ORDER BY seq DESC LIMIT 1");
    if (s.Bind(1, origin).Step() != sql::kRow) return std::nullopt;
    return s.Text(0);
  }

  Status Serving(schemas::StoredSchema& v) override {
    std::lock_guard lock(mu_);
    v.since = NowIso();
    sql::Stmt s(*c_,
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
  std::unique_ptr<sql::Connection> c_;
};

}  // namespace

StatusOr<std::shared_ptr<schemas::SchemaStore>> OpenSqliteSchemaStore(const std::string& path,
                                                                      bool create) {
  auto c = sql::OpenSqlite(path, /*read_only=*/!create);
  if (!c.ok()) {
    // Opening read-only a file that is not there: no ledger yet, so no schema served.
    if (!create && !std::filesystem::exists(path)) return std::shared_ptr<schemas::SchemaStore>();
    return c.status();
  }
  if (create) {
    if (Status st = (*c)->Exec("PRAGMA journal_mode=WAL"); !st.ok()) return st;
    if (Status st = (*c)->Exec(Table(sql::Dialect::kSqlite)); !st.ok()) return st;
  }
  return std::shared_ptr<schemas::SchemaStore>(
      std::make_shared<SqlSchemaStore>(std::move(c).value()));
}

StatusOr<std::shared_ptr<schemas::SchemaStore>> OpenSchemaStore(const LedgerLocation& where,
                                                                const std::string& root,
                                                                bool create) {
  if (!where.postgres()) return OpenSqliteSchemaStore(root + "/ledger.db", create);
  auto c = sql::OpenPostgres(where.url, where.password);
  if (!c.ok()) return c.status();
  if (create) {
    // Nodes starting together take turns (the writers' lock).
    if (Status st = (*c)->Begin("create the schema store"); !st.ok()) return st;
    if (Status st = (*c)->Exec(Table(sql::Dialect::kPostgres)); !st.ok()) {
      (*c)->Rollback();
      return st;
    }
    if (Status st = (*c)->Commit("create the schema store"); !st.ok()) return st;
  }
  return std::shared_ptr<schemas::SchemaStore>(
      std::make_shared<SqlSchemaStore>(std::move(c).value()));
}

}  // namespace rbgate::spool
