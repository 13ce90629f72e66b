// The ledger is the truth: every file's id, name, route, size, SHA-256, feed, state and each
// transition's time, its findings per rule, deliveries and operator actions. This interface
// is deliberately narrow so that a PostgreSQL ledger (several nodes, one spool) can stand in
// for the embedded SQLite one. Implementations are safe to call from several threads.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "schemas/feed_store.h"
#include "spool/audit.h"
#include "spool/status.h"

namespace rbgate::spool {

// File states. Final ones: delivered, quarantined (until an officer acts), rejected, vanished,
// cancelled. Parked ones wait for someone else: awaiting-approval for a second officer,
// forwarding for the forwarders (outbound items below).
// A file's states, in one table: the name each has on record and what it means to the
// pipeline. Whatever asks "is it final", "is it parked", "was its content accepted" reads the
// table, and so do the ledger's SQL lists (StateSqlList), so a new state is one line.
enum class FileState : std::uint8_t {
  kClaiming,          // row written, rename pending
  kClaimed,           // in work/<id>
  kAccepted,          // checked clean; to archive
  kArchived,          // archive written and verified
  kOutbound,          // outputs linked into outbound/
  kDelivered,         //
  kQuarantining,      //
  kQuarantined,       //
  kReleased,          // an officer released it; to archive
  kRejected,          //
  kVanished,          // removed by its writer before claim
  kAwaitingApproval,  // archived on a route that needs a second officer's approval
  kApproved,          // approved; to outbound
  kForwarding,        // network deliveries queued
  kCancelled,         // an operator cancelled a delivery
};
struct FileStateInfo {
  FileState state;
  std::string_view name;  // as the ledger records it
  bool final;             // nothing more happens to the file
  bool parked;            // waiting for someone else (a second officer, the forwarders)
  bool accepted;          // its content was accepted (checked clean, or released)
};
inline constexpr FileStateInfo kFileStates[] = {
    {FileState::kClaiming, "claiming", false, false, false},
    {FileState::kClaimed, "claimed", false, false, false},
    {FileState::kAccepted, "accepted", false, false, true},
    {FileState::kArchived, "archived", false, false, true},
    {FileState::kOutbound, "outbound", false, false, true},
    {FileState::kDelivered, "delivered", true, false, true},
    {FileState::kQuarantining, "quarantining", false, false, false},
    {FileState::kQuarantined, "quarantined", true, false, false},
    {FileState::kReleased, "released", false, false, true},
    {FileState::kRejected, "rejected", true, false, false},
    {FileState::kVanished, "vanished", true, false, false},
    {FileState::kAwaitingApproval, "awaiting-approval", false, true, true},
    {FileState::kApproved, "approved", false, false, true},
    {FileState::kForwarding, "forwarding", false, true, true},
    {FileState::kCancelled, "cancelled", true, false, true},
};
constexpr const FileStateInfo& InfoOf(FileState s) { return kFileStates[static_cast<int>(s)]; }
constexpr std::string_view NameOf(FileState s) { return InfoOf(s).name; }
// The state of that name; nullopt for none (a ledger written by a newer rbgate).
constexpr std::optional<FileState> FileStateNamed(std::string_view name) {
  for (const auto& i : kFileStates) {
    if (i.name == name) return i.state;
  }
  return std::nullopt;
}
constexpr bool IsFinal(std::string_view name) {
  const auto s = FileStateNamed(name);
  return s && InfoOf(*s).final;
}
constexpr bool IsParked(std::string_view name) {
  const auto s = FileStateNamed(name);
  return s && InfoOf(*s).parked;
}
// "('delivered', 'quarantined', ...)": the names of the states `pick` holds for, for SQL.
std::string StateSqlList(bool (*pick)(const FileStateInfo&));

// The states' names as constants, for comparing and recording.
namespace state {
inline constexpr std::string_view kClaiming = NameOf(FileState::kClaiming);
inline constexpr std::string_view kClaimed = NameOf(FileState::kClaimed);
inline constexpr std::string_view kAccepted = NameOf(FileState::kAccepted);
inline constexpr std::string_view kArchived = NameOf(FileState::kArchived);
inline constexpr std::string_view kOutbound = NameOf(FileState::kOutbound);
inline constexpr std::string_view kDelivered = NameOf(FileState::kDelivered);
inline constexpr std::string_view kQuarantining = NameOf(FileState::kQuarantining);
inline constexpr std::string_view kQuarantined = NameOf(FileState::kQuarantined);
inline constexpr std::string_view kReleased = NameOf(FileState::kReleased);
inline constexpr std::string_view kRejected = NameOf(FileState::kRejected);
inline constexpr std::string_view kVanished = NameOf(FileState::kVanished);
inline constexpr std::string_view kAwaitingApproval = NameOf(FileState::kAwaitingApproval);
inline constexpr std::string_view kApproved = NameOf(FileState::kApproved);
inline constexpr std::string_view kForwarding = NameOf(FileState::kForwarding);
inline constexpr std::string_view kCancelled = NameOf(FileState::kCancelled);
}  // namespace state

// Outbound items (one output for one network destination) and their states.
namespace outbound {
inline constexpr std::string_view kQueued = "queued";        // waiting for its time (next_at_ms)
inline constexpr std::string_view kSending = "sending";      // a forwarder has it
inline constexpr std::string_view kDelivered = "delivered";  // the destination confirmed it
inline constexpr std::string_view kRefused = "refused";      // the destination refused it (4xx)
inline constexpr std::string_view kCancelled = "cancelled";  // an operator cancelled it
}  // namespace outbound

struct FileRecord {
  std::string id, name, route, feed, sha256, state, outcome, reason, business_key;
  std::string received_at, updated_at;  // ISO 8601 UTC
  std::string dropped_by;               // the OS user who owned it in the drop folder
  std::string node;                     // the node working on it or that finished it ("": one)
  // The schema that judged it (FileReport::schema_version, schema_sha256); empty for built-in
  // feeds.
  std::string schema_version, schema_sha256;
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
// One output waiting for (or done with) one network destination. `id` is what operators name.
struct OutboundItem {
  std::uint64_t id = 0;
  std::string file_id, destination, name, sha256, state, last_error, created_at, updated_at;
  std::uint64_t size = 0, attempts = 0;
  std::int64_t next_at_ms = 0;  // not tried before this (Unix ms)
};

// How one delivery attempt ended.
struct AttemptResult {
  enum class Kind { kDelivered, kRetry, kRefused };
  Kind kind = Kind::kRetry;
  std::string reason;            // a short class for counting: timeout, connect, tls, http-503...
  std::string detail;            // plain English for the operator; never a secret
  std::int64_t retry_at_ms = 0;  // kRetry: when to try again
};

// Per destination, for `rbgate stats` and /metrics.
struct OutboundStats {
  std::string destination;
  std::uint64_t queued = 0;      // queued or being sent now
  std::string oldest_queued_at;  // the oldest of those's creation (ISO); empty when none
  std::uint64_t attempts = 0, delivered = 0, refused = 0;
  std::vector<std::pair<std::string, std::uint64_t>> failures;  // by reason
};

struct FindingCount {
  std::string rule, severity;
  std::uint64_t count = 0;
};

// Notices (gateway/notify): one event told to one channel, queued in the ledger so that a
// channel that cannot be reached delays its notices and loses none, and each one sent is on
// record. States: queued (waiting for next_at_ms), sending (a node has it), sent, expired (not
// sent after the notifier gave up: on record as such).
namespace notice {
inline constexpr std::string_view kQueued = "queued";
inline constexpr std::string_view kSending = "sending";
inline constexpr std::string_view kSent = "sent";
inline constexpr std::string_view kExpired = "expired";
}  // namespace notice

struct NoticeRecord {
  std::uint64_t id = 0;
  std::string channel, event, route, feed, file_id, summary;
  std::string raised_at;  // ISO 8601 UTC
  std::string state, last_error, sent_at, message_id;
  std::uint64_t attempts = 0;
  std::int64_t next_at_ms = 0;  // not sent before this (Unix ms): a digest's window, a backoff
};

struct NoticeFilter {
  std::string file_id;   // empty: any
  std::string since;     // raised at or after (ISO); empty: all
  bool pending = false;  // queued or sending only
  std::size_t limit = 0;
};

// Per channel, for `rbgate notify list` and /metrics.
struct NoticeStats {
  std::string channel;
  std::uint64_t queued = 0, sent = 0, expired = 0;
  std::string oldest_queued_at;  // empty when none queued
  std::string last_sent_at;
};

// A file entering a state, as the audit chain has it, with the facts a notice may carry.
struct ChainEvent {
  std::uint64_t seq = 0;
  std::string at, state;
  FileRecord file;
  std::vector<FindingCount> findings;
};
struct ChainEvents {
  std::uint64_t from = 0, to = 0;  // the cursor now, and where these events move it
  std::vector<ChainEvent> events;
};

// The queue of notices, and the cursor by which files' events in the audit chain become
// notices exactly once however many nodes look.
class NoticeQueue {
 public:
  virtual ~NoticeQueue() = default;
  // Queues notices now (events that are not files' transitions: a feed late, a circuit open).
  virtual Status AddNotices(const std::vector<NoticeRecord>& notices) = 0;
  // The chain's transitions into `states` after the notice cursor, at most `limit` entries
  // read. A ledger whose cursor was never set has it set at the chain's head (what happened
  // before notices were configured is not announced) and returns none.
  virtual StatusOr<ChainEvents> ChainEventsSince(const std::vector<std::string>& states,
                                                 std::size_t limit) = 0;
  // Queues `notices` and moves the cursor from `from` to `to`, in one commit; kAborted, with
  // nothing queued, when another node moved it first.
  virtual Status AdvanceNotices(std::uint64_t from, std::uint64_t to,
                                const std::vector<NoticeRecord>& notices) = 0;
  // The notices of `channel` to send now, marked sending by this node: the first due (next_at
  // <= now_ms), and with `gather` every other queued one too (a digest), at most `max`.
  virtual std::vector<NoticeRecord> TakeNotices(const std::string& channel, std::int64_t now_ms,
                                                bool gather, std::size_t max) = 0;
  // After an attempt at `taken`: sent (with the message's id), or queued again for
  // `retry_at_ms` with `error`, or, with `give_up`, expired.
  struct NoticeOutcome {
    bool sent = false, give_up = false;
    std::string error, message_id;
    std::int64_t retry_at_ms = 0;
  };
  virtual Status FinishNotices(const std::vector<NoticeRecord>& taken,
                               const NoticeOutcome& outcome) = 0;
  // This node's notices left sending by a stop or a crash: queued again, due now.
  virtual Status RequeueSendingNotices() = 0;
  virtual std::vector<NoticeRecord> ListNotices(const NoticeFilter& filter) = 0;
  virtual std::vector<NoticeStats> NoticeStatsByChannel() = 0;
};

// Files collected from sources (gateway/collect): one row for each remote file collected,
// remembered so that none is collected twice. States: dropped (in the route's drop folder; the
// remote side untouched), done (the spool holds it and the remote side was changed as the
// source says: deleted, moved or kept), unchanged (collected again under a new time with the
// same bytes: not dropped, only remembered).
namespace collected {
inline constexpr std::string_view kDropped = "dropped";
inline constexpr std::string_view kDone = "done";
inline constexpr std::string_view kUnchanged = "unchanged";
}  // namespace collected

struct CollectedRecord {
  std::uint64_t id = 0;
  std::string source, remote_name;
  std::uint64_t size = 0;
  std::string mtime;  // as the server lists it
  std::string sha256, route, local_name, state, file_id, collected_at, finished_at, last_error;
};

struct SourceStats {
  std::string source;
  std::uint64_t collected = 0, bytes = 0, waiting = 0;  // waiting: dropped, remote not yet changed
  std::string last_collected_at;
};

class Collections {
 public:
  virtual ~Collections() = default;
  // Records a file collected (id set); kAborted when this source already has this remote
  // file (name, size and time): another node collected it first.
  virtual Status AddCollected(CollectedRecord& r) = 0;
  // A source's files: those dropped and not done (`pending`), or every one, oldest first.
  virtual std::vector<CollectedRecord> CollectedOf(const std::string& source, bool pending) = 0;
  // Done (with the spool's file id), or still dropped with `error` on record.
  virtual Status FinishCollected(std::uint64_t id, bool done, const std::string& file_id,
                                 const std::string& error) = 0;
  // The spool's file for a collected file: received on `route` as `name`, `size` bytes, at or
  // after `since` (ISO).
  virtual std::optional<std::string> HeldFile(const std::string& route, const std::string& name,
                                              std::uint64_t size, const std::string& since) = 0;
  virtual std::vector<SourceStats> SourceStatsAll() = 0;
};

// A console session, kept so that a restart signs nobody out: known by its id's SHA-256 (the
// id itself, the browser's cookie, is never stored). Times are Unix milliseconds.
struct SessionRecord {
  std::string id_sha256, user, csrf;
  std::int64_t started_ms = 0, seen_ms = 0;
};

class SessionStore {
 public:
  virtual ~SessionStore() = default;
  virtual Status AddSession(const SessionRecord& s) = 0;
  // The session, or nullopt when there is none (or the ledger did not answer).
  virtual std::optional<SessionRecord> GetSession(const std::string& id_sha256) = 0;
  virtual Status TouchSession(const std::string& id_sha256, std::int64_t seen_ms) = 0;
  virtual Status EndSession(const std::string& id_sha256) = 0;
  // Every session of `user` ended; how many there were.
  virtual StatusOr<std::uint64_t> EndSessionsOf(const std::string& user) = 0;
  // Sessions unused since `seen_before_ms` or started before `started_before_ms` removed.
  virtual Status PurgeSessions(std::int64_t seen_before_ms, std::int64_t started_before_ms) = 0;
};

// A node on a shared ledger (several nodes, one spool).
struct NodeRecord {
  std::string node, host;
  std::uint64_t pid = 0;
  std::string started_at;
  std::int64_t lease_until_ms = 0;
  std::uint64_t unfinished = 0;  // its files not yet in a final state
};

struct StatsRow {
  std::string feed, hour, outcome, node;
  std::uint64_t files = 0, bytes = 0, records = 0;
};

// A file's items on their way to the ledger, gathered by kind and day into the text the
// ledger keeps ('line TAB text' lines): a large payment file has millions, and this way none
// costs an allocation of its own.
class ItemBatch {
 public:
  struct Block {
    std::string kind, day;
    std::uint64_t first_line = 0, count = 0;
    std::string lines;
  };
  void Add(std::string_view kind, std::uint64_t line, std::string_view day, std::string_view text);
  void Add(std::string_view kind, const schemas::StoredItem& item) {
    Add(kind, item.line, item.day, item.text);
  }
  static constexpr std::uint64_t kMaxBlock = 16384;  // items in a block, at most
  std::uint64_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  const std::vector<Block>& blocks() const noexcept { return blocks_; }

