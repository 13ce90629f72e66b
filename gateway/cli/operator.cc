#include "gateway/cli/operator.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <memory>
#include <optional>

#include "gateway/cli/voa.h"
#include "gateway/daemon/daemon.h"
#include "gateway/notify/notifier.h"
#include "schemas/bacs_reports/reconcile.h"
#include "schemas/feed.h"
#include "schemas/values.h"
#include "spool/check/report.h"
#include "spool/fsio.h"
#include "spool/json.h"
#include "spool/ledger_copy.h"
#include "spool/lock.h"
#include "spool/openpgp.h"

namespace rbgate::gateway {
namespace {

// A name as shown in a terminal: control and non-ASCII bytes escaped.
std::string Shown(std::string_view s) {
  std::string out;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u >= 0x7f) ? fmt::format("\\x{:02x}", u) : std::string(1, c);
  }
  return out;
}

using spool::Json;
using spool::Text;

Json OutboundJson(const spool::OutboundItem& o) {
  Json j = Json::object();
  j["id"] = o.id;
  j["file"] = Text(o.file_id);
  j["destination"] = Text(o.destination);
  j["name"] = Text(o.name);
  j["sha256"] = Text(o.sha256);
  j["size"] = o.size;
  j["state"] = Text(o.state);
  j["attempts"] = o.attempts;
  j["next_at"] = Text(o.next_at_ms > 0 ? spool::IsoFromUnixMs(o.next_at_ms) : "");
  j["last_error"] = Text(o.last_error);
  j["created_at"] = Text(o.created_at);
  j["updated_at"] = Text(o.updated_at);
  return j;
}

// `j` on standard output, one line.
void PrintJson(const Json& j) { std::fputs((spool::Dump(j) + "\n").c_str(), stdout); }

template <class T, class Make>
Json ArrayOf(const std::vector<T>& records, Make make) {
  Json out = Json::array();
  for (const auto& r : records) out.push_back(make(r));
  return out;
}
template <class T>
Json ArrayOf(const std::vector<T>& records) {
  return ArrayOf(records, [](const T& r) { return spool::ToJson(r); });
}

struct Opened {
  CheckResources resources;
  std::unique_ptr<spool::Spool> spool;
};

std::unique_ptr<Opened> Open(Config& c) {
  auto o = std::make_unique<Opened>();
  LoadCheckResources(c, o->resources, DefaultModulusDir());
  auto opened = spool::Spool::Open(c.spool);
  if (!opened.ok()) {
    std::fprintf(stderr, "rbgate: %s\n", opened.status().message.c_str());
    return nullptr;
  }
  o->spool = std::move(opened).value();
  return o;
}

int Fail(const spool::Status& s) {
  std::fprintf(stderr, "rbgate: %s\n", s.message.c_str());
  return s.code == spool::Code::kNotFound || s.code == spool::Code::kFailedPrecondition ? 2 : 1;
}

// "  judged by schema rents version 2 (sha256 044994b9bbcb...)\n", or "" for a built-in feed.
std::string JudgedBy(const spool::FileRecord& f) {
  if (f.schema_sha256.empty()) return "";
  return fmt::format("  judged by schema {}{} (sha256 {})\n", f.feed,
                     f.schema_version.empty() ? "" : " version " + f.schema_version,
                     f.schema_sha256);
}

void PrintList(const std::vector<spool::FileRecord>& files, const OperatorOptions& o) {
  if (o.format == "json") {
    Json out = Json::object();
    out["files"] = ArrayOf(files);
    PrintJson(out);
    return;
  }
  std::printf("%-23s %-16s %-8s %-11s %12s  %-16s %s\n", "ID", "RECEIVED", "FEED", "STATE", "BYTES",
              "SHA-256", "NAME / REASON");
  for (const auto& f : files) {
    std::printf("%-23s %-16s %-8s %-11s %12llu  %-16s %s\n", f.id.c_str(),
                spool::ListedTime(f.received_at).c_str(), f.feed.empty() ? "-" : f.feed.c_str(),
                f.state.c_str(), static_cast<unsigned long long>(f.size),
                f.sha256.substr(0, 16).c_str(), Shown(f.name).c_str());
    if (!f.reason.empty() && f.state != spool::state::kDelivered) {
      std::printf("%-23s   %s\n", "", Shown(f.reason).c_str());
    }
  }
  std::printf("%zu file%s\n", files.size(), files.size() == 1 ? "" : "s");
}

}  // namespace

int QuarantineList(Config& c, const OperatorOptions& o) {
  auto op = Open(c);
  if (!op) return 2;
  PrintList(op->spool->ledger().List({std::string(spool::state::kQuarantined), o.feed, o.since, 0}),
            o);
  return 0;
}

