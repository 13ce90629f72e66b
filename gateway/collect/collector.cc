#include "gateway/collect/collector.h"

#include <dirent.h>
#include <fmt/format.h>
#include <fnmatch.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <random>
#include <set>

#include "gateway/daemon/clock.h"
#include "gateway/daemon/log.h"
#include "gateway/forward/forwarder.h"
#include "spool/fsio.h"

namespace rbgate::gateway {

using log::Level;
using log::Number;
using log::Text;
using log::Word;

namespace {

std::int64_t NowMs() { return spool::UnixMs(); }

constexpr const char* kTempPrefix = ".rbgate-collect+";

}  // namespace

struct Collector::Source {
  explicit Source(SourceOptions o)
      : options(std::move(o)),
        folder(RemoteFolder::Make(options.remote)),
        breaker(options.remote.circuit_failures, options.remote.circuit_open_seconds) {}
  SourceOptions options;
  std::unique_ptr<RemoteFolder> folder;
  std::mutex mu;  // guards breaker, failures, last_success_ms, next_poll_ms
  std::condition_variable cv;
  Breaker breaker;
  int failures = 0;
  std::int64_t last_success_ms = 0, next_poll_ms = 0;
  // Names listed and when each was first seen as it is (size and time): collected once it
  // has held still for settle_seconds.
  struct Seen {
    std::uint64_t size = 0;
    std::string mtime;
    std::int64_t since_ms = 0;
  };
  std::map<std::string, Seen> seen;
  std::map<std::uint64_t, std::int64_t> settle_after_ms;  // a pending file's next remote try
  std::set<std::string> said_bad;                         // names refused, said once
  schemas::Day collected_day = -1;  // the local day a file was last collected (schedules)
  std::mt19937_64 random{std::random_device{}()};

  std::string dir(const std::string& incoming) const { return incoming + "/" + options.route; }
  std::string temp(const std::string& incoming, const std::string& name) const {
    return dir(incoming) + "/" + kTempPrefix + options.remote.name + "+" + name;
  }
};

Collector::Collector(spool::Ledger& ledger, std::string incoming,
                     std::vector<SourceOptions> sources, Metrics& metrics,
                     const schemas::Calendar& calendar, std::function<bool()> leads,
                     std::function<void(const std::string&, const std::string&)> failing,
                     std::function<void(const std::string&, std::int64_t)> collected)
    : ledger_(ledger),
      incoming_(std::move(incoming)),
      metrics_(metrics),
      leads_(std::move(leads)),
      failing_(std::move(failing)),
      collected_(std::move(collected)),
      calendar_(calendar) {
  std::vector<std::string> names;
  for (auto& s : sources) {
    names.push_back(s.remote.name);
    sources_.push_back(std::make_unique<Source>(std::move(s)));
  }
  // A schedule's day already done before a restart stays done.
  for (const auto& st : ledger_.SourceStatsAll()) {
    for (auto& s : sources_) {
      if (s->options.remote.name != st.source || st.last_collected_at.empty()) continue;
      int minutes = 0;
      LocalDayAndMinutes(spool::UnixMsFromIso(st.last_collected_at) / 1000, s->collected_day,
                         minutes);
    }
  }
  metrics_.Sources(names);
}

bool Collector::Scheduled(Source& s) const {
  const auto& at = s.options.at;
  if (!at) return true;
  if (!s.seen.empty()) return true;  // files seen at the last listing are settling
  schemas::Day today = 0;
  int minutes = 0;
  LocalDayAndMinutes(std::time(nullptr), today, minutes);
  return DueOn(*at, calendar_, today) && minutes >= at->by_minutes && s.collected_day != today;
}

Collector::~Collector() { Stop(); }

void Collector::Start() {
  for (auto& s : sources_) Sweep(*s);
  for (auto& s : sources_) threads_.emplace_back([this, p = s.get()] { Run(*p); });
}

void Collector::Stop() {
  if (stop_.exchange(true)) return;
  for (auto& s : sources_) s->cv.notify_all();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

void Collector::Sweep(Source& s) {
  const std::string prefix = std::string(kTempPrefix) + s.options.remote.name + "+";
  std::set<std::string> pending;
  for (const auto& r : ledger_.CollectedOf(s.options.remote.name, true)) {
    pending.insert(r.remote_name);
  }
  DIR* d = ::opendir(s.dir(incoming_).c_str());
  if (d == nullptr) return;
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name.rfind(prefix, 0) != 0 || pending.count(name.substr(prefix.size())) > 0) continue;
    // Fetched, never recorded: the remote file is untouched and will be collected again.
    ::unlink((s.dir(incoming_) + "/" + name).c_str());
    log::Event(Level::kInfo, "collect-swept",
               {Word("source", s.options.remote.name), Text("name", name.substr(prefix.size())),
                Text("reason", "fetched but never recorded (a stop or crash): collected again")});
  }
  ::closedir(d);
}

