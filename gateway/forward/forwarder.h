// The forwarders: for each network destination, max_in_flight lanes that take due items from
// the spool's outbound queue, send them (Transfer) and record the result. A failed attempt is
// retried after an exponential backoff with jitter; failures in a row open the destination's
// circuit, which stops attempts for a while (logged), then lets one probe through; a success
// closes it. Items a crash left half-sent are queued again at start and sent again under the
// same name and idempotency key.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gateway/admin/metrics.h"
#include "gateway/forward/transfer.h"
#include "spool/spool.h"

namespace rbgate::gateway {

// The delay before retry number `attempts` (1 = after the first failure): min_s doubled each
// time up to max_s, then a uniform jitter over its upper half (`unit` in [0, 1)). In ms.
std::int64_t BackoffMs(std::uint64_t attempts, int min_s, int max_s, double unit);

// One destination's circuit breaker. Not thread-safe: its owner locks.
class Breaker {
 public:
  Breaker(int failures_to_open, int open_seconds)
      : threshold_(failures_to_open), open_ms_(std::int64_t{open_seconds} * 1000) {}
  // Whether an attempt may start now; when the circuit is half-open, one (the probe) may.
  bool Allow(std::int64_t now_ms);
  // The probe found nothing to send: the next caller may probe.
  void Idle() { probing_ = false; }
  // After an attempt: reached the destination (delivered or refused) or not. True when this
  // failure opened the circuit.
  void Succeeded();
  bool Failed(std::int64_t now_ms);
  bool open(std::int64_t now_ms) const { return open_until_ms_ > now_ms; }
  bool tripped() const { return open_until_ms_ != 0; }  // open or half-open
  std::int64_t open_until_ms() const { return open_until_ms_; }
  int failures() const { return failures_; }

 private:
  int threshold_;
  std::int64_t open_ms_;
  int failures_ = 0;  // in a row
  std::int64_t open_until_ms_ = 0;
  bool probing_ = false;
};

class Forwarder {
 public:
  // `finished(id)` is called when a file's last item is done (delivered, cancelled, or
  // quarantined after a refusal), from a forwarder's thread.
  Forwarder(spool::Spool& spool, std::vector<ForwardOptions> destinations, Metrics& metrics,
            std::function<void(const std::string& id)> finished);
  ~Forwarder();

  // Queues again what a crash left half-sent, then starts the lanes.
  void Start();
  // Something was queued: look now rather than at the next poll.
  void Wake();
  // Aborts transfers in progress (they are queued again, due now) and joins the lanes.
  void Stop();
  // `rbgate run --once`: sends what is queued, retrying what falls due within 30 s (for at
  // most 10 minutes), then returns; the rest (an open circuit, a long backoff) waits for the
  // next run.
  void Drain();

  struct CircuitState {
    std::string destination;
    bool open = false;
    int failures = 0;
  };
  std::vector<CircuitState> Circuits() const;
  // Told (from a forwarder's thread) when a destination's circuit opens after it had been
  // closed: its name and a summary for people. Set before Start.
  void OnFailing(std::function<void(const std::string&, const std::string&)> failing) {
    failing_ = std::move(failing);
  }

 private:
  struct Lane;
  void Run(Lane& lane, bool drain);
  // One attempt at one item; false when nothing was due.
  bool Attempt(Lane& lane, Transfer& transfer);

  spool::Spool& spool_;
  Metrics& metrics_;
  std::function<void(const std::string&)> finished_;
  std::function<void(const std::string&, const std::string&)> failing_;
  std::vector<std::unique_ptr<Lane>> lanes_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stop_{false};
};

}  // namespace rbgate::gateway
