// sql::Connection over libpq. Statements are prepared once per connection and parameter types
// (text, bigint, bytea, taken from what is bound), and "?" parameters become PostgreSQL's "$N".
// Writers serialise on one transaction-scoped advisory lock, as SQLite's writers do on its
// file lock: the audit chain appends to one head, and what a writer reads stays true until it
// commits. A connection that the server dropped (a restart, a failover) is reset before the
// next statement outside a transaction; inside one, the transaction fails and is not retried
// here: the caller's step is retried as after any failed commit.
#include <fmt/format.h>
#include <libpq-fe.h>

#include <charconv>
#include <map>
#include <set>
#include <vector>

#include "spool/sql.h"

namespace rbgate::spool::sql {
namespace {

// pg_advisory_xact_lock's key for the ledger's writers: "rbgate" in ASCII, then 1.
constexpr std::int64_t kWritersLock = 0x7262676174650001;

constexpr Oid kText = 25, kInt8 = 20, kBytea = 17;

// libpq's messages end in a newline (and sometimes spaces).
std::string Trimmed(std::string m) {
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  return m;
}

// The status for a failed result: connection and serialisation failures are kUnavailable
// (try again), the rest say what SQLSTATE says.
Status FromPg(const PGresult* r, PGconn* conn, std::string_view what) {
  const char* sqlstate = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  const std::string_view state = sqlstate ? sqlstate : "";
  Code code = Code::kInternal;
  if (state.empty() || state.starts_with("08") || state.starts_with("57P") || state == "40001" ||
      state == "40P01" || state.starts_with("53")) {
    code = Code::kUnavailable;  // connection, shutdown, serialisation, resources
  } else if (state.starts_with("42") || state.starts_with("23") || state.starts_with("P0")) {
    code = Code::kFailedPrecondition;  // missing table, constraint, a trigger's refusal
  } else if (state.starts_with("XX")) {
    code = Code::kDataLoss;
  }
  std::string message = Trimmed(r ? PQresultErrorMessage(r) : "");
  if (message.empty()) message = Trimmed(PQerrorMessage(conn));
  if (message.starts_with("ERROR:  ")) message.erase(0, 8);
  return Error(code, fmt::format("ledger: {}: {}", what, message));
}

// "?" and "?N" outside quotes as "$N" (a bare "?" is one more than the largest number so far,
// as SQLite numbers them).
std::string Translate(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 8);
  int largest = 0;
  char quote = 0;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (quote != 0) {
      out += c;
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
      out += c;
      continue;
    }
    if (c != '?') {
      out += c;
      continue;
    }
    std::size_t j = i + 1;
    while (j < sql.size() && sql[j] >= '0' && sql[j] <= '9') ++j;
    int n = largest + 1;
    if (j > i + 1) std::from_chars(sql.data() + i + 1, sql.data() + j, n);
    largest = std::max(largest, n);
    out += fmt::format("${}", n);
    i = j - 1;
  }
  return out;
}

