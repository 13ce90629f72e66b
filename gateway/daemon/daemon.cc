#include "gateway/daemon/daemon.h"

#include <fmt/format.h>
#include <poll.h>
#include <pwd.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <set>
#include <thread>

#include "gateway/admin/admin_server.h"
#include "gateway/admin/metrics.h"
#include "gateway/daemon/clock.h"
#include "gateway/daemon/late_feeds.h"
#include "gateway/daemon/log.h"
#include "gateway/forward/forwarder.h"
#include "gateway/notify/notifier.h"
#include "parsers/invariant.h"
#include "schemas/dates.h"
#include "schemas/feed.h"
#include "spool/check/report.h"
#include "spool/fsio.h"
#include "spool/ledger.h"
#include "spool/lock.h"
#include "spool/openpgp.h"

namespace rbgate::gateway {
namespace {

std::int64_t NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

using log::Level;
using log::Number;
using log::Text;
using log::Word;

// True once every `period` ms: when `period` has passed since `last`, which it then moves on.
// Whether `period` has passed since `last` (0: never done, so due now: the steady clock counts
// from boot, and a machine up less than a period must not wait for its first); if so, now.
bool Due(std::int64_t now, std::int64_t& last, std::int64_t period) {
  if (last != 0 && now - last < period) return false;
  last = now;
  return true;
}

std::string_view CodeName(spool::Code c) {
  switch (c) {
    case spool::Code::kOk:
      return "ok";
    case spool::Code::kUnavailable:
      return "unavailable";
    case spool::Code::kNotFound:
      return "not-found";
    case spool::Code::kFailedPrecondition:
      return "failed-precondition";
    case spool::Code::kInvalidArgument:
      return "invalid-argument";
    case spool::Code::kPermissionDenied:
      return "permission-denied";
    case spool::Code::kDataLoss:
      return "data-loss";
    case spool::Code::kAborted:
      return "aborted";
    case spool::Code::kInternal:
      return "internal";
  }
  return "unknown";
}

// Where a file's processing ended: the stage it reached and its outcome, with how long it
// took, logged and counted.
void Finished(spool::Spool& s, Metrics& metrics, const std::string& id, const spool::Status& st,
              std::int64_t duration_ms) {
  if (st.code == spool::Code::kAborted) {
    // Several nodes: another took the file over while this one's lease had run out. Its to
    // finish; nothing here to fix.
    log::Event(Level::kWarning, "handed-over",
               {Word("id", id), Number("duration_ms", duration_ms), Text("reason", st.message)});
    return;
  }
  if (!st.ok()) {
    metrics.Paused(std::string(CodeName(st.code)));
    log::Event(st.code == spool::Code::kUnavailable ? Level::kWarning : Level::kError, "paused",
               {Word("id", id), Word("code", std::string(CodeName(st.code))),
                Number("duration_ms", duration_ms), Text("reason", st.message)});
    return;
  }
  auto f = s.ledger().Get(id);
  if (!f) return;
  if (f->state == spool::state::kForwarding || f->state == spool::state::kAwaitingApproval) {
    // Not finished: waiting for the forwarders or for a second officer.
    log::Event(
        Level::kInfo, f->state,
        {Word("id", id), Word("route", f->route), Text("name", f->name), Word("feed", f->feed),
         Word("stage", f->state == spool::state::kForwarding ? "forward" : "approve"),
         Number("duration_ms", duration_ms)});
    return;
  }
  const bool delivered = f->state == spool::state::kDelivered;
  const std::string& outcome = f->outcome.empty() ? f->state : f->outcome;
  const std::string stage = delivered || f->state == spool::state::kCancelled ? "deliver"
                            : f->state == spool::state::kQuarantined          ? "quarantine"
                            : f->state == spool::state::kVanished             ? "claim"
                                                                              : "check";
  log::Event(delivered ? Level::kInfo : Level::kWarning, f->state,
             {Word("id", id), Word("route", f->route), Text("name", f->name), Word("feed", f->feed),
              Word("stage", stage), Word("outcome", outcome),
              Number("size", static_cast<std::int64_t>(f->size)),
              Number("records", static_cast<std::int64_t>(f->records)),
              Number("errors", static_cast<std::int64_t>(f->errors)),
              Number("warnings", static_cast<std::int64_t>(f->warnings)),
              Number("duration_ms", duration_ms), Text("reason", f->reason)});
  metrics.FileDone(f->route, f->feed, outcome, f->size, f->records,
                   static_cast<double>(duration_ms) / 1000);
  // A clean file has none: no query for the common case.
  if (f->errors + f->warnings > 0) metrics.Findings(s.ledger().Findings(id));
}

// Work for the workers: a candidate to claim and process, or a claimed id to resume.
struct Job {
  std::string id;
  std::optional<spool::Candidate> candidate;
};

// A queue of jobs for the workers.
class WorkQueue {
 public:
  void Push(Job id) {
    {
      std::lock_guard lock(mu_);
      q_.push_back(std::move(id));
      ++pending_;
    }
    cv_.notify_one();
  }
  // Blocks until an id or the close; false when closed and empty.
  bool Pop(Job& id) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return closed_ || !q_.empty(); });
    if (q_.empty()) return false;
    id = std::move(q_.front());
    q_.pop_front();
    return true;
  }
  // True when this was the last job pending.
  bool Done() {
    std::lock_guard lock(mu_);
    --pending_;
    idle_.notify_all();
    return pending_ == 0;
  }
  void WaitIdle() {
    std::unique_lock lock(mu_);
    idle_.wait(lock, [&] { return pending_ == 0; });
  }
  void Close() {
    {
      std::lock_guard lock(mu_);
      closed_ = true;
    }
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_, idle_;
  std::deque<Job> q_;
  std::size_t pending_ = 0;
  bool closed_ = false;
};

}  // namespace