void Collector::Run(Source& s) {
  while (!stop_) {
    const std::int64_t now = NowMs();
    bool pending = false;
    if (leads_()) {
      pending = Settle(s, now);
      bool due = false;
      {
        std::lock_guard lock(s.mu);
        due = now >= s.next_poll_ms && s.breaker.Allow(now);
      }
      if (due && Scheduled(s)) Poll(s, now);
    }
    std::unique_lock lock(s.mu);
    // A second while files wait for the spool or a file settles; otherwise until the next poll.
    const std::int64_t wait =
        pending ? 1000 : std::clamp<std::int64_t>(s.next_poll_ms - NowMs(), 100, 1000);
    s.cv.wait_for(lock, std::chrono::milliseconds(wait), [&] { return stop_.load(); });
  }
}

bool Collector::Failure(Source& s, std::int64_t now, const RemoteResult& r,
                        const std::string& what) {
  const SourceOptions& o = s.options;
  bool opened = false, was_tripped = false;
  int failures = 0;
  std::int64_t delay = 0;
  {
    std::lock_guard lock(s.mu);
    was_tripped = s.breaker.tripped();
    opened = s.breaker.Failed(now);
    failures = ++s.failures;
    delay = BackoffMs(static_cast<std::uint64_t>(failures), o.remote.retry_min_seconds,
                      o.remote.retry_max_seconds,
                      std::uniform_real_distribution<double>(0, 1)(s.random));
    s.next_poll_ms = now + delay;
  }
  metrics_.SourceFailed(o.remote.name, r.reason);
  log::Event(Level::kWarning, "collect-failed",
             {Word("source", o.remote.name), Word("stage", what), Word("reason", r.reason),
              Text("detail", r.detail),
              Text("action", fmt::format("tried again in {:.1f} s", delay / 1000.0))});
  if (opened) {
    log::Event(Level::kWarning, "source-circuit-open",
               {Word("source", o.remote.name), Number("failures", failures),
                Number("for_s", o.remote.circuit_open_seconds), Word("reason", r.reason)});
    if (!was_tripped && failing_) {
      failing_(o.remote.name,
               fmt::format("source {} is failing ({}): {} failed attempts in a row; files wait on "
                           "the server and collection is retried",
                           o.remote.name, r.reason, failures));
    }
  }
  return false;
}

