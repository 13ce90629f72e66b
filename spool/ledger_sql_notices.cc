#include "spool/ledger_sql_notices.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

namespace rbgate::spool::ledger_sql {
namespace {

constexpr const char* kNoticeColumns =
    "id, channel, event, route, feed, file_id, summary, raised_at, state, attempts, next_at, "
    "last_error, sent_at, message_id";

NoticeRecord ReadNotice(Stmt& s) {
  NoticeRecord n;
  n.id = s.Int(0);
  n.channel = s.Text(1);
  n.event = s.Text(2);
  n.route = s.Text(3);
  n.feed = s.Text(4);
  n.file_id = s.Text(5);
  n.summary = s.Text(6);
  n.raised_at = s.Text(7);
  n.state = s.Text(8);
  n.attempts = s.Int(9);
  n.next_at_ms = static_cast<std::int64_t>(s.Int(10));
  n.last_error = s.Text(11);
  n.sent_at = s.Text(12);
  n.message_id = s.Text(13);
  return n;
}

// "(1, 2, 3)": ids are integers the ledger made, so the list is safe to write into SQL.
std::string IdList(const std::vector<NoticeRecord>& notices) {
  std::string out;
  for (const auto& n : notices) out += fmt::format("{}{}", out.empty() ? "(" : ", ", n.id);
  return out + ")";
}

constexpr const char* kCursor = "notices";

}  // namespace

Status Notices::Insert(const NoticeRecord& n) {
  Stmt s(d_.c(),
         "INSERT INTO notices (channel, event, route, feed, file_id, summary, raised_at, state, "
         "attempts, next_at, last_error, sent_at, message_id, node) VALUES (?1, ?2, ?3, ?4, ?5, "
         "?6, ?7, ?8, 0, ?9, '', '', '', '')");
  return s.Bind(1, n.channel)
      .Bind(2, n.event)
      .Bind(3, n.route)
      .Bind(4, n.feed)
      .Bind(5, n.file_id)
      .Bind(6, n.summary)
      .Bind(7, n.raised_at.empty() ? NowIso() : n.raised_at)
      .Bind(8, notice::kQueued)
      .Bind(9, static_cast<std::uint64_t>(n.next_at_ms))
      .Run("queue a notice");
}

Status Notices::AddNotices(const std::vector<NoticeRecord>& notices) {
  if (notices.empty()) return Status::Ok();
  Db::Use use(d_);
  return d_.Txn("queue notices", [&] {
    for (const auto& n : notices) {
      if (Status st = Insert(n); !st.ok()) return st;
    }
    return Status::Ok();
  });
}

StatusOr<ChainEvents> Notices::ChainEventsSince(const std::vector<std::string>& states,
                                                std::size_t limit) {
  Db::Use use(d_);
  ChainEvents out;
  {
    Stmt c(d_.c(), "SELECT seq FROM cursors WHERE name = ?1");
    c.Bind(1, kCursor);
    const sql::StepResult rc = c.Step();
    if (rc == sql::kError) return c.Why("read the notice cursor");
    if (rc != sql::kRow) {
      c.Reset();
      // First look: from the chain's head on.
      Status st = d_.Txn("start the notice cursor", [&] {
        Stmt s(d_.c(),
               "INSERT INTO cursors (name, seq) SELECT ?1, coalesce(max(seq), 0) FROM audit "
               "WHERE true ON CONFLICT (name) DO NOTHING");  // WHERE: SQLite's parser needs it
        return s.Bind(1, kCursor).Run("start the notice cursor");
      });
      if (!st.ok()) return st;
      Stmt at(d_.c(), "SELECT seq FROM cursors WHERE name = ?1");
      at.Bind(1, kCursor);
      if (at.Step() != sql::kRow) return at.Why("read the notice cursor");
      out.from = out.to = at.Int(0);
      return out;
    }
    out.from = out.to = c.Int(0);
  }
  const std::set<std::string> wanted(states.begin(), states.end());
  std::vector<ChainEvent> events;
  {
    Stmt s(d_.c(),
           "SELECT seq, at, file_id, kind, what FROM audit WHERE seq > ?1 ORDER BY seq LIMIT ?2");
    s.Bind(1, out.from).Bind(2, static_cast<std::uint64_t>(limit));
    sql::StepResult rc;
    while ((rc = s.Step()) == sql::kRow) {
      out.to = s.Int(0);
      if (s.Text(3) != "transition" || wanted.count(s.Text(4)) == 0) continue;
      ChainEvent e;
      e.seq = out.to;
      e.at = s.Text(1);
      e.file.id = s.Text(2);
      e.state = s.Text(4);
      events.push_back(std::move(e));
    }
    if (rc == sql::kError) return s.Why("read the audit chain for notices");
  }
  for (auto& e : events) {
    {
      Stmt f(d_.c(), fmt::format("SELECT {} FROM files WHERE id = ?1", kFileColumns));
      f.Bind(1, e.file.id);
      if (f.Step() == sql::kRow) e.file = ReadFile(f);
    }
    Stmt g(d_.c(), "SELECT rule, severity, count FROM findings WHERE file_id = ?1 ORDER BY rule");
    g.Bind(1, e.file.id);
    while (g.Step() == sql::kRow) e.findings.push_back({g.Text(0), g.Text(1), g.Int(2)});
  }
  out.events = std::move(events);
  return out;
}

Status Notices::AdvanceNotices(std::uint64_t from, std::uint64_t to,
                               const std::vector<NoticeRecord>& notices) {
  Db::Use use(d_);
  return d_.Txn("queue the chain's notices", [&] {
    Stmt c(d_.c(), "UPDATE cursors SET seq = ?2 WHERE name = ?1 AND seq = ?3");
    if (Status st = c.Bind(1, kCursor).Bind(2, to).Bind(3, from).Run("move the notice cursor");
        !st.ok()) {
      return st;
    }
    if (c.Changes() == 0) {
      return Error(Code::kAborted, "another node queued these notices first");
    }
    for (const auto& n : notices) {
      if (Status st = Insert(n); !st.ok()) return st;
    }
    return Status::Ok();
  });
}

std::vector<NoticeRecord> Notices::TakeNotices(const std::string& channel, std::int64_t now_ms,
                                               bool gather, std::size_t max) {
  Db::Use use(d_);
  std::vector<NoticeRecord> out;
  const char* skip = d_.postgres() ? " FOR UPDATE SKIP LOCKED" : "";
  // As the outbound queue's items: on PostgreSQL the rows are locked for this transaction, and
  // notices another node is taking are passed over, not waited for.
  Status st = d_.Txn(
      "take notices",
      [&] {
        out.clear();
        {
          Stmt s(d_.c(), fmt::format("SELECT {} FROM notices WHERE channel = ?1 AND state = ?2 "
                                     "AND next_at <= ?3 ORDER BY next_at, id LIMIT 1{}",
                                     kNoticeColumns, skip));
          s.Bind(1, channel).Bind(2, notice::kQueued).Bind(3, static_cast<std::uint64_t>(now_ms));
          if (s.Step() != sql::kRow) return Status::Ok();
          out.push_back(ReadNotice(s));
        }
        if (gather && max > 1) {
          Stmt s(d_.c(), fmt::format("SELECT {} FROM notices WHERE channel = ?1 AND state = ?2 "
                                     "AND id != ?3 ORDER BY id LIMIT ?4{}",
                                     kNoticeColumns, skip));
          s.Bind(1, channel)
              .Bind(2, notice::kQueued)
              .Bind(3, out.front().id)
              .Bind(4, static_cast<std::uint64_t>(max - 1));
          while (s.Step() == sql::kRow) out.push_back(ReadNotice(s));
          std::sort(out.begin(), out.end(),
                    [](const NoticeRecord& a, const NoticeRecord& b) { return a.id < b.id; });
        }
        Stmt u(d_.c(),
               "UPDATE notices SET state = ?1, attempts = attempts + 1, node = ?2 "
               "WHERE id IN " +
                   IdList(out));
        return u.Bind(1, notice::kSending).Bind(2, d_.node()).Run("take notices");
      },
      /*row_locks=*/true);
  if (!st.ok()) return {};
  for (auto& n : out) {
    n.state = notice::kSending;
    ++n.attempts;
  }
  return out;
}

Status Notices::FinishNotices(const std::vector<NoticeRecord>& taken,
                              const NoticeQueue::NoticeOutcome& outcome) {
  if (taken.empty()) return Status::Ok();
  Db::Use use(d_);
  const std::string now = NowIso();
  return d_.Txn("finish notices", [&] {
    Stmt u(d_.c(),
           "UPDATE notices SET state = ?1, next_at = ?2, last_error = ?3, sent_at = ?4, "
           "message_id = ?5, node = '' WHERE id IN " +
               IdList(taken));
    const std::string_view state = outcome.sent      ? notice::kSent
                                   : outcome.give_up ? notice::kExpired
                                                     : notice::kQueued;
    return u.Bind(1, state)
        .Bind(2, static_cast<std::uint64_t>(outcome.sent ? 0 : outcome.retry_at_ms))
        .Bind(3, outcome.error)
        .Bind(4, outcome.sent ? now : std::string())
        .Bind(5, outcome.message_id)
        .Run("finish notices");
  });
}

Status Notices::RequeueOf(const std::string& node) {
  Stmt s(d_.c(),
         "UPDATE notices SET state = ?1, next_at = 0, node = '' WHERE state = ?2 AND node IN "
         "(?3, '')");
  return s.Bind(1, notice::kQueued).Bind(2, notice::kSending).Bind(3, node).Run("requeue notices");
}

Status Notices::RequeueSendingNotices() {
  Db::Use use(d_);
  return d_.Txn("requeue notices", [&] { return RequeueOf(d_.node()); });
}

std::vector<NoticeRecord> Notices::ListNotices(const NoticeFilter& filter) {
  Db::Use use(d_);
  std::string sql = fmt::format(
      "SELECT {} FROM notices WHERE (file_id = ?1 OR ?1 = '') AND raised_at >= ?2 AND "
      "(state IN (?3, ?4) OR ?5 = 0) ORDER BY id DESC",
      kNoticeColumns);
  if (filter.limit > 0) sql += fmt::format(" LIMIT {}", filter.limit);
  Stmt s(d_.c(), sql);
  s.Bind(1, filter.file_id)
      .Bind(2, filter.since)
      .Bind(3, notice::kQueued)
      .Bind(4, notice::kSending)
      .Bind(5, std::uint64_t{filter.pending ? 1u : 0u});
  std::vector<NoticeRecord> out;
  while (s.Step() == sql::kRow) out.push_back(ReadNotice(s));
  std::reverse(out.begin(), out.end());
  return out;
}

std::vector<NoticeStats> Notices::NoticeStatsByChannel() {
  Db::Use use(d_);
  std::map<std::string, NoticeStats> by;
  Stmt s(d_.c(),
         "SELECT channel, state, count(*), min(raised_at), max(sent_at) FROM notices "
         "GROUP BY channel, state");
  while (s.Step() == sql::kRow) {
    auto& c = by[s.Text(0)];
    const std::string state = s.Text(1);
    const std::uint64_t n = s.Int(2);
    if (state == notice::kSent) {
      c.sent += n;
      c.last_sent_at = s.Text(4);
    } else if (state == notice::kExpired) {
      c.expired += n;
    } else {
      c.queued += n;
      const std::string oldest = s.Text(3);
      if (c.oldest_queued_at.empty() || oldest < c.oldest_queued_at) c.oldest_queued_at = oldest;
    }
  }
  std::vector<NoticeStats> out;
  for (auto& [name, c] : by) {
    c.channel = name;
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace rbgate::spool::ledger_sql
