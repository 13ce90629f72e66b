// The operator's commands on the spool and its ledger: quarantine list/show/release/reject/
// reprocess, ledger list/show, stats, and `rbgate init`. Each returns an exit code and
// prints to stdout (reasons for failure to stderr).
#pragma once

#include <string>

#include "gateway/daemon/config.h"

namespace rbgate::gateway {

struct OperatorOptions {
  std::string format = "text";  // or json
  std::string feed;
  std::string since;  // YYYY-MM-DD or an ISO time prefix
  bool show_personal = false;
};

int QuarantineList(Config& c, const OperatorOptions& o);
int QuarantineShow(Config& c, const std::string& id, const OperatorOptions& o);
int QuarantineRelease(Config& c, const std::string& id, const std::string& reason, bool force);
int QuarantineReject(Config& c, const std::string& id, const std::string& reason);
int QuarantineReprocess(Config& c, const std::string& id, const std::string& reason);
int LedgerList(Config& c, const OperatorOptions& o);
int LedgerShow(Config& c, const std::string& id, const OperatorOptions& o);
int Stats(Config& c, const OperatorOptions& o);
// The nodes sharing the ledger: each one's host, process, lease and unfinished files, and which
// one leads (does the work done once for the whole gateway).
int Nodes(Config& c, const OperatorOptions& o);
// The outbound queue: items waiting for (or done with, `all`) network destinations, and files
// waiting for a second officer's approval.
int OutboundList(Config& c, bool all, const OperatorOptions& o);
int OutboundRetry(Config& c, const std::string& id, const std::string& reason);
int OutboundCancel(Config& c, const std::string& id, const std::string& reason);
// The notices (rbgate notify list): those waiting, or (`all`) every one, of one file or all,
// and each channel's counts.
int NotifyList(Config& c, bool all, const std::string& file_id, const OperatorOptions& o);
// The [[source]]s: where each collects from, into which route, what it does after, and what it
// has collected (the ledger's record).
int SourcesList(Config& c, const OperatorOptions& o);
// The OpenPGP keyring ([openpgp] home): each key, whose it is, and when it expires, those to
// act on first said. 0 listed (whatever the keys' states); 2 no keyring or it cannot be read.
int KeysList(Config& c, const OperatorOptions& o);
// rbgate users sign-out USER: every console session of USER ended, on any node.
int SignOutUser(Config& c, const std::string& user);
// Four eyes: the second officer's approval of a file awaiting it.
int Approve(Config& c, const std::string& id, const std::string& reason);

// Checks the ledger's audit chain: 0 intact, 1 tampered with (each problem said, where), 2
// the ledger cannot be read. `head` ("SEQ:HASH", from an earlier run) also checks that the
// chain still reaches that entry unchanged; empty: not checked.
int AuditVerify(Config& c, const std::string& head, const OperatorOptions& o);

struct ReconcileOptions {
  std::string from, to;         // report days, YYYY-MM-DD; empty: unbounded
  std::string format = "text";  // text, json or csv
  bool show_personal = false;
};
// Matched, unmatched and returned-twice items. Exit 0 when every return matched once, 1 when
// any needs an officer, 2 when the ledger cannot be read.
int Reconcile(Config& c, const ReconcileOptions& o);

// Forgets reconciliation items (account numbers, references, amounts) of days before
// `before`, on record in the daemon's log format on stdout.
int PurgeItems(Config& c, const std::string& before);
// Copies the spool's SQLite ledger into an empty PostgreSQL ledger at `to`, verified.
// Deletes (or, dry, lists) archived originals and rejected files' folders past retention.
int ArchivePurge(Config& c, bool dry_run);
// Backs up the SQLite ledger to `to` while the daemon runs, checked as a restore would be.
int LedgerBackup(Config& c, const std::string& to);
int LedgerMigrate(Config& c, const std::string& to, const std::string& password_file);

// `rbgate voa balance` against the list the ledger has on record, and `rbgate voa lists`.
int VoaBalanceOnRecord(Config& c, const struct VoaBalanceOptions& o);
int VoaLists(Config& c, const OperatorOptions& o);

// Creates a ready spool in `dir`: the folders, a commented rbgate.toml, the ledger.
int Init(const std::string& dir);

}  // namespace rbgate::gateway
