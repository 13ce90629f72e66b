#include "spool/ledger_sql_outbound.h"

#include <fmt/format.h>

#include <map>

namespace rbgate::spool::ledger_sql {
namespace {

// Outbound items still to send.
const std::string kPendingOutbound =
    fmt::format("('{}', '{}')", outbound::kQueued, outbound::kSending);

constexpr const char* kOutboundColumns =
    "id, file_id, destination, name, sha256, size, state, attempts, next_at, last_error, "
    "created_at, updated_at";

OutboundItem ReadOutbound(Stmt& s) {
  OutboundItem o;
  o.id = s.Int(0);
  o.file_id = s.Text(1);
  o.destination = s.Text(2);
  o.name = s.Text(3);
  o.sha256 = s.Text(4);
  o.size = s.Int(5);
  o.state = s.Text(6);
  o.attempts = s.Int(7);
  o.next_at_ms = static_cast<std::int64_t>(s.Int(8));
  o.last_error = s.Text(9);
  o.created_at = s.Text(10);
  o.updated_at = s.Text(11);
  return o;
}

}  // namespace

std::optional<OutboundItem> Outbound::TakeOutbound(const std::string& destination,
                                                   std::int64_t now_ms) {
  Db::Use use(d_);
  std::optional<OutboundItem> out;
  const std::string now = NowIso();
  // On PostgreSQL, each node takes a different item at once: the row is locked for this
  // transaction, and an item another node is taking is passed over, not waited for.
  Status st = d_.Txn(
      "take outbound",
      [&] {
        Stmt s(d_.c(),
               fmt::format("SELECT {} FROM outbound WHERE destination = ?1 AND state = ?3 AND "
                           "next_at <= ?2 ORDER BY next_at, id LIMIT 1{}",
                           kOutboundColumns, d_.postgres() ? " FOR UPDATE SKIP LOCKED" : ""));
        s.Bind(1, destination)
            .Bind(2, static_cast<std::uint64_t>(now_ms))
            .Bind(3, outbound::kQueued);
        if (s.Step() != sql::kRow) return Status::Ok();
        OutboundItem o = ReadOutbound(s);
        s.Reset();
        Stmt u(d_.c(),
               "UPDATE outbound SET state = ?3, attempts = attempts + 1, updated_at = ?1, "
               "node = ?4 WHERE id = ?2");
        // Marked as this node's while it sends it: if the node dies, its adopter queues it again.
        if (Status r = u.Bind(1, now)
                           .Bind(2, o.id)
                           .Bind(3, outbound::kSending)
                           .Bind(4, d_.node())
                           .Run("take outbound");
            !r.ok()) {
          return r;
        }
        o.state = outbound::kSending;
        ++o.attempts;
        out = std::move(o);
        return Status::Ok();
      },
      /*row_locks=*/true);
  if (!st.ok()) return std::nullopt;
  return out;
}

std::optional<std::int64_t> Outbound::NextOutboundAt(const std::string& destination) {
  Db::Use use(d_);
  Stmt s(d_.c(), "SELECT min(next_at) FROM outbound WHERE destination = ?1 AND state = ?2");
  s.Bind(1, destination).Bind(2, outbound::kQueued);
  if (s.Step() != sql::kRow || s.IsNull(0)) return std::nullopt;
  return static_cast<std::int64_t>(s.Int(0));
}

Status Outbound::FinishOutbound(const OutboundItem& item, const AttemptResult& r,
                                std::string& file_state) {
  Db::Use use(d_);
  const std::string now = NowIso();
  return d_.Txn("finish outbound", [&] {
    const char* outcome = r.kind == AttemptResult::Kind::kDelivered ? "delivered"
                          : r.kind == AttemptResult::Kind::kRefused ? "refused"
                                                                    : "failed";
    Stmt a(d_.c(),
           "INSERT INTO outbound_attempts (item, destination, at, outcome, reason, detail) "
           "VALUES (?, ?, ?, ?, ?, ?)");
    Status st = a.Bind(1, item.id)
                    .Bind(2, item.destination)
                    .Bind(3, now)
                    .Bind(4, outcome)
                    .Bind(5, r.reason)
                    .Bind(6, r.detail)
                    .Run("record attempt");
    if (!st.ok()) return st;
    switch (r.kind) {
      case AttemptResult::Kind::kRetry:
        file_state.clear();
        return SetOutbound(item.id, outbound::kQueued, r.retry_at_ms, r.detail, now);
      case AttemptResult::Kind::kDelivered:
        if (st = SetOutbound(item.id, outbound::kDelivered, 0, "", now); !st.ok()) return st;
        if (st = history_.AddDelivery(item.file_id, {item.destination, item.name, r.detail, now},
                                      now);
            !st.ok()) {
          return st;
        }
        return Settle(item.file_id, now, file_state);
      case AttemptResult::Kind::kRefused: {
        if (st = SetOutbound(item.id, outbound::kRefused, 0, r.detail, now); !st.ok()) return st;
        Stmt cur(d_.c(), "SELECT state FROM files WHERE id = ?");
        cur.Bind(1, item.file_id);
        if (cur.Step() != sql::kRow) return Error(Code::kNotFound, "no file " + item.file_id);
        const bool forwarding = cur.Text(0) == state::kForwarding;
        cur.Reset();
        // Already on its way to quarantine (another destination refused it first): the
        // refusal is on record, the file's state is someone else's to change.
        file_state.clear();
        if (!forwarding) return Status::Ok();
        file_state = state::kQuarantining;
        return history_.Change(
            item.file_id, state::kQuarantining,
            fmt::format("{} refused {}: {}", item.destination, item.name, r.detail), "", {}, now);
      }
    }
    return Status::Ok();
  });
}

Status Outbound::RequeueSending() {
  Db::Use use(d_);
  return d_.Txn("requeue outbound", [&] { return RequeueOf(d_.node(), NowIso()); });
}

Status Outbound::RequeueOf(const std::string& node, const std::string& at) {
  // That node's own (or, from a ledger before nodes, no node's).
  Stmt s(d_.c(),
         "UPDATE outbound SET state = ?2, next_at = 0, updated_at = ?1, node = '' WHERE state = "
         "?3 AND node IN (?4, '')");
  return s.Bind(1, at)
      .Bind(2, outbound::kQueued)
      .Bind(3, outbound::kSending)
      .Bind(4, node)
      .Run("requeue outbound");
}

std::optional<OutboundItem> Outbound::GetOutbound(std::uint64_t id) {
  Db::Use use(d_);
  return OutboundById(id, /*lock=*/false);
}

std::vector<OutboundItem> Outbound::OutboundOf(const std::string& file_id) {
  Db::Use use(d_);
  Stmt s(d_.c(),
         fmt::format("SELECT {} FROM outbound WHERE file_id = ? ORDER BY id", kOutboundColumns));
  s.Bind(1, file_id);
  std::vector<OutboundItem> out;
  while (s.Step() == sql::kRow) out.push_back(ReadOutbound(s));
  return out;
}

std::vector<OutboundItem> Outbound::ListOutbound(bool all, const std::string& since) {
  Db::Use use(d_);
  Stmt s(d_.c(),
         fmt::format("SELECT {} FROM outbound WHERE {} ORDER BY id", kOutboundColumns,
                     all ? "created_at >= ?" : "state IN " + kPendingOutbound + " AND ? = ?"));
  s.Bind(1, since);
  if (!all) s.Bind(2, since);
  std::vector<OutboundItem> out;
  while (s.Step() == sql::kRow) out.push_back(ReadOutbound(s));
  return out;
}

std::uint64_t Outbound::PendingOutboundNamed(const std::string& destination,
                                             const std::string& name, std::uint64_t except) {
  Db::Use use(d_);
  Stmt s(d_.c(),
         "SELECT count(*) FROM outbound WHERE destination = ? AND name = ? AND id != ? AND "
         "state IN " +
             kPendingOutbound);
  s.Bind(1, destination).Bind(2, name).Bind(3, except);
  return s.Step() == sql::kRow ? s.Int(0) : 0;
}

Status Outbound::RetryOutbound(std::uint64_t id, const ActionRecord& a, std::int64_t now_ms) {
  Db::Use use(d_);
  const std::string at = a.at.empty() ? NowIso() : a.at;
  return d_.Txn("retry outbound", [&] {
    auto o = OutboundById(id, /*lock=*/true);
    if (!o) return Error(Code::kNotFound, fmt::format("no outbound item {}", id));
    if (o->state != outbound::kQueued) {
      return Error(Code::kFailedPrecondition,
                   fmt::format("outbound item {} is {}, not queued", id, o->state));
    }
    if (Status st = SetOutbound(id, outbound::kQueued, now_ms, o->last_error, at); !st.ok()) {
      return st;
    }
    return history_.AddAction(o->file_id, a, at);
  });
}

Status Outbound::CancelOutbound(std::uint64_t id, const ActionRecord& a, std::string& file_state) {
  Db::Use use(d_);
  const std::string at = a.at.empty() ? NowIso() : a.at;
  return d_.Txn("cancel outbound", [&] {
    auto o = OutboundById(id, /*lock=*/true);
    if (!o) return Error(Code::kNotFound, fmt::format("no outbound item {}", id));
    if (o->state == outbound::kSending) {
      return Error(Code::kFailedPrecondition,
                   fmt::format("outbound item {} is being sent now; try again when the attempt "
                               "ends (rbgate outbound list)",
                               id));
    }
    if (o->state != outbound::kQueued) {
      return Error(Code::kFailedPrecondition,
                   fmt::format("outbound item {} is {}, not queued", id, o->state));
    }
    if (Status st = SetOutbound(id, outbound::kCancelled, 0, a.reason, at); !st.ok()) return st;
    if (Status st = history_.AddAction(o->file_id, a, at); !st.ok()) return st;
    return Settle(o->file_id, at, file_state);
  });
}

std::vector<OutboundStats> Outbound::OutboundStatsSince(const std::string& since) {
  Db::Use use(d_);
  std::map<std::string, OutboundStats> by;
  {
    Stmt s(d_.c(), "SELECT destination, count(*), min(created_at) FROM outbound WHERE state IN " +
                       kPendingOutbound + " GROUP BY destination");
    while (s.Step() == sql::kRow) {
      auto& d = by[s.Text(0)];
      d.queued = s.Int(1);
      d.oldest_queued_at = s.Text(2);
    }
  }
  Stmt s(d_.c(),
         "SELECT destination, outcome, reason, count(*) FROM outbound_attempts WHERE at >= ? "
         "GROUP BY 1, 2, 3 ORDER BY 1, 2, 3");
  s.Bind(1, since);
  while (s.Step() == sql::kRow) {
    auto& d = by[s.Text(0)];
    const std::string outcome = s.Text(1);
    const std::uint64_t n = s.Int(3);
    d.attempts += n;
    if (outcome == "delivered") {
      d.delivered += n;
    } else if (outcome == "refused") {
      d.refused += n;
    } else {
      d.failures.emplace_back(s.Text(2), n);
    }
  }
  std::vector<OutboundStats> out;
  for (auto& [name, d] : by) {
    d.destination = name;
    out.push_back(std::move(d));
  }
  return out;
}

// Queues one outbound item of file `id`, within a transaction.
Status Outbound::Queue(const std::string& id, const OutboundItem& o, const std::string& at) {
  Stmt s(d_.c(),
         "INSERT INTO outbound (file_id, destination, name, sha256, size, state, attempts, "
         "next_at, last_error, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?8, 0, "
         "?6, '', ?7, ?7) ON CONFLICT (file_id, destination, name) DO UPDATE SET "
         "state = ?8, attempts = 0, next_at = ?6, last_error = '', sha256 = ?4, "
         "size = ?5, updated_at = ?7 WHERE outbound.state IN (?9, ?10)");
  return s.Bind(1, id)
      .Bind(2, o.destination)
      .Bind(3, o.name)
      .Bind(4, o.sha256)
      .Bind(5, o.size)
      .Bind(6, static_cast<std::uint64_t>(o.next_at_ms))
      .Bind(7, at)
      .Bind(8, outbound::kQueued)
      .Bind(9, outbound::kRefused)
      .Bind(10, outbound::kCancelled)
      .Run("queue outbound");
}

std::optional<OutboundItem> Outbound::OutboundById(std::uint64_t id, bool lock) {
  Stmt s(d_.c(), fmt::format("SELECT {} FROM outbound WHERE id = ?{}", kOutboundColumns,
                             lock ? d_.ForUpdate() : ""));
  s.Bind(1, id);
  if (s.Step() != sql::kRow) return std::nullopt;
  return ReadOutbound(s);
}

Status Outbound::SetOutbound(std::uint64_t id, std::string_view state, std::int64_t next_at,
                             std::string_view error, const std::string& at) {
  Stmt s(d_.c(),
         "UPDATE outbound SET state = ?, next_at = ?, last_error = ?, updated_at = ? "
         "WHERE id = ?");
  return s.Bind(1, state)
      .Bind(2, static_cast<std::uint64_t>(next_at))
      .Bind(3, error)
      .Bind(4, at)
      .Bind(5, id)
      .Run("update outbound");
}

// A file parked in `forwarding` with nothing left to send is finished: delivered, or
// cancelled if an operator cancelled any of its items. `file_state`: its new state when this
// finished it, else empty.
Status Outbound::Settle(const std::string& file_id, const std::string& at,
                        std::string& file_state) {
  file_state.clear();
  {
    Stmt cur(d_.c(), "SELECT state FROM files WHERE id = ?");
    cur.Bind(1, file_id);
    if (cur.Step() != sql::kRow) return Error(Code::kNotFound, "ledger: no file " + file_id);
    if (cur.Text(0) != state::kForwarding) return Status::Ok();
  }
  std::uint64_t pending = 0, cancelled = 0;
  std::string delivered;
  {
    Stmt items(d_.c(), "SELECT state, destination, name FROM outbound WHERE file_id = ?");
    items.Bind(1, file_id);
    while (items.Step() == sql::kRow) {
      const std::string st = items.Text(0);
      if (st == outbound::kQueued || st == outbound::kSending) ++pending;
      if (st == outbound::kCancelled) ++cancelled;
      if (st == outbound::kDelivered) {
        delivered += (delivered.empty() ? "" : ", ") + items.Text(2) + " to " + items.Text(1);
      }
    }
  }
  if (pending > 0) return Status::Ok();
  const std::string_view to = cancelled > 0 ? state::kCancelled : state::kDelivered;
  const std::string detail = cancelled > 0
                                 ? fmt::format("{} delivery cancelled by an operator{}", cancelled,
                                               delivered.empty() ? "" : "; delivered " + delivered)
                                 : "delivered " + delivered;
  file_state = to;
  return history_.Change(file_id, to, detail, to, {}, at);
}

}  // namespace rbgate::spool::ledger_sql