int QuarantineShow(Config& c, const std::string& id, const OperatorOptions& o) {
  auto op = Open(c);
  if (!op) return 2;
  auto f = op->spool->ledger().Get(id);
  if (!f) return Fail({spool::Code::kNotFound, "no file " + id});
  const std::string dir = op->spool->QuarantineDir(id);
  // A VOA schedule that did not balance: the reconciliation made when it was checked.
  // A file that is not there is normal (only an unbalanced schedule has a balance); any other
  // reason a file cannot be read is said.
  const auto read = [](const std::string& path, std::string& out) {
    if (const spool::Status s = spool::ReadSmallFile(path, out);
        !s.ok() && s.code != spool::Code::kNotFound) {
      std::fprintf(stderr, "rbgate: warning: %s\n", s.message.c_str());
    }
  };
  std::string balance;
  read(dir + "/balance.txt", balance);
  if (o.format == "json") {
    std::string report;
    read(dir + "/report.json", report);
    Json out = Json::object();
    out["file"] = spool::ToJson(*f);
    // As checking wrote it; a damaged one shows as null rather than break the document.
    out["report"] = report.empty() ? Json(nullptr) : Json::parse(report, nullptr, false);
    if (out["report"].is_discarded()) out["report"] = nullptr;
    out["balance"] = balance.empty() ? Json(nullptr) : Text(balance);
    PrintJson(out);
    return 0;
  }
  std::printf("%s  %s\n  route %s, %llu bytes, sha256 %s\n  state %s: %s\n", f->id.c_str(),
              Shown(f->name).c_str(), f->route.c_str(), static_cast<unsigned long long>(f->size),
              f->sha256.c_str(), f->state.c_str(), Shown(f->reason).c_str());
  std::fputs(JudgedBy(*f).c_str(), stdout);
  const std::string original = dir + "/original";
  if (spool::KindOf(original) == spool::NodeKind::kRegular && f->size > 0) {
    // The findings, with the faulty records and carets, from a fresh read of the original.
    auto report = op->spool->CheckAsSpool(original, f->feed, f->id);
    report->path = f->name;
    std::printf("\n%s", check::RenderText(*report, {o.show_personal}).c_str());
  }
  if (!balance.empty()) {
    std::printf("\nThe reconciliation when it was checked (voa.balance):\n\n%s\n", balance.c_str());
  }
  for (const auto& a : op->spool->ledger().Actions(id)) {
    std::printf("  %s %s by %s: %s\n", a.at.c_str(), a.action.c_str(), a.user.c_str(),
                Shown(a.reason).c_str());
  }
  return 0;
}

int VoaBalanceOnRecord(Config& c, const VoaBalanceOptions& o) {
  auto op = Open(c);
  if (!op) return 2;
  return VoaBalance(o, &op->spool->ledger(), c.spool.check.registry);
}

int VoaLists(Config& c, const OperatorOptions& o) {
  auto op = Open(c);
  if (!op) return 2;
  return PrintVoaLists(op->spool->ledger(), o.format);
}

int QuarantineRelease(Config& c, const std::string& id, const std::string& reason, bool force) {
  auto op = Open(c);
  if (!op) return 2;
  if (spool::Status s = op->spool->Release(id, reason, force); !s.ok()) return Fail(s);
  auto f = op->spool->ledger().Get(id);
  std::printf("%s released: %s\n", id.c_str(), f ? f->state.c_str() : "?");
  return 0;
}

int QuarantineReject(Config& c, const std::string& id, const std::string& reason) {
  auto op = Open(c);
  if (!op) return 2;
  if (spool::Status s = op->spool->Reject(id, reason); !s.ok()) return Fail(s);
  std::printf("%s rejected\n", id.c_str());
  return 0;
}

int QuarantineReprocess(Config& c, const std::string& id, const std::string& reason) {
  auto op = Open(c);
  if (!op) return 2;
  if (spool::Status s = op->spool->Reprocess(id, reason); !s.ok()) return Fail(s);
  auto f = op->spool->ledger().Get(id);
  std::printf("%s reprocessed: %s%s%s\n", id.c_str(), f ? f->state.c_str() : "?",
              f && !f->reason.empty() ? ": " : "", f ? Shown(f->reason).c_str() : "");
  return 0;
}

int LedgerList(Config& c, const OperatorOptions& o) {
  auto op = Open(c);
  if (!op) return 2;
  PrintList(op->spool->ledger().List({"", o.feed, o.since, 0}), o);
  return 0;
}

Json NoticeJson(const spool::NoticeRecord& n) {
  Json j = Json::object();
  j["id"] = n.id;
  j["channel"] = Text(n.channel);
  j["event"] = Text(n.event);
  j["route"] = Text(n.route);
  j["feed"] = Text(n.feed);
  j["file_id"] = Text(n.file_id);
  j["summary"] = Text(n.summary);
  j["raised_at"] = Text(n.raised_at);
  j["state"] = Text(n.state);
  j["attempts"] = n.attempts;
  j["next_at"] = Text(n.state == spool::notice::kQueued && n.next_at_ms > 0
                          ? spool::IsoFromUnixMs(n.next_at_ms)
                          : "");
  j["last_error"] = Text(n.last_error);
  j["sent_at"] = Text(n.sent_at);
  j["message_id"] = Text(n.message_id);
  return j;
}