void Collector::Poll(Source& s, std::int64_t now) {
  const SourceOptions& o = s.options;
  std::vector<RemoteEntry> listed;
  const RemoteResult r = s.folder->List(listed, stop_);
  if (!r.ok) {
    Failure(s, now, r, "list");
    return;
  }
  std::int64_t next = now + std::int64_t{o.poll_seconds} * 1000;
  const auto known = ledger_.CollectedOf(o.remote.name, false);
  std::set<std::string> names;
  for (const auto& e : listed) {
    if (stop_) return;
    names.insert(e.name);
    if (::fnmatch(o.pattern.c_str(), e.name.c_str(), FNM_PERIOD) != 0) continue;
    std::string why;
    if (!ListedName(e.name, why)) {
      if (s.said_bad.insert(e.name).second) {
        log::Event(Level::kWarning, "collect-refused",
                   {Word("source", o.remote.name), Text("name", e.name), Text("reason", why),
                    Text("action", "left on the server; rename it there to collect it")});
      }
      continue;
    }
    // Exact where the server can say more (a file replaced within the minute is new).
    RemoteEntry entry = e;
    s.folder->Refine(entry);
    const bool remembered = std::any_of(known.begin(), known.end(), [&](const auto& k) {
      return k.remote_name == entry.name && k.size == entry.size && k.mtime == entry.mtime;
    });
    if (remembered) continue;
    auto [it, first] = s.seen.try_emplace(e.name, Source::Seen{entry.size, entry.mtime, now});
    if (!first && (it->second.size != entry.size || it->second.mtime != entry.mtime)) {
      it->second = {entry.size, entry.mtime, now};  // still being written
    }
    const std::int64_t ready = it->second.since_ms + std::int64_t{o.settle_seconds} * 1000;
    if (now >= ready) {
      Collect(s, entry, known);
      s.seen.erase(e.name);
    } else {
      next = std::min(next, ready);  // look again when it may have settled
    }
  }
  for (auto it = s.seen.begin(); it != s.seen.end();) {
    it = names.count(it->first) ? std::next(it) : s.seen.erase(it);
  }
  std::lock_guard lock(s.mu);
  s.breaker.Succeeded();
  s.failures = 0;
  s.last_success_ms = now;
  s.next_poll_ms = next;
  metrics_.SourceListed(o.remote.name, now);
}

void Collector::Collect(Source& s, const RemoteEntry& e,
                        const std::vector<spool::CollectedRecord>& known) {
  const SourceOptions& o = s.options;
  const std::string temp = s.temp(incoming_, e.name);
  std::FILE* f = std::fopen(temp.c_str(), "wbe");
  if (f == nullptr) {
    log::Event(Level::kError, "collect-failed",
               {Word("source", o.remote.name), Word("stage", "write"), Text("name", e.name),
                Text("reason", "cannot create " + temp)});
    return;
  }
  std::string sha256;
  std::uint64_t bytes = 0;
  const std::int64_t began = NowMs();
  RemoteResult r = s.folder->Fetch(e.name, f, sha256, bytes, stop_);
  const bool synced = std::fflush(f) == 0 && ::fsync(::fileno(f)) == 0;
  std::fclose(f);
  if (r.ok && !synced) r = {false, "spool", "could not write the file here (disk full?)"};
  if (!r.ok) {
    ::unlink(temp.c_str());
    Failure(s, NowMs(), r, "fetch");
    return;
  }
  if (bytes != e.size) {  // written to while fetched: collected once it holds still
    ::unlink(temp.c_str());
    log::Event(Level::kInfo, "collect-changing",
               {Word("source", o.remote.name), Text("name", e.name),
                Number("listed", static_cast<std::int64_t>(e.size)),
                Number("fetched", static_cast<std::int64_t>(bytes)),
                Text("action", "collected once it holds still")});
    return;
  }
  spool::CollectedRecord rec;
  rec.source = o.remote.name;
  rec.remote_name = e.name;
  rec.size = e.size;
  rec.mtime = e.mtime;
  rec.sha256 = sha256;
  rec.route = o.route;
  // The same bytes under a new time (kept, touched on the server): remembered, not dropped.
  const bool unchanged = std::any_of(known.begin(), known.end(), [&](const auto& k) {
    return k.remote_name == e.name && k.sha256 == sha256;
  });
  rec.state = std::string(unchanged ? spool::collected::kUnchanged : spool::collected::kDropped);
  const std::string dir = s.dir(incoming_);
  rec.local_name = e.name;
  if (spool::KindOf(dir + "/" + e.name) != spool::NodeKind::kMissing) {
    rec.local_name = sha256.substr(0, 8) + "-" + e.name;  // the drop folder has one of that name
  }
  if (unchanged) rec.local_name.clear();
  if (spool::Status st = ledger_.AddCollected(rec); !st.ok()) {
    ::unlink(temp.c_str());
    if (st.code != spool::Code::kAborted) {
      log::Event(Level::kWarning, "collect-unrecorded",
                 {Word("source", o.remote.name), Text("name", e.name), Text("reason", st.message),
                  Text("action", "left on the server; collected again")});
    }
    return;
  }
  if (unchanged) {
    ::unlink(temp.c_str());
    log::Event(
        Level::kInfo, "collect-unchanged",
        {Word("source", o.remote.name), Text("name", e.name), Word("sha256", sha256.substr(0, 12)),
         Text("action", "the same bytes as collected before: not dropped again")});
    return;
  }
  if (spool::Status st = spool::RenameNoReplace(temp, dir + "/" + rec.local_name); !st.ok()) {
    log::Event(Level::kError, "collect-failed",
               {Word("source", o.remote.name), Word("stage", "drop"), Text("name", e.name),
                Text("reason", st.message), Text("action", "tried again each second")});
    return;
  }
  (void)spool::SyncDir(dir);
  metrics_.SourceCollected(o.remote.name, bytes);
  {
    const std::int64_t at = std::time(nullptr);
    int minutes = 0;
    LocalDayAndMinutes(at, s.collected_day, minutes);
    if (collected_) collected_(o.remote.name, at);
  }
  log::Event(Level::kInfo, "collected",
             {Word("source", o.remote.name), Word("route", o.route), Text("name", e.name),
              Text("as", rec.local_name), Number("bytes", static_cast<std::int64_t>(bytes)),
              Word("sha256", sha256.substr(0, 12)), Number("duration_ms", NowMs() - began)});
}

