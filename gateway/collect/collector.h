// Sources: partners' folders rbgate collects from ([[source]]), each feeding a route's drop
// folder. A file is collected once its listing has held still for settle_seconds, into the drop
// folder under a hidden temporary name, its size checked and its SHA-256 taken; recorded in the
// ledger (each remote file once: source, name, size and time); then renamed into place for the
// spool to take. The remote side is changed (the file deleted or moved; or, with after = "keep",
// left and remembered) only once the ledger holds the spool's file. A crash at any point
// collects each file once: a temporary never recorded is removed at start, one recorded but not
// renamed is renamed, and a file the spool holds has its remote step done (again, harmlessly,
// if the crash came after it).
//
// Each source has a thread of its own; with several nodes, the node that leads collects.
// Failures are retried with backoff, and failures in a row open the source's circuit (as for
// destinations), which says source-failing once.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "gateway/admin/metrics.h"
#include "gateway/collect/remote.h"
#include "gateway/daemon/late_feeds.h"
#include "gateway/forward/transfer.h"
#include "spool/ledger.h"

namespace rbgate::gateway {

struct SourceOptions {
  // name, type ("sftp"), url (a folder, ending in '/'), credentials, timeouts, retry_min_seconds,
  // retry_max_seconds, circuit_failures and circuit_open_seconds.
  ForwardOptions remote;
  std::string route;          // whose drop folder it feeds
  std::string pattern = "*";  // file names collected (fnmatch; a leading '.' never matches)
  int poll_seconds = 300;     // how often the folder is listed
  // A schedule (at = "06:30", on = "working-days"): the folder is listed only on those days,
  // from that local time, every poll_seconds until a listing collects a file (and while files
  // it saw settle); then not again that day. Unset: listed every poll_seconds, always.
  std::optional<Expectation> at;
  // A late alert (expect_by, expect_on): nothing collected by then on a day it is due.
  std::optional<Expectation> expect;
  int settle_seconds = 30;     // a file's size and time must hold this long before collecting
  std::string after = "keep";  // "delete", "move" (to move_to) or "keep" (remembered)
  std::string move_to;         // after = "move": a folder on the server, ending in '/'
};

class Collector {
 public:
  // `incoming`: the spool's incoming/ folder; `leads()`: whether this node collects;
  // `failing(source, summary)`: told when a source's circuit opens after being closed;
  // `collected(source, unix seconds)`: told of each file collected. `calendar` (working days
  // for schedules) must outlive this.
  Collector(spool::Ledger& ledger, std::string incoming, std::vector<SourceOptions> sources,
            Metrics& metrics, const schemas::Calendar& calendar, std::function<bool()> leads,
            std::function<void(const std::string&, const std::string&)> failing,
            std::function<void(const std::string&, std::int64_t)> collected = {});
  ~Collector();
  Collector(const Collector&) = delete;
  Collector& operator=(const Collector&) = delete;

  void Start();
  // Aborts transfers in progress (their temporaries removed at the next start) and joins.
  void Stop();

 private:
  struct Source;
  void Run(Source& s);
  void Poll(Source& s, std::int64_t now);
  // Whether the source's schedule lets it list now (always, without one).
  bool Scheduled(Source& s) const;
  void Collect(Source& s, const RemoteEntry& e, const std::vector<spool::CollectedRecord>& known);
  // Files dropped whose remote step is not yet done: done once the spool holds them.
  bool Settle(Source& s, std::int64_t now);
  // Temporaries of collections a crash cut short, before recording: removed.
  void Sweep(Source& s);
  bool Failure(Source& s, std::int64_t now, const RemoteResult& r, const std::string& what);

  spool::Ledger& ledger_;
  std::string incoming_;
  Metrics& metrics_;
  std::function<bool()> leads_;
  std::function<void(const std::string&, const std::string&)> failing_;
  std::function<void(const std::string&, std::int64_t)> collected_;
  const schemas::Calendar& calendar_;
  std::vector<std::unique_ptr<Source>> sources_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stop_{false};
};

}  // namespace rbgate::gateway