// A bytea column as PostgreSQL's text output writes it ("\x" and hex) made bytes again.
bool FromHex(std::string_view text, std::string& out) {
  out.clear();
  if (!text.starts_with("\\x") || text.size() % 2 != 0) return false;
  out.reserve((text.size() - 2) / 2);
  const auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 2; i < text.size(); i += 2) {
    const int hi = nibble(text[i]), lo = nibble(text[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out += static_cast<char>(hi * 16 + lo);
  }
  return true;
}

class PgConnection;

class PgStatement final : public Statement {
 public:
  PgStatement(PgConnection& c, std::string sql) : c_(c), sql_(std::move(sql)) {}
  ~PgStatement() override { PQclear(result_); }
  PgStatement(const PgStatement&) = delete;
  PgStatement& operator=(const PgStatement&) = delete;

  void BindText(int i, std::string_view v) override { Set(i, std::string(v), kText, 0); }
  void BindInt(int i, std::int64_t v) override { Set(i, std::to_string(v), kInt8, 0); }
  void BindBlob(int i, std::string_view v) override { Set(i, std::string(v), kBytea, 1); }
  StepResult Step() override;
  std::string Text(int i) override {
    return std::string(PQgetvalue(result_, row_, i),
                       static_cast<std::size_t>(PQgetlength(result_, row_, i)));
  }
  std::int64_t Int(int i) override {
    const char* p = PQgetvalue(result_, row_, i);
    std::int64_t v = 0;
    std::from_chars(p, p + PQgetlength(result_, row_, i), v);
    return v;
  }
  bool IsNull(int i) override { return PQgetisnull(result_, row_, i) != 0; }
  std::string_view Blob(int i) override {
    if (!FromHex(std::string_view(PQgetvalue(result_, row_, i),
                                  static_cast<std::size_t>(PQgetlength(result_, row_, i))),
                 blob_)) {
      blob_.clear();
    }
    return blob_;
  }
  void Reset() override {
    PQclear(result_);
    result_ = nullptr;
    ran_ = false;
    row_ = -1;
    values_.clear();
    types_.clear();
    formats_.clear();
  }
  std::uint64_t Changes() override { return changes_; }
  Status Why(std::string_view what) override {
    return Error(error_.code, fmt::format("ledger: {}: {}", what, error_.message));
  }

 private:
  void Set(int i, std::string v, Oid type, int format) {
    const auto n = static_cast<std::size_t>(i);
    if (values_.size() < n) {
      values_.resize(n);
      types_.resize(n, kText);
      formats_.resize(n, 0);
    }
    values_[n - 1] = std::move(v);
    types_[n - 1] = type;
    formats_[n - 1] = format;
  }

  PgConnection& c_;
  std::string sql_;
  std::vector<std::string> values_;
  std::vector<Oid> types_;
  std::vector<int> formats_;
  PGresult* result_ = nullptr;
  bool ran_ = false;
  int row_ = -1;
  std::uint64_t changes_ = 0;
  Status error_;
  std::string blob_;
};

class PgConnection final : public Connection {
 public:
  explicit PgConnection(PGconn* conn) : conn_(conn) {
    PQsetNoticeProcessor(
        conn_, [](void*, const char*) {}, nullptr);  // "already exists"
  }
  ~PgConnection() override {
    statements_.clear();
    PQfinish(conn_);
  }
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  Dialect dialect() const override { return Dialect::kPostgres; }

  Statement* Prepare(const std::string& sql, std::string&) override {
    auto& s = statements_[sql];
    if (!s) s = std::make_unique<PgStatement>(*this, Translate(sql));
    return s.get();
  }

  Status Exec(const std::string& sql) override {
    if (Status st = Ready("run " + sql.substr(0, 40)); !st.ok()) return st;
    CountStatement();
    PGresult* r = PQexec(conn_, sql.c_str());
    Status st = Ok(r) ? Status::Ok() : FromPg(r, conn_, sql.substr(0, 200));
    PQclear(r);
    return st;
  }
  Status Begin(std::string_view what, bool row_locks) override {
    return Start(row_locks ? std::string("BEGIN")
                           : fmt::format("BEGIN; SELECT pg_advisory_xact_lock({})", kWritersLock),
                 what);
  }
  Status BeginRead(std::string_view what) override {
    return Start("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", what);
  }
  Status Commit(std::string_view what) override {
    CountStatement();
    PGresult* r = PQexec(conn_, "COMMIT");
    // A transaction that failed part-way commits as ROLLBACK: not a success.
    const bool committed = Ok(r) && std::string_view(PQcmdStatus(r)) == "COMMIT";
    Status st = committed ? Status::Ok()
                : Ok(r)   ? Error(Code::kUnavailable,
                                  fmt::format("ledger: {}: the transaction was rolled back", what))
                          : FromPg(r, conn_, what);
    PQclear(r);
    in_transaction_ = false;
    return st;
  }
  void Rollback() override {
    CountStatement();
    PQclear(PQexec(conn_, "ROLLBACK"));
    in_transaction_ = false;
  }
  bool HasTable(std::string_view table) override {
    Stmt s(*this,
           "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() "
           "AND table_name = ?1");
    return s.Bind(1, table).Step() == kRow;
  }

  // Runs a statement: prepares it on this connection first if it has not been, for these
  // parameter types. Null result: the connection is gone (Status in `error`).
  PGresult* Run(const std::string& sql, const std::vector<std::string>& values,
                const std::vector<Oid>& types, const std::vector<int>& formats, Status& error) {
    PGresult* r = RunOnce(sql, values, types, formats, error);
    // A connection the server dropped since its last use (a restart) shows only now: outside
    // a transaction nothing was done, so it is made again and the statement run once more.
    if (r == nullptr && Dropped()) r = RunOnce(sql, values, types, formats, error);
    return r;
  }

 private:
  bool Dropped() const { return !in_transaction_ && PQstatus(conn_) == CONNECTION_BAD; }

  PGresult* RunOnce(const std::string& sql, const std::vector<std::string>& values,
                    const std::vector<Oid>& types, const std::vector<int>& formats, Status& error) {
    if (Status st = Ready("run a statement"); !st.ok()) {
      error = st;
      return nullptr;
    }
    std::string key = sql;
    key += '\0';
    for (Oid t : types) key += std::to_string(t) + ",";
    auto it = prepared_.find(key);
    if (it == prepared_.end()) {
      std::string name = fmt::format("s{}", prepared_.size() + 1);
      PGresult* p =
          PQprepare(conn_, name.c_str(), sql.c_str(), static_cast<int>(types.size()), types.data());
      if (!Ok(p)) {
        error = FromPg(p, conn_, "prepare");
        PQclear(p);
        return nullptr;
      }
      PQclear(p);
      it = prepared_.emplace(std::move(key), std::move(name)).first;
    }
    std::vector<const char*> v(values.size());
    std::vector<int> lengths(values.size());
    for (std::size_t i = 0; i < values.size(); ++i) {
      v[i] = values[i].data();
      lengths[i] = static_cast<int>(values[i].size());
    }
    CountStatement();
    PGresult* r = PQexecPrepared(conn_, it->second.c_str(), static_cast<int>(values.size()),
                                 v.data(), lengths.data(), formats.data(), 0);
    if (!Ok(r)) {
      error = FromPg(r, conn_, "");
      PQclear(r);
      return nullptr;
    }
    return r;
  }

  static bool Ok(const PGresult* r) {
    const auto s = PQresultStatus(r);
    return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
  }
  // Outside a transaction, a connection the server dropped is made again (its prepared
  // statements with it); inside one, the transaction is lost and the caller hears so.
  Status Ready(std::string_view what) {
    if (PQstatus(conn_) == CONNECTION_OK) return Status::Ok();
    if (in_transaction_) {
      return Error(Code::kUnavailable,
                   fmt::format("ledger: {}: the connection to PostgreSQL was lost", what));
    }
    PQreset(conn_);
    prepared_.clear();
    if (PQstatus(conn_) != CONNECTION_OK) {
      const std::string message = Trimmed(PQerrorMessage(conn_));
      return Error(Code::kUnavailable,
                   fmt::format("ledger: {}: cannot reach PostgreSQL: {}", what, message));
    }
    return Status::Ok();
  }
  // Begins a transaction; on a connection dropped since its last use, made again first.
  Status Start(const std::string& sql, std::string_view what) {
    for (int attempt = 0;; ++attempt) {
      if (Status st = Ready(what); !st.ok()) return st;
      Status st = Simple(sql, what, true);
      if (st.ok() || attempt > 0 || !Dropped()) return st;
    }
  }
  Status Simple(const std::string& sql, std::string_view what, bool begins) {
    CountStatement();
    PGresult* r = PQexec(conn_, sql.c_str());
    Status st = Ok(r) ? Status::Ok() : FromPg(r, conn_, what);
    PQclear(r);
    if (st.ok() && begins) in_transaction_ = true;
    if (!st.ok() && begins) PQclear(PQexec(conn_, "ROLLBACK"));
    return st;
  }

  PGconn* conn_;
  bool in_transaction_ = false;
  std::map<std::string, std::string> prepared_;  // SQL and parameter types -> name
  std::map<std::string, std::unique_ptr<PgStatement>> statements_;
};

StepResult PgStatement::Step() {
  if (!ran_) {
    ran_ = true;
    row_ = -1;
    PQclear(result_);
    result_ = c_.Run(sql_, values_, types_, formats_, error_);
    if (result_ == nullptr) return kError;
    const char* tuples = PQcmdTuples(result_);
    changes_ = 0;
    std::from_chars(tuples, tuples + std::char_traits<char>::length(tuples), changes_);
  }
  if (result_ == nullptr) return kError;
  ++row_;
  return row_ < PQntuples(result_) ? kRow : kDone;
}

}  // namespace
}  // namespace rbgate::spool::sql