// One notice as `rbgate notify list` and `rbgate ledger show` print it: when raised (local
// time), to whom, what, and what came of it.
void PrintNotice(const spool::NoticeRecord& n) {
  std::string outcome = n.state;
  if (n.state == spool::notice::kSent) outcome += " " + spool::ListedTime(n.sent_at);
  if (n.state == spool::notice::kQueued && n.attempts > 0) {
    outcome += " (next try " + spool::ListedTime(spool::IsoFromUnixMs(n.next_at_ms)) + ")";
  }
  std::printf("  #%-5llu %s  %-12s %-19s %s, %llu attempt%s\n",
              static_cast<unsigned long long>(n.id), spool::ListedTime(n.raised_at).c_str(),
              n.channel.c_str(), n.event.c_str(), outcome.c_str(),
              static_cast<unsigned long long>(n.attempts), n.attempts == 1 ? "" : "s");
  std::printf("         %s\n", Shown(n.summary).c_str());
  if (!n.last_error.empty() && n.state != spool::notice::kSent) {
    std::printf("         last: %s\n", Shown(n.last_error).c_str());
  }
}

int LedgerShow(Config& c, const std::string& id, const OperatorOptions& o) {
  auto op = Open(c);
  if (!op) return 2;
  auto& l = op->spool->ledger();
  auto f = l.Get(id);
  if (!f) return Fail({spool::Code::kNotFound, "no file " + id});
  auto transitions = l.Transitions(id);
  auto findings = l.Findings(id);
  auto deliveries = l.Deliveries(id);
  auto actions = l.Actions(id);
  const auto notices = l.ListNotices({id, "", false, 0});
  if (o.format == "json") {
    Json out = Json::object();
    out["file"] = spool::ToJson(*f);
    out["notices"] = ArrayOf(notices, NoticeJson);
    out["transitions"] = ArrayOf(transitions);
    Json by_rule = Json::object();
    for (const auto& x : findings) by_rule[schemas::ValidUtf8(x.rule)] = x.count;
    out["findings"] = std::move(by_rule);
    out["deliveries"] = ArrayOf(deliveries);
    out["actions"] = ArrayOf(actions);
    PrintJson(out);
    return 0;
  }
  std::printf(
      "%s  %s\n  route %s, feed %s, %llu bytes, %llu records, %llu errors, %llu warnings\n"
      "  sha256 %s\n  state %s%s%s\n",
      f->id.c_str(), Shown(f->name).c_str(), f->route.c_str(),
      f->feed.empty() ? "-" : f->feed.c_str(), static_cast<unsigned long long>(f->size),
      static_cast<unsigned long long>(f->records), static_cast<unsigned long long>(f->errors),
      static_cast<unsigned long long>(f->warnings), f->sha256.c_str(), f->state.c_str(),
      f->reason.empty() ? "" : ": ", Shown(f->reason).c_str());
  std::fputs(JudgedBy(*f).c_str(), stdout);
  if (!f->node.empty()) std::printf("  node %s\n", Shown(f->node).c_str());
  std::printf("transitions:\n");
  for (const auto& t : transitions) {
    std::printf("  %s  %-12s %s\n", t.at.c_str(), t.state.c_str(), Shown(t.detail).c_str());
  }
  if (!findings.empty()) std::printf("findings:\n");
  for (const auto& x : findings) {
    std::printf("  %-42s %-7s %llu\n", x.rule.c_str(), x.severity.c_str(),
                static_cast<unsigned long long>(x.count));
  }
  if (!deliveries.empty()) std::printf("deliveries:\n");
  for (const auto& d : deliveries) {
    std::printf("  %s  %s  %s  %s\n", d.at.c_str(), d.destination.c_str(), d.status.c_str(),
                d.name.c_str());
  }
  const auto outbound = l.OutboundOf(id);
  if (!outbound.empty()) std::printf("outbound:\n");
  for (const auto& item : outbound) {
    std::printf("  #%llu  %s  %s  %llu attempt%s  %s%s%s\n",
                static_cast<unsigned long long>(item.id), item.destination.c_str(),
                item.state.c_str(), static_cast<unsigned long long>(item.attempts),
                item.attempts == 1 ? "" : "s", item.name.c_str(),
                item.last_error.empty() ? "" : "  last: ", Shown(item.last_error).c_str());
  }
  if (!actions.empty()) std::printf("actions:\n");
  for (const auto& a : actions) {
    std::printf("  %s  %s by %s: %s\n", a.at.c_str(), a.action.c_str(), a.user.c_str(),
                Shown(a.reason).c_str());
  }
  if (!notices.empty()) std::printf("notices:\n");
  for (const auto& n : notices) PrintNotice(n);
  return 0;
}

