// Moving a ledger to another database without losing its history: `rbgate ledger migrate --to
// postgresql://...` copies the embedded SQLite ledger, every table and every row with its
// numbering, into an empty PostgreSQL ledger, then verifies the copy's audit chain against
// the original's head.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "spool/ledger.h"

namespace rbgate::spool {

struct LedgerCopyReport {
  std::vector<std::pair<std::string, std::uint64_t>> rows;  // by table, in copy order
  std::uint64_t audit_entries = 0;
  std::string audit_head;  // the last entry's hash, the same in both
};

// Copies the SQLite ledger at `from` (brought to this rbgate's schema version first) into the
// ledger `to`, which must be empty, in one transaction; then checks each table's row count and
// the copy's audit chain (unbroken, and ending at the original's head). The original is not
// changed. The caller makes sure no daemon writes to `from` meanwhile (the spool's lock).
StatusOr<LedgerCopyReport> CopySqliteLedger(const std::string& from, const LedgerLocation& to);

struct LedgerBackupReport {
  std::uint64_t files = 0, audit_entries = 0;
  std::string audit_head;  // "seq:hash" of the backup's last entry
};

// `rbgate ledger backup FILE`: the SQLite ledger copied whole to FILE while the daemon runs
// (SQLite's online backup API), then checked as restored would be: SQLite's integrity check
// and the audit chain. A PostgreSQL ledger is backed up with PostgreSQL's own tools (pg_dump),
// which this refuses to stand in for, saying so.
StatusOr<LedgerBackupReport> BackupLedger(const LedgerLocation& where, const std::string& root,
                                          const std::string& to);

}  // namespace rbgate::spool
