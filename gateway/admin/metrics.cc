#include "gateway/admin/metrics.h"

#include <fmt/format.h>

#include "parsers/invariant.h"
#include "spool/ledger.h"

namespace rbgate::gateway {

std::string PromLabel(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

void Metrics::FileDone(const std::string& route, const std::string& feed,
                       const std::string& outcome, std::uint64_t bytes, std::uint64_t records,
                       double seconds) {
  std::lock_guard lock(mu_);
  PerFile& p = files_[{route, feed.empty() ? "unknown" : feed, outcome}];
  ++p.files;
  p.bytes += bytes;
  p.records += records;
  Histogram& h = latency_[{route, feed.empty() ? "unknown" : feed}];
  std::size_t i = 0;
  while (i < std::size(kBuckets) && seconds > kBuckets[i]) ++i;
  if (i < std::size(kBuckets)) ++h.counts[i];
  ++h.count;
  h.sum += seconds;
}

void Metrics::Findings(const std::vector<spool::FindingCount>& findings) {
  std::lock_guard lock(mu_);
  for (const auto& f : findings) findings_[{f.rule, f.severity}] += f.count;
}

void Metrics::Paused(const std::string& code) {
  std::lock_guard lock(mu_);
  ++paused_[code];
}

void Metrics::Forwarded(const std::string& destination, std::string_view outcome,
                        const std::string& reason) {
  std::lock_guard lock(mu_);
  ++forwarded_[{destination, std::string(outcome), reason}];
}

void Metrics::Circuit(const std::string& destination, bool open) {
  std::lock_guard lock(mu_);
  circuit_open_[destination] = open;
}

void Metrics::NotifyChannels(const std::vector<std::string>& names) {
  std::lock_guard lock(mu_);
  channels_ = names;
}

std::vector<std::string> Metrics::notify_channels() const {
  std::lock_guard lock(mu_);
  return channels_;
}

void Metrics::Notified(const std::string& channel, std::string_view outcome,
                       const std::string& reason, std::uint64_t notices) {
  std::lock_guard lock(mu_);
  notified_[{channel, std::string(outcome), reason}] += notices;
}

void Metrics::Sources(const std::vector<std::string>& names) {
  std::lock_guard lock(mu_);
  for (const auto& n : names) sources_[n];
}

void Metrics::SourceCollected(const std::string& source, std::uint64_t bytes) {
  std::lock_guard lock(mu_);
  auto& s = sources_[source];
  ++s.files;
  s.bytes += bytes;
}

void Metrics::SourceFailed(const std::string& source, const std::string& reason) {
  std::lock_guard lock(mu_);
  ++sources_[source].failures[reason];
}

void Metrics::SourceListed(const std::string& source, std::int64_t at_ms) {
  std::lock_guard lock(mu_);
  sources_[source].last_success_ms = at_ms;
}

void Metrics::SourceLate(const std::string& source, bool late) {
  std::lock_guard lock(mu_);
  sources_[source].late = late;
}

void Metrics::OpenPgpKeys(std::vector<KeyExpiry> keys) {
  std::lock_guard lock(mu_);
  keys_ = std::move(keys);
}

namespace {

// Seconds from `iso` (a ledger time) to `now_ns`; 0 for none.
double AgeSeconds(std::int64_t now_ns, const std::string& iso) {
  if (iso.empty()) return 0;
  return std::max(0.0, static_cast<double>(now_ns) / 1e9 -
                           static_cast<double>(spool::UnixMsFromIso(iso)) / 1e3);
}

void Header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

}  // namespace

std::string Metrics::Render(const Gauges& g) const {
  std::string out;
  std::lock_guard lock(mu_);
  const auto per_file = [&](std::string_view name, std::string_view help,
                            std::uint64_t PerFile::*member) {
    Header(out, name, "counter", help);
    for (const auto& [key, p] : files_) {
      const auto& [route, feed, outcome] = key;
      out += fmt::format("{}{{route=\"{}\",feed=\"{}\",outcome=\"{}\"}} {}\n", name,
                         PromLabel(route), PromLabel(feed), PromLabel(outcome), p.*member);
    }
  };
  per_file("rbgate_files_total",
           "Files that reached a final state since the daemon started, by route, feed and "
           "outcome.",
           &PerFile::files);
  per_file("rbgate_bytes_total", "Bytes of those files.", &PerFile::bytes);
  per_file("rbgate_records_total", "Records in those files.", &PerFile::records);
  Header(out, "rbgate_findings_total", "counter", "Findings in those files, by rule and severity.");
  for (const auto& [key, n] : findings_) {
    out += fmt::format("rbgate_findings_total{{rule=\"{}\",severity=\"{}\"}} {}\n",
                       PromLabel(key.first), PromLabel(key.second), n);
  }
  Header(out, "rbgate_invariant_failures_total", "counter",
         "Internal invariants found broken (a bug: each is logged as invariant-failed).");
  out += fmt::format("rbgate_invariant_failures_total {}\n", InvariantFailures());
  Header(out, "rbgate_ledger_statements_total", "counter",
         "Statements run on the ledger, transactions' beginnings and ends included (on "
         "PostgreSQL, each a round trip to the server).");
  out += fmt::format("rbgate_ledger_statements_total {}\n", spool::LedgerStatements());
  Header(out, "rbgate_paused_total", "counter",
         "Files left to finish later (a full disk, an unavailable ledger), by cause.");
  for (const auto& [code, n] : paused_) {
    out += fmt::format("rbgate_paused_total{{code=\"{}\"}} {}\n", PromLabel(code), n);
  }
  Header(out, "rbgate_processing_seconds", "histogram",
         "Time from claim to final state, by route and feed.");
  for (const auto& [key, h] : latency_) {
    const std::string labels =
        fmt::format("route=\"{}\",feed=\"{}\"", PromLabel(key.first), PromLabel(key.second));
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < std::size(kBuckets); ++i) {
      cumulative += h.counts[i];
      out += fmt::format("rbgate_processing_seconds_bucket{{{},le=\"{}\"}} {}\n", labels,
                         kBuckets[i], cumulative);
    }
    out += fmt::format("rbgate_processing_seconds_bucket{{{},le=\"+Inf\"}} {}\n", labels, h.count);
    out += fmt::format("rbgate_processing_seconds_sum{{{}}} {}\n", labels, h.sum);
    out += fmt::format("rbgate_processing_seconds_count{{{}}} {}\n", labels, h.count);
  }
  if (!g.node.empty()) {
    Header(out, "rbgate_node_info", "gauge",
           "This daemon's node, one of several on one ledger (always 1; the name is the label).");
    out += fmt::format("rbgate_node_info{{node=\"{}\"}} 1\n", PromLabel(g.node));
    Header(out, "rbgate_node_leads", "gauge",
           "1 when this node does the work done once for the whole gateway (late-feed alerts, "
           "retention): the live node first by name.");
    out += fmt::format("rbgate_node_leads {}\n", g.leads ? 1 : 0);
    Header(out, "rbgate_node_lease_remaining_seconds", "gauge",
           "Seconds left on each node's lease as the ledger has it; below 0 once it ran out (the "
           "node died or lost the ledger: its unfinished files go to another node).");
    const std::int64_t now_ms = g.now_ns / 1'000'000;
    for (const auto& n : g.nodes) {
      out +=
          fmt::format("rbgate_node_lease_remaining_seconds{{node=\"{}\"}} {:.3f}\n",
                      PromLabel(n.node), static_cast<double>(n.lease_until_ms - now_ms) / 1000.0);
    }
  }
  if (!g.schemas.empty()) {
    Header(out, "rbgate_schema_refused", "gauge",
           "1 when a feed's schema file is refused (it does not load, or another file claims the "
           "feed): the last good version serves, or the feed is held.");
    for (const auto& s : g.schemas) {
      out += fmt::format("rbgate_schema_refused{{feed=\"{}\"}} {}\n", PromLabel(s.feed),
                         s.refused ? 1 : 0);
    }
    Header(out, "rbgate_schema_held", "gauge",
           "1 when no version of a feed's schema has ever loaded: its route's files wait.");
    for (const auto& s : g.schemas) {
      out +=
          fmt::format("rbgate_schema_held{{feed=\"{}\"}} {}\n", PromLabel(s.feed), s.held ? 1 : 0);
    }
  }
  Header(out, "rbgate_files_waiting", "gauge",
         "Files in a drop folder not yet claimed (settling included), by route.");
  for (const auto& b : g.backlog) {
    out += fmt::format("rbgate_files_waiting{{route=\"{}\"}} {}\n", PromLabel(b.route), b.waiting);
  }
  Header(
      out, "rbgate_oldest_waiting_seconds", "gauge",
      "Age of the oldest file waiting in a drop folder (by its modification time); 0 when none.");
  for (const auto& b : g.backlog) {
    const double age =
        b.oldest_mtime_ns == 0 ? 0 : std::max<double>(0, (g.now_ns - b.oldest_mtime_ns) / 1e9);
    out += fmt::format("rbgate_oldest_waiting_seconds{{route=\"{}\"}} {:.3f}\n", PromLabel(b.route),
                       age);
  }
  if (!g.late.empty()) {
    Header(out, "rbgate_route_late", "gauge",
           "1 when a route's expected file has not arrived by its time on a day it is due.");
    for (const auto& s : g.late) {
      out += fmt::format("rbgate_route_late{{route=\"{}\",expected_by=\"{}\"}} {}\n",
                         PromLabel(s.route), PromLabel(s.expect.by_text), s.late ? 1 : 0);
    }
    Header(out, "rbgate_route_last_arrival_timestamp_seconds", "gauge",
           "When a file last arrived on a route that expects files (unix time); 0 when none.");
    for (const auto& s : g.late) {
      out += fmt::format("rbgate_route_last_arrival_timestamp_seconds{{route=\"{}\"}} {}\n",
                         PromLabel(s.route), s.last_arrival);
    }
  }
  if (!g.destinations.empty()) {
    Header(out, "rbgate_forward_attempts_total", "counter",
           "Delivery attempts to network destinations since the daemon started, by destination, "
           "outcome (delivered, refused, failed) and reason.");
    for (const auto& [key, n] : forwarded_) {
      const auto& [dest, outcome, reason] = key;
      out += fmt::format(
          "rbgate_forward_attempts_total{{destination=\"{}\",outcome=\"{}\",reason=\"{}\"}} {}\n",
          PromLabel(dest), PromLabel(outcome), PromLabel(reason), n);
    }
    // Per destination: what waits for it, from the ledger at this scrape.
    const auto waiting = [&](const std::string& d) -> const spool::OutboundStats* {
      for (const auto& o : g.outbound) {
        if (o.destination == d) return &o;
      }
      return nullptr;
    };
    Header(out, "rbgate_outbound_queued", "gauge",
           "Outputs waiting for (or being sent to) a network destination.");
    for (const auto& d : g.destinations) {
      const auto* w = waiting(d);
      out += fmt::format("rbgate_outbound_queued{{destination=\"{}\"}} {}\n", PromLabel(d),
                         w ? w->queued : 0);
    }
    Header(out, "rbgate_outbound_oldest_seconds", "gauge",
           "Age of the oldest output waiting for a network destination; 0 when none.");
    for (const auto& d : g.destinations) {
      const auto* w = waiting(d);
      const double age = w != nullptr ? AgeSeconds(g.now_ns, w->oldest_queued_at) : 0;
      out += fmt::format("rbgate_outbound_oldest_seconds{{destination=\"{}\"}} {:.3f}\n",
                         PromLabel(d), age);
    }
    Header(out, "rbgate_destination_circuit_open", "gauge",
           "1 while a destination's circuit is open (attempts stopped after failures in a row).");
    for (const auto& d : g.destinations) {
      const auto c = circuit_open_.find(d);
      out += fmt::format("rbgate_destination_circuit_open{{destination=\"{}\"}} {}\n", PromLabel(d),
                         c != circuit_open_.end() && c->second ? 1 : 0);
    }
  }
  if (!channels_.empty()) {
    Header(out, "rbgate_notices_total", "counter",
           "Notices attempted since the daemon started, by [[notify]] channel, outcome (sent, "
           "failed and retried, expired) and reason.");
    for (const auto& [key, n] : notified_) {
      const auto& [channel, outcome, reason] = key;
      out += fmt::format("rbgate_notices_total{{channel=\"{}\",outcome=\"{}\",reason=\"{}\"}} {}\n",
                         PromLabel(channel), PromLabel(outcome), PromLabel(reason), n);
    }
    const auto stats = [&](const std::string& c) -> const spool::NoticeStats* {
      for (const auto& s : g.notices) {
        if (s.channel == c) return &s;
      }
      return nullptr;
    };
    Header(out, "rbgate_notices_queued", "gauge",
           "Notices waiting for (or being sent to) a [[notify]] channel.");
    for (const auto& c : channels_) {
      const auto* s = stats(c);
      out += fmt::format("rbgate_notices_queued{{channel=\"{}\"}} {}\n", PromLabel(c),
                         s ? s->queued : 0);
    }
    Header(out, "rbgate_notices_oldest_seconds", "gauge",
           "Age of the oldest notice waiting for a [[notify]] channel; 0 when none.");
    for (const auto& c : channels_) {
      const auto* s = stats(c);
      const double age = s != nullptr ? AgeSeconds(g.now_ns, s->oldest_queued_at) : 0;
      out += fmt::format("rbgate_notices_oldest_seconds{{channel=\"{}\"}} {:.3f}\n", PromLabel(c),
                         age);
    }
  }
  if (!sources_.empty()) {
    Header(out, "rbgate_source_collected_total", "counter",
           "Files collected from a [[source]] since the daemon started.");
    for (const auto& [name, s] : sources_) {
      out += fmt::format("rbgate_source_collected_total{{source=\"{}\"}} {}\n", PromLabel(name),
                         s.files);
    }
    Header(out, "rbgate_source_bytes_total", "counter",
           "Bytes collected from a [[source]] since the daemon started.");
    for (const auto& [name, s] : sources_) {
      out +=
          fmt::format("rbgate_source_bytes_total{{source=\"{}\"}} {}\n", PromLabel(name), s.bytes);
    }
    Header(out, "rbgate_source_failures_total", "counter",
           "Failed exchanges with a [[source]] (listing, fetching, deleting or moving) by reason.");
    for (const auto& [name, s] : sources_) {
      for (const auto& [reason, n] : s.failures) {
        out += fmt::format("rbgate_source_failures_total{{source=\"{}\",reason=\"{}\"}} {}\n",
                           PromLabel(name), PromLabel(reason), n);
      }
    }
    Header(out, "rbgate_source_last_success_timestamp_seconds", "gauge",
           "When a [[source]] was last listed (unix time); 0 when not since the start.");
    for (const auto& [name, s] : sources_) {
      out += fmt::format("rbgate_source_last_success_timestamp_seconds{{source=\"{}\"}} {:.3f}\n",
                         PromLabel(name), s.last_success_ms / 1000.0);
    }
    if (std::any_of(sources_.begin(), sources_.end(),
                    [](const auto& e) { return e.second.late; })) {
      Header(out, "rbgate_source_late", "gauge",
             "1 when a [[source]] with expect_by has collected nothing by its time on a day it "
             "is due.");
    }
    for (const auto& [name, s] : sources_) {
      if (s.late) {
        out += fmt::format("rbgate_source_late{{source=\"{}\"}} {}\n", PromLabel(name),
                           *s.late ? 1 : 0);
      }
    }
  }
  if (keys_) {
    Header(out, "rbgate_openpgp_key_expires_timestamp_seconds", "gauge",
           "When an OpenPGP key in the keyring expires (unix time); keys that never expire are "
           "not listed.");
    std::uint64_t act = 0;
    for (const auto& k : *keys_) {
      if (k.warn) ++act;
      if (k.expires <= 0) continue;
      out += fmt::format("rbgate_openpgp_key_expires_timestamp_seconds{{fingerprint=\"{}\"}} {}\n",
                         PromLabel(k.fingerprint), k.expires);
    }
    Header(
        out, "rbgate_openpgp_keys_needing_action", "gauge",
        "OpenPGP keys revoked, expired or expiring within openpgp.warn_days (rbgate keys list).");
    out += fmt::format("rbgate_openpgp_keys_needing_action {}\n", act);
  }
  Header(out, "rbgate_quarantined_files", "gauge", "Files in quarantine waiting for an officer.");
  out += fmt::format("rbgate_quarantined_files {}\n", g.quarantined);
  Header(out, "rbgate_ledger_up", "gauge", "1 when the ledger opened and answered at this scrape.");
  out += fmt::format("rbgate_ledger_up {}\n", g.ledger_ok ? 1 : 0);
  if (g.free_bytes >= 0) {
    Header(out, "rbgate_spool_free_bytes", "gauge", "Free space on the spool's file system.");
    out += fmt::format("rbgate_spool_free_bytes {}\n", g.free_bytes);
  }
  Header(out, "rbgate_spool_min_free_bytes", "gauge",
         "Below this much free space the daemon takes no new work.");
  out += fmt::format("rbgate_spool_min_free_bytes {}\n", g.min_free_bytes);
  return out;
}

}  // namespace rbgate::gateway
