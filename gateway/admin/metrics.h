// The daemon's metrics in the Prometheus text exposition format (version 0.0.4): counters
// and a latency histogram kept as files finish, and gauges read when scraped. Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "gateway/daemon/late_feeds.h"
#include "spool/ledger.h"
#include "spool/spool.h"

namespace rbgate::gateway {

// What is read from the spool at each scrape.
struct Gauges {
  std::vector<spool::RouteBacklog> backlog;
  std::int64_t now_ns = 0;       // wall clock, to age the oldest waiting file
  std::int64_t free_bytes = -1;  // -1: unknown
  std::int64_t min_free_bytes = 0;
  bool ledger_ok = false;                      // the ledger opened and answered
  std::uint64_t quarantined = 0;               // files waiting for an officer
  std::vector<LateFeeds::Status> late;         // routes that expect files
  std::vector<std::string> destinations;       // the network destinations
  std::vector<spool::OutboundStats> outbound;  // what waits for them (queued, oldest)
  // The schema-file feeds: whether each one's file is refused now (the last good version
  // serving in its place), and whether it is held (no version has ever loaded).
  struct Schema {
    std::string feed;
    bool refused = false, held = false;
  };
  std::vector<Schema> schemas;
  // Several nodes on one ledger: this daemon's node ("" for a single daemon), whether it does
  // the work done once for the whole gateway, and every node's lease as the ledger has it.
  std::string node;
  bool leads = false;
  std::vector<spool::NodeRecord> nodes;
  // The [[notify]] channels' notices waiting (queued, oldest), from the ledger.
  std::vector<spool::NoticeStats> notices;
};

class Metrics {
 public:
  // Upper bounds of the processing-time histogram's buckets, in seconds.
  static constexpr double kBuckets[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                        1,     2.5,  5,     10,   30,  60,   300};

  // A file reached a final state.
  void FileDone(const std::string& route, const std::string& feed, const std::string& outcome,
                std::uint64_t bytes, std::uint64_t records, double seconds);
  // Its findings, per rule.
  void Findings(const std::vector<spool::FindingCount>& findings);
  // A file that could not be finished now (disk full, ...): `code` says why.
  void Paused(const std::string& code);
  // A delivery attempt to a network destination: delivered, refused or failed (`reason`).
  void Forwarded(const std::string& destination, std::string_view outcome,
                 const std::string& reason);
  // A destination's circuit opened or closed.
  void Circuit(const std::string& destination, bool open);
  // The [[notify]] channels, named at start; an attempt at `notices` of one: sent, failed
  // (retried) or expired (given up), with the reason (http-201, connect, smtp-550...).
  void NotifyChannels(const std::vector<std::string>& names);
  std::vector<std::string> notify_channels() const;
  void Notified(const std::string& channel, std::string_view outcome, const std::string& reason,
                std::uint64_t notices);
  // The [[source]]s, named at start; a file collected; a failure (list, fetch, delete, move) by
  // reason; a listing that worked (Unix ms).
  void Sources(const std::vector<std::string>& names);
  void SourceCollected(const std::string& source, std::uint64_t bytes);
  void SourceFailed(const std::string& source, const std::string& reason);
  void SourceListed(const std::string& source, std::int64_t at_ms);
  // A source with expect_by: whether it has collected nothing by its time on a due day.
  void SourceLate(const std::string& source, bool late);
  // The OpenPGP keyring's keys as last looked at (daily): when each expires (0: never), and
  // whether someone should act (revoked, expired, or expiring within openpgp.warn_days).
  struct KeyExpiry {
    std::string fingerprint;
    std::int64_t expires = 0;
    bool warn = false;
  };
  void OpenPgpKeys(std::vector<KeyExpiry> keys);

  std::string Render(const Gauges& gauges) const;

 private:
  struct PerFile {
    std::uint64_t files = 0, bytes = 0, records = 0;
  };
  struct Histogram {
    std::uint64_t counts[std::size(kBuckets)] = {};  // not cumulative; summed when rendered
    std::uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, std::string>, PerFile>
      files_;                                                              // route, feed, outcome
  std::map<std::pair<std::string, std::string>, Histogram> latency_;       // route, feed
  std::map<std::pair<std::string, std::string>, std::uint64_t> findings_;  // rule, severity
  std::map<std::string, std::uint64_t> paused_;                            // code
  std::map<std::tuple<std::string, std::string, std::string>, std::uint64_t>
      forwarded_;                             // destination, outcome, reason
  std::map<std::string, bool> circuit_open_;  // destination
  std::vector<std::string> channels_;
  std::map<std::tuple<std::string, std::string, std::string>, std::uint64_t>
      notified_;  // channel, outcome, reason: notices
  struct PerSource {
    std::uint64_t files = 0, bytes = 0;
    std::int64_t last_success_ms = 0;
    std::optional<bool> late;                       // with expect_by: whether it is late now
    std::map<std::string, std::uint64_t> failures;  // by reason
  };
  std::map<std::string, PerSource> sources_;
  std::optional<std::vector<KeyExpiry>> keys_;
};

// A label value escaped as the exposition format says: backslash, double quote, line feed.
std::string PromLabel(std::string_view value);

}  // namespace rbgate::gateway
