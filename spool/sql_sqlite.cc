// sql::Connection over SQLite: statements prepared once per connection (preparing costs more
// than running the ledger's small queries) and result codes made statuses in one place.
#include <fcntl.h>
#include <fmt/format.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <map>

#include "spool/sql.h"

namespace rbgate::spool::sql {

namespace {
std::atomic<std::uint64_t> statements_run{0};
}  // namespace
std::uint64_t StatementsRun() { return statements_run.load(std::memory_order_relaxed); }
void CountStatement() { statements_run.fetch_add(1, std::memory_order_relaxed); }

namespace {

Status FromSqlite(int rc, sqlite3* db, std::string_view what) {
  if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW) return Status::Ok();
  Code code = Code::kInternal;
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_NOMEM:
      code = Code::kUnavailable;
      break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      code = Code::kDataLoss;
      break;
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
      code = Code::kFailedPrecondition;
      break;
    default:
      break;
  }
  return Error(code,
               fmt::format("ledger: {}: {}", what, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
}

class SqliteStatement final : public Statement {
 public:
  SqliteStatement(sqlite3* db, sqlite3_stmt* s) : db_(db), s_(s) {}
  ~SqliteStatement() override { sqlite3_finalize(s_); }
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  void BindText(int i, std::string_view v) override {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  void BindInt(int i, std::int64_t v) override { sqlite3_bind_int64(s_, i, v); }
  void BindBlob(int i, std::string_view v) override {
    sqlite3_bind_blob(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  StepResult Step() override {
    if (sqlite3_stmt_busy(s_) == 0) CountStatement();  // the first step runs it
    rc_ = sqlite3_step(s_);
    if (rc_ == SQLITE_ROW) return kRow;
    return rc_ == SQLITE_DONE ? kDone : kError;
  }
  std::string Text(int i) override {
    const auto* p = sqlite3_column_text(s_, i);
    return p ? std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(s_, i)) : "";
  }
  std::int64_t Int(int i) override { return sqlite3_column_int64(s_, i); }
  bool IsNull(int i) override { return sqlite3_column_type(s_, i) == SQLITE_NULL; }
  std::string_view Blob(int i) override {
    const void* p = sqlite3_column_blob(s_, i);
    return p ? std::string_view(static_cast<const char*>(p),
                                static_cast<std::size_t>(sqlite3_column_bytes(s_, i)))
             : std::string_view();
  }
  void Reset() override {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  std::uint64_t Changes() override { return static_cast<std::uint64_t>(sqlite3_changes(db_)); }
  Status Why(std::string_view what) override { return FromSqlite(rc_, db_, what); }

 private:
  sqlite3* db_;
  sqlite3_stmt* s_;
  int rc_ = SQLITE_OK;
};

class SqliteConnection final : public Connection {
 public:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  ~SqliteConnection() override {
    cache_.clear();  // statements are finalised before the connection closes
    sqlite3_close_v2(db_);
  }
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  Dialect dialect() const override { return Dialect::kSqlite; }
  sqlite3* handle() const { return db_; }

  Statement* Prepare(const std::string& sql, std::string& error) override {
    if (auto it = cache_.find(sql); it != cache_.end()) return it->second.get();
    sqlite3_stmt* st = nullptr;
    if (const int rc =
            sqlite3_prepare_v3(db_, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &st, nullptr);
        rc != SQLITE_OK || st == nullptr) {
      // Nothing is kept: the next Prepare tries again, as a busy schema or a missing table may
      // be over by then.
      error = rc != SQLITE_OK ? sqlite3_errmsg(db_) : "the statement is empty";
      sqlite3_finalize(st);
      return nullptr;
    }
    return cache_.emplace(sql, std::make_unique<SqliteStatement>(db_, st)).first->second.get();
  }

  Status Exec(const std::string& sql) override {
    CountStatement();
    char* err = nullptr;
    const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
    const std::string message = err != nullptr ? err : "";
    sqlite3_free(err);
    if (rc != SQLITE_OK) {
      return Error(FromSqlite(rc, nullptr, "").code, "ledger: " + sql + ": " + message);
    }
    return Status::Ok();
  }
  Status Begin(std::string_view what, bool) override { return Run("BEGIN IMMEDIATE", what); }
  Status BeginRead(std::string_view what) override { return Run("BEGIN", what); }
  Status Commit(std::string_view what) override { return Run("COMMIT", what); }
  void Rollback() override { sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr); }
  bool HasTable(std::string_view table) override {
    Stmt s(*this, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
    s.Bind(1, table);
    return s.Step() == kRow;
  }

 private:
  Status Run(const char* sql, std::string_view what) {
    CountStatement();
    return FromSqlite(sqlite3_exec(db_, sql, nullptr, nullptr, nullptr), db_, what);
  }
  sqlite3* db_;
  std::map<std::string, std::unique_ptr<SqliteStatement>> cache_;
};

}  // namespace

StatusOr<std::unique_ptr<Connection>> OpenSqlite(const std::string& path, bool read_only) {
  sqlite3* db = nullptr;
  const int flags =
      (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
      SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status status = FromSqlite(rc, db, "open " + path);
    sqlite3_close_v2(db);
    return status;
  }
  // Before the first statement: another connection to this file may be recovering the
  // write-ahead log a killed daemon left, and without a wait this start would fail.
  sqlite3_busy_timeout(db, read_only ? 2000 : 10000);
  return std::unique_ptr<Connection>(std::make_unique<SqliteConnection>(db));
}

Status BackupSqlite(const std::string& from, const std::string& to) {
  auto source = OpenSqlite(from, /*read_only=*/true);
  if (!source.ok()) return source.status();
  const std::string partial = to + ".partial";
  ::unlink(partial.c_str());
  sqlite3* dest = nullptr;
  int rc =
      sqlite3_open_v2(partial.c_str(), &dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  Status st;
  if (rc == SQLITE_OK) {
    auto* src = static_cast<SqliteConnection&>(**source).handle();
    sqlite3_backup* b = sqlite3_backup_init(dest, "main", src, "main");
    if (b == nullptr) {
      st = FromSqlite(sqlite3_errcode(dest), dest, "back up " + from);
    } else {
      // All pages in one step: a read transaction on the original for the copy's length, so
      // the copy is of one moment however busy the daemon is.
      while ((rc = sqlite3_backup_step(b, -1)) == SQLITE_BUSY || rc == SQLITE_LOCKED) {
        sqlite3_sleep(50);
      }
      sqlite3_backup_finish(b);
      st = FromSqlite(rc == SQLITE_DONE ? SQLITE_OK : rc, dest, "back up " + from);
    }
    // The copy in rollback-journal mode: one file, whole, wherever it is taken.
    if (st.ok()) {
      st = FromSqlite(sqlite3_exec(dest, "PRAGMA journal_mode=DELETE", nullptr, nullptr, nullptr),
                      dest, "back up " + from);
    }
  } else {
    st = FromSqlite(rc, dest, "create " + partial);
  }
  sqlite3_close_v2(dest);
  if (st.ok()) {
    const int fd = ::open(partial.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || ::fsync(fd) != 0) {
      st = Error(Code::kUnavailable, "sync " + partial + ": " + std::strerror(errno));
    }
    if (fd >= 0) ::close(fd);
  }
  if (st.ok() && ::rename(partial.c_str(), to.c_str()) != 0) {
    st = Error(Code::kUnavailable, "rename " + partial + ": " + std::strerror(errno));
  }
  if (st.ok()) {  // the rename itself made durable
    const auto slash = to.rfind('/');
    const std::string dir = slash == std::string::npos ? "."
                            : slash == 0               ? "/"
                                                       : to.substr(0, slash);
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
      ::fsync(fd);
      ::close(fd);
    }
  }
  if (!st.ok()) ::unlink(partial.c_str());
  return st;
}

}  // namespace rbgate::spool::sql
