// What the ledger's parts share (internal to spool/): one connection (SQLite or PostgreSQL,
// sql.h), its lock, the transaction wrapper, and the files table's columns. Each part of the
// ledger (files and their history, the outbound queue, the feeds' records) is its own class
// over one Db; SqlLedger (ledger_sql.cc) puts them together behind the Ledger interface.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "spool/ledger.h"
#include "spool/sql.h"

namespace rbgate::spool::ledger_sql {

using sql::Stmt;

// The ledger's connections: one for SQLite (one writer at a time is SQLite's own rule, and a
// second connection would only wait on the file's lock), a pool for PostgreSQL so that the
// workers' reads run beside each other. A call holds one connection from start to end (Use),
// on its thread; a call made while the thread already holds one (a visitor's, a part's) uses
// that one again.
class Db {
 public:
  using Opener = std::function<StatusOr<std::unique_ptr<sql::Connection>>()>;
  // `first` is open; `more` opens others, up to `size` in all, when calls wait for one.
  Db(std::unique_ptr<sql::Connection> first, Opener more = {}, std::size_t size = 1);
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // A connection for the calling thread until it goes out of scope.
  class Use {
   public:
    explicit Use(Db& d);
    ~Use();
    Use(const Use&) = delete;
    Use& operator=(const Use&) = delete;

   private:
    Db& d_;
    sql::Connection* taken_ = nullptr;  // null: the thread already held one
  };

  // The connection this thread holds. REQUIRES: a Use in scope on this thread.
  sql::Connection& c() const;

  // `body` in one write transaction (sql::Connection::Begin) on this thread's connection:
  // committed when it returns OK, else rolled back.
  template <class F>
  Status Txn(std::string_view what, F&& body, bool row_locks = false) {
    sql::Connection& conn = c();
    if (Status s = conn.Begin(what, row_locks); !s.ok()) return s;
    Status s = body();
    if (!s.ok()) {
      conn.Rollback();
      return s;
    }
    if (Status st = conn.Commit(what); !st.ok()) {
      conn.Rollback();
      return st;
    }
    return Status::Ok();
  }
  // Statements without results or parameters (schema, migrations).
  Status Exec(const std::string& sql) { return c().Exec(sql); }
  bool HasTable(std::string_view table) { return c().HasTable(table); }
  bool postgres() const { return dialect_ == sql::Dialect::kPostgres; }
  // This process's node ("" until it joins): what it claims and sends is marked with it.
  std::string node() const {
    std::lock_guard lock(mu_);
    return node_;
  }
  void set_node(std::string node) {
    std::lock_guard lock(mu_);
    node_ = std::move(node);
  }
  // After a SELECT, inside a write transaction, of rows that a transaction with row locks may
  // change (the outbound queue's): on PostgreSQL they stay as read until the commit (SQLite
  // has one writer at a time).
  const char* ForUpdate() const { return postgres() ? " FOR UPDATE" : ""; }

 private:
  sql::Connection* Take();
  void Give(sql::Connection* c);

  const sql::Dialect dialect_;
  const Opener more_;
  const std::size_t size_;
  mutable std::mutex mu_;
  std::condition_variable freed_;
  std::string node_;                                   // guarded by mu_
  std::vector<std::unique_ptr<sql::Connection>> all_;  // guarded by mu_
  std::vector<sql::Connection*> free_;                 // guarded by mu_
  std::size_t opening_ = 0;                            // guarded by mu_
};

// Files whose content the gateway accepted (checked clean, or released by an officer), for SQL.
const std::string& AcceptedStatesSql();

inline constexpr const char* kFileColumns =
    "id, name, route, size, sha256, feed, state, outcome, reason, records, errors, warnings, "
    "business_key, received_at, updated_at, dropped_by, schema_version, schema_sha256, node";
// Where the columns selected after kFileColumns begin.
inline constexpr int kAfterFileColumns = 19;
FileRecord ReadFile(Stmt& s);
// "a, b" with `prefix` before each column: "f.a, f.b".
std::string Prefixed(std::string_view columns, std::string_view prefix);

}  // namespace rbgate::spool::ledger_sql