int Stats(Config& c, const OperatorOptions& o) {
  auto op = Open(c);
  if (!op) return 2;
  auto rows = op->spool->ledger().Stats(o.since);
  auto dests = op->spool->ledger().OutboundStatsSince(o.since);
  if (o.format == "json") {
    Json out = Json::object();
    out["stats"] = ArrayOf(rows, [](const spool::StatsRow& r) {
      Json j = Json::object();
      j["feed"] = Text(r.feed);
      j["hour"] = Text(r.hour + ":00");
      j["outcome"] = Text(r.outcome);
      j["node"] = Text(r.node);
      j["files"] = r.files;
      j["bytes"] = r.bytes;
      j["records"] = r.records;
      return j;
    });
    out["destinations"] = ArrayOf(dests, [](const spool::OutboundStats& d) {
      Json failures = Json::object();
      for (const auto& [reason, n] : d.failures) failures[schemas::ValidUtf8(reason)] = n;
      Json j = Json::object();
      j["destination"] = Text(d.destination);
      j["attempts"] = d.attempts;
      j["delivered"] = d.delivered;
      j["refused"] = d.refused;
      j["failures"] = std::move(failures);
      j["queued"] = d.queued;
      j["oldest_queued_at"] = Text(d.oldest_queued_at);
      return j;
    });
    PrintJson(out);
    return 0;
  }
  // Which node did what, when several share the ledger.
  const bool nodes =
      std::any_of(rows.begin(), rows.end(), [](const auto& r) { return !r.node.empty(); });
  std::printf("%-17s %-8s %-12s %s%8s %14s %12s\n", "HOUR (UTC)", "FEED", "OUTCOME",
              nodes ? fmt::format("{:<12} ", "NODE").c_str() : "", "FILES", "BYTES", "RECORDS");
  for (const auto& r : rows) {
    std::printf("%-17s %-8s %-12s %s%8llu %14llu %12llu\n", (r.hour + ":00").c_str(),
                r.feed.empty() ? "-" : r.feed.c_str(), r.outcome.c_str(),
                nodes ? fmt::format("{:<12} ", r.node.empty() ? "-" : Shown(r.node)).c_str() : "",
                static_cast<unsigned long long>(r.files), static_cast<unsigned long long>(r.bytes),
                static_cast<unsigned long long>(r.records));
  }
  if (!dests.empty()) {
    std::printf("\n%-14s %8s %9s %7s %7s  %-24s %s\n", "DESTINATION", "ATTEMPTS", "DELIVERED",
                "REFUSED", "QUEUED", "OLDEST QUEUED (UTC)", "FAILURES BY REASON");
    for (const auto& d : dests) {
      std::string failures;
      for (const auto& [reason, n] : d.failures) {
        failures += fmt::format("{}{} {}", failures.empty() ? "" : ", ", reason, n);
      }
      std::printf(
          "%-14s %8llu %9llu %7llu %7llu  %-24s %s\n", d.destination.c_str(),
          static_cast<unsigned long long>(d.attempts), static_cast<unsigned long long>(d.delivered),
          static_cast<unsigned long long>(d.refused), static_cast<unsigned long long>(d.queued),
          d.oldest_queued_at.empty() ? "-" : d.oldest_queued_at.c_str(),
          failures.empty() ? "-" : failures.c_str());
    }
  }
  return 0;
}

int Nodes(Config& c, const OperatorOptions& o) {
  auto op = Open(c);
  if (!op) return 2;
  const auto nodes = op->spool->ledger().Nodes();
  const std::int64_t now = spool::UnixMs();
  // As Ledger::Leads decides: the live node first by name (Nodes() is in that order).
  const auto leader = std::find_if(nodes.begin(), nodes.end(), [&](const spool::NodeRecord& n) {
    return n.lease_until_ms >= now;
  });
  const auto leads = [&](const spool::NodeRecord& n) {
    return leader != nodes.end() && &n == &*leader;
  };
  if (o.format == "json") {
    Json out = Json::object();
    out["nodes"] = ArrayOf(nodes, [&](const spool::NodeRecord& n) {
      Json j = Json::object();
      j["node"] = Text(n.node);
      j["host"] = Text(n.host);
      j["pid"] = n.pid;
      j["started_at"] = Text(n.started_at);
      j["lease_until"] = Text(spool::IsoFromUnixMs(n.lease_until_ms));
      j["live"] = n.lease_until_ms >= now;
      j["leads"] = leads(n);
      j["unfinished"] = n.unfinished;
      return j;
    });
    PrintJson(out);
    return 0;
  }
  if (nodes.empty()) {
    std::printf("no node has joined this ledger (one daemon, no [daemon] node)\n");
    return 0;
  }
  std::printf("%-16s %-20s %8s  %-24s %-24s %10s\n", "NODE", "HOST", "PID", "STARTED (UTC)",
              "LEASE UNTIL (UTC)", "UNFINISHED");
  for (const auto& n : nodes) {
    std::printf("%-16s %-20s %8llu  %-24s %-24s %10llu  %s\n", Shown(n.node).c_str(),
                Shown(n.host).c_str(), static_cast<unsigned long long>(n.pid), n.started_at.c_str(),
                spool::IsoFromUnixMs(n.lease_until_ms).c_str(),
                static_cast<unsigned long long>(n.unfinished),
                n.lease_until_ms < now ? "lease ran out: its files go to a live node"
                : leads(n)             ? "live, leads"
                                       : "live");
  }
  return 0;
}

