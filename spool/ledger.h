// The ledger is the truth: every file's id, name, route, size, SHA-256, feed, state and each
// transition's time, its findings per rule, deliveries and operator actions. This interface
// is deliberately narrow so that a PostgreSQL ledger (several nodes, one spool) can stand in
// for the embedded SQLite one. Implementations are safe to call from several threads.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "spool/audit.h"
#include "spool/status.h"

namespace rbgate::spool {

// File states. Final ones: delivered, quarantined (until an officer acts), rejected, vanished.
namespace state {
inline constexpr std::string_view kClaiming = "claiming";  // row written, rename pending
inline constexpr std::string_view kClaimed = "claimed";    // in work/<id>
inline constexpr std::string_view kAccepted = "accepted";  // checked clean; to archive
inline constexpr std::string_view kArchived = "archived";  // archive written and verified
inline constexpr std::string_view kOutbound = "outbound";  // outputs linked into outbound/
inline constexpr std::string_view kDelivered = "delivered";
inline constexpr std::string_view kQuarantining = "quarantining";
inline constexpr std::string_view kQuarantined = "quarantined";
inline constexpr std::string_view kReleased = "released";  // an officer released it; to archive
inline constexpr std::string_view kRejected = "rejected";
inline constexpr std::string_view kVanished = "vanished";  // removed by its writer before claim
}  // namespace state

struct FileRecord {
  std::string id, name, route, feed, sha256, state, outcome, reason, business_key;
  std::string received_at, updated_at;  // ISO 8601 UTC
  std::uint64_t size = 0, records = 0, errors = 0, warnings = 0;
};

struct TransitionRecord {
  std::string at, state, detail;
};
struct ActionRecord {
  std::string at, user, action, reason;
};
struct DeliveryRecord {
  std::string destination, name, status, at;
};
struct FindingCount {
  std::string rule, severity;
  std::uint64_t count = 0;
};
struct StatsRow {
  std::string feed, hour, outcome;
  std::uint64_t files = 0, bytes = 0, records = 0;
};

// A Standard 18 payment item (not a contra, not an instruction), kept for reconciliation.
// Personal data: the ledger holds account numbers, never names.
struct SubmittedItemRow {
  std::uint64_t line = 0;
  std::string day;  // processing day, ISO
  std::string dest_sort, dest_account, reference;
  std::uint64_t amount = 0;  // pence
  bool credit = false;
};
// One day's items: each with the index of its file in `files`.
struct SubmittedDay {
  std::vector<FileRecord> files;
  std::vector<std::pair<std::size_t, SubmittedItemRow>> items;
};
// An ARUDD or ARUCS item, kept for reconciliation.
struct ReturnedItemRow {
  std::uint64_t line = 0;
  std::string report_day, original_day, reference, code, return_code, description, payer_sort,
      payer_account;
  std::uint64_t amount = 0;  // pence
  bool credit = false;       // ARUCS (a returned credit)
};

struct ListFilter {
  std::string state;  // empty: any
  std::string feed;   // empty: any
  std::string since;  // ISO 8601 prefix compare; empty: all
  std::size_t limit = 0;
};

// One transition, as Ledger::Transition takes it, with the time it happened.
struct StateChange {
  std::string to, detail, outcome;
  std::vector<DeliveryRecord> deliveries;
  std::string at;  // ISO 8601 UTC
};

class Ledger {
 public:
  virtual ~Ledger() = default;

  // Records a new file in state `claiming` (before it is renamed into work/).
  virtual Status AddFile(const FileRecord& f) = 0;
  // Moves a file to `state`, recording the transition with `detail` (and, for final
  // states, the outcome and reason).
  virtual Status Transition(const std::string& id, std::string_view to, std::string_view detail,
                            std::string_view outcome = {},
                            const std::vector<DeliveryRecord>& deliveries = {}) = 0;
  // Several transitions of one file in one commit, in order, each at its own time: steps taken
  // in one go whose progress markers need no commit of their own.
  virtual Status Transitions(const std::string& id, const std::vector<StateChange>& changes) = 0;
  // What checking found: feed, hash, counts, business key, findings per rule; and, in the same
  // commit when `then` names a state, the transition to it (state, detail).
  virtual Status RecordCheck(const FileRecord& f, const std::vector<FindingCount>& findings,
                             const std::pair<std::string, std::string>& then) = 0;
  virtual Status RecordDelivery(const std::string& id, const DeliveryRecord& d) = 0;
  virtual Status RecordAction(const std::string& id, const ActionRecord& a) = 0;
  // An officer's decision, in one commit: records `a` and moves the file from `from` to `to`
  // (with `outcome` for a final state) only if it is still in `from`; kFailedPrecondition,
  // with nothing recorded, when someone else moved it first.
  virtual Status Decide(const std::string& id, std::string_view from, const ActionRecord& a,
                        std::string_view to, std::string_view detail, std::string_view outcome) = 0;
  // Walks the audit chain (audit.h) and compares it with the transitions and actions; with
  // `anchor`, a head recorded earlier (sequence number and hash), checks it is still there.
  virtual AuditVerdict VerifyAudit(
      const std::optional<std::pair<std::uint64_t, std::string>>& anchor) = 0;
  // The chain's last entry (sequence number and hash); {0, ""} when it is empty. Cheap: for
  // logging the head where the ledger's owner cannot rewrite it.
  virtual std::pair<std::uint64_t, std::string> AuditHead() = 0;

