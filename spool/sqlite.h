// SQLite for the spool's ledger: statuses from result codes, and prepared statements kept
// per connection. Internal to spool/.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "spool/status.h"

namespace rbgate::spool {

// The one place SQLite result codes become statuses.
Status FromSqlite(int rc, sqlite3* db, std::string_view what);

// A prepared statement, reset after each use. Statements are prepared once per connection
// and kept (StatementCache): preparing costs more than running these small queries.
class StatementCache {
 public:
  explicit StatementCache(sqlite3* db) : db_(db) {}
  ~StatementCache() {
    for (auto& [sql, st] : cache_) sqlite3_finalize(st);
  }
  // The statement, or null with SQLite's reason in `error` (then nothing is kept: the next
  // Get tries again, as a busy schema or a missing table may be over by then).
  sqlite3_stmt* Get(const std::string& sql, std::string& error) {
    auto it = cache_.find(sql);
    if (it != cache_.end()) return it->second;
    sqlite3_stmt* st = nullptr;
    if (const int rc =
            sqlite3_prepare_v3(db_, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &st, nullptr);
        rc != SQLITE_OK || st == nullptr) {
      error = rc != SQLITE_OK ? sqlite3_errmsg(db_) : "the statement is empty";
      sqlite3_finalize(st);
      return nullptr;
    }
    cache_.emplace(sql, st);
    return st;
  }

 private:
  sqlite3* db_;
  std::map<std::string, sqlite3_stmt*> cache_;
};

class Stmt {
 public:
  Stmt(sqlite3* db, StatementCache& cache, const std::string& sql)
      : db_(db), s_(cache.Get(sql, prepare_error_)) {}
  ~Stmt() { Reset(); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& Bind(int i, std::string_view v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& Bind(int i, std::uint64_t v) {
    sqlite3_bind_int64(s_, i, static_cast<sqlite3_int64>(v));
    return *this;
  }
  // A statement that did not prepare steps to SQLITE_ERROR; Run says why.
  int Step() { return s_ ? sqlite3_step(s_) : SQLITE_ERROR; }
  std::string Text(int i) {
    auto* p = sqlite3_column_text(s_, i);
    return p ? std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(s_, i)) : "";
  }
  std::uint64_t Int(int i) { return static_cast<std::uint64_t>(sqlite3_column_int64(s_, i)); }
  bool IsNull(int i) { return sqlite3_column_type(s_, i) == SQLITE_NULL; }
  std::string_view Blob(int i) {
    const void* p = sqlite3_column_blob(s_, i);
    return p ? std::string_view(static_cast<const char*>(p),
                                static_cast<std::size_t>(sqlite3_column_bytes(s_, i)))
             : std::string_view();
  }
  Stmt& BindBlob(int i, std::string_view v) {
    sqlite3_bind_blob(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Status Run(std::string_view what) {
    if (s_ == nullptr) {
      return Error(Code::kInternal, std::string(what) + ": " + prepare_error_);
    }
    int rc = Step();
    Status s = FromSqlite(rc, db_, what);
    Reset();
    return s;
  }
  void Reset() {
    if (s_ == nullptr) return;
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }

 private:
  sqlite3* db_;
  std::string prepare_error_;  // declared before s_: the constructor fills it first
  sqlite3_stmt* s_ = nullptr;
};

}  // namespace rbgate::spool
