// What the SQLite ledger's parts share (internal to spool/): one connection, its lock and its
// statements, the transaction wrapper, and the files table's columns. Each part of the ledger
// (files and their history, the outbound queue, the feeds' records) is its own class over one
// Db; SqliteLedger (ledger_sqlite.cc) puts them together behind the Ledger interface.
#pragma once

#include <sqlite3.h>

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "spool/ledger.h"
#include "spool/sqlite.h"

namespace rbgate::spool::sqlite_ledger {

struct Db {
  explicit Db(sqlite3* connection)
      : db(connection), statements(std::make_unique<StatementCache>(connection)) {}
  ~Db() {
    statements.reset();  // statements are finalised before the connection closes
    sqlite3_close_v2(db);
  }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // `body` in one IMMEDIATE transaction: committed when it returns OK, else rolled back.
  template <class F>
  Status Txn(std::string_view what, F&& body) {
    int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return FromSqlite(rc, db, what);
    Status s = body();
    if (!s.ok()) {
      sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
      return s;
    }
    rc = sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) {
      Status st = FromSqlite(rc, db, what);
      sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
      return st;
    }
    return Status::Ok();
  }
  // Statements without results or parameters (schema, migrations).
  Status Exec(const std::string& sql);
  bool HasTable(std::string_view table);

  std::mutex mu;  // one caller at a time on the connection
  sqlite3* db;
  std::unique_ptr<StatementCache> statements;
};

// Files whose content the gateway accepted (checked clean, or released by an officer), for SQL.
const std::string& AcceptedStatesSql();

inline constexpr const char* kFileColumns =
    "id, name, route, size, sha256, feed, state, outcome, reason, records, errors, warnings, "
    "business_key, received_at, updated_at, dropped_by, schema_version, schema_sha256";
// Where the columns selected after kFileColumns begin.
inline constexpr int kAfterFileColumns = 18;
FileRecord ReadFile(Stmt& s);
// "a, b" with `prefix` before each column: "f.a, f.b".
std::string Prefixed(std::string_view columns, std::string_view prefix);

}  // namespace rbgate::spool::sqlite_ledger