std::string OsUser() {
  // sudo names the person behind root in SUDO_USER. Anyone else could set it to pass for a
  // colleague (and so approve their own file), so it counts only when running as root.
  if (const char* sudo = std::getenv("SUDO_USER"); sudo && *sudo && ::geteuid() == 0) return sudo;
  if (passwd* pw = ::getpwuid(::geteuid())) return pw->pw_name;
  return fmt::format("uid:{}", ::geteuid());
}

void LoadCheckResources(Config& config, CheckResources& res,
                        const std::string& default_modulus_dir) {
  if (!config.calendar_file.empty())
    res.calendar = schemas::Calendar::FromFile(config.calendar_file);
  config.spool.check.validator.calendar =
      res.calendar ? &*res.calendar : &schemas::Calendar::Default();
  std::string dir = config.modulus_dir.empty() ? default_modulus_dir : config.modulus_dir;
  struct stat st;
  if (!config.modulus_dir.empty() || (::stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode))) {
    res.modulus = schemas::ModulusChecker::LoadDirectory(dir);
  }
  config.spool.check.validator.modulus = res.modulus ? &*res.modulus : nullptr;
  config.spool.user = OsUser();
}

// Says when a route is held (its feed has no schema that loads: its files wait in the drop
// folder) and when it resumes; `said` is what was said before.
void ReportHeld(const std::vector<std::string>& held, std::set<std::string>& said,
                const spool::Spool& sp) {
  std::set<std::string> now(held.begin(), held.end());
  for (const auto& route : now) {
    if (said.count(route) > 0) continue;
    const spool::RouteOptions* r = nullptr;
    for (const auto& o : sp.options().routes) {
      if (o.name == route) r = &o;
    }
    const spool::Status why = sp.FeedServes(r != nullptr ? r->feed : std::string());
    log::Event(Level::kWarning, "route-held",
               {Word("route", route), Word("feed", r != nullptr ? r->feed : ""),
                Text("reason", why.message),
                Text("action", "its files wait in the drop folder until the schema loads")});
  }
  for (const auto& route : said) {
    if (now.count(route) == 0) log::Event(Level::kInfo, "route-resumed", {Word("route", route)});
  }
  said = std::move(now);
}