int NotifyList(Config& c, bool all, const std::string& file_id, const OperatorOptions& o) {
  auto op = Open(c);
  if (!op) return 2;
  auto& l = op->spool->ledger();
  const auto notices = l.ListNotices({file_id, o.since, !all, 0});
  const auto stats = l.NoticeStatsByChannel();
  if (o.format == "json") {
    Json out = Json::object();
    out["notices"] = ArrayOf(notices, NoticeJson);
    out["channels"] = ArrayOf(stats, [](const spool::NoticeStats& s) {
      Json j = Json::object();
      j["channel"] = Text(s.channel);
      j["queued"] = s.queued;
      j["sent"] = s.sent;
      j["expired"] = s.expired;
      j["oldest_queued_at"] = Text(s.oldest_queued_at);
      j["last_sent_at"] = Text(s.last_sent_at);
      return j;
    });
    PrintJson(out);
    return 0;
  }
  std::printf("%-16s %8s %8s %8s  %-16s %s\n", "CHANNEL", "WAITING", "SENT", "EXPIRED", "LAST SENT",
              "OLDEST WAITING");
  for (const auto& s : stats) {
    std::printf("%-16s %8llu %8llu %8llu  %-16s %s\n", s.channel.c_str(),
                static_cast<unsigned long long>(s.queued), static_cast<unsigned long long>(s.sent),
                static_cast<unsigned long long>(s.expired),
                s.last_sent_at.empty() ? "-" : spool::ListedTime(s.last_sent_at).c_str(),
                s.oldest_queued_at.empty() ? "-" : spool::ListedTime(s.oldest_queued_at).c_str());
  }
  std::printf("\n%s:\n", all ? "notices" : "notices waiting (--all for every one)");
  for (const auto& n : notices) PrintNotice(n);
  std::printf("%zu notice%s\n", notices.size(), notices.size() == 1 ? "" : "s");
  return 0;
}

int SignOutUser(Config& c, const std::string& user) {
  auto op = Open(c);
  if (!op) return 2;
  auto ended = op->spool->ledger().EndSessionsOf(user);
  if (!ended.ok()) return Fail(ended.status());
  std::printf("%llu console session%s of %s ended\n", static_cast<unsigned long long>(*ended),
              *ended == 1 ? "" : "s", user.c_str());
  return 0;
}

int SourcesList(Config& c, const OperatorOptions& o) {
  auto op = Open(c);
  if (!op) return 2;
  const auto stats = op->spool->ledger().SourceStatsAll();
  const auto of = [&](const std::string& name) {
    for (const auto& s : stats) {
      if (s.source == name) return s;
    }
    return spool::SourceStats{name};
  };
  if (o.format == "json") {
    Json out = Json::array();
    for (const auto& s : c.sources) {
      const auto st = of(s.remote.name);
      Json j = Json::object();
      j["name"] = Text(s.remote.name);
      j["type"] = Text(s.remote.type);
      j["url"] = Text(s.remote.url);
      j["route"] = Text(s.route);
      j["pattern"] = Text(s.pattern);
      j["poll_seconds"] = s.poll_seconds;
      if (s.at) {
        j["at"] = Text(s.at->by_text);
        j["on"] = Text(s.at->on_text);
      }
      if (s.expect) {
        j["expect_by"] = Text(s.expect->by_text);
        j["expect_on"] = Text(s.expect->on_text);
      }
      j["after"] = Text(s.after);
      j["move_to"] = Text(s.move_to);
      j["collected"] = st.collected;
      j["bytes"] = st.bytes;
      j["waiting"] = st.waiting;
      j["last_collected_at"] = Text(st.last_collected_at);
      out.push_back(std::move(j));
    }
    PrintJson(out);
    return 0;
  }
  std::printf("%-16s %-6s %-12s %-8s %9s %12s %8s  %-16s %s\n", "SOURCE", "TYPE", "ROUTE", "AFTER",
              "COLLECTED", "BYTES", "WAITING", "LAST", "FROM");
  for (const auto& s : c.sources) {
    const auto st = of(s.remote.name);
    std::printf(
        "%-16s %-6s %-12s %-8s %9llu %12llu %8llu  %-16s %s%s\n", s.remote.name.c_str(),
        s.remote.type.c_str(), s.route.c_str(), s.after.c_str(),
        static_cast<unsigned long long>(st.collected), static_cast<unsigned long long>(st.bytes),
        static_cast<unsigned long long>(st.waiting),
        st.last_collected_at.empty() ? "-" : spool::ListedTime(st.last_collected_at).c_str(),
        s.remote.url.c_str(), s.pattern == "*" ? "" : s.pattern.c_str());
  }
  for (const auto& s : c.sources) {
    // When each is listed and expected, where that is not every poll_seconds and never.
    if (s.at) {
      std::printf("  %s: listed from %s (%s) until a file is collected\n", s.remote.name.c_str(),
                  s.at->by_text.c_str(), s.at->on_text.c_str());
    }
    if (s.expect) {
      std::printf("  %s: a file expected by %s (%s)\n", s.remote.name.c_str(),
                  s.expect->by_text.c_str(), s.expect->on_text.c_str());
    }
  }
  std::printf("%zu source%s (WAITING: dropped, the server's copy not yet %s)\n", c.sources.size(),
              c.sources.size() == 1 ? "" : "s", "deleted or moved");
  return 0;
}

