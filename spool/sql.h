// One SQL connection, SQLite or PostgreSQL, behind the little the ledger needs: statements with
// numbered parameters, rows read column by column, transactions. The ledger's parts write their
// SQL once, in the dialect both share ("?" or "?N" parameters, "rowid" and "user" as column
// names, ON CONFLICT ... DO UPDATE); what differs (schemas, locking, the catalogue) is asked of
// the connection's dialect. Internal to spool/.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "spool/status.h"

namespace rbgate::spool::sql {

enum class Dialect : std::uint8_t { kSqlite, kPostgres };

// What a step of a statement found.
enum StepResult : std::uint8_t { kRow, kDone, kError };

// A prepared statement, kept by its connection. Parameters are numbered from 1, columns from 0.
class Statement {
 public:
  virtual ~Statement() = default;
  virtual void BindText(int i, std::string_view v) = 0;
  virtual void BindInt(int i, std::int64_t v) = 0;
  virtual void BindBlob(int i, std::string_view v) = 0;
  // Runs the statement (on the first step after binding) and moves to its next row.
  virtual StepResult Step() = 0;
  virtual std::string Text(int i) = 0;
  virtual std::int64_t Int(int i) = 0;
  virtual bool IsNull(int i) = 0;
  // Valid until the next Step or Reset.
  virtual std::string_view Blob(int i) = 0;
  // Ready to bind and run again; bindings cleared.
  virtual void Reset() = 0;
  // Rows the last run inserted, updated or deleted.
  virtual std::uint64_t Changes() = 0;
  // Why the last step failed, as a status naming `what`.
  virtual Status Why(std::string_view what) = 0;
};

class Connection {
 public:
  virtual ~Connection() = default;
  virtual Dialect dialect() const = 0;
  // The statement for `sql`, prepared once and kept; null with the reason in `error`.
  virtual Statement* Prepare(const std::string& sql, std::string& error) = 0;
  // Statements without parameters or results (schemas, migrations), several at once.
  virtual Status Exec(const std::string& sql) = 0;
  // A write transaction. Writers are serialised (SQLite: BEGIN IMMEDIATE; PostgreSQL: a
  // transaction-scoped advisory lock every writer takes), so what a writer reads stays true
  // until it commits, as the audit chain needs. `row_locks`: PostgreSQL only, no lock shared
  // with other writers; the caller locks the rows it changes (FOR UPDATE SKIP LOCKED).
  // `what` names the work in an error.
  virtual Status Begin(std::string_view what, bool row_locks = false) = 0;
  // A read-only transaction that sees one moment.
  virtual Status BeginRead(std::string_view what) = 0;
  virtual Status Commit(std::string_view what) = 0;
  virtual void Rollback() = 0;
  virtual bool HasTable(std::string_view table) = 0;
};

// Statements this process has run on either backend, transaction boundaries included: on
// PostgreSQL, each is a round trip to the server.
std::uint64_t StatementsRun();
void CountStatement();

// A statement for one use: bound, stepped, then reset when it goes out of scope.
class Stmt {
 public:
  Stmt(Connection& c, const std::string& sql) : s_(c.Prepare(sql, prepare_error_)) {}
  ~Stmt() { Reset(); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& Bind(int i, std::string_view v) {
    if (s_) s_->BindText(i, v);
    return *this;
  }
  Stmt& Bind(int i, const char* v) { return Bind(i, std::string_view(v)); }
  Stmt& Bind(int i, const std::string& v) { return Bind(i, std::string_view(v)); }
  Stmt& Bind(int i, std::uint64_t v) {
    if (s_) s_->BindInt(i, static_cast<std::int64_t>(v));
    return *this;
  }
  Stmt& BindBlob(int i, std::string_view v) {
    if (s_) s_->BindBlob(i, v);
    return *this;
  }
  // A statement that did not prepare steps to kError; Run and Why say why.
  StepResult Step() { return s_ ? s_->Step() : kError; }
  std::string Text(int i) { return s_->Text(i); }
  std::uint64_t Int(int i) { return static_cast<std::uint64_t>(s_->Int(i)); }
  bool IsNull(int i) { return s_->IsNull(i); }
  std::string_view Blob(int i) { return s_->Blob(i); }
  std::uint64_t Changes() { return s_ ? s_->Changes() : 0; }
  Status Why(std::string_view what) {
    if (s_ == nullptr) {
      return Error(Code::kInternal, "ledger: " + std::string(what) + ": " + prepare_error_);
    }
    return s_->Why(what);
  }
  // Runs a statement that returns no rows (or whose rows are not wanted), then resets it.
  Status Run(std::string_view what) {
    Status s = Step() == kError ? Why(what) : Status::Ok();
    Reset();
    return s;
  }
  void Reset() {
    if (s_) s_->Reset();
  }

 private:
  std::string prepare_error_;  // declared before s_: the constructor fills it first
  Statement* s_ = nullptr;
};

// Opens (creating if needed) the SQLite database at `path`, read-write or read-only.
StatusOr<std::unique_ptr<Connection>> OpenSqlite(const std::string& path, bool read_only = false);

// Copies the SQLite database at `from` to a new file `to` with SQLite's online backup API (a
// consistent copy while others write), synced and renamed into place whole.
Status BackupSqlite(const std::string& from, const std::string& to);

// Connects to PostgreSQL. `conninfo`: a libpq connection string or postgresql:// URL, which
// must not hold a password; `password`: from a file or the environment (empty: libpq's own,
// PGPASSWORD or ~/.pgpass). The connection reconnects when its server went away.
StatusOr<std::unique_ptr<Connection>> OpenPostgres(const std::string& conninfo,
                                                   const std::string& password);

}  // namespace rbgate::spool::sql