// A node's lease, renewed on a thread of its own every third of its length: recovery and a
// long check must not let it run out (another node would adopt files this one is working on,
// and the ledger would refuse this one's next steps on them). One that ran out (the ledger away
// too long) joins again; meanwhile the node takes no new work.
class LeaseKeeper {
 public:
  LeaseKeeper(spool::Ledger& ledger, std::string node, std::string host, std::int64_t lease_ms)
      : ledger_(ledger),
        node_(std::move(node)),
        host_(std::move(host)),
        lease_ms_(lease_ms),
        thread_([this] { Run(); }) {}
  ~LeaseKeeper() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }
  LeaseKeeper(const LeaseKeeper&) = delete;
  LeaseKeeper& operator=(const LeaseKeeper&) = delete;

  bool held() const { return held_.load(std::memory_order_relaxed); }

 private:
  void Run() {
    std::unique_lock lock(mu_);
    while (
        !wake_.wait_for(lock, std::chrono::milliseconds(lease_ms_ / 3), [this] { return stop_; })) {
      lock.unlock();
      spool::Status r = ledger_.Renew(lease_ms_);
      if (r.code == spool::Code::kFailedPrecondition) r = ledger_.Join(node_, host_, lease_ms_);
      if (r.ok() != held()) {
        log::Event(r.ok() ? Level::kInfo : Level::kWarning, r.ok() ? "lease-renewed" : "lease-lost",
                   {Word("node", node_), Text("reason", r.ok() ? "" : r.message),
                    Text("action", r.ok() ? "taking new work again"
                                          : "taking no new work until the ledger answers")});
      }
      held_.store(r.ok(), std::memory_order_relaxed);
      lock.lock();
    }
  }

  spool::Ledger& ledger_;
  const std::string node_, host_;
  const std::int64_t lease_ms_;
  std::atomic<bool> held_{true};
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;   // guarded by mu_
  std::thread thread_;  // last: started once the rest is made
};