int KeysList(Config& c, const OperatorOptions& o) {
  if (c.openpgp_home.empty()) {
    std::fprintf(stderr, "rbgate: no [openpgp] home in %s: no keyring to list\n", c.path.c_str());
    return 2;
  }
  // gpg would make a keyring where there is none: a mistyped home is said, not created.
  if (spool::KindOf(c.openpgp_home) != spool::NodeKind::kDirectory) {
    std::fprintf(stderr, "rbgate: [openpgp] home %s is not a folder: no keyring there\n",
                 c.openpgp_home.c_str());
    return 2;
  }
  auto keys = spool::openpgp::ListKeys(c.openpgp_home);
  if (!keys.ok()) return Fail(keys.status());
  const std::int64_t now = std::time(nullptr);
  if (o.format == "json") {
    Json out = Json::array();
    for (const auto& k : *keys) {
      bool warn = false;
      Json j = Json::object();
      j["fingerprint"] = Text(k.fingerprint);
      j["user_id"] = Text(k.user_id);
      j["secret"] = k.secret;
      j["can_encrypt"] = k.can_encrypt;
      j["can_sign"] = k.can_sign;
      j["expires"] = Text(k.expires > 0 ? spool::IsoFromUnixMs(k.expires * 1000) : "");
      j["state"] = Text(spool::openpgp::KeyState(k, now, c.openpgp_warn_days, warn));
      j["needs_action"] = warn;
      out.push_back(std::move(j));
    }
    PrintJson(out);
    return 0;
  }
  std::printf("%-40s %-7s %-34s %s\n", "FINGERPRINT", "KIND", "STATE", "USER ID");
  std::size_t act = 0;
  for (const auto& k : *keys) {
    bool warn = false;
    const std::string state = spool::openpgp::KeyState(k, now, c.openpgp_warn_days, warn);
    act += warn ? 1 : 0;
    std::printf("%-40s %-7s %-34s %s\n", k.fingerprint.c_str(), k.secret ? "council" : "partner",
                state.c_str(), Shown(k.user_id).c_str());
  }
  std::printf("%zu key%s in %s; %zu to act on (revoked, expired or expiring within %d days)\n",
              keys->size(), keys->size() == 1 ? "" : "s", c.openpgp_home.c_str(), act,
              c.openpgp_warn_days);
  return 0;
}

int OutboundList(Config& c, bool all, const OperatorOptions& o) {
  auto op = Open(c);
  if (!op) return 2;
  auto& l = op->spool->ledger();
  const auto items = l.ListOutbound(all, o.since);
  const auto waiting = l.List({std::string(spool::state::kAwaitingApproval), o.feed, o.since, 0});
  if (o.format == "json") {
    Json out = Json::object();
    out["outbound"] = ArrayOf(items, OutboundJson);
    out["awaiting_approval"] = ArrayOf(waiting);
    PrintJson(out);
    return 0;
  }
  std::printf("%-6s %-23s %-14s %-9s %8s  %-24s %s\n", "ID", "FILE", "DESTINATION", "STATE",
              "ATTEMPTS", "NEXT TRY (UTC)", "NAME");
  for (const auto& i : items) {
    const bool waits = i.state == spool::outbound::kQueued;
    std::printf("%-6llu %-23s %-14s %-9s %8llu  %-24s %s\n", static_cast<unsigned long long>(i.id),
                i.file_id.c_str(), i.destination.c_str(), i.state.c_str(),
                static_cast<unsigned long long>(i.attempts),
                waits && i.next_at_ms > 0 ? spool::IsoFromUnixMs(i.next_at_ms).c_str() : "-",
                i.name.c_str());
    if (!i.last_error.empty()) std::printf("%-6s last: %s\n", "", Shown(i.last_error).c_str());
  }
  std::printf("%zu item%s\n", items.size(), items.size() == 1 ? "" : "s");
  if (!waiting.empty()) {
    std::printf("\nawaiting a second officer's approval (rbgate approve ID --reason TEXT):\n");
    for (const auto& f : waiting) {
      std::printf("  %s  route %s  %s  dropped by %s\n", f.id.c_str(), f.route.c_str(),
                  Shown(f.name).c_str(), f.dropped_by.empty() ? "?" : f.dropped_by.c_str());
    }
  }
  return 0;
}

// An operator's action on outbound item `id` (as typed): `act` does it and says what came of it.
template <class Act>
int OnItem(Config& c, const std::string& id, Act act) {
  std::uint64_t n = 0;
  const char* end = id.data() + id.size();
  if (id.empty() || std::from_chars(id.data(), end, n).ptr != end || n == 0) {
    return Fail({spool::Code::kInvalidArgument, "not an item id: " + id});
  }
  auto op = Open(c);
  if (!op) return 2;
  if (spool::Status s = act(*op->spool, n); !s.ok()) return Fail(s);
  return 0;
}

int OutboundRetry(Config& c, const std::string& id, const std::string& reason) {
  return OnItem(c, id, [&](spool::Spool& sp, std::uint64_t n) {
    spool::Status s = sp.RetryDelivery(n, reason);
    if (s.ok()) {
      std::printf("outbound item %llu is due now; the daemon sends it within a second\n",
                  static_cast<unsigned long long>(n));
    }
    return s;
  });
}

