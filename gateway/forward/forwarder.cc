#include "gateway/forward/forwarder.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <random>

#include "gateway/daemon/log.h"

namespace rbgate::gateway {

using log::Level;
using log::Number;
using log::Text;
using log::Word;
using spool::AttemptResult;

std::int64_t BackoffMs(std::uint64_t attempts, int min_s, int max_s, double unit) {
  const double max_ms = std::max(1, max_s) * 1000.0;
  double ms = std::max(1, min_s) * 1000.0;
  for (std::uint64_t i = 1; i < attempts && ms < max_ms; ++i) ms *= 2;
  ms = std::min(ms, max_ms);
  // Full delays for some, half for others: lanes and restarts do not retry in step.
  return static_cast<std::int64_t>(ms / 2 + unit * ms / 2);
}

bool Breaker::Allow(std::int64_t now_ms) {
  if (open_until_ms_ == 0) return true;
  if (now_ms < open_until_ms_ || probing_) return false;
  probing_ = true;  // half-open: this attempt is the probe
  return true;
}

void Breaker::Succeeded() {
  failures_ = 0;
  open_until_ms_ = 0;
  probing_ = false;
}

bool Breaker::Failed(std::int64_t now_ms) {
  ++failures_;
  const bool was_probe = probing_;
  probing_ = false;
  if (was_probe || failures_ >= threshold_) {
    open_until_ms_ = now_ms + open_ms_;
    return true;
  }
  return false;
}

struct Forwarder::Lane {
  explicit Lane(ForwardOptions o)
      : options(std::move(o)), breaker(options.circuit_failures, options.circuit_open_seconds) {}
  ForwardOptions options;
  std::mutex mu;
  std::condition_variable cv;
  Breaker breaker;
  bool woken = false;
};

Forwarder::Forwarder(spool::Spool& spool, std::vector<ForwardOptions> destinations,
                     Metrics& metrics, std::function<void(const std::string& id)> finished)
    : spool_(spool), metrics_(metrics), finished_(std::move(finished)) {
  InitCurl();
  for (auto& d : destinations) lanes_.push_back(std::make_unique<Lane>(std::move(d)));
}

Forwarder::~Forwarder() { Stop(); }

void Forwarder::Start() {
  if (spool::Status s = spool_.ledger().RequeueSending(); !s.ok()) {
    log::Event(Level::kError, "outbound-requeue-failed", {Text("reason", s.message)});
  }
  for (auto& lane : lanes_) {
    metrics_.Circuit(lane->options.name, false);
    for (int i = 0; i < std::max(1, lane->options.max_in_flight); ++i) {
      threads_.emplace_back([this, l = lane.get()] { Run(*l, false); });
    }
  }
}

void Forwarder::Wake() {
  for (auto& lane : lanes_) {
    {
      std::lock_guard lock(lane->mu);
      lane->woken = true;
    }
    lane->cv.notify_all();
  }
}

void Forwarder::Stop() {
  stop_ = true;
  Wake();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

void Forwarder::Drain() {
  if (spool::Status s = spool_.ledger().RequeueSending(); !s.ok()) {
    log::Event(Level::kError, "outbound-requeue-failed", {Text("reason", s.message)});
  }
  std::vector<std::thread> drains;
  for (auto& lane : lanes_) {
    for (int i = 0; i < std::max(1, lane->options.max_in_flight); ++i) {
      drains.emplace_back([this, l = lane.get()] { Run(*l, true); });
    }
  }
  for (auto& t : drains) t.join();
}

std::vector<Forwarder::CircuitState> Forwarder::Circuits() const {
  std::vector<CircuitState> out;
  const std::int64_t now = spool::UnixMs();
  for (const auto& lane : lanes_) {
    std::lock_guard lock(lane->mu);
    out.push_back({lane->options.name, lane->breaker.open(now), lane->breaker.failures()});
  }
  return out;
}

// --once waits for a retry due this soon; anything later is left for the next run.
constexpr std::int64_t kDrainHorizonMs = 30'000;
constexpr std::int64_t kDrainLimitMs = 600'000;

void Forwarder::Run(Lane& lane, bool drain) {
  auto transfer = Transfer::Make(lane.options);
  const std::int64_t began = spool::UnixMs();
  while (!stop_) {
    const std::int64_t now = spool::UnixMs();
    {
      std::unique_lock lock(lane.mu);
      if (!lane.breaker.Allow(now)) {
        if (drain) return;  // --once: an open circuit waits for the daemon
        const std::int64_t until =
            lane.breaker.open(now) ? lane.breaker.open_until_ms() : now + 200;  // a probe is out
        lane.cv.wait_for(lock, std::chrono::milliseconds(std::max<std::int64_t>(1, until - now)),
                         [&] { return stop_.load(); });
        continue;
      }
    }
    if (Attempt(lane, *transfer)) continue;
    {
      std::unique_lock lock(lane.mu);
      lane.breaker.Idle();
    }
    if (drain) {
      // Nothing due now: wait for a retry due soon (a flaky moment), else leave the rest.
      const auto next = spool_.ledger().NextOutboundAt(lane.options.name);
      const std::int64_t t = spool::UnixMs();
      if (!next || *next - t > kDrainHorizonMs || t - began > kDrainLimitMs) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(std::max<std::int64_t>(1, *next - t)));
      continue;
    }
    // Nothing due: sleep until the next item falls due, a wake-up, or a second (an operator's
    // retry from the command line changes the ledger, not this process).
    std::int64_t wait = 1000;
    if (auto next = spool_.ledger().NextOutboundAt(lane.options.name)) {
      wait = std::clamp<std::int64_t>(*next - spool::UnixMs(), 1, 1000);
    }
    std::unique_lock lock(lane.mu);
    lane.cv.wait_for(lock, std::chrono::milliseconds(wait),
                     [&] { return stop_.load() || lane.woken; });
    lane.woken = false;
  }
}

bool Forwarder::Attempt(Lane& lane, Transfer& transfer) {
  const ForwardOptions& o = lane.options;
  std::string path;
  spool::Status status;
  auto item = spool_.TakeDelivery(o.name, spool::UnixMs(), path, status);
  if (!status.ok()) {
    log::Event(
        Level::kError, "forward-failed",
        {Word("destination", o.name), Word("reason", "spool"), Text("detail", status.message)});
  }
  if (!item) return false;
  const auto began = std::chrono::steady_clock::now();
  AttemptResult r = transfer.Send(path, *item, stop_);
  const std::int64_t took = std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::steady_clock::now() - began)
                                .count();
  const std::int64_t now = spool::UnixMs();
  if (r.kind == AttemptResult::Kind::kRetry) {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    r.retry_at_ms = stop_
                        ? now  // stopped, not failed: due again at the next start
                        : now + BackoffMs(item->attempts, o.retry_min_seconds, o.retry_max_seconds,
                                          std::uniform_real_distribution<double>(0, 1)(rng));
  }
  // The destination answered (delivered or refused) or it did not.
  bool opened = false, closed = false, was_tripped = false;
  int failures = 0;
  {
    std::lock_guard lock(lane.mu);
    was_tripped = lane.breaker.tripped();
    if (r.kind == AttemptResult::Kind::kRetry && !stop_) {
      opened = lane.breaker.Failed(now);
    } else if (r.kind != AttemptResult::Kind::kRetry) {
      closed = lane.breaker.tripped();
      lane.breaker.Succeeded();
    }
    failures = lane.breaker.failures();
  }
  std::string file_state;
  if (spool::Status s = spool_.FinishDelivery(*item, r, file_state); !s.ok()) {
    log::Event(Level::kError, "forward-unrecorded",
               {Word("id", item->file_id), Word("destination", o.name), Text("name", item->name),
                Text("reason", s.message)});
    return true;
  }
  const auto outcome = r.kind == AttemptResult::Kind::kDelivered ? "delivered"
                       : r.kind == AttemptResult::Kind::kRefused ? "refused"
                                                                 : "failed";
  metrics_.Forwarded(o.name, outcome, r.reason);
  const auto attempts = static_cast<std::int64_t>(item->attempts);
  if (r.kind == AttemptResult::Kind::kDelivered) {
    log::Event(
        Level::kInfo, "forwarded",
        {Word("id", item->file_id), Word("destination", o.name), Text("name", item->name),
         Number("attempt", attempts), Number("duration_ms", took), Text("detail", r.detail)});
  } else if (r.kind == AttemptResult::Kind::kRefused) {
    log::Event(Level::kError, "forward-refused",
               {Word("id", item->file_id), Word("destination", o.name), Text("name", item->name),
                Number("attempt", attempts), Word("reason", r.reason), Text("detail", r.detail),
                Text("action", "the file is quarantined")});
  } else {
    log::Event(Level::kWarning, "forward-failed",
               {Word("id", item->file_id), Word("destination", o.name), Text("name", item->name),
                Number("attempt", attempts), Word("reason", r.reason),
                Number("retry_in_s", (r.retry_at_ms - now) / 1000), Text("detail", r.detail)});
  }
  if (opened) {
    metrics_.Circuit(o.name, true);
    log::Event(Level::kWarning, "circuit-open",
               {Word("destination", o.name), Number("failures", failures),
                Number("for_s", o.circuit_open_seconds), Word("reason", r.reason),
                Text("detail", r.detail)});
    // Said once when it starts failing, not at each probe that fails again. The reason's class
    // only: a detail may name a file.
    if (!was_tripped && failing_) {
      failing_(o.name, fmt::format("destination {} is failing ({}): its circuit opened after {} "
                                   "failed attempts in a row; deliveries wait and are retried",
                                   o.name, r.reason, failures));
    }
  } else if (closed) {
    metrics_.Circuit(o.name, false);
    log::Event(Level::kInfo, "circuit-closed", {Word("destination", o.name)});
  }
  if (file_state == spool::state::kDelivered || file_state == spool::state::kCancelled ||
      file_state == spool::state::kQuarantined) {
    if (finished_) finished_(item->file_id);
  }
  return true;
}

}  // namespace rbgate::gateway