bool Collector::Settle(Source& s, std::int64_t now) {
  const SourceOptions& o = s.options;
  const auto pending = ledger_.CollectedOf(o.remote.name, true);
  for (const auto& r : pending) {
    if (stop_) break;
    const std::string dir = s.dir(incoming_);
    const std::string visible = dir + "/" + r.local_name, temp = s.temp(incoming_, r.remote_name);
    const auto held = ledger_.HeldFile(r.route, r.local_name, r.size, r.collected_at);
    if (!held) {
      // Recorded, then stopped before the rename: the rename now.
      if (spool::KindOf(temp) == spool::NodeKind::kRegular &&
          spool::KindOf(visible) == spool::NodeKind::kMissing &&
          spool::RenameNoReplace(temp, visible).ok()) {
        (void)spool::SyncDir(dir);
        log::Event(
            Level::kInfo, "collected",
            {Word("source", o.remote.name), Word("route", r.route), Text("name", r.remote_name),
             Text("as", r.local_name), Text("detail", "recorded before a stop; dropped now")});
      }
      continue;
    }
    if (auto at = s.settle_after_ms.find(r.id); at != s.settle_after_ms.end() && now < at->second) {
      continue;
    }
    RemoteResult done{true, "kept", "kept on the server, remembered"};
    if (o.after == "delete") done = s.folder->Delete(r.remote_name);
    if (o.after == "move") done = s.folder->Move(r.remote_name, o.move_to);
    if (!done.ok) {
      s.settle_after_ms[r.id] = now + std::int64_t{o.remote.retry_max_seconds} * 1000;
      (void)ledger_.FinishCollected(r.id, false, "", done.reason + ": " + done.detail);
      metrics_.SourceFailed(o.remote.name, done.reason);
      log::Event(
          Level::kWarning, "collect-failed",
          {Word("source", o.remote.name), Word("stage", o.after), Text("name", r.remote_name),
           Word("id", *held), Word("reason", done.reason), Text("detail", done.detail),
           Text("action", "the spool holds the file; the server's copy is tried again")});
      continue;
    }
    s.settle_after_ms.erase(r.id);
    if (spool::Status st = ledger_.FinishCollected(r.id, true, *held, ""); !st.ok()) continue;
    log::Event(Level::kInfo, "collect-finished",
               {Word("source", o.remote.name), Text("name", r.remote_name), Word("id", *held),
                Word("after", o.after), Text("detail", done.detail)});
  }
  return !pending.empty();
}

}  // namespace rbgate::gateway