  virtual std::optional<FileRecord> Get(const std::string& id) = 0;
  virtual std::vector<FileRecord> List(const ListFilter& filter) = 0;
  // How many files are in `state` (monitoring: without reading their records).
  virtual std::uint64_t CountInState(std::string_view state) = 0;
  // Each route's latest received_at (ISO 8601 UTC), for routes that have had a file.
  virtual std::vector<std::pair<std::string, std::string>> LastReceivedByRoute() = 0;
  virtual std::vector<TransitionRecord> Transitions(const std::string& id) = 0;
  virtual std::vector<ActionRecord> Actions(const std::string& id) = 0;
  virtual std::vector<DeliveryRecord> Deliveries(const std::string& id) = 0;
  virtual std::vector<FindingCount> Findings(const std::string& id) = 0;
  // Files not in a final state, oldest first: what recovery must finish.
  virtual std::vector<FileRecord> Unfinished() = 0;
  // An accepted (archived or beyond) file other than `except` with this hash or business key.
  virtual std::optional<std::string> AcceptedWithHash(const std::string& sha256,
                                                      const std::string& except) = 0;
  virtual std::optional<std::string> AcceptedWithKey(const std::string& key,
                                                     const std::string& except) = 0;
  virtual std::vector<StatsRow> Stats(const std::string& since) = 0;

  // Items, written in batches while a file is checked; `first` replaces whatever an earlier,
  // interrupted attempt wrote for the file. They count once the file is accepted.
  virtual Status AddSubmittedItems(const std::string& id, const std::vector<SubmittedItemRow>& rows,
                                   bool first) = 0;
  virtual Status AddReturnedItems(const std::string& id, const std::vector<ReturnedItemRow>& rows,
                                  bool first) = 0;
  // The returned items of accepted reports whose report day is within [from, to] (ISO dates;
  // empty: unbounded), in report day, arrival and line order, each with its file.
  virtual std::vector<std::pair<FileRecord, ReturnedItemRow>> AcceptedReturns(
      const std::string& from, const std::string& to) = 0;
  // One file's returned items, in line order.
  virtual std::vector<ReturnedItemRow> ReturnedItemsOf(const std::string& id) = 0;
  // Accepted reports other than `except` that returned an item with this reference, amount,
  // original processing day and direction, oldest first (the same report may appear once per
  // such item).
  virtual std::vector<FileRecord> AcceptedReturnsOf(const ReturnedItemRow& item,
                                                    const std::string& except) = 0;
  // The payment items of accepted Standard 18 files processed on `day` (ISO), in arrival
  // and line order.
  virtual SubmittedDay AcceptedItemsOn(const std::string& day) = 0;
  // Forgets the items of processing days (sent) and report days (returned) before `before`
  // (ISO): personal data is kept no longer than reconciliation needs it. The files' own
  // records stay. Returns how many sent and returned items went.
  virtual Status PurgeItems(const std::string& before, std::uint64_t& sent,
                            std::uint64_t& returned) = 0;
  // Accepted Standard 18 files whose business key starts with `prefix`, in arrival order.
  virtual std::vector<FileRecord> AcceptedWithKeyPrefix(const std::string& prefix) = 0;
};

// Opens (creating if needed) the SQLite ledger at `path`: WAL mode, synchronous=NORMAL, which
// keeps the database consistent through any crash; a commit becomes durable at the next
// syncfs of its filesystem, which the spool makes (GroupSync) before relying on it. A caller
// that keeps the ledger elsewhere must sync it likewise.
std::unique_ptr<Ledger> OpenSqliteLedger(const std::string& path, Status& status);

// Whether the ledger file at `path` opens (read-only: never created) and answers a query;
// false with `why` when not. For health checks, from any thread.
bool SqliteLedgerAnswers(const std::string& path, std::string& why);

// Now as ISO 8601 UTC with milliseconds, e.g. 2026-11-23T15:40:12.123Z.
std::string NowIso();

}  // namespace rbgate::spool