int OutboundCancel(Config& c, const std::string& id, const std::string& reason) {
  return OnItem(c, id, [&](spool::Spool& sp, std::uint64_t n) {
    spool::Status s = sp.CancelDelivery(n, reason);
    if (s.ok()) {
      auto item = sp.ledger().GetOutbound(n);
      auto f = item ? sp.ledger().Get(item->file_id) : std::nullopt;
      std::printf("outbound item %llu cancelled; file %s is %s\n",
                  static_cast<unsigned long long>(n), item ? item->file_id.c_str() : "?",
                  f ? f->state.c_str() : "?");
    }
    return s;
  });
}

int Approve(Config& c, const std::string& id, const std::string& reason) {
  auto op = Open(c);
  if (!op) return 2;
  if (spool::Status s = op->spool->Approve(id, reason); !s.ok()) return Fail(s);
  auto f = op->spool->ledger().Get(id);
  std::printf("%s approved: %s\n", id.c_str(), f ? f->state.c_str() : "?");
  return 0;
}

int AuditVerify(Config& c, const std::string& head, const OperatorOptions& o) {
  std::optional<std::pair<std::uint64_t, std::string>> anchor;
  if (!head.empty()) {
    const std::size_t colon = head.find(':');
    std::uint64_t seq = 0;
    const char* end = head.data() + (colon == std::string::npos ? head.size() : colon);
    if (colon == std::string::npos || std::from_chars(head.data(), end, seq).ptr != end ||
        seq == 0 || head.size() - colon - 1 != 64) {
      std::fprintf(stderr, "rbgate: --head must be SEQ:HASH as printed by audit verify, not %s\n",
                   head.c_str());
      return 2;
    }
    anchor.emplace(seq, head.substr(colon + 1));
  }
  auto op = Open(c);
  if (!op) return 2;
  const spool::AuditVerdict v = op->spool->ledger().VerifyAudit(anchor);
  const std::string head_text = fmt::format("{}:{}", v.head_seq, v.head_hash);
  if (o.format == "json") {
    Json out = Json::object();
    out["entries"] = v.entries;
    out["head"] = Text(v.entries ? head_text : "");
    out["intact"] = v.ok();
    out["problems"] = ArrayOf(v.problems, [](const auto& p) {
      Json j = Json::object();
      j["entry"] = p.seq;
      j["file"] = Text(p.file_id);
      j["at"] = Text(p.at);
      j["message"] = Text(p.message);
      return j;
    });
    PrintJson(out);
    return v.ok() ? 0 : 1;
  }
  std::printf("audit chain: %llu entries%s%s\n", static_cast<unsigned long long>(v.entries),
              v.entries ? "; head " : "", v.entries ? head_text.c_str() : "");
  for (const auto& p : v.problems) {
    std::string where = p.seq ? fmt::format("entry {}", p.seq) : std::string("ledger");
    if (!p.file_id.empty()) where += fmt::format(" (file {}, {})", p.file_id, p.at);
    std::printf("%s: %s\n", where.c_str(), p.message.c_str());
  }
  if (v.ok()) {
    std::printf("intact: every transition and action is chained and unchanged\n");
    return 0;
  }
  std::printf("TAMPERED: %zu problem%s; the record cannot be trusted from the first on\n",
              v.problems.size(), v.problems.size() == 1 ? "" : "s");
  // Those the configuration names are told (the daemon sends the notices).
  const auto rows = NoticeRows(c.notify, AuditFailedNotice(v), spool::UnixMs());
  if (!rows.empty()) {
    if (spool::Status s = op->spool->ledger().AddNotices(rows); s.ok()) {
      std::printf("notice queued for %zu channel%s (rbgate notify list)\n", rows.size(),
                  rows.size() == 1 ? "" : "s");
    } else {
      std::fprintf(stderr, "rbgate: could not queue the notice: %s\n", s.message.c_str());
    }
  }
  return 1;
}

int Reconcile(Config& c, const ReconcileOptions& o) {
  auto op = Open(c);
  if (!op) return 2;
  namespace br = schemas::bacs_reports;
  const auto reconciled = br::Reconcile(op->spool->ledger(), o.from, o.to);
  if (!reconciled.ok()) return Fail(reconciled.status());
  const br::ReconcileResult& r = *reconciled;
  const br::ReconcileRenderOptions render{o.show_personal};
  const std::string out = o.format == "json"  ? br::RenderReconcileJson(r, render)
                          : o.format == "csv" ? br::RenderReconcileCsv(r, render)
                                              : br::RenderReconcileText(r, render);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return r.unmatched + r.returned_twice > 0 ? 1 : 0;
}

int PurgeItems(Config& c, const std::string& before) {
  auto op = Open(c);
  if (!op) return 2;
  auto gone = op->spool->ledger().PurgeItems(before);
  if (!gone.ok()) return Fail(gone.status());
  // Every kind of item the feeds keep, in the order their stores name them.
  std::string counts;
  for (const auto* store : schemas::FeedStores()) {
    for (std::string_view kind : store->item_kinds()) {
      const auto it = gone->find(std::string(kind));
      counts += fmt::format("{}{} {}", counts.empty() ? "" : ", ",
                            it == gone->end() ? 0 : it->second, kind);
    }
  }
  std::printf("forgot the items of days before %s: %s (user %s)\n", before.c_str(),
              counts.empty() ? "none kept" : counts.c_str(), c.spool.user.c_str());
  return 0;
}

