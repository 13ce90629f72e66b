// What the ledger's parts share (internal to spool/): one connection (SQLite or PostgreSQL,
// sql.h), its lock, the transaction wrapper, and the files table's columns. Each part of the
// ledger (files and their history, the outbound queue, the feeds' records) is its own class
// over one Db; SqlLedger (ledger_sql.cc) puts them together behind the Ledger interface.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "spool/ledger.h"
#include "spool/sql.h"

namespace rbgate::spool::ledger_sql {

using sql::Stmt;

struct Db {
  explicit Db(std::unique_ptr<sql::Connection> connection)
      : conn(std::move(connection)), c(*conn) {}

  // `body` in one write transaction (sql::Connection::Begin): committed when it returns OK,
  // else rolled back.
  template <class F>
  Status Txn(std::string_view what, F&& body, bool row_locks = false) {
    if (Status s = c.Begin(what, row_locks); !s.ok()) return s;
    Status s = body();
    if (!s.ok()) {
      c.Rollback();
      return s;
    }
    if (Status st = c.Commit(what); !st.ok()) {
      c.Rollback();
      return st;
    }
    return Status::Ok();
  }
  // Statements without results or parameters (schema, migrations).
  Status Exec(const std::string& sql) { return c.Exec(sql); }
  bool HasTable(std::string_view table) { return c.HasTable(table); }
  bool postgres() const { return c.dialect() == sql::Dialect::kPostgres; }
  // After a SELECT, inside a write transaction, of rows that a transaction with row locks may
  // change (the outbound queue's): on PostgreSQL they stay as read until the commit (SQLite
  // has one writer at a time).
  const char* ForUpdate() const { return postgres() ? " FOR UPDATE" : ""; }

  std::mutex mu;  // one caller at a time on the connection
  std::unique_ptr<sql::Connection> conn;
  sql::Connection& c;
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

}  // namespace rbgate::spool::ledger_sql
