// The ledger over SQL (sql.h): the embedded SQLite file in the spool root, or PostgreSQL for
// several nodes. Both backends run this code; their differences are in sql_*.cc and
// ledger_sql_schema.cc.
#include <fmt/format.h>
#include <unistd.h>
#include <zstd.h>

#include <charconv>
#include <chrono>
#include <ctime>
#include <map>
#include <memory>
#include <mutex>

#include "spool/audit_sql.h"
#include "spool/ledger.h"
#include "spool/ledger_sql_collected.h"
#include "spool/ledger_sql_db.h"
#include "spool/ledger_sql_history.h"
#include "spool/ledger_sql_notices.h"
#include "spool/ledger_sql_outbound.h"
#include "spool/ledger_sql_records.h"
#include "spool/ledger_sql_schema.h"
#include "spool/ledger_sql_sessions.h"
#include "spool/sql.h"

namespace rbgate::spool {

namespace {

using ledger_sql::kFileColumns;
using ledger_sql::ReadFile;
using ledger_sql::Stmt;

const std::string& kAcceptedStates = ledger_sql::AcceptedStatesSql();
// Files recovery must finish: neither final nor parked.
const std::string kUnfinishedStates =
    StateSqlList([](const FileStateInfo& i) { return !i.final && !i.parked; });

class SqlLedger final : public Ledger {
 public:
  SqlLedger(std::unique_ptr<sql::Connection> c, ledger_sql::Db::Opener more, std::size_t size)
      : d_(std::move(c), std::move(more), size) {}

