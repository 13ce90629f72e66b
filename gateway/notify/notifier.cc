#include "gateway/notify/notifier.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <random>

#include "gateway/daemon/log.h"
#include "gateway/forward/forwarder.h"

namespace rbgate::gateway {

using log::Level;
using log::Number;
using log::Text;
using log::Word;

namespace {

constexpr std::size_t kChainBatch = 500;       // audit entries read a pass
constexpr std::size_t kDigestMax = 200;        // notices in one message at most
constexpr std::size_t kRaisedMax = 1000;       // raised notices kept while the ledger is away
constexpr std::int64_t kStaleMs = 86'400'000;  // chain events older than this: not announced

// The chain's states a notice is about.
const std::vector<std::string>& ChainStates() {
  static const std::vector<std::string> kStates = {std::string(spool::state::kQuarantined),
                                                   std::string(spool::state::kAwaitingApproval)};
  return kStates;
}

std::string Plural(std::uint64_t n, std::string_view one) {
  return fmt::format("{} {}{}", n, one, n == 1 ? "" : "s");
}

std::string FeedOf(const spool::FileRecord& f) {
  return f.feed.empty() ? "feed not recognised" : f.feed;
}

spool::NoticeRecord Row(const ChannelOptions& ch, const Notice& n, std::int64_t now_ms) {
  spool::NoticeRecord r;
  r.channel = ch.name;
  r.event = n.event;
  r.route = n.route;
  r.feed = n.feed;
  r.file_id = n.file_id;
  r.summary = n.summary;
  r.raised_at = n.at.empty() ? spool::IsoFromUnixMs(now_ms) : n.at;
  r.next_at_ms = now_ms + std::int64_t{ch.digest_seconds} * 1000;
  return r;
}

Notice FromRow(const spool::NoticeRecord& r) {
  return {r.event, r.route, r.feed, r.file_id, r.summary, r.raised_at};
}

std::int64_t NowMs() { return spool::UnixMs(); }

// `s` as it may stand in a Message-ID: letters, digits, '-', '_' and '.'; "x" otherwise.
std::string Safe(std::string_view s) {
  const bool ok = !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
  return ok ? std::string(s) : "x";
}

}  // namespace

std::optional<ChainNotice> NoticeOfChainEvent(const spool::ChainEvent& e) {
  const spool::FileRecord& f = e.file;
  ChainNotice out;
  out.notice.route = f.route;
  out.notice.feed = f.feed;
  out.notice.file_id = f.id;
  out.notice.at = e.at;
  if (e.state == spool::state::kAwaitingApproval) {
    out.notice.event = "approval-waiting";
    out.notice.summary = fmt::format(
        "file {} ({}, {}) was checked and waits for a second officer's approval before it is "
        "sent",
        f.id, FeedOf(f), Plural(f.records, "record"));
    return out;
  }
  if (e.state != spool::state::kQuarantined) return std::nullopt;
  out.notice.event = "quarantined";
  for (const auto& x : e.findings) {
    if (x.rule == "voa.balance" || x.rule == "voa.no-list") out.voa_unbalanced = true;
  }
  if (out.voa_unbalanced) {
    out.notice.summary = fmt::format(
        "the VOA schedule in file {} ({}) does not balance against the list on record; it is "
        "quarantined until an officer acts (the console shows the reconciliation)",
        f.id, FeedOf(f));
    return out;
  }
  // The rules found, errors first: their ids say what is wrong without quoting the file.
  std::vector<spool::FindingCount> rules = e.findings;
  std::stable_sort(rules.begin(), rules.end(), [](const auto& a, const auto& b) {
    return (a.severity == "error") > (b.severity == "error");
  });
  std::string named;
  for (std::size_t i = 0; i < rules.size() && i < 3; ++i) {
    named += (i == 0 ? "" : ", ") + rules[i].rule;
  }
  if (rules.size() > 3) named += fmt::format(" and {} more", rules.size() - 3);
  out.notice.summary =
      rules.empty()
          ? fmt::format(
                "file {} ({}) was quarantined and waits for an officer; the console says "
                "why",
                f.id, FeedOf(f))
          : fmt::format(
                "file {} ({}) was quarantined with {} and {} ({}); it waits for an "
                "officer",
                f.id, FeedOf(f), Plural(f.errors, "error"), Plural(f.warnings, "warning"), named);
  return out;
}

std::vector<spool::NoticeRecord> NoticeRows(const std::vector<ChannelOptions>& channels,
                                            const Notice& n, std::int64_t now_ms,
                                            bool voa_unbalanced) {
  std::vector<spool::NoticeRecord> rows;
  for (const auto& ch : channels) {
    if (voa_unbalanced) {
      // One notice a channel: the more particular event if it asks for it.
      Notice v = n;
      v.event = "voa-unbalanced";
      if (Wants(ch, v)) {
        rows.push_back(Row(ch, v, now_ms));
        continue;
      }
    }
    if (Wants(ch, n)) rows.push_back(Row(ch, n, now_ms));
  }
  return rows;
}

Notice AuditFailedNotice(const spool::AuditVerdict& v) {
  Notice n;
  n.event = "audit-failed";
  n.at = spool::NowIso();
  const auto& first = v.problems.front();
  n.summary = fmt::format(
      "the ledger's audit chain failed verification: {}, the first at {}; the record cannot be "
      "trusted from there on (rbgate audit verify says where)",
      Plural(v.problems.size(), "problem"),
      first.seq > 0 ? fmt::format("entry #{}", first.seq) : std::string("a ledger row"));
  return n;
}

struct Notifier::Channel {
  explicit Channel(const ChannelOptions& o) : options(o) {}
  const ChannelOptions& options;
  std::mutex mu;
  std::condition_variable cv;
  bool woken = false;
  std::int64_t rest_until_ms = 0;  // after a failure, no attempt before this
  // Sent or failed, but the ledger did not take the outcome: recorded before anything else.
  std::vector<spool::NoticeRecord> unfinished;
  spool::NoticeQueue::NoticeOutcome unfinished_outcome;
  std::mt19937_64 random{std::random_device{}()};
};

Notifier::Notifier(spool::Ledger& ledger, std::vector<ChannelOptions> channels, Metrics& metrics,
                   std::function<bool()> leads)
    : ledger_(ledger), options_(std::move(channels)), metrics_(metrics), leads_(std::move(leads)) {
  for (const auto& o : options_) channels_.push_back(std::make_unique<Channel>(o));
  // Message ids are unique where this host's name is (the notice ids are unique in a ledger).
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  host_ = Safe(host);
  std::vector<std::string> names;
  for (const auto& o : options_) names.push_back(o.name);
  metrics_.NotifyChannels(names);
  // The chain's cursor set now, if it never was, before this process records anything: what
  // it does from here on is announced.
  if (auto first = ledger_.ChainEventsSince(ChainStates(), 1); !first.ok()) {
    log::Event(Level::kWarning, "notify-chain-failed", {Text("reason", first.status().message)});
  }
}

Notifier::~Notifier() { Stop(); }

void Notifier::Start() {
  next_verify_ms_ = NowMs() + 300'000;
  if (spool::Status st = ledger_.RequeueSendingNotices(); !st.ok()) {
    log::Event(Level::kWarning, "notify-requeue-failed", {Text("reason", st.message)});
  }
  threads_.emplace_back([this] { Feed(); });
  for (auto& ch : channels_) threads_.emplace_back([this, c = ch.get()] { Send(*c); });
}

void Notifier::Stop() {
  if (stop_.exchange(true)) return;
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
  for (auto& ch : channels_) {
    {
      std::lock_guard lock(ch->mu);
      ch->woken = true;
    }
    ch->cv.notify_all();
  }
  for (auto& t : threads_) t.join();
  threads_.clear();
}

void Notifier::Drain() {
  while (FeedOnce()) {
  }
  const std::int64_t now = NowMs();
  for (auto& ch : channels_) {
    // What is due now, a message at a time, until none is or one fails.
    for (int i = 0; i < 1000 && SendOnce(*ch, now) && ch->rest_until_ms == 0; ++i) {
    }
  }
}

void Notifier::Raise(const Notice& n) {
  const auto rows = NoticeRows(options_, n, NowMs());
  if (rows.empty()) return;
  {
    std::lock_guard lock(mu_);
    raised_.insert(raised_.end(), rows.begin(), rows.end());
    woken_ = true;
  }
  cv_.notify_all();
}

bool Notifier::FeedOnce() {
  std::vector<spool::NoticeRecord> raised;
  {
    std::lock_guard lock(mu_);
    raised.swap(raised_);
  }
  bool queued = false;
  if (!raised.empty()) {
    if (spool::Status st = ledger_.AddNotices(raised); st.ok()) {
      queued = true;
    } else {
      std::lock_guard lock(mu_);
      raised_.insert(raised_.begin(), raised.begin(), raised.end());
      if (raised_.size() > kRaisedMax) {
        const std::size_t dropped = raised_.size() - kRaisedMax;
        raised_.erase(raised_.begin(), raised_.begin() + static_cast<std::ptrdiff_t>(dropped));
        log::Event(Level::kError, "notices-dropped",
                   {Number("notices", static_cast<std::int64_t>(dropped)),
                    Text("reason", "the ledger has not answered: " + st.message)});
      }
    }
  }
  bool more = false;
  if (leads_()) {
    auto events = ledger_.ChainEventsSince(ChainStates(), kChainBatch);
    if (events.ok() && events->to > events->from) {
      const std::int64_t now = NowMs();
      std::vector<spool::NoticeRecord> rows;
      std::int64_t stale = 0;
      for (const auto& e : events->events) {
        const auto n = NoticeOfChainEvent(e);
        if (!n) continue;
        if (spool::UnixMsFromIso(e.at) < now - kStaleMs) {
          ++stale;  // notices were off when it happened: not news now
          continue;
        }
        auto made = NoticeRows(options_, n->notice, now, n->voa_unbalanced);
        rows.insert(rows.end(), made.begin(), made.end());
      }
      const spool::Status st = ledger_.AdvanceNotices(events->from, events->to, rows);
      if (st.ok()) {
        queued = queued || !rows.empty();
        if (stale > 0) {
          log::Event(Level::kInfo, "notices-skipped",
                     {Number("events", stale),
                      Text("reason", "older than a day when read (notices were not configured)")});
        }
        more = events->to - events->from >= kChainBatch;
      } else if (st.code != spool::Code::kAborted) {
        log::Event(Level::kWarning, "notify-chain-failed", {Text("reason", st.message)});
      }
    } else if (!events.ok()) {
      log::Event(Level::kWarning, "notify-chain-failed", {Text("reason", events.status().message)});
    }
  }
  if (queued) {
    for (auto& ch : channels_) {
      {
        std::lock_guard lock(ch->mu);
        ch->woken = true;
      }
      ch->cv.notify_all();
    }
  }
  return more;
}

void Notifier::VerifyIfDue() {
  const std::int64_t now = NowMs();
  if (next_verify_ms_ == 0 || now < next_verify_ms_ || !leads_()) return;
  next_verify_ms_ = now + 86'400'000;
  const spool::AuditVerdict v = ledger_.VerifyAudit(std::nullopt);
  if (v.ok()) {
    log::Event(Level::kInfo, "audit-verified",
               {Number("entries", static_cast<std::int64_t>(v.entries)),
                Number("seconds", static_cast<double>(NowMs() - now) / 1000.0, 1)});
    return;
  }
  log::Event(Level::kError, "audit-failed",
             {Number("problems", static_cast<std::int64_t>(v.problems.size())),
              Number("first", static_cast<std::int64_t>(v.problems.front().seq)),
              Text("action", "rbgate audit verify says where; the record is not to be trusted")});
  Raise(AuditFailedNotice(v));
}

void Notifier::Feed() {
  while (!stop_) {
    VerifyIfDue();
    const bool more = FeedOnce();
    std::unique_lock lock(mu_);
    if (!more) cv_.wait_for(lock, std::chrono::seconds(1), [&] { return woken_ || stop_.load(); });
    woken_ = false;
  }
}

void Notifier::Send(Channel& ch) {
  while (!stop_) {
    const std::int64_t now = NowMs();
    const bool sent = now >= ch.rest_until_ms && SendOnce(ch, now);
    std::unique_lock lock(ch.mu);
    if (!sent) {  // a look a second, or when notices are queued
      ch.cv.wait_for(lock, std::chrono::seconds(1), [&] { return ch.woken || stop_.load(); });
    }
    ch.woken = false;
  }
}

bool Notifier::SendOnce(Channel& ch, std::int64_t now_ms) {
  const ChannelOptions& o = ch.options;
  if (!ch.unfinished.empty()) {
    if (!ledger_.FinishNotices(ch.unfinished, ch.unfinished_outcome).ok()) return false;
    ch.unfinished.clear();
  }
  auto taken = ledger_.TakeNotices(o.name, now_ms, o.digest_seconds > 0, kDigestMax);
  if (taken.empty()) return false;
  std::vector<Notice> notices;
  std::uint64_t attempts = 0;
  std::string oldest = taken.front().raised_at;
  for (const auto& r : taken) {
    notices.push_back(FromRow(r));
    attempts = std::max(attempts, r.attempts);
    oldest = std::min(oldest, r.raised_at);
  }
  spool::NoticeQueue::NoticeOutcome outcome;
  // The same for every attempt at these notices, so that a copy can be recognised.
  outcome.message_id =
      fmt::format("rbgate.{}.{}.{}@{}", taken.front().id, taken.size(), Safe(o.name), host_);
  const SendResult r = gateway::Send(o, notices, outcome.message_id);
  const std::string what = taken.size() == 1 ? taken.front().event : "digest";
  if (r.ok) {
    outcome.sent = true;
    outcome.error = r.detail;
    ch.rest_until_ms = 0;
    metrics_.Notified(o.name, "sent", r.reason, taken.size());
    log::Event(Level::kInfo, "notified",
               {Word("channel", o.name), Word("event", what),
                Number("notices", static_cast<std::int64_t>(taken.size())),
                Word("id", taken.front().file_id), Word("message_id", outcome.message_id),
                Text("result", r.detail)});
  } else {
    const std::int64_t raised = spool::UnixMsFromIso(oldest);
    outcome.give_up = raised > 0 && now_ms - raised > std::int64_t{o.give_up_hours} * 3'600'000;
    outcome.error = r.reason + ": " + r.detail;
    const std::int64_t delay = BackoffMs(attempts, o.retry_min_seconds, o.retry_max_seconds,
                                         std::uniform_real_distribution<double>(0, 1)(ch.random));
    outcome.retry_at_ms = now_ms + delay;
    ch.rest_until_ms = outcome.retry_at_ms;
    metrics_.Notified(o.name, outcome.give_up ? "expired" : "failed", r.reason, taken.size());
    log::Event(outcome.give_up ? Level::kError : Level::kWarning,
               outcome.give_up ? "notice-expired" : "notify-failed",
               {Word("channel", o.name), Word("event", what),
                Number("notices", static_cast<std::int64_t>(taken.size())),
                Word("reason", r.reason), Text("detail", r.detail),
                Text("action", outcome.give_up
                                   ? fmt::format("given up after {} hours; on record as expired "
                                                 "(rbgate notify list --all)",
                                                 o.give_up_hours)
                                   : fmt::format("tried again in {:.1f} s", delay / 1000.0))});
  }
  if (!ledger_.FinishNotices(taken, outcome).ok()) {
    ch.unfinished = std::move(taken);
    ch.unfinished_outcome = outcome;
  }
  return true;
}

}  // namespace rbgate::gateway