int RunDaemon(Config& config, bool once) {
  log::Configure(config.log_level == "debug"     ? Level::kDebug
                 : config.log_level == "warning" ? Level::kWarning
                                                 : Level::kInfo,
                 config.log_format == "json" ? log::Format::kJson : log::Format::kText);
  if (config.as_of == "today") config.spool.check.validator.as_of = Today();
  config.spool.check.progress = false;
  // A broken internal invariant (parsers/invariant.h) is logged where operators look; /metrics
  // counts it.
  SetInvariantListener([](const InvariantFailure& f) {
    log::Event(Level::kError, "invariant-failed",
               {Text("condition", std::string(f.condition)), Text("detail", std::string(f.detail)),
                Text("at", fmt::format("{}:{}", f.file, f.line))});
  });

  // Signals arrive through a descriptor, in the main loop; workers never see them.
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  pthread_sigmask(SIG_BLOCK, &mask, nullptr);
  // The built-in feeds made ready now (XSDs compiled): a feed must never be checked without
  // what it needs.
  if (const std::string error = schemas::PrepareBuiltinFeeds(); !error.empty()) {
    std::fprintf(stderr, "rbgate: %s\n", error.c_str());
    return 2;
  }
  const int sfd = ::signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sfd < 0) {  // without it SIGTERM would never be seen: refuse to run rather than hang
    std::fprintf(stderr, "rbgate: signalfd: %s\n", std::strerror(errno));
    return 2;
  }

  spool::Status st;
  // Several nodes on one spool share a PostgreSQL ledger; each has a name (by default its
  // host's), and one daemon runs under a name at a time. With SQLite, one daemon per spool.
  const bool several = config.spool.ledger.postgres();
  std::string node = config.node;
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  if (several && node.empty()) node = host;
  config.spool.node = node;
  // One daemon per spool (per node name), held before anything in it is touched.
  std::unique_ptr<spool::SpoolLock> lock;
  if (st = spool::MakeDirs(config.spool.root); st.ok()) {
    auto taken = spool::SpoolLock::Take(config.spool.root,
                                        several ? "rbgate." + node + ".lock" : "rbgate.lock");
    if (taken.ok()) {
      lock = std::move(taken).value();
    } else {
      st = taken.status();
    }
  }
  if (!lock) {
    std::fprintf(stderr, "rbgate: %s\n", st.message.c_str());
    return 2;
  }
  auto opened = spool::Spool::Open(config.spool);
  if (!opened.ok()) {
    std::fprintf(stderr, "rbgate: %s\n", opened.status().message.c_str());
    return 2;
  }
  auto sp = std::move(opened).value();
  const std::int64_t lease_ms = config.lease_seconds * 1000LL;
  std::optional<LeaseKeeper> lease;
  if (!node.empty()) {
    // Before recovery: what this node recovers is what it holds.
    if (spool::Status j = sp->ledger().Join(node, host, lease_ms); !j.ok()) {
      std::fprintf(stderr, "rbgate: %s\n", j.message.c_str());
      return 2;
    }
    if (several) lease.emplace(sp->ledger(), node, host, lease_ms);
  }
  log::Event(Level::kInfo, "start",
             {Text("root", config.spool.root), Word("node", node.empty() ? "-" : node),
              Number("routes", static_cast<std::int64_t>(config.spool.routes.size())),
              Number("workers", config.workers), log::Flag("once", once),
              Word("modulus", config.spool.check.validator.modulus
                                  ? config.spool.check.validator.modulus->version()
                                  : std::string("none"))});
  if (spool::Status r = sp->Recover(); !r.ok()) {
    log::Event(Level::kWarning, "recovery-incomplete", {Text("reason", r.message)});
  }

  Metrics metrics;
  std::optional<LateFeeds> late;
  if (!config.expectations.empty()) {
    late.emplace(config.expectations, *config.spool.check.validator.calendar);
    // What arrived before this start, so that a restart does not call a feed late.
    for (const auto& [route, at] : sp->ledger().LastReceivedByRoute()) {
      late->Arrived(route, spool::UnixMsFromIso(at) / 1000);
    }
  }
  // Officers and operators told of what needs them ([[notify]]): from the audit chain on the
  // node that leads, and from the parts below that see other events.
  std::optional<Notifier> notifier;
  if (!config.notify.empty()) {
    notifier.emplace(sp->ledger(), config.notify, metrics,
                     [&] { return !several || sp->ledger().Leads(); });
    if (!once) notifier->Start();
  }
  const auto tell = [&](const char* event, const std::string& route, const std::string& summary) {
    if (notifier) notifier->Raise({event, route, "", "", summary, spool::NowIso()});
  };
  // The network destinations' forwarders; a file whose last delivery they make is finished
  // (logged and counted) by them.
  std::optional<Forwarder> forwarder;
  if (!config.forwards.empty()) {
    forwarder.emplace(*sp, config.forwards, metrics, [&](const std::string& id) {
      auto f = sp->ledger().Get(id);
      const std::int64_t since = f ? spool::UnixMsFromIso(f->received_at) : 0;
      Finished(*sp, metrics, id, spool::Status::Ok(), since > 0 ? spool::UnixMs() - since : 0);
    });
    forwarder->OnFailing([&](const std::string&, const std::string& summary) {
      tell("destination-failing", "", summary);
    });
    if (!once) forwarder->Start();
  }
  // Sources that expect a file by a time (expect_by): late when none is collected by then,
  // judged as routes are (a restart remembers the last collection).
  std::optional<LateFeeds> late_sources;
  std::map<std::string, std::string> route_of_source;
  {
    std::map<std::string, Expectation> expected;
    for (const auto& s : config.sources) {
      route_of_source[s.remote.name] = s.route;
      if (s.expect) expected[s.remote.name] = *s.expect;
    }
    if (!expected.empty()) {
      late_sources.emplace(expected, *config.spool.check.validator.calendar);
      for (const auto& st : sp->ledger().SourceStatsAll()) {
        if (!st.last_collected_at.empty()) {
          late_sources->Arrived(st.source, spool::UnixMsFromIso(st.last_collected_at) / 1000);
        }
      }
    }
  }
  // Partners' folders collected into drop folders, by the node that leads.
  std::optional<Collector> collector;
  if (!config.sources.empty()) {
    collector.emplace(
        sp->ledger(), config.spool.root + "/incoming", config.sources, metrics,
        *config.spool.check.validator.calendar,
        [&] { return (!lease || lease->held()) && (!several || sp->ledger().Leads()); },
        [&](const std::string&, const std::string& summary) {
          tell("source-failing", "", summary);
        },
        [&](const std::string& source, std::int64_t at) {
          if (late_sources) late_sources->Arrived(source, at);
        });
    if (!once) {
      collector->Start();
    } else {
      log::Event(Level::kWarning, "sources-not-collected",
                 {Text("reason",
                       "run --once takes what is in the drop folders; sources are "
                       "collected by the daemon")});
    }
  }
  std::optional<AdminServer> admin;
  if (!once && !config.admin.listen.empty()) {
    admin.emplace(config.admin, *sp, metrics, late ? &*late : nullptr);
    std::string error;
    if (!admin->Start(error)) {
      std::fprintf(stderr, "rbgate: %s\n", error.c_str());
      return 2;
    }
    log::Event(Level::kInfo, "admin-listening", {Word("url", admin->url())});
  }

  const int ifd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  for (const auto& r : config.spool.routes) {
    const std::string dir = config.spool.root + "/incoming/" + r.name;
    if (ifd >= 0 &&
        ::inotify_add_watch(ifd, dir.c_str(),
                            IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_ATTRIB | IN_MODIFY) < 0) {
      log::Event(Level::kWarning, "no-inotify",
                 {Text("dir", dir), Text("action", "relying on rescans")});
    }
  }

  WorkQueue queue;
  std::mutex retry_mu;
  std::set<std::string> retry;  // ids paused by a transient error (disk full)
  std::vector<std::thread> workers;
  // Candidates queued or being claimed, so that a rescan does not queue them twice; and files
  // queued or being worked on, so that no two workers take the same file at once (a retry, an
  // adoption and a settled claim may all name it).
  std::mutex inflight_mu;
  std::set<std::string> inflight;
  std::set<std::string> active;
  const auto enqueue = [&](const std::string& id) {
    {
      std::lock_guard lock(inflight_mu);
      if (!active.insert(id).second) return;
    }
    queue.Push({id, std::nullopt});
  };
  for (int i = 0; i < config.workers; ++i) {
    workers.emplace_back([&] {
      Job job;
      while (queue.Pop(job)) {
        std::string id = job.id;
        spool::Status s;
        if (job.candidate) {
          // Claiming in the workers lets their durability points share syncs.
          const auto& c = *job.candidate;
          s = sp->Claim(c, id);
          {
            std::lock_guard lock(inflight_mu);
            inflight.erase(c.route + "/" + c.name);
          }
          if (s.ok()) {
            if (late) late->Arrived(c.route, std::time(nullptr));
            log::Event(Level::kDebug, "claimed",
                       {Word("id", id), Word("route", c.route), Text("name", c.name),
                        Word("stage", "claim")});
          } else if (s.code != spool::Code::kNotFound) {
            log::Event(Level::kWarning, "claim-failed",
                       {Word("route", c.route), Text("name", c.name), Word("stage", "claim"),
                        Word("id", id.empty() ? "-" : id), Text("reason", s.message)});
            // On record but not claimed into work/ (the ledger went away between the two):
            // resumed as recovery resumes it, once the ledger answers.
            if (!id.empty() && s.code == spool::Code::kUnavailable) {
              std::lock_guard lock(retry_mu);
              retry.insert(id);
            }
          }
        }
        if (!id.empty() && (s.ok() || !job.candidate)) {
          const std::int64_t began = NowMs();
          s = sp->Process(id);
          Finished(*sp, metrics, id, s, NowMs() - began);
          if (forwarder && s.ok()) forwarder->Wake();
          if (!job.candidate) {  // done with it: it may be queued again (first, for a retry)
            std::lock_guard lock(inflight_mu);
            active.erase(id);
          }
          if (s.code == spool::Code::kUnavailable) {
            std::lock_guard lock(retry_mu);
            retry.insert(id);
          }
        }
        // Final states ride on the next file's sync points; with none waiting, they are made
        // durable now.
        if (queue.Done()) {
          if (spool::Status f = sp->Flush(); !f.ok()) {
            log::Event(Level::kError, "flush-failed", {Text("reason", f.message)});
          }
        }
      }
    });
  }

  // Schema folders are watched too: an edited schema is picked up without a restart.
  const auto& registry = config.spool.check.registry;
  if (registry) {
    for (const auto& dir : registry->dirs()) {
      if (ifd >= 0) ::inotify_add_watch(ifd, dir.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO | IN_DELETE);
    }
  }
  if (!config.schema_store_problem.empty()) {
    log::Event(Level::kWarning, "schema-store-unavailable",
               {Text("reason", config.schema_store_problem),
                Text("action", "feeds serve what their files hold; no last good version kept")});
  }
  const auto log_schema_problem = [&](const schemas::SchemaRegistry::Problem& p) {
    if (p.warning) {
      log::Event(Level::kWarning, "schema-warning",
                 {Text("file", p.file), Word("feed", p.feed), Text("finding", p.message),
                  Text("action", "loaded; the key is kept as a custom property, unchecked")});
      return;
    }
    const auto serving = registry->Find(p.feed);
    std::string action = p.removed ? "its feed serves on until the configuration stops naming it"
                         : p.kept_previous ? "the previous version keeps serving"
                         : serving         ? "the feed serves as it was (" + serving->origin + ")"
                         : registry->Held(p.feed)
                             ? "its route's files wait in the drop folder until it loads"
                             : "its feed is not defined";
    log::Event(Level::kWarning, p.removed ? "schema-removed" : "schema-refused",
               {Text("file", p.file), Word("feed", p.feed), Text("finding", p.message),
                Text("action", action)});
    if (!p.removed) {
      // The finding names a key of the schema and its line, never a file's contents.
      tell("schema-refused", "",
           fmt::format("the schema file {} (feed {}) was refused: {}; {}", p.file, p.feed,
                       p.message, action));
    }
  };
  if (registry) {
    registry->RecordServing();  // this daemon holds the spool: what it serves is on record
    for (const auto& p : registry->initial_problems()) log_schema_problem(p);
    for (const auto& e : registry->All()) {
      if (e.from_store) {
        log::Event(
            Level::kWarning, "schema-from-ledger",
            {Word("feed", e.schema->name()), Word("sha256", e.sha256.substr(0, 12)),
             Text("since", e.since), Text("file", e.origin),
             Text("action", e.file_removed ? "its file is gone; the version on record serves"
                                           : "its file is refused; the last good version serves")});
      }
    }
  }
  std::set<std::string> held_routes;  // routes whose feed has no schema serving, said once
  std::int64_t last_schema_scan = NowMs();
  const auto reload_schemas = [&] {
    if (!registry || registry->dirs().empty()) return;
    std::vector<std::string> loaded;
    for (const auto& p : registry->Reload(&loaded)) log_schema_problem(p);
    for (const auto& line : loaded) {
      log::Event(Level::kInfo, "schema-loaded", {Text("schema", line)});
    }
  };

  // Under systemd (Type=notify): ready once recovered, serving and taking work; the watchdog
  // is fed from this loop, so a loop that stops turning gets the service restarted.
  std::uint64_t watchdog_usec = 0;
  if (sd_watchdog_enabled(0, &watchdog_usec) <= 0) watchdog_usec = 0;
  std::int64_t last_watchdog = 0;
  std::int64_t last_late_check = 0;
  std::int64_t last_late_check_sources = 0;
  std::int64_t last_purge = 0;  // retention: at start, then daily
  std::int64_t last_adopt = 0;
  std::int64_t last_keys = 0;  // the OpenPGP keyring looked at: at start, then daily
  // Keys revoked, expired or expiring soon are said (log, metrics), every day until dealt with.
  const auto look_at_keys = [&] {
    auto keys = spool::openpgp::ListKeys(config.openpgp_home);
    if (!keys.ok()) {
      log::Event(Level::kError, "keyring-unreadable",
                 {Text("home", config.openpgp_home), Text("reason", keys.status().message)});
      return;
    }
    std::vector<Metrics::KeyExpiry> seen;
    for (const auto& k : *keys) {
      bool warn = false;
      const std::string state =
          spool::openpgp::KeyState(k, std::time(nullptr), config.openpgp_warn_days, warn);
      seen.push_back({k.fingerprint, k.expires, warn});
      if (warn) {
        log::Event(Level::kWarning, "key-attention",
                   {Word("fingerprint", k.fingerprint),
                    Word("kind", k.secret ? "council" : "partner"), Text("state", state),
                    Text("action", k.secret ? "make a new key and give partners its public half"
                                            : "ask the partner for its new public key")});
      }
    }
    metrics.OpenPgpKeys(std::move(seen));
  };
  std::int64_t last_settle = 0;
  // Work done once for the whole gateway runs on one node (the live node first by name).
  const auto leads = [&] { return !several || sp->ledger().Leads(); };
  // The audit chain's head, logged at start, every hour and at the end: shipped off the
  // machine with the log, it lets `rbgate audit verify --head` catch a chain cut short or
  // rewritten later.
  const auto log_head = [&] {
    const auto [seq, hash] = sp->ledger().AuditHead();
    if (seq > 0) {
      log::Event(Level::kInfo, "audit-head",
                 {Number("seq", static_cast<std::int64_t>(seq)), Word("hash", hash)});
    }
  };
  log_head();
  std::int64_t last_head = NowMs();
  sd_notifyf(0, "READY=1\nSTATUS=taking files from %zu route(s)%s", config.spool.routes.size(),
             admin ? (", admin at " + admin->url()).c_str() : "");

  bool stop = false;
  bool low_space_logged = false;
  std::int64_t last_retry = NowMs();
  const std::int64_t started = NowMs();
  std::int64_t settling_since = 0;
  while (!stop) {
    const std::int64_t now = NowMs();
    bool settling = false;
    if (sp->LowOnSpace()) {
      if (!low_space_logged) {
        log::Event(Level::kWarning, "low-space",
                   {Text("action", once ? "taking no new work; left for the next run"
                                        : "taking no new work until space returns")});
        low_space_logged = true;
      }
      if (once) {
        queue.WaitIdle();
        break;
      }
    } else {
      if (low_space_logged) log::Event(Level::kInfo, "space-returned", {});
      low_space_logged = false;
      // No new work while the lease is not renewed (the ledger away).
      spool::ScanResult scan = !lease || lease->held() ? sp->Scan(now) : spool::ScanResult{};
      ReportHeld(scan.held_routes, held_routes, *sp);
      std::size_t queued = 0;
      for (const auto& c : scan.ready) {
        {
          std::lock_guard lock(inflight_mu);
          if (!inflight.insert(c.route + "/" + c.name).second) continue;
        }
        queue.Push({{}, c});
        ++queued;
      }
      settling = scan.settling > 0;
      if (once && queued == 0) {
        queue.WaitIdle();
        // Done when nothing waits, or what is still settling has had its chance.
        if (!settling) break;
        if (settling_since == 0) settling_since = now;
        int longest = 0;
        for (const auto& r : config.spool.routes)
          longest = std::max(longest, r.settle.stable_seconds);
        if (now - settling_since > (longest + 5) * 1000LL) {
          log::Event(Level::kWarning, "still-settling", {Text("action", "left for the next run")});
          break;
        }
      }
    }
    // Files paused by a full disk are retried every rescan period.
    if (!sp->LowOnSpace() && Due(now, last_retry, config.rescan_seconds * 1000LL)) {
      std::set<std::string> again;
      {
        std::lock_guard lock(retry_mu);
        again.swap(retry);
      }
      for (const auto& id : again) enqueue(id);
    }
    if (once && now - started > 3'600'000) break;
    if (Due(now, last_schema_scan, 1000)) reload_schemas();
    if (Due(now, last_head, 3'600'000)) log_head();
    if (late && Due(now, last_late_check, 1000) && leads()) {
      for (const auto& s : late->Check(std::time(nullptr))) {
        log::Event(
            Level::kWarning, "feed-late",
            {Word("route", s.route), Word("expected_by", s.expect.by_text),
             Word("on", s.expect.on_text),
             Text("action", "no file since midnight; tell the sender or check the transfer")});
        tell("feed-late", s.route,
             fmt::format("route {} expects a file by {} ({}) and has had none since midnight; "
                         "tell the sender or check the transfer",
                         s.route, s.expect.by_text, s.expect.on_text));
      }
    }
    if (late_sources && Due(now, last_late_check_sources, 1000) && leads()) {
      for (const auto& s : late_sources->Check(std::time(nullptr))) {
        // `route` is the source's name here (LateFeeds keys by name).
        log::Event(Level::kWarning, "source-late",
                   {Word("source", s.route), Word("expected_by", s.expect.by_text),
                    Word("on", s.expect.on_text),
                    Text("action",
                         "nothing collected since midnight; ask the sender whether "
                         "the file was put on their server")});
        tell("feed-late", route_of_source[s.route],
             fmt::format("source {} expects a file by {} ({}) and has collected none since "
                         "midnight; ask the sender whether it was put on their server",
                         s.route, s.expect.by_text, s.expect.on_text));
      }
      for (const auto& s : late_sources->Current()) metrics.SourceLate(s.route, s.late);
    }
    if (lease && lease->held() && !once && Due(now, last_adopt, config.rescan_seconds * 1000LL)) {
      // A node whose lease ran out died, or lost the ledger: its unfinished files go on here.
      // Files a dead node had renamed aside to claim go back under their names first.
      std::set<std::string> live;
      for (const auto& n : sp->ledger().Nodes()) {
        if (n.lease_until_ms >= spool::UnixMs()) live.insert(n.node);
      }
      const auto dead = [&](const std::string& n) { return n != node && live.count(n) == 0; };
      auto adopted = sp->ledger().AdoptExpired();
      if (!adopted.ok()) {
        log::Event(Level::kWarning, "adopt-failed", {Text("reason", adopted.status().message)});
      } else {
        for (const auto& f : *adopted) {
          // Its claim, whoever made it, even if that node is back by now: the row is this
          // node's, and the claim must follow it (left aside, it would be nobody's).
          if (f.state == spool::state::kClaiming) {
            sp->TakeOverClaim(f, [&](const std::string& n) { return n != node; });
          }
          log::Event(Level::kWarning, "adopted",
                     {Word("id", f.id), Word("route", f.route), Text("name", f.name),
                      Word("state", f.state), Word("node", node)});
          enqueue(f.id);
        }
        // Claims of dead nodes that never got a row: back under their names (those with a row
        // are for the node that adopted it to take over).
        std::set<std::string> claiming;
        for (const auto& f : sp->ledger().List({std::string(spool::state::kClaiming), "", "", 0})) {
          claiming.insert(f.name);
        }
        sp->RestoreClaims(dead, claiming);
      }
    }
    if (lease && lease->held() && Due(now, last_settle, config.rescan_seconds * 1000LL)) {
      // Claims left aside while the ledger was away: resumed, or back under their names.
      auto settled = sp->SettleClaims([&](const std::string& key) {
        std::lock_guard lock(inflight_mu);
        return inflight.count(key) > 0;
      });
      if (settled.ok()) {
        for (const auto& id : *settled) enqueue(id);
      }
    }
    if (!config.openpgp_home.empty() && Due(now, last_keys, 86'400'000)) look_at_keys();
    if (config.retention.any() && Due(now, last_purge, 86'400'000) && leads()) {
      const auto purged = spool::PurgeExpired(*sp, config.retention, spool::UnixMs(),
                                              /*dry_run=*/false, "rbgate (retention)");
      if (!purged.ok()) {
        log::Event(Level::kWarning, "purge-failed",
                   {Text("reason", purged.status().message),
                    Text("action",
                         "tried again tomorrow; rbgate archive purge --dry-run says "
                         "what is due")});
      } else if (!purged->files.empty() || purged->kept_in_use > 0) {
        log::Event(Level::kInfo, "purged",
                   {Number("files", static_cast<std::int64_t>(purged->files.size())),
                    Number("bytes", static_cast<std::int64_t>(purged->bytes)),
                    Number("kept_in_use", static_cast<std::int64_t>(purged->kept_in_use))});
      }
    }
    if (watchdog_usec > 0 &&
        Due(now, last_watchdog, static_cast<std::int64_t>(watchdog_usec / 2000))) {
      sd_notify(0, "WATCHDOG=1");
    }

    // Sleep until an event, a signal, a settle check, the rescan or the watchdog.
    int timeout = settling || once ? 200 : config.rescan_seconds * 1000;
    if (watchdog_usec > 0) timeout = std::min(timeout, static_cast<int>(watchdog_usec / 4000) + 1);
    pollfd fds[2] = {{sfd, POLLIN, 0}, {ifd, POLLIN, 0}};
    ::poll(fds, ifd >= 0 ? 2 : 1, timeout);
    if (fds[0].revents & POLLIN) {
      signalfd_siginfo info;
      while (::read(sfd, &info, sizeof info) == sizeof info) {
        log::Event(Level::kInfo, "stopping",
                   {Word("signal", info.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT"),
                    Text("action", "finishing files in flight")});
        stop = true;
        sd_notify(0, "STOPPING=1\nSTATUS=finishing files in flight");
      }
    }
    if (ifd >= 0 && (fds[1].revents & POLLIN)) {
      char buffer[8192];
      while (::read(ifd, buffer, sizeof buffer) > 0) {
      }
    }
  }
  if (collector) collector->Stop();
  queue.Close();
  for (auto& w : workers) w.join();
  if (forwarder) {
    // --once: one attempt for each delivery due; the daemon: transfers in flight are aborted
    // and queued again, due at the next start.
    if (once) {
      forwarder->Drain();
    } else {
      forwarder->Stop();
    }
  }
  if (notifier) {
    // --once: the chain read and what is due sent; the daemon: attempts in progress end.
    if (once) {
      notifier->Drain();
    } else {
      notifier->Stop();
    }
  }
  if (admin) admin->Stop();
  if (spool::Status f = sp->Flush(); !f.ok()) {
    log::Event(Level::kError, "flush-failed", {Text("reason", f.message)});
  }
  if (ifd >= 0) ::close(ifd);
  if (sfd >= 0) ::close(sfd);
  std::size_t paused = 0;
  {
    std::lock_guard lock(retry_mu);
    paused = retry.size();
  }
  log_head();
  log::Event(Level::kInfo, "stopped",
             {Number("paused", static_cast<std::int64_t>(paused)),
              Number("syncs", static_cast<std::int64_t>(sp->syncs())),
              Number("sync_requests", static_cast<std::int64_t>(sp->sync_requests())),
              Number("sync_seconds", sp->sync_seconds(), 3),
              Number("ledger_statements", static_cast<std::int64_t>(spool::LedgerStatements()))});
  return 0;
}

}  // namespace rbgate::gateway