  Status AddFile(const FileRecord& f) override {
    ledger_sql::Db::Use use(d_);
    const std::string now = NowIso();
    return Txn("add file", [&] {
      Stmt s(d_.c(),
             "INSERT INTO files (id, name, route, size, state, received_at, updated_at, "
             "dropped_by, node) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
      Status st = s.Bind(1, f.id)
                      .Bind(2, f.name)
                      .Bind(3, f.route)
                      .Bind(4, f.size)
                      .Bind(5, state::kClaiming)
                      .Bind(6, now)
                      .Bind(7, now)
                      .Bind(8, f.dropped_by)
                      .Bind(9, d_.node())
                      .Run("add file");
      if (!st.ok()) return st;
      return history_.AddTransition(f.id, now, state::kClaiming, "found in incoming/" + f.route);
    });
  }

  Status Transition(const std::string& id, std::string_view to, std::string_view detail,
                    std::string_view outcome,
                    const std::vector<DeliveryRecord>& deliveries) override {
    ledger_sql::Db::Use use(d_);
    const std::string now = NowIso();
    return Txn("transition",
               [&] { return history_.Change(id, to, detail, outcome, deliveries, now); });
  }

  Status Transitions(const std::string& id, const std::vector<StateChange>& changes) override {
    ledger_sql::Db::Use use(d_);
    return Txn("transitions", [&] {
      for (const auto& c : changes) {
        if (Status st = history_.Change(id, c.to, c.detail, c.outcome, c.deliveries, c.at);
            !st.ok()) {
          return st;
        }
        for (const auto& o : c.queue) {
          if (Status st = outbound_.Queue(id, o, c.at); !st.ok()) return st;
        }
      }
      return Status::Ok();
    });
  }

  Status RecordCheck(const FileRecord& f, const std::vector<FindingCount>& findings,
                     const std::pair<std::string, std::string>& then,
                     const std::vector<schemas::StoredState>& states) override {
    ledger_sql::Db::Use use(d_);
    const std::string now = NowIso();
    return Txn("record check", [&] {
      Stmt s(d_.c(),
             "UPDATE files SET feed = ?, sha256 = ?, size = ?, records = ?, errors = ?, "
             "warnings = ?, business_key = ?, updated_at = ?, schema_version = ?, "
             "schema_sha256 = ? WHERE id = ? AND node IN (?12, '')");
      Status st = s.Bind(1, f.feed)
                      .Bind(2, f.sha256)
                      .Bind(3, f.size)
                      .Bind(4, f.records)
                      .Bind(5, f.errors)
                      .Bind(6, f.warnings)
                      .Bind(7, f.business_key)
                      .Bind(8, NowIso())
                      .Bind(9, f.schema_version)
                      .Bind(10, f.schema_sha256)
                      .Bind(11, f.id)
                      .Bind(12, d_.node())
                      .Run("record check");
      if (!st.ok()) return st;
      if (s.Changes() != 1) return history_.NotHeld(f.id);
      Stmt del(d_.c(), "DELETE FROM findings WHERE file_id = ?");
      if (st = del.Bind(1, f.id).Run("record findings"); !st.ok()) return st;
      Stmt add(d_.c(), "INSERT INTO findings (file_id, rule, severity, count) VALUES (?, ?, ?, ?)");
      for (const auto& c : findings) {
        st = add.Bind(1, f.id)
                 .Bind(2, c.rule)
                 .Bind(3, c.severity)
                 .Bind(4, c.count)
                 .Run("record findings");
        if (!st.ok()) return st;
      }
      if (then.first.empty()) return Status::Ok();
      if (st = records_.AddStates(f.id, states, now); !st.ok()) return st;
      Stmt t(d_.c(), "UPDATE files SET state = ?, updated_at = ? WHERE id = ?");
      if (st = t.Bind(1, then.first).Bind(2, now).Bind(3, f.id).Run("transition"); !st.ok()) {
        return st;
      }
      return history_.AddTransition(f.id, now, then.first, then.second);
    });
  }

  Status RecordAction(const std::string& id, const ActionRecord& a) override {
    ledger_sql::Db::Use use(d_);
    const std::string at = a.at.empty() ? NowIso() : a.at;
    return Txn("record action", [&] { return history_.AddAction(id, a, at); });
  }

  Status Decide(const std::string& id, std::string_view from, const ActionRecord& a,
                std::string_view to, std::string_view detail, std::string_view outcome) override {
    ledger_sql::Db::Use use(d_);
    const std::string at = a.at.empty() ? NowIso() : a.at;
    // One write transaction: the state read here is the state changed, whoever else acts.
    return Txn("record action", [&] {
      std::string state;
      {
        Stmt cur(d_.c(), "SELECT state FROM files WHERE id = ?");
        cur.Bind(1, id);
        if (cur.Step() != sql::kRow) return Error(Code::kNotFound, "no file " + id);
        state = cur.Text(0);
      }
      if (state != from) {
        return Error(Code::kFailedPrecondition,
                     fmt::format("{} is {}, not {}: someone acted on it first", id, state, from));
      }
      if (Status st = history_.AddAction(id, a, at); !st.ok()) return st;
      return history_.Change(id, to, detail, outcome, {}, at);
    });
  }

  std::pair<std::uint64_t, std::string> AuditHead() override {
    ledger_sql::Db::Use use(d_);
    Stmt last(d_.c(), "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1");
    if (last.Step() != sql::kRow) return {0, ""};
    return {last.Int(0), last.Text(1)};
  }

  AuditVerdict VerifyAudit(
      const std::optional<std::pair<std::uint64_t, std::string>>& anchor) override {
    ledger_sql::Db::Use use(d_);
    // One read transaction: the chain and the tables it mirrors as of one moment.
    if (Status st = d_.c().BeginRead("verify the audit chain"); !st.ok()) {
      AuditVerdict verdict;
      verdict.problems.push_back({0, "", "", st.message});
      return verdict;
    }
    AuditVerdict verdict = VerifyAuditChain(d_.c(), anchor);
    d_.c().Rollback();  // nothing was written
    return verdict;
  }

  std::optional<FileRecord> Get(const std::string& id) override {
    ledger_sql::Db::Use use(d_);
    Stmt s(d_.c(), fmt::format("SELECT {} FROM files WHERE id = ?", kFileColumns));
    s.Bind(1, id);
    if (s.Step() != sql::kRow) return std::nullopt;
    return ReadFile(s);
  }

  Status Join(const std::string& node, const std::string& host, std::int64_t lease_ms) override {
    ledger_sql::Db::Use use(d_);
    d_.set_node(node);
    const std::int64_t until = UnixMs() + lease_ms;
    return Txn("join", [&] {
      Stmt live(d_.c(), "SELECT host, lease_until FROM nodes WHERE node = ?");
      if (live.Bind(1, node).Step() == sql::kRow && live.Text(0) != host &&
          static_cast<std::int64_t>(live.Int(1)) > UnixMs()) {
        return Error(Code::kFailedPrecondition,
                     fmt::format("node {} is running on {} (its lease lasts until {}): each node "
                                 "needs a name of its own ([daemon] node)",
                                 node, live.Text(0), IsoFromUnixMs(live.Int(1))));
      }
      live.Reset();
      Stmt s(d_.c(),
             "INSERT INTO nodes (node, host, pid, started_at, lease_until) VALUES (?1, ?2, ?3, "
             "?4, ?5) ON CONFLICT (node) DO UPDATE SET host = ?2, pid = ?3, started_at = ?4, "
             "lease_until = ?5");
      return s.Bind(1, node)
          .Bind(2, host)
          .Bind(3, static_cast<std::uint64_t>(::getpid()))
          .Bind(4, NowIso())
          .Bind(5, static_cast<std::uint64_t>(until))
          .Run("join");
    });
  }

  Status Renew(std::int64_t lease_ms) override {
    ledger_sql::Db::Use use(d_);
    // Only while the lease still holds: a node whose lease ran out may have had its files
    // adopted, and must not go on as if it had not (it joins again).
    Stmt s(d_.c(), "UPDATE nodes SET lease_until = ?1 WHERE node = ?2 AND lease_until >= ?3");
    const std::int64_t now = UnixMs();
    if (Status st = s.Bind(1, static_cast<std::uint64_t>(now + lease_ms))
                        .Bind(2, d_.node())
                        .Bind(3, static_cast<std::uint64_t>(now))
                        .Run("renew the lease");
        !st.ok()) {
      return st;
    }
    if (s.Changes() == 0) {
      return Error(Code::kFailedPrecondition,
                   "this node's lease ran out: its files in flight may be another node's now");
    }
    return Status::Ok();
  }

  StatusOr<std::vector<FileRecord>> AdoptExpired() override {
    ledger_sql::Db::Use use(d_);
    std::vector<FileRecord> adopted;
    const std::int64_t now = UnixMs();
    const std::string at = NowIso();
    // Every node looks every rescan, and nearly always there is nothing to take: one read says
    // so without the writers' lock. Something to do is a dead node holding unfinished files or
    // items being sent, or one gone for a day, to forget.
    {
      Stmt any(d_.c(),
               fmt::format("SELECT 1 FROM nodes n WHERE lease_until < ?1 AND node != ?2 AND "
                           "(lease_until < ?3 OR EXISTS (SELECT 1 FROM files f WHERE f.node = "
                           "n.node AND f.state IN {}) OR EXISTS (SELECT 1 FROM outbound o WHERE "
                           "o.node = n.node AND o.state = ?4) OR EXISTS (SELECT 1 FROM notices x "
                           "WHERE x.node = n.node AND x.state = ?5)) LIMIT 1",
                           kUnfinishedStates));
      any.Bind(1, static_cast<std::uint64_t>(now))
          .Bind(2, d_.node())
          .Bind(3, static_cast<std::uint64_t>(now - 86'400'000))
          .Bind(4, outbound::kSending)
          .Bind(5, notice::kSending);
      const sql::StepResult rc = any.Step();
      if (rc == sql::kDone) return adopted;
      if (rc != sql::kRow) return any.Why("look for nodes to adopt from");
    }
    Status st = Txn("adopt", [&] {
      std::vector<std::pair<std::string, std::int64_t>> dead;
      {
        Stmt s(d_.c(), "SELECT node, lease_until FROM nodes WHERE lease_until < ?1 AND node != ?2");
        s.Bind(1, static_cast<std::uint64_t>(now)).Bind(2, d_.node());
        while (s.Step() == sql::kRow) dead.emplace_back(s.Text(0), s.Int(1));
      }
      for (const auto& [node, until] : dead) {
        std::vector<FileRecord> files;
        {
          Stmt s(d_.c(), fmt::format("SELECT {} FROM files WHERE node = ?1 AND state IN {} "
                                     "ORDER BY received_at, id",
                                     kFileColumns, kUnfinishedStates));
          s.Bind(1, node);
          while (s.Step() == sql::kRow) files.push_back(ReadFile(s));
        }
        {
          Stmt take(d_.c(),
                    fmt::format("UPDATE files SET node = ?1 WHERE node = ?2 AND state IN {}",
                                kUnfinishedStates));
          if (Status t = take.Bind(1, d_.node()).Bind(2, node).Run("adopt"); !t.ok()) return t;
        }
        for (auto& f : files) {
          // On record as a transition to the state it is in, by its new node.
          if (Status c = history_.Change(
                  f.id, f.state,
                  fmt::format("adopted by node {} from node {}, whose lease ran out at {}",
                              d_.node(), node, IsoFromUnixMs(until)),
                  {}, {}, at);
              !c.ok()) {
            return c;
          }
          adopted.push_back(std::move(f));
        }
        if (Status r = outbound_.RequeueOf(node, at); !r.ok()) return r;
        if (Status r = notices_.RequeueOf(node); !r.ok()) return r;
        // Listed with its lease run out (rbgate nodes, /metrics) until a day has passed.
        Stmt gone(d_.c(), "DELETE FROM nodes WHERE node = ?1 AND lease_until < ?2");
        if (Status g = gone.Bind(1, node)
                           .Bind(2, static_cast<std::uint64_t>(now - 86'400'000))
                           .Run("forget a node gone for a day");
            !g.ok()) {
          return g;
        }
      }
      return Status::Ok();
    });
    if (!st.ok()) return st;
    return adopted;
  }

  bool Leads() override {
    ledger_sql::Db::Use use(d_);
    Stmt s(d_.c(), "SELECT min(node) FROM nodes WHERE lease_until >= ?1");
    if (s.Bind(1, static_cast<std::uint64_t>(UnixMs())).Step() != sql::kRow || s.IsNull(0)) {
      return d_.node().empty();
    }
    return s.Text(0) == d_.node();
  }

  std::vector<NodeRecord> Nodes() override {
    ledger_sql::Db::Use use(d_);
    Stmt s(d_.c(), fmt::format("SELECT node, host, pid, started_at, lease_until, (SELECT count(*) "
                               "FROM files f WHERE f.node = n.node AND f.state IN {}) FROM nodes n "
                               "ORDER BY node",
                               kUnfinishedStates));
    std::vector<NodeRecord> out;
    while (s.Step() == sql::kRow) {
      out.push_back({s.Text(0), s.Text(1), s.Int(2), s.Text(3), static_cast<std::int64_t>(s.Int(4)),
                     s.Int(5)});
    }
    return out;
  }

  Status Answers() override {
    ledger_sql::Db::Use use(d_);
    Stmt s(d_.c(), "SELECT 1");
    return s.Step() == sql::kRow ? Status::Ok() : s.Why("answer");
  }

  std::vector<FileRecord> List(const ListFilter& f) override {
    ledger_sql::Db::Use use(d_);
    std::string sql = fmt::format(
        "SELECT {} FROM files WHERE (?1 = '' OR state = ?1) AND (?2 = '' OR feed = ?2) AND "
        "(?3 = '' OR received_at >= ?3) ORDER BY received_at, id",
        kFileColumns);
    if (f.limit > 0) sql += fmt::format(" LIMIT {}", f.limit);
    Stmt s(d_.c(), sql);
    s.Bind(1, f.state).Bind(2, f.feed).Bind(3, f.since);
    std::vector<FileRecord> out;
    while (s.Step() == sql::kRow) out.push_back(ReadFile(s));
    return out;
  }

  std::uint64_t CountInState(std::string_view state) override {
    ledger_sql::Db::Use use(d_);
    Stmt s(d_.c(), "SELECT count(*) FROM files WHERE state = ?");
    s.Bind(1, state);
    return s.Step() == sql::kRow ? s.Int(0) : 0;
  }

  std::vector<std::pair<std::string, std::string>> LastReceivedByRoute() override {
    ledger_sql::Db::Use use(d_);
    Stmt s(d_.c(), "SELECT route, max(received_at) FROM files GROUP BY route");
    std::vector<std::pair<std::string, std::string>> out;
    while (s.Step() == sql::kRow) out.emplace_back(s.Text(0), s.Text(1));
    return out;
  }

  std::vector<TransitionRecord> Transitions(const std::string& id) override {
    return PerFile<TransitionRecord>(
        "SELECT at, state, detail FROM transitions WHERE file_id = ? ORDER BY rowid", id,
        [](Stmt& s) {
          return TransitionRecord{s.Text(0), s.Text(1), s.Text(2)};
        });
  }

  std::vector<ActionRecord> Actions(const std::string& id) override {
    return PerFile<ActionRecord>(
        "SELECT at, \"user\", action, reason FROM actions WHERE file_id = ? ORDER BY rowid", id,
        [](Stmt& s) {
          return ActionRecord{s.Text(0), s.Text(1), s.Text(2), s.Text(3)};
        });
  }

  std::vector<DeliveryRecord> Deliveries(const std::string& id) override {
    return PerFile<DeliveryRecord>(
        "SELECT destination, name, status, at FROM deliveries WHERE file_id = ? ORDER BY rowid", id,
        [](Stmt& s) {
          return DeliveryRecord{s.Text(0), s.Text(1), s.Text(2), s.Text(3)};
        });
  }

  std::vector<FindingCount> Findings(const std::string& id) override {
    return PerFile<FindingCount>(
        "SELECT rule, severity, count FROM findings WHERE file_id = ? ORDER BY rule", id,
        [](Stmt& s) {
          return FindingCount{s.Text(0), s.Text(1), s.Int(2)};
        });
  }

  std::vector<FileRecord> Unfinished() override {
    ledger_sql::Db::Use use(d_);
    // This node's (or, from a ledger before nodes, no node's): another's are its own to finish.
    Stmt s(d_.c(), fmt::format("SELECT {} FROM files WHERE state IN {} AND node IN (?1, '') "
                               "ORDER BY received_at, id",
                               kFileColumns, kUnfinishedStates));
    s.Bind(1, d_.node());
    std::vector<FileRecord> out;
    while (s.Step() == sql::kRow) out.push_back(ReadFile(s));
    return out;
  }

  std::optional<std::string> AcceptedWithHash(const std::string& sha256,
                                              const std::string& except) override {
    return AcceptedWhere("sha256", sha256, except);
  }
  std::optional<std::string> AcceptedWithKey(const std::string& key,
                                             const std::string& except) override {
    if (key.empty()) return std::nullopt;
    return AcceptedWhere("business_key", key, except);
  }

  std::vector<StatsRow> Stats(const std::string& since) override {
    ledger_sql::Db::Use use(d_);
    Stmt s(d_.c(),
           "SELECT feed, substr(received_at, 1, 13), CASE WHEN outcome = '' THEN state ELSE "
           "outcome END, count(*), sum(size), sum(records), node FROM files WHERE received_at >= ? "
           "GROUP BY 1, 2, 3, 7 ORDER BY 2, 1, 3, 7");
    s.Bind(1, since);
    std::vector<StatsRow> out;
    while (s.Step() == sql::kRow) {
      out.push_back({s.Text(0), s.Text(1), s.Text(2), s.Text(6), s.Int(3), s.Int(4), s.Int(5)});
    }
    return out;
  }

  // The feeds' records (ledger_sql_records.h).
  Status VisitAcceptedItems(std::string_view kind, const std::string& from, const std::string& to,
                            const ItemVisitor& visit) override {
    return records_.VisitAcceptedItems(kind, from, to, visit);
  }
  Status VisitItemsOf(const std::string& file_id, std::string_view kind,
                      const ItemVisitor& visit) override {
    return records_.VisitItemsOf(file_id, kind, visit);
  }
  std::vector<schemas::StoredFile> AcceptedWithKeyPrefix(const std::string& prefix) override {
    return records_.AcceptedWithKeyPrefix(prefix);
  }
  StatusOr<std::optional<schemas::StoredState>> LatestState(std::string_view family,
                                                            const std::string& key,
                                                            bool with_state) override {
    return records_.LatestState(family, key, with_state);
  }
  StatusOr<std::vector<schemas::StoredState>> LatestStates(std::string_view family) override {
    return records_.LatestStates(family);
  }
  using Ledger::AddItems;
  Status AddItems(const std::string& id, const ItemBatch& items, bool first) override {
    return records_.AddItems(id, items, first);
  }
  StatusOr<std::map<std::string, std::uint64_t>> PurgeItems(const std::string& before) override {
    return records_.PurgeItems(before);
  }

  // The outbound queue (ledger_sql_outbound.h).
  std::optional<OutboundItem> TakeOutbound(const std::string& destination,
                                           std::int64_t now_ms) override {
    return outbound_.TakeOutbound(destination, now_ms);
  }
  std::optional<std::int64_t> NextOutboundAt(const std::string& destination) override {
    return outbound_.NextOutboundAt(destination);
  }
  Status FinishOutbound(const OutboundItem& item, const AttemptResult& r,
                        std::string& file_state) override {
    return outbound_.FinishOutbound(item, r, file_state);
  }
  Status RequeueSending() override { return outbound_.RequeueSending(); }
  std::optional<OutboundItem> GetOutbound(std::uint64_t id) override {
    return outbound_.GetOutbound(id);
  }
  std::vector<OutboundItem> OutboundOf(const std::string& file_id) override {
    return outbound_.OutboundOf(file_id);
  }
  std::vector<OutboundItem> ListOutbound(bool all, const std::string& since) override {
    return outbound_.ListOutbound(all, since);
  }
  std::uint64_t PendingOutboundNamed(const std::string& destination, const std::string& name,
                                     std::uint64_t except) override {
    return outbound_.PendingOutboundNamed(destination, name, except);
  }
  Status RetryOutbound(std::uint64_t id, const ActionRecord& a, std::int64_t now_ms) override {
    return outbound_.RetryOutbound(id, a, now_ms);
  }
  Status CancelOutbound(std::uint64_t id, const ActionRecord& a, std::string& file_state) override {
    return outbound_.CancelOutbound(id, a, file_state);
  }
  std::vector<OutboundStats> OutboundStatsSince(const std::string& since) override {
    return outbound_.OutboundStatsSince(since);
  }

  Status AddNotices(const std::vector<NoticeRecord>& notices) override {
    return notices_.AddNotices(notices);
  }
  StatusOr<ChainEvents> ChainEventsSince(const std::vector<std::string>& states,
                                         std::size_t limit) override {
    return notices_.ChainEventsSince(states, limit);
  }
  Status AdvanceNotices(std::uint64_t from, std::uint64_t to,
                        const std::vector<NoticeRecord>& notices) override {
    return notices_.AdvanceNotices(from, to, notices);
  }
  std::vector<NoticeRecord> TakeNotices(const std::string& channel, std::int64_t now_ms,
                                        bool gather, std::size_t max) override {
    return notices_.TakeNotices(channel, now_ms, gather, max);
  }
  Status FinishNotices(const std::vector<NoticeRecord>& taken,
                       const NoticeOutcome& outcome) override {
    return notices_.FinishNotices(taken, outcome);
  }
  Status RequeueSendingNotices() override { return notices_.RequeueSendingNotices(); }
  std::vector<NoticeRecord> ListNotices(const NoticeFilter& filter) override {
    return notices_.ListNotices(filter);
  }
  std::vector<NoticeStats> NoticeStatsByChannel() override {
    return notices_.NoticeStatsByChannel();
  }

  Status AddCollected(CollectedRecord& r) override { return collected_.AddCollected(r); }
  std::vector<CollectedRecord> CollectedOf(const std::string& source, bool pending) override {
    return collected_.CollectedOf(source, pending);
  }
  Status FinishCollected(std::uint64_t id, bool done, const std::string& file_id,
                         const std::string& error) override {
    return collected_.FinishCollected(id, done, file_id, error);
  }
  std::optional<std::string> HeldFile(const std::string& route, const std::string& name,
                                      std::uint64_t size, const std::string& since) override {
    return collected_.HeldFile(route, name, size, since);
  }
  std::vector<SourceStats> SourceStatsAll() override { return collected_.SourceStatsAll(); }

  Status AddSession(const SessionRecord& s) override { return sessions_.AddSession(s); }
  std::optional<SessionRecord> GetSession(const std::string& id_sha256) override {
    return sessions_.GetSession(id_sha256);
  }
  Status TouchSession(const std::string& id_sha256, std::int64_t seen_ms) override {
    return sessions_.TouchSession(id_sha256, seen_ms);
  }
  Status EndSession(const std::string& id_sha256) override {
    return sessions_.EndSession(id_sha256);
  }
  StatusOr<std::uint64_t> EndSessionsOf(const std::string& user) override {
    return sessions_.EndSessionsOf(user);
  }
  Status PurgeSessions(std::int64_t seen_before_ms, std::int64_t started_before_ms) override {
    return sessions_.PurgeSessions(seen_before_ms, started_before_ms);
  }

  Status Init() {
    ledger_sql::Db::Use use(d_);
    if (!d_.postgres()) {
      // A commit is durable at the next syncfs of its filesystem, which the spool makes
      // (GroupSync) before relying on it.
      if (Status st = Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                           "PRAGMA journal_size_limit=16777216; PRAGMA cache_size=-32768; "
                           "PRAGMA mmap_size=268435456; PRAGMA foreign_keys=ON;");
          !st.ok()) {
        return st;
      }
    }
    if (Status st = ledger_sql::CreateSchema(d_); !st.ok()) return st;
    if (Status st = Migrate(); !st.ok()) return st;
    // A ledger from before the audit chain: chain what it holds, once.
    bool unchained = false;
    {
      Stmt chained(d_.c(), "SELECT 1 FROM audit LIMIT 1");
      Stmt history(d_.c(), "SELECT 1 FROM transitions UNION ALL SELECT 1 FROM actions LIMIT 1");
      unchained = chained.Step() != sql::kRow && history.Step() == sql::kRow;
    }
    if (unchained) return Txn("chain the ledger", [&] { return ChainUnchained(d_.c()); });
    return Status::Ok();
  }