namespace rbgate::spool {

namespace {
// The keywords `url` gives a value, as libpq reads it; why not when it cannot.
StatusOr<std::set<std::string>> GivenKeywords(const std::string& url) {
  char* parse_error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &parse_error);
  if (options == nullptr) {
    const std::string why = sql::Trimmed(parse_error ? parse_error : "out of memory");
    PQfreemem(parse_error);
    return Error(Code::kInvalidArgument, why);
  }
  std::set<std::string> given;
  for (auto* o = options; o->keyword != nullptr; ++o) {
    if (o->val != nullptr && *o->val != '\0') given.insert(o->keyword);
  }
  PQconninfoFree(options);
  return given;
}
}  // namespace

Status CheckLedgerUrl(const std::string& url) {
  auto given = GivenKeywords(url);
  if (!given.ok()) return given.status();
  if (given->count("password") > 0) {
    return Error(Code::kInvalidArgument,
                 "it holds a password: configuration files are read by many; put the password in "
                 "the file ledger.password_file names, or in PGPASSWORD");
  }
  return Status::Ok();
}

}  // namespace rbgate::spool

namespace rbgate::spool::sql {

StatusOr<std::unique_ptr<Connection>> OpenPostgres(const std::string& conninfo,
                                                   const std::string& password) {
  if (Status st = CheckLedgerUrl(conninfo); !st.ok()) {
    return Error(st.code, "ledger.url: " + st.message);
  }
  // A connection timeout unless the URL sets its own.
  const bool has_timeout = GivenKeywords(conninfo)->count("connect_timeout") > 0;
  std::vector<const char*> keys = {"dbname", "fallback_application_name", "client_encoding"};
  std::vector<const char*> values = {conninfo.c_str(), "rbgate", "SQL_ASCII"};
  if (!password.empty()) {
    keys.push_back("password");
    values.push_back(password.c_str());
  }
  if (!has_timeout) {
    keys.push_back("connect_timeout");
    values.push_back("10");
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  PGconn* conn = PQconnectdbParams(keys.data(), values.data(), /*expand_dbname=*/1);
  if (PQstatus(conn) != CONNECTION_OK) {
    const std::string why = Trimmed(conn ? PQerrorMessage(conn) : "out of memory");
    PQfinish(conn);
    return Error(Code::kUnavailable, "ledger: cannot connect to PostgreSQL: " + why);
  }
  // File names are bytes, kept byte for byte (a name that is not UTF-8 is delivered under the
  // same name); a UTF8 database refuses such bytes, so the ledger's database must hold bytes.
  const char* encoding = PQparameterStatus(conn, "server_encoding");
  if (encoding == nullptr || std::string_view(encoding) != "SQL_ASCII") {
    const std::string found = encoding ? encoding : "unknown";
    const std::string db = PQdb(conn);
    PQfinish(conn);
    return Error(Code::kFailedPrecondition,
                 fmt::format("ledger: the PostgreSQL database {} is encoded {}; rbgate keeps file "
                             "names byte for byte as senders wrote them, which {} may refuse. "
                             "Create it with: CREATE DATABASE {} ENCODING 'SQL_ASCII' "
                             "LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0",
                             db, found, found, db));
  }
  return std::unique_ptr<Connection>(std::make_unique<PgConnection>(conn));
}

}  // namespace rbgate::spool::sql
