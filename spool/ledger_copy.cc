#include "spool/ledger_copy.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "parsers/invariant.h"
#include "spool/audit_sql.h"
#include "spool/ledger_sql_db.h"
#include "spool/sql.h"

namespace rbgate::spool {
namespace {

// A table's columns as the copy reads and writes them: t text, i integer, b bytes. `numbered`:
// the first column is the row number, SQLite's rowid, which PostgreSQL keeps as an identity
// column and the ledger orders or joins by.
struct TableCopy {
  const char* table;
  const char* columns;
  const char* types;
  const char* numbered;  // the row number's column in the destination, or ""
};

// In an order that never refers to a row not yet copied.
constexpr TableCopy kTables[] = {
    {"files",
     "rowid, id, name, route, size, sha256, feed, state, outcome, reason, records, errors, "
     "warnings, business_key, received_at, updated_at, dropped_by, schema_version, schema_sha256, "
     "node",
     "itttitttttiiittttttt", "rowid"},
    {"transitions", "rowid, file_id, at, state, detail", "itttt", "rowid"},
    {"findings", "file_id, rule, severity, count", "ttti", ""},
    {"deliveries", "rowid, file_id, destination, name, status, at", "ittttt", "rowid"},
    {"actions", "rowid, file_id, at, \"user\", action, reason", "ittttt", "rowid"},
    {"outbound",
     "id, file_id, destination, name, sha256, size, state, attempts, next_at, last_error, "
     "created_at, updated_at, node",
     "ittttitiitttt", "id"},
    {"outbound_attempts", "item, destination, at, outcome, reason, detail", "ittttt", ""},
    {"items", "file_no, kind, day, first_line, count, items", "ittiib", ""},
    {"feed_states", "seq, family, key, file_id, summary, state, recorded_at", "ittttbt", "seq"},
    {"notices",
     "id, channel, event, route, feed, file_id, summary, raised_at, state, attempts, next_at, "
     "last_error, sent_at, message_id, node",
     "ittttttttiitttt", "id"},
    {"cursors", "name, seq", "ti", ""},
    {"collected",
     "id, source, remote_name, size, mtime, sha256, route, local_name, state, file_id, "
     "collected_at, finished_at, last_error",
     "ittittttttttt", "id"},
    {"sessions", "id_sha256, user_name, csrf, started_ms, seen_ms", "tttii", ""},
    {"audit", "seq, at, file_id, kind, \"user\", what, detail, prev, hash", "itttttttt", ""},
};

std::uint64_t Count(sql::Connection& c, const char* table) {
  sql::Stmt s(c, fmt::format("SELECT count(*) FROM {}", table));
  return s.Step() == sql::kRow ? s.Int(0) : 0;
}

Status CopyTable(sql::Connection& from, sql::Connection& to, const TableCopy& t,
                 std::uint64_t& copied) {
  const std::string_view types = t.types;
  const auto commas = std::count(t.columns, t.columns + std::strlen(t.columns), ',');
  if (!RBGATE_INVARIANT(static_cast<std::size_t>(commas) + 1 == types.size(),
                        "a ledger table's copy names as many types as columns")) {
    return Error(Code::kInternal, fmt::format("copy {}: columns and types disagree", t.table));
  }
  std::string params;
  for (std::size_t i = 1; i <= types.size(); ++i)
    params += fmt::format("{}?{}", i > 1 ? ", " : "", i);
  // A row number given, not made: PostgreSQL's GENERATED ALWAYS columns must be told so.
  const bool always =
      std::string_view(t.numbered) == "rowid" && to.dialect() == sql::Dialect::kPostgres;
  sql::Stmt read(from, fmt::format("SELECT {} FROM {} ORDER BY 1", t.columns, t.table));
  sql::Stmt write(to, fmt::format("INSERT INTO {} ({}){} VALUES ({})", t.table, t.columns,
                                  always ? " OVERRIDING SYSTEM VALUE" : "", params));
  sql::StepResult rc;
  while ((rc = read.Step()) == sql::kRow) {
    for (std::size_t i = 0; i < types.size(); ++i) {
      const int col = static_cast<int>(i);
      switch (types[i]) {
        case 'i':
          write.Bind(col + 1, read.Int(col));
          break;
        case 'b':
          write.BindBlob(col + 1, read.Blob(col));
          break;
        default:
          write.Bind(col + 1, read.Text(col));
      }
    }
    if (Status st = write.Run(fmt::format("copy {}", t.table)); !st.ok()) return st;
    ++copied;
  }
  if (rc != sql::kDone) return read.Why(fmt::format("read {}", t.table));
  if (*t.numbered != '\0' && to.dialect() == sql::Dialect::kPostgres) {
    // The next row numbered after the last copied.
    return to.Exec(fmt::format(
        "SELECT setval(pg_get_serial_sequence('{0}', '{1}'), coalesce(max({1}), 0) + 1, false) "
        "FROM {0}",
        t.table, t.numbered));
  }
  return Status::Ok();
}

}  // namespace

StatusOr<LedgerCopyReport> CopySqliteLedger(const std::string& from, const LedgerLocation& to) {
  // Both at this rbgate's schema version: the original migrated in place as any start would,
  // the destination created.
  std::pair<std::uint64_t, std::string> head;
  {
    auto original = OpenSqliteLedger(from);
    if (!original.ok()) return original.status();
    const AuditVerdict v = (*original)->VerifyAudit(std::nullopt);
    if (!v.ok()) {
      return Error(Code::kDataLoss,
                   fmt::format("the ledger's own audit chain does not verify ({} problems; rbgate "
                               "audit verify lists them): copying it would hide that",
                               v.problems.size()));
    }
    head = {v.head_seq, v.head_hash};
  }
  if (!to.postgres()) {
    return Error(Code::kInvalidArgument, "a ledger is copied into PostgreSQL (postgresql://...)");
  }
  {
    auto made = OpenLedgerAt(to, "");
    if (!made.ok()) return made.status();
  }
  auto source = sql::OpenSqlite(from, /*read_only=*/true);
  if (!source.ok()) return source.status();
  auto dest = sql::OpenPostgres(to.url, to.password);
  if (!dest.ok()) return dest.status();
  sql::Connection& s = **source;
  sql::Connection& d = **dest;
  for (const char* table : {"files", "audit", "feed_states", "outbound"}) {
    if (const std::uint64_t n = Count(d, table); n > 0) {
      return Error(Code::kFailedPrecondition,
                   fmt::format("the destination ledger is not empty ({} holds {} rows): a ledger "
                               "is copied into an empty database only",
                               table, n));
    }
  }
  LedgerCopyReport report;
  if (Status st = s.BeginRead("read the ledger"); !st.ok()) return st;
  Status copied = d.Begin("copy the ledger");
  for (const TableCopy& t : kTables) {
    if (!copied.ok()) break;
    std::uint64_t n = 0;
    copied = CopyTable(s, d, t, n);
    report.rows.emplace_back(t.table, n);
  }
  if (copied.ok()) {
    copied = d.Commit("copy the ledger");
  } else {
    d.Rollback();
  }
  s.Rollback();
  if (!copied.ok()) return copied;

  // Checked as copied, not as meant: the rows counted again, the chain walked.
  for (const auto& [table, n] : report.rows) {
    if (const std::uint64_t there = Count(d, table.c_str()); there != n) {
      return Error(Code::kDataLoss,
                   fmt::format("after the copy, {} holds {} rows, not {}", table, there, n));
    }
  }
  auto copy = OpenLedgerAt(to, "");
  if (!copy.ok()) return copy.status();
  const AuditVerdict v = (*copy)->VerifyAudit(head.first > 0 ? std::optional(head) : std::nullopt);
  if (!v.ok() || v.head_seq != head.first || v.head_hash != head.second) {
    return Error(Code::kDataLoss,
                 fmt::format("the copy's audit chain does not verify against the original's head "
                             "#{} ({} problems): the copy is not to be used",
                             head.first, v.problems.size()));
  }
  report.audit_entries = v.entries;
  report.audit_head = v.head_hash;
  return report;
}

StatusOr<LedgerBackupReport> BackupLedger(const LedgerLocation& where, const std::string& root,
                                          const std::string& to) {
  if (where.postgres()) {
    return Error(Code::kFailedPrecondition,
                 "the ledger is in PostgreSQL: back it up with PostgreSQL's own tools, e.g. "
                 "pg_dump -Fc -f FILE '<ledger.url>' (restore with pg_restore into an empty "
                 "database; docs/operators.md, Backups)");
  }
  if (Status st = sql::BackupSqlite(root + "/ledger.db", to); !st.ok()) return st;
  auto copy = sql::OpenSqlite(to, /*read_only=*/true);
  if (!copy.ok()) return copy.status();
  sql::Connection& c = **copy;
  {
    sql::Stmt check(c, "PRAGMA integrity_check");
    if (check.Step() != sql::kRow || check.Text(0) != "ok") {
      return Error(Code::kDataLoss, "the backup " + to + " fails SQLite's integrity check");
    }
  }
  LedgerBackupReport report;
  {
    sql::Stmt files(c, "SELECT count(*) FROM files");
    if (files.Step() == sql::kRow) report.files = files.Int(0);
  }
  const AuditVerdict v = VerifyAuditChain(c, std::nullopt);
  if (!v.ok()) {
    return Error(Code::kDataLoss,
                 fmt::format("the backup's audit chain does not verify ({} problems): the ledger "
                             "itself is suspect (rbgate audit verify)",
                             v.problems.size()));
  }
  report.audit_entries = v.entries;
  report.audit_head = fmt::format("{}:{}", v.head_seq, v.head_hash);
  return report;
}

}  // namespace rbgate::spool