 private:
  // The ledger's schema version (ledger_sql_schema.h): CreateSchema makes the latest; each step
  // brings a ledger of the version before it up to its own, in one transaction, and says what
  // it does. A ledger newer than this rbgate knows is refused rather than misread.
  static constexpr int kSchemaVersion = 6;
  Status Migrate() {
    int version = ledger_sql::SchemaVersion(d_);
    if (version > kSchemaVersion) {
      return Error(Code::kFailedPrecondition,
                   fmt::format("ledger: schema version {} is newer than this rbgate's ({}): run "
                               "the rbgate that wrote it",
                               version, kSchemaVersion));
    }
    struct Step {
      int to;
      const char* what;
      Status (SqlLedger::*run)();
    };
    static constexpr Step kSteps[] = {
        // Ledgers from before versions were kept: who dropped each file, and which schema
        // judged it (columns added since; CREATE TABLE IF NOT EXISTS left them out).
        {1, "files.dropped_by, schema_version, schema_sha256", &SqlLedger::AddFileColumns},
        // The feeds' records in tables that do not know the feeds (ledger_sql_records.h).
        {2, "feeds' items and states", &SqlLedger::MoveFeedTables},
        // Several nodes: who holds each file in flight and each item being sent.
        {3, "files.node, outbound.node", &SqlLedger::AddNodeColumns},
        // Notices and the chain's cursor: new tables, which CreateSchema has made.
        {4, "notices, cursors", &SqlLedger::Nothing},
        // Sources: what was collected from each (a new table, which CreateSchema has made).
        {5, "collected", &SqlLedger::Nothing},
        // The console's sessions, kept across restarts (a new table).
        {6, "sessions", &SqlLedger::Nothing},
    };
    for (const Step& step : kSteps) {
      if (version >= step.to) continue;
      const Status st =
          Txn(fmt::format("migrate to schema version {} ({})", step.to, step.what), [&] {
            if (Status s = (this->*step.run)(); !s.ok()) return s;
            return ledger_sql::SetSchemaVersion(d_, step.to);
          });
      if (!st.ok()) return st;
      version = step.to;
    }
    return Status::Ok();
  }
  Status Nothing() { return Status::Ok(); }
  Status MoveFeedTables() { return records_.MoveVersion1Tables(); }
  Status AddNodeColumns() {
    for (const char* table : {"files", "outbound"}) {
      if (ledger_sql::HasColumn(d_, table, "node")) continue;
      if (Status s =
              Exec(fmt::format("ALTER TABLE {} ADD COLUMN node TEXT NOT NULL DEFAULT ''", table));
          !s.ok()) {
        return s;
      }
    }
    return Exec("CREATE INDEX IF NOT EXISTS files_node ON files(node, state)");
  }
  Status AddFileColumns() {
    for (const char* column : {"dropped_by", "schema_version", "schema_sha256"}) {
      if (ledger_sql::HasColumn(d_, "files", column)) continue;
      if (Status s =
              Exec(fmt::format("ALTER TABLE files ADD COLUMN {} TEXT NOT NULL DEFAULT ''", column));
          !s.ok()) {
        return s;
      }
    }
    return Status::Ok();
  }
  Status Exec(const std::string& sql) { return d_.Exec(sql); }
  // The rows of one file's history table, each made into a T by `make`.
  template <class T, class Make>
  std::vector<T> PerFile(const char* sql, const std::string& id, Make make) {
    ledger_sql::Db::Use use(d_);
    Stmt s(d_.c(), sql);
    s.Bind(1, id);
    std::vector<T> out;
    while (s.Step() == sql::kRow) out.push_back(make(s));
    return out;
  }

