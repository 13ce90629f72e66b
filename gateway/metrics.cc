#include "gateway/metrics.h"

#include <fmt/format.h>

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

namespace {

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
