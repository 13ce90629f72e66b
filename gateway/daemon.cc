#include "gateway/daemon.h"

#include <fmt/format.h>
#include <poll.h>
#include <pwd.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <set>
#include <thread>

#include "schemas/dates.h"
#include "spool/ledger.h"
#include "spool/report.h"

namespace rbgate::gateway {
namespace {

std::int64_t NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

// Structured log lines on stderr: time, level, event, then key=value pairs.
std::mutex log_mu;
int log_threshold = 1;  // 0 debug, 1 info, 2 warning

void Log(int level, std::string_view event, const std::string& fields) {
  if (level < log_threshold) return;
  static constexpr const char* kLevels[] = {"debug", "info", "warning", "error"};
  std::lock_guard lock(log_mu);
  std::fprintf(stderr, "%s %s %.*s%s%s\n", spool::NowIso().c_str(), kLevels[level],
               static_cast<int>(event.size()), event.data(), fields.empty() ? "" : " ",
               fields.c_str());
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
    case spool::Code::kDataLoss:
      return "data-loss";
    case spool::Code::kInternal:
      return "internal";
  }
  return "unknown";
}

void LogOutcome(spool::Spool& s, const std::string& id, const spool::Status& st) {
  if (!st.ok()) {
    Log(st.code == spool::Code::kUnavailable ? 2 : 3, "paused",
        fmt::format("id={} code={} reason={}", id, CodeName(st.code),
                    spool::JsonQuoted(st.message)));
    return;
  }
  auto f = s.ledger().Get(id);
  if (!f) return;
  Log(f->state == spool::state::kDelivered ? 1 : 2, f->state,
      fmt::format("id={} route={} name={} feed={} size={} records={} errors={} warnings={} "
                  "reason={}",
                  id, f->route, spool::JsonQuoted(f->name), f->feed.empty() ? "-" : f->feed,
                  f->size, f->records, f->errors, f->warnings, spool::JsonQuoted(f->reason)));
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
  if (const char* sudo = std::getenv("SUDO_USER"); sudo && *sudo) return sudo;
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

int RunDaemon(Config& config, bool once) {
  log_threshold = config.log_level == "debug" ? 0 : config.log_level == "warning" ? 2 : 1;
  if (config.as_of == "today") {
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    config.spool.check.validator.as_of =
        schemas::DaysFromCivil({tm.tm_year + 1900, static_cast<unsigned>(tm.tm_mon + 1),
                                static_cast<unsigned>(tm.tm_mday)});
  }
  config.spool.check.progress = false;

  // Signals arrive through a descriptor, in the main loop; workers never see them.
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  pthread_sigmask(SIG_BLOCK, &mask, nullptr);
  const int sfd = ::signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);

  spool::Status st;
  auto sp = spool::Spool::Open(config.spool, st);
  if (!sp) {
    std::fprintf(stderr, "rbgate: %s\n", st.message.c_str());
    return 2;
  }
  Log(1, "start",
      fmt::format(
          "root={} routes={} workers={} once={} modulus={}", spool::JsonQuoted(config.spool.root),
          config.spool.routes.size(), config.workers, once,
          config.spool.check.validator.modulus ? config.spool.check.validator.modulus->version()
                                               : std::string("none")));
  if (spool::Status r = sp->Recover(); !r.ok()) {
    Log(2, "recovery-incomplete", fmt::format("reason={}", spool::JsonQuoted(r.message)));
  }

  const int ifd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  for (const auto& r : config.spool.routes) {
    const std::string dir = config.spool.root + "/incoming/" + r.name;
    if (ifd >= 0 &&
        ::inotify_add_watch(ifd, dir.c_str(),
                            IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_ATTRIB | IN_MODIFY) < 0) {
      Log(2, "no-inotify", fmt::format("dir={} (relying on rescans)", spool::JsonQuoted(dir)));
    }
  }

  WorkQueue queue;
  std::mutex retry_mu;
  std::set<std::string> retry;  // ids paused by a transient error (disk full)
  std::vector<std::thread> workers;
  // Candidates queued or being claimed, so that a rescan does not queue them twice.
  std::mutex inflight_mu;
  std::set<std::string> inflight;
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
            Log(0, "claimed",
                fmt::format("id={} route={} name={}", id, c.route, spool::JsonQuoted(c.name)));
          } else if (s.code != spool::Code::kNotFound) {
            Log(2, "claim-failed",
                fmt::format("route={} name={} reason={}", c.route, spool::JsonQuoted(c.name),
                            spool::JsonQuoted(s.message)));
          }
        }
        if (!id.empty() && (s.ok() || !job.candidate)) {
          s = sp->Process(id);
          LogOutcome(*sp, id, s);
          if (s.code == spool::Code::kUnavailable) {
            std::lock_guard lock(retry_mu);
            retry.insert(id);
          }
        }
        // Final states ride on the next file's sync points; with none waiting, they are made
        // durable now.
        if (queue.Done()) {
          if (spool::Status f = sp->Flush(); !f.ok()) {
            Log(3, "flush-failed", fmt::format("reason={}", spool::JsonQuoted(f.message)));
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
  if (registry) {
    for (const auto& p : registry->initial_problems()) {
      Log(2, "schema-refused",
          fmt::format("file={} finding={} action=\"its feed is not defined\"",
                      spool::JsonQuoted(p.file), spool::JsonQuoted(p.message)));
    }
  }
  std::int64_t last_schema_scan = NowMs();
  const auto reload_schemas = [&] {
    if (!registry || registry->dirs().empty()) return;
    std::vector<std::string> loaded;
    for (const auto& p : registry->Reload(&loaded)) {
      Log(2, "schema-refused",
          fmt::format("file={} finding={} action={}", spool::JsonQuoted(p.file),
                      spool::JsonQuoted(p.message),
                      p.kept_previous ? "\"the previous version keeps serving\""
                                      : "\"its feed is not defined\""));
    }
    for (const auto& line : loaded) Log(1, "schema-loaded", "schema=" + spool::JsonQuoted(line));
  };

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
        Log(2, "low-space",
            once ? "action=\"taking no new work; left for the next run\""
                 : "action=\"taking no new work until space returns\"");
        low_space_logged = true;
      }
      if (once) {
        queue.WaitIdle();
        break;
      }
    } else {
      if (low_space_logged) Log(1, "space-returned", "");
      low_space_logged = false;
      spool::ScanResult scan = sp->Scan(now);
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
          Log(2, "still-settling", "action=\"left for the next run\"");
          break;
        }
      }
    }
    // Files paused by a full disk are retried every rescan period.
    if (now - last_retry > config.rescan_seconds * 1000LL && !sp->LowOnSpace()) {
      std::set<std::string> again;
      {
        std::lock_guard lock(retry_mu);
        again.swap(retry);
      }
      for (const auto& id : again) queue.Push({id, std::nullopt});
      last_retry = now;
    }
    if (once && now - started > 3'600'000) break;
    if (now - last_schema_scan >= 1000) {
      reload_schemas();
      last_schema_scan = now;
    }

    // Sleep until an event, a signal, a settle check or the rescan.
    const int timeout = settling || once ? 200 : config.rescan_seconds * 1000;
    pollfd fds[2] = {{sfd, POLLIN, 0}, {ifd, POLLIN, 0}};
    ::poll(fds, ifd >= 0 ? 2 : 1, timeout);
    if (fds[0].revents & POLLIN) {
      signalfd_siginfo info;
      while (::read(sfd, &info, sizeof info) == sizeof info) {
        Log(1, "stopping",
            fmt::format("signal={} action=\"finishing files in flight\"",
                        info.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT"));
        stop = true;
      }
    }
    if (ifd >= 0 && (fds[1].revents & POLLIN)) {
      char buffer[8192];
      while (::read(ifd, buffer, sizeof buffer) > 0) {
      }
    }
  }
  queue.Close();
  for (auto& w : workers) w.join();
  if (spool::Status f = sp->Flush(); !f.ok()) {
    Log(3, "flush-failed", fmt::format("reason={}", spool::JsonQuoted(f.message)));
  }
  if (ifd >= 0) ::close(ifd);
  if (sfd >= 0) ::close(sfd);
  std::size_t paused = 0;
  {
    std::lock_guard lock(retry_mu);
    paused = retry.size();
  }
  Log(1, "stopped",
      fmt::format("paused={} syncs={} sync_requests={} sync_seconds={:.3f}", paused, sp->syncs(),
                  sp->sync_requests(), sp->sync_seconds()));
  return 0;
}

}  // namespace rbgate::gateway