  std::optional<std::string> AcceptedWhere(const char* column, const std::string& value,
                                           const std::string& except) {
    ledger_sql::Db::Use use(d_);
    Stmt s(d_.c(), fmt::format("SELECT id FROM files WHERE {} = ? AND id != ? AND state IN "
                               "{} ORDER BY received_at LIMIT 1",
                               column, kAcceptedStates));
    s.Bind(1, value).Bind(2, except);
    if (s.Step() != sql::kRow) return std::nullopt;
    return s.Text(0);
  }

  template <class F>
  Status Txn(std::string_view what, F&& body) {
    return d_.Txn(what, std::forward<F>(body));
  }

  ledger_sql::Db d_;
  ledger_sql::History history_{d_};
  ledger_sql::Records records_{d_};
  ledger_sql::Outbound outbound_{d_, history_};
  ledger_sql::Notices notices_{d_};
  ledger_sql::Collected collected_{d_};
  ledger_sql::Sessions sessions_{d_};
};

}  // namespace

// `more` opens further connections to the same database, up to `size` in all.
StatusOr<std::unique_ptr<Ledger>> OpenSqlLedger(std::unique_ptr<sql::Connection> c,
                                                ledger_sql::Db::Opener more = {},
                                                std::size_t size = 1) {
  auto ledger = std::make_unique<SqlLedger>(std::move(c), std::move(more), size);
  if (Status status = ledger->Init(); !status.ok()) return status;
  return std::unique_ptr<Ledger>(std::move(ledger));
}

StatusOr<std::unique_ptr<Ledger>> OpenSqliteLedger(const std::string& path) {
  auto c = sql::OpenSqlite(path);
  if (!c.ok()) return c.status();
  return OpenSqlLedger(std::move(c).value());
}

StatusOr<std::unique_ptr<Ledger>> OpenPostgresLedger(const std::string& url,
                                                     const std::string& password) {
  auto c = sql::OpenPostgres(url, password);
  if (!c.ok()) return c.status();
  // Connections for the workers' calls to run side by side (writers still take turns).
  constexpr std::size_t kConnections = 8;
  return OpenSqlLedger(
      std::move(c).value(), [url, password] { return sql::OpenPostgres(url, password); },
      kConnections);
}

StatusOr<std::unique_ptr<Ledger>> OpenLedgerAt(const LedgerLocation& where,
                                               const std::string& root) {
  if (where.postgres()) return OpenPostgresLedger(where.url, where.password);
  return OpenSqliteLedger(root + "/ledger.db");
}

std::uint64_t LedgerStatements() { return sql::StatementsRun(); }

std::string LedgerLocation::Describe(const std::string& root) const {
  return postgres() ? url : root + "/ledger.db";
}

namespace {
Status Answers(sql::Connection& c, std::string_view what) {
  sql::Stmt s(c, "SELECT count(*) FROM (SELECT 1 FROM files LIMIT 1) AS f");
  return s.Step() == sql::kRow ? Status::Ok() : s.Why(what);
}
}  // namespace

Status LedgerAnswers(const LedgerLocation& where, const std::string& root) {
  const std::string path = root + "/ledger.db";
  auto c = where.postgres() ? sql::OpenPostgres(where.url, where.password)
                            : sql::OpenSqlite(path, /*read_only=*/true);
  if (!c.ok()) return c.status();
  return Answers(**c, where.postgres() ? std::string("read") : "open " + path);
}

std::int64_t UnixMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::int64_t UnixMsFromIso(const std::string& iso) {
  std::tm tm{};
  if (iso.size() < 19 || ::strptime(iso.c_str(), "%Y-%m-%dT%H:%M:%S", &tm) == nullptr) return 0;
  std::int64_t ms = static_cast<std::int64_t>(::timegm(&tm)) * 1000;
  if (iso.size() >= 23 && iso[19] == '.') {
    int frac = 0;
    std::from_chars(iso.data() + 20, iso.data() + 23, frac);
    ms += frac;
  }
  return ms;
}

std::string IsoFromUnixMs(std::int64_t ms) {
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms % 1000);
}

std::string NowIso() { return IsoFromUnixMs(UnixMs()); }

std::string StateSqlList(bool (*pick)(const FileStateInfo&)) {
  std::string out;
  for (const auto& i : kFileStates) {
    if (pick(i)) out += fmt::format("{}'{}'", out.empty() ? "(" : ", ", i.name);
  }
  return out.empty() ? "('')" : out + ")";
}

std::string ListedTime(const std::string& iso) {
  const std::int64_t ms = UnixMsFromIso(iso);
  if (ms == 0) return iso;
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  localtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min);
}

}  // namespace rbgate::spool