 private:
  std::vector<Block> blocks_;  // items come in runs of one kind and day: the last is tried first
  std::uint64_t size_ = 0;
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
  std::string at;                   // ISO 8601 UTC
  std::vector<OutboundItem> queue;  // outbound items queued in the same commit
};

// The outbound queue: one output for one network destination, each sent by one forwarder.
class OutboundQueue {
 public:
  virtual ~OutboundQueue() = default;
  // The outbound queue. Items are queued by Transitions (StateChange::queue), in the commit
  // that parks their file in `forwarding`; an item queued again after a refusal or a
  // cancellation starts afresh, one queued or done is left as it is.
  //
  // The next item due for `destination` at `now_ms`, marked sending (one more attempt).
  virtual std::optional<OutboundItem> TakeOutbound(const std::string& destination,
                                                   std::int64_t now_ms) = 0;
  // When the next queued item for `destination` falls due (Unix ms); nullopt when none.
  virtual std::optional<std::int64_t> NextOutboundAt(const std::string& destination) = 0;
  // Records an attempt and its result, in one commit with what follows from it: delivered,
  // the delivery on the file's record and, with nothing left to send, the file delivered (or
  // cancelled); refused, the file to `quarantining`; retry, the item queued again at
  // retry_at_ms. `file_state`: the file's new state when this commit changed it (delivered,
  // cancelled, quarantining), else empty; exactly one caller sees each change.
  virtual Status FinishOutbound(const OutboundItem& item, const AttemptResult& r,
                                std::string& file_state) = 0;
  // Items left `sending` by a forwarder that stopped (a crash): queued again, due now.
  virtual Status RequeueSending() = 0;
  virtual std::optional<OutboundItem> GetOutbound(std::uint64_t id) = 0;
  // One file's items, in the order they were queued.
  virtual std::vector<OutboundItem> OutboundOf(const std::string& file_id) = 0;
  // Queued and sending items, oldest first; with `all`, every item since `since` (ISO).
  virtual std::vector<OutboundItem> ListOutbound(bool all, const std::string& since) = 0;
  // Items (other than `except`) still to send under this destination and name.
  virtual std::uint64_t PendingOutboundNamed(const std::string& destination,
                                             const std::string& name, std::uint64_t except) = 0;
  // An operator's retry (due now) or cancellation of a queued item, with the action on the
  // file's record in the same commit. Cancelling the last item to send settles the file.
  virtual Status RetryOutbound(std::uint64_t id, const ActionRecord& a, std::int64_t now_ms) = 0;
  virtual Status CancelOutbound(std::uint64_t id, const ActionRecord& a,
                                std::string& file_state) = 0;  // file_state as FinishOutbound
  // Per destination: what waits, and the attempts since `since` (ISO) by outcome and reason.
  virtual std::vector<OutboundStats> OutboundStatsSince(const std::string& since) = 0;
};

// The ledger is four interfaces, one per concern, each implemented by its own part
// (ledger_sql_*.cc): the files with their history and audit chain (below), the outbound
// queue, the notices, and the records feeds keep (schemas/feed_store.h: schemas::FeedRecords,
// which the ledger keeps without knowing what they mean).
class Ledger : public schemas::FeedRecords,
               public OutboundQueue,
               public NoticeQueue,
               public Collections,
               public SessionStore {
 public:
  ~Ledger() override = default;

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
  // `states`: what the acceptance records for the file's feed (family, key, summary, state;
  // schemas::Settlement), in the same commit (only when `then` names a state).
  virtual Status RecordCheck(const FileRecord& f, const std::vector<FindingCount>& findings,
                             const std::pair<std::string, std::string>& then,
                             const std::vector<schemas::StoredState>& states = {}) = 0;
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

  // Several nodes on one ledger. Join: this process is node `node` (on `host`) from now on,
  // its lease lasting `lease_ms`; the files it claims and the items it sends are its own, and
  // no other node touches them while the lease lasts. Refused when a node of that name on
  // another host holds a lease. Without Join, a ledger writes as node "" (one node).
  virtual Status Join(const std::string& node, const std::string& host, std::int64_t lease_ms) = 0;
  // Extends the lease; refused when it has already run out (the node must join again).
  virtual Status Renew(std::int64_t lease_ms) = 0;
  // The unfinished files of nodes whose lease ran out, now this node's (each with a transition
  // saying so), their items being sent queued again: to resume as recovery does.
  virtual StatusOr<std::vector<FileRecord>> AdoptExpired() = 0;
  // Whether this node does the work done once for the whole gateway: the live node with the
  // smallest name, so it moves when that node dies.
  virtual bool Leads() = 0;
  virtual std::vector<NodeRecord> Nodes() = 0;

  virtual std::optional<FileRecord> Get(const std::string& id) = 0;
  // Whether the ledger answers now (a lookup that found nothing may have been a ledger that
  // did not answer: a server restarting).
  virtual Status Answers() = 0;
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

  // A feed's items (schemas::StoredItem), written in batches while a file is checked; `first`
  // replaces whatever an earlier, interrupted attempt wrote for the file, of any kind. They
  // count once the file is accepted.
  virtual Status AddItems(const std::string& id, const ItemBatch& items, bool first) = 0;
  Status AddItems(const std::string& id, std::string_view kind,
                  const std::vector<schemas::StoredItem>& items, bool first) {
    ItemBatch batch;
    for (const auto& i : items) batch.Add(kind, i);
    return AddItems(id, batch, first);
  }
  // Forgets the items filed under days before `before` (ISO): personal data is kept no longer
  // than matching needs it. The files' own records stay. How many went, by kind.
  virtual StatusOr<std::map<std::string, std::uint64_t>> PurgeItems(const std::string& before) = 0;
};

// Opens (creating if needed) the SQLite ledger at `path`: WAL mode, synchronous=NORMAL, which
// keeps the database consistent through any crash; a commit becomes durable at the next
// syncfs of its filesystem, which the spool makes (GroupSync) before relying on it. A caller
// that keeps the ledger elsewhere must sync it likewise.
StatusOr<std::unique_ptr<Ledger>> OpenSqliteLedger(const std::string& path);

// Where the ledger is kept: the embedded SQLite file in the spool root (the default), or a
// PostgreSQL database that several nodes share.
struct LedgerLocation {
  std::string url;       // postgresql://... (libpq's URL or key=value string); empty: SQLite
  std::string password;  // PostgreSQL's, from a file or the environment; never configured
  bool postgres() const { return !url.empty(); }
  // What to call it in messages: the URL, or the SQLite file's path.
  std::string Describe(const std::string& root) const;
};

// Whether `url` names a PostgreSQL database (postgresql:// or postgres://).
inline bool IsPostgresUrl(std::string_view url) {
  return url.starts_with("postgresql://") || url.starts_with("postgres://");
}

// Whether `url` is a connection string libpq reads and holds no password; why not.
Status CheckLedgerUrl(const std::string& url);

// Connects to the PostgreSQL ledger at `url` (no password in it: `password`, or libpq's own
// PGPASSWORD and ~/.pgpass), creating its tables or bringing them to this rbgate's schema
// version. TLS and other connection options pass through in the URL (sslmode=verify-full,
// sslrootcert=...). Every commit is durable when it returns.
StatusOr<std::unique_ptr<Ledger>> OpenPostgresLedger(const std::string& url,
                                                     const std::string& password);

// The ledger `where` names for spool `root`: SQLite at ROOT/ledger.db, or PostgreSQL.
StatusOr<std::unique_ptr<Ledger>> OpenLedgerAt(const LedgerLocation& where,
                                               const std::string& root);

// Whether the ledger opens (SQLite: read-only, never created) and answers a query; why not when
// it does not. For health checks, from any thread.
Status LedgerAnswers(const LedgerLocation& where, const std::string& root);

// Statements the ledger has run in this process (on PostgreSQL, each a round trip).
std::uint64_t LedgerStatements();

// Now as ISO 8601 UTC with milliseconds, e.g. 2026-11-23T15:40:12.123Z.
std::string NowIso();
// Now as milliseconds since the Unix epoch (the outbound queue's clock).
std::int64_t UnixMs();
// A ledger time (2026-11-23T15:59:29.586Z) as milliseconds since the Unix epoch; 0 when it
// is not one.
std::int64_t UnixMsFromIso(const std::string& iso);
// Milliseconds since the Unix epoch as ISO 8601 UTC (2026-11-23T15:59:29.586Z).
std::string IsoFromUnixMs(std::int64_t ms);
// A ledger time as people in the UK read it in a listing, in local time to the minute:
// "2026-12-06 14:34" (never "12-06", which reads as 12 June). `iso` itself when it is not one.
std::string ListedTime(const std::string& iso);

// A ledger record as one JSON object (the operator's --format json, the console's API).
std::string FileJson(const FileRecord& f);

}  // namespace rbgate::spool