int LedgerMigrate(Config& c, const std::string& to, const std::string& password_file) {
  if (c.spool.ledger.postgres()) {
    std::fprintf(stderr,
                 "rbgate: this spool's ledger is already in PostgreSQL (%s); ledger migrate "
                 "copies the embedded SQLite ledger\n",
                 c.spool.ledger.url.c_str());
    return 2;
  }
  if (!spool::IsPostgresUrl(to)) {
    std::fprintf(stderr, "rbgate: --to must be a postgresql:// URL\n");
    return 2;
  }
  spool::LedgerLocation where{to, ""};
  if (!password_file.empty()) {
    std::ifstream in(password_file, std::ios::binary);
    if (!std::getline(in, where.password) || where.password.empty()) {
      std::fprintf(stderr, "rbgate: cannot read a password from %s\n", password_file.c_str());
      return 2;
    }
  }
  // No daemon may write to the ledger while it is copied: the spool's own lock says none does.
  auto lock = spool::SpoolLock::Take(c.spool.root);
  if (!lock.ok()) return Fail(lock.status());
  auto report = spool::CopySqliteLedger(c.spool.root + "/ledger.db", where);
  if (!report.ok()) return Fail(report.status());
  std::string rows;
  for (const auto& [table, n] : report->rows) {
    rows += fmt::format("  {:<18} {}\n", table, n);
  }
  std::printf(
      "copied %s/ledger.db to %s:\n%s"
      "audit chain verified in the copy: %llu entries, head %s (as in the original)\n"
      "The original is unchanged. To use the copy, set [ledger] url in %s and restart.\n",
      c.spool.root.c_str(), to.c_str(), rows.c_str(),
      static_cast<unsigned long long>(report->audit_entries), report->audit_head.c_str(),
      c.path.c_str());
  return 0;
}

int ArchivePurge(Config& c, bool dry_run) {
  if (!c.retention.any()) {
    std::printf(
        "nothing is ever deleted: [archive] retain_days and [quarantine] retain_days "
        "are 0 (for ever) in %s\n",
        c.path.c_str());
    return 0;
  }
  auto op = Open(c);
  if (!op) return 2;
  auto report =
      spool::PurgeExpired(*op->spool, c.retention, spool::UnixMs(), dry_run, c.spool.user);
  if (!report.ok()) return Fail(report.status());
  for (const auto& f : report->files) {
    std::printf("%s %-10s %s  %s  (%s, %llu bytes)\n", dry_run ? "would delete" : "deleted",
                f.where.c_str(), f.id.c_str(), f.name.c_str(), f.day.c_str(),
                static_cast<unsigned long long>(f.bytes));
  }
  std::printf(
      "%s %zu (%llu bytes); %llu past their time but still needed (waiting for an "
      "officer, an approval or a destination)%s\n",
      dry_run ? "would delete" : "deleted", report->files.size(),
      static_cast<unsigned long long>(report->bytes),
      static_cast<unsigned long long>(report->kept_in_use),
      dry_run || report->files.empty() ? "" : "; each deletion is on its file's record");
  return 0;
}

int LedgerBackup(Config& c, const std::string& to) {
  auto report = spool::BackupLedger(c.spool.ledger, c.spool.root, to);
  if (!report.ok()) return Fail(report.status());
  std::printf(
      "backed up %s/ledger.db to %s: %llu files; audit chain verified in the backup, %llu "
      "entries, head %s\n"
      "To restore: stop rbgate, copy %s to %s/ledger.db, then rbgate audit verify --head %s\n",
      c.spool.root.c_str(), to.c_str(), static_cast<unsigned long long>(report->files),
      static_cast<unsigned long long>(report->audit_entries), report->audit_head.c_str(),
      to.c_str(), c.spool.root.c_str(), report->audit_head.c_str());
  return 0;
}

int Init(const std::string& dir) {
  if (spool::Status s = spool::MakeDirs(dir); !s.ok()) return Fail(s);
  const std::string config_path = dir + "/rbgate.toml";
  if (spool::KindOf(config_path) != spool::NodeKind::kMissing) {
    std::fprintf(stderr, "rbgate: %s exists; not overwriting it\n", config_path.c_str());
    return 2;
  }
  if (spool::Status s = spool::WriteFileDurably(dir, "rbgate.toml", ExampleConfig()); !s.ok()) {
    return Fail(s);
  }
  try {
    Config c = LoadConfig(config_path);
    auto sp = spool::Spool::Open(c.spool);
    if (!sp.ok()) return Fail(sp.status());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rbgate: %s\n", e.what());
    return 2;
  }
  std::printf(
      "created a spool in %s:\n  %s/rbgate.toml  (configuration, commented)\n"
      "  %s/incoming/auto/  (drop files here; the feed is detected from content)\n"
      "  %s/delivered/      (accepted files are delivered here)\n"
      "  %s/ledger.db       (every file and step on record)\n"
      "start it with: rbgate run --config %s/rbgate.toml\n",
      dir.c_str(), dir.c_str(), dir.c_str(), dir.c_str(), dir.c_str(), dir.c_str());
  return 0;
}

}  // namespace rbgate::gateway
