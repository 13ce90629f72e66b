#include "spool/spool.h"

#include <dirent.h>
#include <fmt/format.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <tuple>

#include "schemas/dates.h"
#include "schemas/detect.h"
#include "spool/archive.h"
#include "spool/check/digest.h"
#include "spool/check/report.h"
#include "spool/fsio.h"
#include "spool/json.h"
#include "spool/ledger_items.h"

namespace rbgate::spool {
namespace {

// A file a node renamed aside to claim it: .rbgate-claim+<node>+<name> (node names have no +).
constexpr std::string_view kClaimPrefix = ".rbgate-claim+";

// The business key of a file whose feed has none and whose bytes are not its content (an
// encrypted file): its content's SHA-256, so that the same file encrypted again is a duplicate.
constexpr std::string_view kContentKeyPrefix = "content-sha256:";

std::vector<std::string> ListDir(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return names;
  while (dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(std::move(n));
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return !suffix.empty() && s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string_view KindName(NodeKind k) {
  switch (k) {
    case NodeKind::kSymlink:
      return "a symbolic link";
    case NodeKind::kFifo:
      return "a FIFO";
    case NodeKind::kDirectory:
      return "a directory";
    case NodeKind::kOther:
      return "a device or socket";
    default:
      return "a regular file";
  }
}

// A feed's transform columns (a built-in feed's, or a schema file's), owned: the schema that
// named them may be replaced while the file is written.
struct RowShape {
  std::vector<std::string> columns;
  std::vector<bool> numeric;
};

RowShape ShapeOf(std::string_view feed, const check::CheckSettings& check) {
  RowShape shape;
  const auto take = [&](const auto& views) { shape.columns.assign(views.begin(), views.end()); };
  take(schemas::BuiltinColumns(feed));
  if (!shape.columns.empty() || !check.registry) return shape;
  if (const auto entry = check.registry->Find(feed); entry && entry->schema->table) {
    take(entry->schema->table->RowColumnViews());
    shape.numeric = entry->schema->table->row_numeric;
  } else if (entry && entry->schema->json) {
    take(entry->schema->json->RowColumnViews());
    shape.numeric = entry->schema->json->row_numeric;
  }
  return shape;
}

// A route's rows for one file, written beside it to a temporary as the file is read; kept
// (synced, renamed into place) only once the file is accepted.
class RowsFile {
 public:
  RowsFile(std::string tmp, std::string_view ext, RowShape shape)
      : tmp_(std::move(tmp)),
        shape_(std::move(shape)),
        columns_(shape_.columns.begin(), shape_.columns.end()),
        out_(tmp_, std::ios::binary | std::ios::trunc),
        writer_(out_, schemas::RowFormatNamed(ext), columns_, shape_.numeric) {}
  Status opened() const { return out_.is_open() ? Status::Ok() : FromErrno(errno, tmp_, "open"); }
  schemas::RowWriter* writer() { return &writer_; }
  Status Close() {
    writer_.Flush();
    out_.close();
    return out_ ? Status::Ok() : Error(Code::kUnavailable, tmp_ + ": write failed");
  }

 private:
  std::string tmp_;
  RowShape shape_;
  std::vector<std::string_view> columns_;  // into shape_, the writer's for as long as it lives
  std::ofstream out_;
  schemas::RowWriter writer_;
};

// Rows written to `tmp`, made durable under `to`.
Status KeepRows(const std::string& tmp, const std::string& to) {
  if (Status s = SyncFile(tmp); !s.ok()) return s;
  if (::rename(tmp.c_str(), to.c_str()) != 0) return FromErrno(errno, to, "rename");
  return Status::Ok();
}

// Who owns `path`: the OS user that dropped it (uid:N when the name is unknown).
std::string OwnerName(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return {};
  passwd pw;
  passwd* found = nullptr;
  char buf[1024];
  if (::getpwuid_r(st.st_uid, &pw, buf, sizeof buf, &found) == 0 && found != nullptr) {
    return found->pw_name;
  }
  return fmt::format("uid:{}", st.st_uid);
}

}  // namespace

StatusOr<std::unique_ptr<Spool>> Spool::Open(SpoolOptions options) {
  if (options.check.reference_dir.empty()) {
    options.check.reference_dir = options.root + "/references";
  }
  if (!options.check.reference_cache) {
    options.check.reference_cache = std::make_shared<schemas::table::ReferenceCache>();
  }
  std::unique_ptr<Spool> spool(new Spool(std::move(options)));
  const std::string& root = spool->options_.root;
  for (const char* dir : {"incoming", "work", "quarantine", "archive", "outbound"}) {
    if (Status s = MakeDirs(root + "/" + dir); !s.ok()) return s;
  }
  for (const auto& r : spool->options_.routes) {
    if (Status s = MakeDirs(root + "/incoming/" + r.name); !s.ok()) return s;
  }
  for (const auto& d : spool->options_.destinations) {
    if (Status s = MakeDirs(root + "/outbound/" + d.name); !s.ok()) return s;
    if (Status s = MakeDirs(d.path); !s.ok()) return s;
  }
  auto ledger = OpenLedgerAt(spool->options_.ledger, root);
  if (!ledger.ok()) return ledger.status();
  spool->ledger_ = std::move(ledger).value();
  std::vector<std::string> filesystems{root};
  for (const auto& d : spool->options_.destinations) filesystems.push_back(d.path);
  spool->sync_ = std::make_unique<GroupSync>(filesystems);
  return spool;
}

Status Spool::FeedServes(const std::string& feed) const {
  const auto& registry = options_.check.registry;
  if (feed.empty() || schemas::IsBuiltinFeed(feed) || !registry || registry->Find(feed))
    return Status::Ok();
  if (const auto held = registry->Held(feed)) {
    return Error(Code::kFailedPrecondition,
                 fmt::format("feed {} has no schema that loads: {}", feed, held->message));
  }
  return Error(Code::kFailedPrecondition,
               fmt::format("feed {} is defined by no schema file now", feed));
}

const RouteOptions* Spool::FindRoute(const std::string& name) const {
  for (const auto& r : options_.routes) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

const DestinationOptions* Spool::FindDestination(const std::string& name) const {
  for (const auto& d : options_.destinations) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

std::string Spool::WorkPath(const std::string& id) const { return options_.root + "/work/" + id; }

std::string Spool::QuarantineDir(const std::string& id) const {
  return options_.root + "/quarantine/" + id;
}

std::string ArchivePath(const std::string& root, const FileRecord& f) {
  // received_at is 2026-11-23T...: archive/2026/11/23/<id>.zst
  const std::string& t = f.received_at;
  return fmt::format("{}/archive/{}/{}/{}/{}.zst", root, t.substr(0, 4), t.substr(5, 2),
                     t.substr(8, 2), f.id);
}

std::string Spool::ArchivePath(const FileRecord& f) const {
  return spool::ArchivePath(options_.root, f);
}

std::string Spool::SanitiseName(const std::string& name) {
  std::string out;
  for (char c : name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-' || c == '_';
    out += ok ? c : '_';
  }
  while (!out.empty() && out[0] == '.') out[0] = '_';
  if (out.size() > 100) out.resize(100);
  return out.empty() ? "file" : out;
}

std::string Spool::OutputName(const FileRecord& f) {
  return f.sha256.substr(0, 16) + "_" + SanitiseName(f.name);
}

std::string Spool::RowsExtension(const std::string& route_name, std::string_view feed) const {
  const RouteOptions* route = FindRoute(route_name);
  if (route == nullptr || route->transform.empty()) return {};
  if (ShapeOf(feed, options_.check).columns.empty()) return {};
  return route->transform;
}

std::vector<Spool::Output> Spool::Outputs(const FileRecord& f) const {
  std::vector<Output> out{{WorkPath(f.id), OutputName(f)}};
  if (OpenPgpOf(f) != nullptr) {
    // Its content, decrypted, under the name the sender gave the original without .pgp, .gpg
    // or .asc.
    out[0].work = PlainPath(f.id);
    for (const std::string_view ext : {".pgp", ".gpg", ".asc"}) {
      std::string& name = out[0].name;
      if (name.size() > ext.size() + 17 && EndsWith(name, std::string(ext))) {
        name.resize(name.size() - ext.size());
        break;
      }
    }
  }
  if (const std::string ext = RowsExtension(f.route, f.feed); !ext.empty()) {
    out.push_back({WorkPath(f.id) + "." + ext, OutputName(f) + "." + ext});
  }
  return out;
}

Status Spool::WriteRows(const FileRecord& f, const std::string& to) {
  const std::string tmp = to + ".tmp";
  {
    RowsFile rows(tmp, RowsExtension(f.route, f.feed), ShapeOf(f.feed, options_.check));
    if (Status s = rows.opened(); !s.ok()) return s;
    check::CheckHooks hooks;
    hooks.rows = rows.writer();
    // The rows are of the content: decrypted again first, on a route with OpenPGP.
    const Output content = Outputs(f).front();
    bool restored = false;
    if (Status s = RestoreWorkCopy(f, content, restored); !s.ok()) return s;
    auto report = check::CheckFile(content.work, options_.check, f.feed, hooks);
    if (!report->problem.empty()) return Error(Code::kUnavailable, report->problem);
    if (Status s = rows.Close(); !s.ok()) return s;
  }
  return KeepRows(tmp, to);
}

std::string Spool::NewId() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  const std::string now = NowIso();  // 2026-11-23T15:40:12.123Z
  return fmt::format("{}{}{}-{}{}{}-{:06x}", now.substr(0, 4), now.substr(5, 2), now.substr(8, 2),
                     now.substr(11, 2), now.substr(14, 2), now.substr(17, 2), rng() & 0xFFFFFF);
}

bool Spool::LowOnSpace() const {
  const std::int64_t free = FreeBytes(options_.root);
  return free >= 0 && free < options_.min_free_bytes;
}

std::int64_t Spool::FreeSpace() const { return FreeBytes(options_.root); }

namespace {

// A name in a drop folder that is, or will be, a file to claim: not hidden, not a writer's
// temporary, not a done-marker.
bool Watched(const RouteOptions& route, const std::string& name) {
  if (name[0] == '.') return false;
  const auto& settle = route.settle;
  if (std::any_of(settle.ignore_suffixes.begin(), settle.ignore_suffixes.end(),
                  [&](const std::string& s) { return EndsWith(name, s); })) {
    return false;
  }
  return settle.done_marker.empty() || !EndsWith(name, settle.done_marker);
}

}  // namespace

std::vector<RouteBacklog> Spool::Backlog() const {
  std::vector<RouteBacklog> out;
  for (const auto& route : options_.routes) {
    RouteBacklog b{route.name, 0, 0};
    const std::string dir = options_.root + "/incoming/" + route.name;
    for (const auto& name : ListDir(dir)) {
      if (!Watched(route, name)) continue;
      std::uint64_t size = 0;
      std::int64_t mtime = 0;
      if (KindOf(fmt::format("{}/{}", dir, name), &size, &mtime) == NodeKind::kMissing) continue;
      ++b.waiting;
      if (b.oldest_mtime_ns == 0 || mtime < b.oldest_mtime_ns) b.oldest_mtime_ns = mtime;
    }
    out.push_back(std::move(b));
  }
  return out;
}

ScanResult Spool::Scan(std::int64_t now_ms) {
  std::lock_guard lock(scan_mu_);
  ScanResult result;
  std::map<std::string, Seen> still;
  for (const auto& route : options_.routes) {
    const std::string dir = options_.root + "/incoming/" + route.name;
    if (!FeedServes(route.feed).ok()) {
      // No version of its feed's schema has ever loaded: its files wait where they are,
      // counted in the backlog, until one does (never quarantined for the schema's fault).
      result.held_routes.push_back(route.name);
      continue;
    }
    const auto names = ListDir(dir);
    for (const auto& name : names) {
      if (!Watched(route, name)) continue;
      const auto& settle = route.settle;
      std::uint64_t size = 0;
      std::int64_t mtime = 0;
      const NodeKind kind = KindOf(fmt::format("{}/{}", dir, name), &size, &mtime);
      if (kind == NodeKind::kMissing) continue;
      if (kind != NodeKind::kRegular) {
        result.ready.push_back({route.name, name, kind});  // refused at once: never settles
        continue;
      }
      if (!settle.done_marker.empty()) {
        if (KindOf(fmt::format("{}/{}{}", dir, name, settle.done_marker)) == NodeKind::kRegular) {
          result.ready.push_back({route.name, name, kind});
        } else {
          ++result.settling;
        }
        continue;
      }
      const std::string key = route.name + "/" + name;
      Seen seen{size, mtime, now_ms};
      if (auto it = seen_.find(key);
          it != seen_.end() && it->second.size == size && it->second.mtime_ns == mtime) {
        seen.stable_since_ms = it->second.stable_since_ms;
      }
      still[key] = seen;  // kept even when ready, in case the claim has to wait
      if (now_ms - seen.stable_since_ms >= settle.stable_seconds * 1000LL) {
        result.ready.push_back({route.name, name, kind});
      } else {
        ++result.settling;
      }
    }
  }
  seen_ = std::move(still);
  return result;
}

Status Spool::Claim(const Candidate& c, std::string& id) {
  const RouteOptions* route = FindRoute(c.route);
  if (route == nullptr) return Error(Code::kInvalidArgument, "no route " + c.route);
  std::string from = options_.root + "/incoming/" + c.route + "/" + c.name;
  if (!options_.node.empty()) {
    // One node takes it: the rename aside succeeds for one of those that saw it.
    const std::string taken = ClaimPath(c.route, options_.node, c.name);
    if (Status r = RenameNoReplace(from, taken); !r.ok()) {
      return r.code == Code::kNotFound ? Error(Code::kNotFound, from + ": taken or gone") : r;
    }
    from = taken;
  }
  std::uint64_t size = 0;
  if (KindOf(from, &size) == NodeKind::kMissing) return Error(Code::kNotFound, from + ": gone");

  FileRecord f;
  f.name = c.name;
  f.route = c.route;
  f.size = size;
  f.dropped_by = OwnerName(from);
  Status s;
  for (int attempt = 0; attempt < 5; ++attempt) {
    f.id = NewId();
    s = Commit(ledger_->AddFile(f));
    if (s.ok() || s.code == Code::kUnavailable) break;  // else an id taken: another
  }
  if (s.code == Code::kUnavailable && ledger_->Answers().ok() && ledger_->Get(f.id)) {
    s = Status::Ok();  // the ledger kept the row; only its answer was lost
  }
  if (!s.ok()) {
    if (!options_.node.empty()) {
      // With the ledger away, whether the row was kept is not known: the claim stays aside
      // for SettleClaims to resume or put back once the ledger answers. Refused for certain:
      // back under its name, for the next scan.
      if (s.code != Code::kUnavailable || ledger_->Answers().ok()) {
        (void)RenameNoReplace(from, options_.root + "/incoming/" + c.route + "/" + c.name);
      }
    }
    return s;
  }
  id = f.id;

  if (c.kind != NodeKind::kRegular) {
    // Refused: never opened or followed, moved aside whole so that nothing is lost.
    const std::string reason = fmt::format("refused: {} is not a regular file", KindName(c.kind));
    if (s = Transition(id, state::kQuarantining, reason); !s.ok()) return s;
    const std::string qdir = QuarantineDir(id);
    if (s = MakeDirs(qdir, false); !s.ok()) return s;
    s = RenameNoReplace(from, qdir + "/original");
    if (s.code == Code::kNotFound)
      return Transition(id, state::kVanished, "removed before it was claimed", "vanished");
    if (!s.ok()) return s;
    if (s = Durable(); !s.ok()) return s;
    FileRecord rec = *ledger_->Get(id);
    if (s = WriteQuarantineFiles(rec, "{\"files\":[]}\n"); !s.ok()) return s;
    return Transition(id, state::kQuarantined, reason, "quarantined");
  }

  s = RenameNoReplace(from, WorkPath(id));
  if (s.code == Code::kNotFound) {
    return Transition(id, state::kVanished, "removed before it was claimed", "vanished");
  }
  if (!s.ok()) return s;
  // No sync: if a power cut loses the rename or this transition, recovery finds the file in
  // work/ (state claiming) or, the rename lost too, still in incoming/.
  if (!route->settle.done_marker.empty()) {
    ::unlink((options_.root + "/incoming/" + c.route + "/" + c.name + route->settle.done_marker)
                 .c_str());
  }
  return Record(id, state::kClaimed, "claimed into work/");
}

Status Spool::Durable() { return sync_->Sync(); }

Status Spool::Commit(const Status& s) { return s.ok() ? Durable() : s; }

Status Spool::Transition(const std::string& id, std::string_view to, std::string_view detail,
                         std::string_view outcome) {
  return Commit(Record(id, to, detail, outcome));
}

Status Spool::Record(const std::string& id, std::string_view to, std::string_view detail,
                     std::string_view outcome) {
  return ledger_->Transition(id, to, detail, outcome);
}

Status Spool::Flush() { return Durable(); }

Status Spool::Process(const std::string& id) {
  for (int step = 0; step < 16; ++step) {
    bool final = false;
    if (Status s = Step(id, final, true); !s.ok() || final) return s;
  }
  return Error(Code::kInternal, id + ": no final state after 16 steps");
}

Status Spool::ProcessDurably(const std::string& id) {
  Status s = Process(id);
  return s.ok() ? Flush() : s;
}

Status Spool::Step(const std::string& id, bool& final) { return Step(id, final, false); }

Status Spool::Step(const std::string& id, bool& final, bool in_one_go) {
  {
    auto rec = ledger_->Get(id);
    if (!rec) {
      // Not there, or the ledger did not answer (then the file waits: kUnavailable).
      if (Status answers = ledger_->Answers(); !answers.ok()) {
        return Error(Code::kUnavailable, answers.message);
      }
      return Error(Code::kFailedPrecondition, "ledger has no file " + id);
    }
    FileRecord f = *rec;
    const std::string& st = f.state;
    final = IsFinal(st) || IsParked(st);
    if (final) return Status::Ok();
    // Several nodes: a file another node holds (adopted while this node's lease had run out)
    // is that node's to go on with; nothing here touches its copies.
    if (!options_.node.empty() && !f.node.empty() && f.node != options_.node) {
      return Error(Code::kAborted,
                   fmt::format("file {} is held by node {}, not this one ({}): another node "
                               "adopted it while this one's lease had run out",
                               id, f.node, options_.node));
    }
    Status s;
    if (st == state::kClaiming) {
      // Recovery only: the row was written but the rename may not have happened.
      if (KindOf(WorkPath(id)) != NodeKind::kMissing) {
        s = Transition(id, state::kClaimed, "claimed into work/ (recovered)");
      } else {
        // Renamed aside by this node to claim it (several nodes), or still under its name.
        std::string from = ClaimPath(f.route, options_.node, f.name);
        if (options_.node.empty() || KindOf(from) != NodeKind::kRegular) {
          from = options_.root + "/incoming/" + f.route + "/" + f.name;
        }
        if (KindOf(from) == NodeKind::kRegular) {
          s = RenameNoReplace(from, WorkPath(id));
          if (s.ok()) s = Durable();
          if (s.ok()) s = Transition(id, state::kClaimed, "claimed into work/ (recovered)");
        } else {
          s = Transition(id, state::kVanished, "not found after a restart", "vanished");
        }
      }
    } else if (st == state::kClaimed) {
      s = Check(f);
    } else if (st == state::kQuarantining) {
      s = Quarantine(f);
    } else if ((st == state::kAccepted || st == state::kReleased || st == state::kApproved) &&
               in_one_go) {
      // Archive, outbound and delivery in one go: their transitions in one commit at the end
      // (lost in a crash, the steps are done again, finding their own work done). A route
      // with four eyes stops after the archive, to wait for the approval.
      std::vector<StateChange> batch;
      if (st != state::kApproved) s = ArchiveStep(f, &batch);
      if (s.ok() && st != state::kApproved && NeedsApproval(f)) {
        batch.push_back({std::string(state::kAwaitingApproval),
                         "waiting for a second officer's approval (route " + f.route + ")",
                         {},
                         {},
                         NowIso()});
        s = ledger_->Transitions(f.id, batch);
      } else {
        if (s.ok()) s = OutboundStep(f, &batch);
        if (s.ok()) s = DeliverStep(f, &batch);
      }
    } else if (st == state::kAccepted || st == state::kReleased) {
      s = ArchiveStep(f, nullptr);
    } else if (st == state::kArchived && NeedsApproval(f)) {
      s = Record(id, state::kAwaitingApproval,
                 "waiting for a second officer's approval (route " + f.route + ")");
    } else if (st == state::kArchived || st == state::kApproved) {
      s = OutboundStep(f, nullptr);
    } else if (st == state::kOutbound) {
      s = DeliverStep(f, nullptr);
    } else {
      return Error(Code::kFailedPrecondition, id + ": unknown state " + st);
    }
    return s;
  }
}

std::unique_ptr<check::FileReport> Spool::CheckAsSpool(const std::string& path,
                                                       const std::string& feed,
                                                       const std::string& id) {
  // The items are on record under `id` already: the session compares them, nothing is
  // written.
  const std::string named = !feed.empty() ? feed : check::FeedOfFile(path, options_.check);
  auto session = OpenSession(named);
  check::CheckHooks hooks;
  hooks.session = session.get();
  auto report = check::CheckFile(path, options_.check, feed, hooks);
  if (session && report->problem.empty()) {
    // Findings only: a ledger that cannot be read leaves the report as the check made it.
    (void)AddFindings(*report, [&] { return session->Checked(*ledger_, id, report->diagnostics); });
    if (!id.empty()) {
      (void)AddFindings(*report,
                        [&] { return session->Compare(*ledger_, id, report->diagnostics); });
    }
  }
  return report;
}

std::unique_ptr<schemas::FeedSession> Spool::OpenSession(const std::string& feed) const {
  return schemas::OpenFeedSession(feed, options_.check.registry.get(), options_.store);
}

Status Spool::AddFindings(check::FileReport& report, const std::function<Status()>& step) {
  const std::size_t before = report.diagnostics.diagnostics().size();
  Status s = step();
  if (report.diagnostics.diagnostics().size() != before) report.diagnostics.SortByPosition();
  return s;
}

// Checking decides the outcome: clean and new goes on to the archive; anything else waits in
// quarantine for an officer.
Status Spool::Check(FileRecord& f) {
  const std::string path = WorkPath(f.id);
  const std::string quarantined = QuarantineDir(f.id) + "/original";
  if (KindOf(path) == NodeKind::kMissing && KindOf(quarantined) == NodeKind::kRegular) {
    // Reprocessing: the original comes back from quarantine.
    if (Status s = RenameNoReplace(quarantined, path); !s.ok()) return s;
    if (Status s = Durable(); !s.ok()) return s;
  }
  if (KindOf(path) != NodeKind::kRegular) {
    return Transition(f.id, state::kVanished, "removed from work/ after it was claimed",
                      "vanished");
  }
  // The writer may never have synced it: the next Durable() makes the original durable,
  // before anything relies on it.
  std::string reason;
  std::uint64_t size = 0;
  KindOf(path, &size);
  const RouteOptions* route = FindRoute(f.route);
  std::unique_ptr<check::FileReport> report;
  std::string sha, rows_ext;
  // The session of the feed's store, if its feed keeps records beyond the file (feed_store.h).
  std::unique_ptr<schemas::FeedSession> session;
  schemas::Settlement settlement;
  std::vector<std::pair<std::string, std::string>> attachments;  // beside report.json
  // What the check reads: the original, or on a route with OpenPGP its content, decrypted and
  // verified into work/ (the original, hashed here, is what is archived and quarantined).
  std::string checked = path;
  std::string content_sha;  // the content's SHA-256, when it is not the original's
  const RouteOptions::OpenPgp* pgp = OpenPgpOf(f);
  if (pgp != nullptr && size > 0 && size <= options_.max_file_bytes) {
    if (Status s = Sha256File(path, sha, &size); !s.ok()) {
      if (s.code == Code::kUnavailable) return s;
      reason = "the file cannot be read: " + s.message.substr(s.message.rfind(": ") + 2);
      sha.clear();
    } else {
      openpgp::Decrypted d;
      Status verdict;
      if (Status s = Unwrap(f, path, d, verdict); !s.ok()) return s;  // tried again later
      report = std::make_unique<check::FileReport>(options_.check.cap_per_rule);
      Judge(*pgp, verdict, d, report->diagnostics);
      if (report->diagnostics.errors() == 0) {
        report.reset();
        checked = PlainPath(f.id);
      } else {
        report->feed = route != nullptr ? route->feed : std::string();
        report->bytes = size;
        f.feed = report->feed;
        f.errors = report->diagnostics.errors();
        const auto& first = report->diagnostics.diagnostics().front();
        reason = fmt::format("{}: {}", first.rule->id, first.message);
      }
    }
  }
  if (size > 0 && size <= options_.max_file_bytes && reason.empty() && !report) {
    // Hash, check, record the items, transform and compress the archive copy in one pass over
    // the bytes (the copy is kept only if the file is accepted).
    // The feed: the route's, else what the file's head says (read once, here, and handed to the
    // check), a built-in feed's or a schema file's, so that its store's session and the
    // transform know it before the check and the file is read through once.
    std::optional<check::FileHead> head;
    std::string feed = route != nullptr ? route->feed : std::string();
    if (feed.empty()) {
      // Unreadable: CheckFile says why, trying again.
      if (auto read = check::ReadFileHead(checked, options_.check); read.ok()) {
        head = std::move(read).value();
        feed = head->feed;
      }
    }
    // A file taken before its feed lost every version (a restart without the ledger's copy):
    // it waits in work/, retried, rather than take the blame for the schema.
    if (Status s = FeedServes(feed); !s.ok()) return Error(Code::kUnavailable, s.message);
    LedgerItems items(*ledger_, f.id);
    const std::string archive = ArchivePath(f);
    if (Status s = MakeDirs(archive.substr(0, archive.rfind('/')), false); !s.ok()) return s;
    // The archive holds the original: compressed from the check's reads unless those are of
    // its decrypted content (ArchiveStep then compresses the original).
    std::optional<ArchiveWriter> archive_copy;
    if (checked == path) {
      archive_copy.emplace(archive + ".tmp", kArchiveLevel, size > (std::uint64_t{8} << 20));
    }
    session = OpenSession(feed);
    check::CheckHooks hooks{checked == path ? &sha : &content_sha, &items, session.get(), nullptr,
                            archive_copy ? &*archive_copy : nullptr};
    rows_ext = RowsExtension(f.route, feed);
    std::optional<RowsFile> rows;
    if (!rows_ext.empty()) {
      rows.emplace(path + ".rows.tmp", rows_ext, ShapeOf(feed, options_.check));
      if (Status s = rows->opened(); !s.ok()) return s;
      hooks.rows = rows->writer();
    }
    report = check::CheckFile(checked, options_.check, feed, hooks, head ? &*head : nullptr);
    if (Status s = items.Finish(); !s.ok()) return s;
    // What the records say that decides the outcome (an input report against what was sent);
    // what only warns is compared just before the acceptance (below), so that two reports
    // checked at once see each other.
    if (session && report->problem.empty()) {
      if (Status s = AddFindings(
              *report, [&] { return session->Checked(*ledger_, f.id, report->diagnostics); });
          !s.ok()) {
        return s;
      }
    }
    if (rows) {
      if (Status s = rows->Close(); !s.ok()) return s;
    }
    f.feed = report->feed;
    f.schema_version = report->schema_version;
    f.schema_sha256 = report->schema_sha256;
    f.records = report->records;
    f.errors = report->diagnostics.errors();
    f.warnings = report->diagnostics.warnings();
    f.business_key = report->business_key;
    // A file encrypted again is new bytes: its content says whether it came before.
    if (f.business_key.empty() && !content_sha.empty()) {
      f.business_key = std::string(kContentKeyPrefix) + content_sha;
    }
  }
  if (sha.empty()) {
    // Not read through by the check (empty, too large, not a feed, unreadable): hash alone.
    Status readable = Sha256File(path, sha, &size);
    if (readable.code == Code::kUnavailable) return readable;  // try again later
    if (!readable.ok()) {
      // Unreadable (permissions, I/O error): it cannot be checked, so it waits in quarantine.
      reason =
          "the file cannot be read: " + readable.message.substr(readable.message.rfind(": ") + 2);
      report.reset();
    }
  }
  // What the records say that only warns (an item returned twice), once.
  bool compared = false;
  auto compare = [&]() -> Status {
    if (!session || !report || !report->problem.empty() || compared) return Status::Ok();
    compared = true;
    Status s =
        AddFindings(*report, [&] { return session->Compare(*ledger_, f.id, report->diagnostics); });
    f.warnings = report->diagnostics.warnings();
    return s;
  };
  auto finding_counts = [&] {
    std::vector<FindingCount> counts;
    if (!report) return counts;
    std::map<std::string_view, FindingCount> by_rule;
    for (const auto& d : report->diagnostics.diagnostics()) {
      auto& c = by_rule[d.rule->id];
      c.rule = d.rule->id;
      c.severity = parsers::SeverityName(d.severity());
      c.count = report->diagnostics.Count(d.rule->id);
    }
    for (auto& [rule, c] : by_rule) counts.push_back(c);
    return counts;
  };
  // A report with errors is quarantined whatever its items match; its findings say in full.
  if (f.errors > 0) {
    if (Status s = compare(); !s.ok()) return s;
  }
  f.sha256 = sha;
  f.size = size;
  if (!reason.empty()) {
  } else if (size == 0) {
    reason = "the file is empty";
  } else if (size > options_.max_file_bytes) {
    reason =
        fmt::format("the file is {} bytes, over the limit of {}", size, options_.max_file_bytes);
  } else if (!report->problem.empty()) {
    reason = "the file could not be read as " + (report->feed.empty() ? "any feed" : report->feed);
  } else if (report->feed.empty() && !report->diagnostics.diagnostics().empty()) {
    // No known feed, or XML with a DOCTYPE: the one finding says what the file is.
    const auto& d = report->diagnostics.diagnostics().front();
    reason = fmt::format("{}: {}", d.rule->id, d.message);
  } else if (f.errors > 0) {
    reason = fmt::format("{} error{} ({} warning{}): see report.json", f.errors,
                         f.errors == 1 ? "" : "s", f.warnings, f.warnings == 1 ? "" : "s");
  }
  if (reason.empty()) {
    std::lock_guard lock(accept_mu_);
    if (Status s = compare(); !s.ok()) return s;
    if (auto other = ledger_->AcceptedWithHash(f.sha256, f.id)) {
      reason = "duplicate: the same bytes were accepted as " + *other;
    } else if (auto same = ledger_->AcceptedWithKey(f.business_key, f.id)) {
      reason = (f.business_key.rfind(kContentKeyPrefix, 0) == 0
                    ? "duplicate: the same content (decrypted) was accepted as "
                    : "duplicate: a submission with the same SUN, serial, processing day and "
                      "totals was accepted as ") +
               *same;
    } else if (Status settled = session ? AddFindings(*report,
                                                      [&] {
                                                        return session->Settle(
                                                            *ledger_, report->diagnostics,
                                                            settlement, attachments);
                                                      })
                                        : Status::Ok();
               !settled.ok()) {
      return settled;  // the records could not be read: checked again later
    } else if (report->diagnostics.errors() > 0) {
      // What the records say refuses it (under accept_mu_, so that two files do not settle
      // against the same records at once: a schedule that does not balance against the list
      // on record, or has none to balance against): its finding says which.
      f.errors = report->diagnostics.errors();
      f.warnings = report->diagnostics.warnings();
      for (const auto& d : report->diagnostics.diagnostics()) {
        if (d.severity() == parsers::Severity::kError) {
          reason = fmt::format("{}: {}", d.rule->id, d.message);
        }
      }
    } else {
      f.warnings = report->diagnostics.warnings();  // the settlement's, if any
      // A reference map (a feed other feeds' schemas refer to): the last one accepted is kept
      // for their checks, durably, before the acceptance commits. Without it they are checked
      // with a warning instead, so a copy that fails does not refuse the file: the acceptance
      // says why, in the ledger.
      std::string reference_note;
      const auto& registry = options_.check.registry;
      if (registry && !options_.check.reference_dir.empty() && registry->IsReferenced(f.feed)) {
        Status kept = checked != path ? Error(Code::kFailedPrecondition,
                                              "its route decrypts it, and decrypted content "
                                              "stays in work/")
                                      : MakeDirs(options_.check.reference_dir, false);
        if (kept.ok()) kept = CopyDurably(path, options_.check.reference_dir + "/" + f.feed);
        if (!kept.ok()) {
          reference_note = "; not kept as the reference map (" + kept.message + ")";
        }
      }
      if (!rows_ext.empty()) {
        // The rows wait beside the original, durable before the acceptance is.
        if (Status s = KeepRows(path + ".rows.tmp", path + "." + rows_ext); !s.ok()) return s;
      }
      // What the check found and the acceptance, in one commit; no sync of its own (lost in a
      // power cut, the file is checked again).
      return ledger_->RecordCheck(
          f, finding_counts(),
          {std::string(state::kAccepted),
           fmt::format("checked: {} records, {} warnings{}{}", f.records, f.warnings,
                       settlement.summary.empty() ? "" : "; " + settlement.summary,
                       reference_note)},
          settlement.states);
    }
  }
  // A quarantined file's rows are not delivered, nor its archive copy or content kept.
  ::unlink((path + ".rows.tmp").c_str());
  ::unlink(PlainPath(f.id).c_str());
  ::unlink((ArchivePath(f) + ".tmp").c_str());
  if (Status s = ledger_->RecordCheck(f, finding_counts(), {}); !s.ok()) return s;
  // Write the report before the state says quarantining, so recovery always finds it.
  const std::string qdir = QuarantineDir(f.id);
  if (Status s = MakeDirs(qdir, false); !s.ok()) return s;
  std::string json = "{\"files\":[]}\n";
  if (report) {
    std::vector<std::unique_ptr<check::FileReport>> one;
    report->path = f.name;
    one.push_back(std::move(report));
    json = check::RenderJson(one, {});
  }
  if (Status s = WriteFileDurably(qdir, "report.json", json, false); !s.ok()) return s;
  for (const auto& [name, text] : attachments) {
    // What the feed's store says beside the findings (a schedule's reconciliation), for
    // rbgate quarantine show.
    if (Status s = WriteFileDurably(qdir, name, text, false); !s.ok()) return s;
  }
  return Transition(f.id, state::kQuarantining, reason);
}

Status Spool::WriteQuarantineFiles(const FileRecord& f, const std::string& report_json) {
  const std::string qdir = QuarantineDir(f.id);
  if (KindOf(qdir + "/report.json") == NodeKind::kMissing) {
    if (Status s = WriteFileDurably(qdir, "report.json", report_json, false); !s.ok()) return s;
  }
  auto transitions = ledger_->Transitions(f.id);
  std::string reason = transitions.empty() ? "" : transitions.back().detail;
  Json meta = Json::object();
  meta["id"] = Text(f.id);
  meta["name"] = Text(f.name);
  meta["route"] = Text(f.route);
  meta["size"] = f.size;
  meta["sha256"] = Text(f.sha256);
  meta["feed"] = Text(f.feed);
  meta["records"] = f.records;
  meta["errors"] = f.errors;
  meta["warnings"] = f.warnings;
  meta["reason"] = Text(reason);
  meta["received_at"] = Text(f.received_at);
  meta["quarantined_at"] = Text(NowIso());
  return WriteFileDurably(qdir, "meta.json", Dump(meta) + "\n", false);
}

Status Spool::Quarantine(const FileRecord& f) {
  const std::string qdir = QuarantineDir(f.id);
  if (Status s = MakeDirs(qdir, false); !s.ok()) return s;
  const std::string original = qdir + "/original";
  if (KindOf(original) == NodeKind::kMissing) {
    if (KindOf(WorkPath(f.id)) == NodeKind::kMissing) {
      // A file a destination refused after its work copy went: back from the archive.
      if (Status s = VerifyArchive(ArchivePath(f), f.sha256, original); !s.ok()) return s;
    } else if (Status s = RenameNoReplace(WorkPath(f.id), original); !s.ok()) {
      return s;
    }
  }
  ::unlink((ArchivePath(f) + ".tmp").c_str());  // a copy compressed before a crash
  ::unlink(PlainPath(f.id).c_str());            // the content stays in the original only
  if (Status s = WriteQuarantineFiles(f, "{\"files\":[]}\n"); !s.ok()) return s;
  auto transitions = ledger_->Transitions(f.id);
  std::string reason = transitions.empty() ? "quarantined" : transitions.back().detail;
  return Transition(f.id, state::kQuarantined, reason, "quarantined");
}

Status Spool::Note(const FileRecord& f, std::vector<StateChange>* batch, std::string_view to,
                   std::string detail) {
  if (batch == nullptr) return Record(f.id, to, detail);
  batch->push_back({std::string(to), std::move(detail), {}, {}, NowIso()});
  return Status::Ok();
}

Status Spool::ArchiveStep(const FileRecord& f, std::vector<StateChange>* batch) {
  const std::string dst = ArchivePath(f);
  const std::string dir = dst.substr(0, dst.rfind('/'));
  if (Status s = MakeDirs(dir, false); !s.ok()) return s;
  if (KindOf(dst) == NodeKind::kRegular && VerifyArchive(dst, f.sha256).ok()) {
    if (f.state == state::kReleased) {
      // Released again after a destination refused it: the archive is the original now.
      ::unlink((QuarantineDir(f.id) + "/original").c_str());
    }
    return Note(f, batch, state::kArchived, "archive already written and verified");
  }
  // The copy compressed while the file was checked, if it is whole and right; else one made now.
  const std::string copy = dst + ".tmp";
  const bool compressed = KindOf(copy) == NodeKind::kRegular &&
                          VerifyArchive(copy, f.sha256).ok() &&
                          ::rename(copy.c_str(), dst.c_str()) == 0;
  if (!compressed) {
    const std::string work = WorkPath(f.id);
    if (KindOf(work) == NodeKind::kMissing && f.state == state::kReleased) {
      // A released file comes back from quarantine first.
      if (Status s = RenameNoReplace(QuarantineDir(f.id) + "/original", work); !s.ok()) return s;
    }
    if (Status s = ArchiveFile(work, dst, f.sha256, kArchiveLevel, false); !s.ok()) return s;
  }
  // Synced with the deliveries, before the work copy goes (DeliverStep).
  return Note(f, batch, state::kArchived,
              "archived to " + dst.substr(options_.root.size() + 1) + " (written, verified)");
}

// Brings back a work copy a crash took: the original from the verified archive, the rows made
// again from the original.
Status Spool::RestoreWorkCopy(const FileRecord& f, const Output& o, bool& restored) {
  if (KindOf(o.work) == NodeKind::kRegular) return Status::Ok();
  const std::string original = WorkPath(f.id);
  if (KindOf(original) != NodeKind::kRegular) {
    if (Status s = VerifyArchive(ArchivePath(f), f.sha256, original); !s.ok()) return s;
    restored = true;
  }
  if (o.work == original) return Status::Ok();
  if (o.work != PlainPath(f.id)) return WriteRows(f, o.work);
  // The content, decrypted again from the original: it met the route's requirements when it
  // was taken in, and a keyring that no longer opens it is said.
  openpgp::Decrypted d;
  Status verdict;
  if (Status s = Unwrap(f, original, d, verdict); !s.ok()) return s;
  if (!verdict.ok()) {
    return Error(Code::kFailedPrecondition,
                 f.id + ": its content cannot be made again from the original: " + verdict.message);
  }
  return Status::Ok();
}

Status Spool::RemoveWorkCopies(const FileRecord& f) {
  std::vector<std::string> copies;
  for (const auto& o : Outputs(f)) copies.push_back(o.work);
  if (copies.front() != WorkPath(f.id)) copies.insert(copies.begin(), WorkPath(f.id));
  // Last first: the original's absence is what says the work copies are all gone.
  for (auto it = copies.rbegin(); it != copies.rend(); ++it) {
    if (::unlink(it->c_str()) != 0 && errno != ENOENT) return FromErrno(errno, *it, "unlink");
  }
  return Status::Ok();
}

// Links each output into outbound/<destination>/: hard links, no copy. The work copies stay
// until every destination has its copy durably (DeliverStep).
Status Spool::OutboundStep(const FileRecord& f, std::vector<StateChange>* batch) {
  const RouteOptions* route = FindRoute(f.route);
  const std::vector<Output> outputs = Outputs(f);
  const auto sent = SentOver(f.id);
  bool restored = false;
  for (const auto& d : route ? route->destinations : std::vector<std::string>{}) {
    const DestinationOptions* dest = FindDestination(d);
    // A file's decrypted content goes nowhere outside work/ but encrypted again: to a folder
    // destination that does not encrypt, it is delivered straight from work/.
    if (dest == nullptr || (OpenPgpOf(f) != nullptr && !dest->encrypts() && !dest->network())) {
      continue;
    }
    const std::string dir = options_.root + "/outbound/" + d;
    if (Status s = MakeDirs(dir, false); !s.ok()) return s;
    for (const auto& o : outputs) {
      const std::string name = NameAt(*dest, o);
      const std::string out = fmt::format("{}/{}", dir, name);
      if (KindOf(out) == NodeKind::kRegular || sent.count({d, name})) continue;
      if (Status s = RestoreWorkCopy(f, o, restored); !s.ok()) return s;
      if (Status s = MakeOutboundCopy(*dest, o.work, out); !s.ok()) return s;
    }
  }
  return Note(f, batch, state::kOutbound,
              restored ? "outputs linked into outbound/ (original restored from the archive)"
                       : "outputs linked into outbound/");
}

// Delivers each output to each directory destination and queues it for each network one, then
// makes the archive, the outbound links and the deliveries durable in one sync; only then do
// the work copies and the delivered outbound copies go. Queued outputs keep theirs (the
// forwarders send from outbound/) and the file waits in `forwarding`.
Status Spool::DeliverStep(const FileRecord& f, std::vector<StateChange>* batch) {
  const RouteOptions* route = FindRoute(f.route);
  const std::vector<Output> outputs = Outputs(f);
  std::vector<DeliveryRecord> deliveries;
  std::vector<OutboundItem> queue;
  std::vector<std::string> delivered_from;  // outbound copies to remove once durable
  const auto sent = SentOver(f.id);
  bool restored = false;
  for (const auto& dname : route ? route->destinations : std::vector<std::string>{}) {
    const DestinationOptions* dest = FindDestination(dname);
    if (dest == nullptr) {
      return Error(Code::kFailedPrecondition, "route " + f.route + ": no destination " + dname);
    }
    for (const auto& o : outputs) {
      const std::string name = NameAt(*dest, o);
      const std::string out = fmt::format("{}/outbound/{}/{}", options_.root, dname, name);
      // Released after one destination refused it: the others that took it are not sent again.
      if (sent.count({dname, name})) continue;
      // The copy sent is not the original's bytes: rows, content decrypted, or encrypted.
      const bool own_bytes = o.work != WorkPath(f.id) || dest->encrypts();
      if (dest->network()) {
        if (KindOf(out) != NodeKind::kRegular) {
          // A power cut took the link (or a refusal its copy): made again from the work copy.
          if (Status s = RestoreWorkCopy(f, o, restored); !s.ok()) return s;
          if (Status s = MakeOutboundCopy(*dest, o.work, out); !s.ok()) return s;
        }
        OutboundItem item;
        item.destination = dname;
        item.name = name;
        item.sha256 = f.sha256;
        item.size = f.size;
        if (own_bytes) {
          if (Status s = Sha256File(out, item.sha256); !s.ok()) return s;
          if (KindOf(out, &item.size) != NodeKind::kRegular) {
            return Error(Code::kNotFound, out + ": gone");
          }
        }
        queue.push_back(std::move(item));
        continue;
      }
      const std::string target = dest->path + "/" + name;
      bool queued = KindOf(out) == NodeKind::kRegular;
      if (KindOf(target) == NodeKind::kRegular) {
        if (!queued) {
          // Delivered before a restart: the outbound copy goes only once the delivery is durable.
          deliveries.push_back(
              {dname, name, "delivered (found at the destination after a restart)", {}});
          continue;
        }
        // Already there under its content-derived name: the same bytes, or a conflict.
        std::string have, want = f.sha256;
        if (Status s = Sha256File(target, have); !s.ok()) return s;
        if (own_bytes) {
          if (Status s = Sha256File(out, want); !s.ok()) return s;
        }
        if (have != want) {
          return Error(Code::kFailedPrecondition,
                       target + ": exists with different content; delivery held");
        }
      } else {
        // The outbound copy, or, if a power cut lost that link, the work copy it was made from.
        std::string from = out;
        if (!queued) {
          if (Status s = RestoreWorkCopy(f, o, restored); !s.ok()) return s;
          from = o.work;
          if (dest->encrypts()) {
            // Never the content as it is: encrypted again (new bytes; the destination had none).
            if (Status s = MakeOutboundCopy(*dest, o.work, out); !s.ok()) return s;
            from = out;
            queued = true;
          }
        }
        if (::link(from.c_str(), target.c_str()) != 0) {
          if (errno != EXDEV) return FromErrno(errno, target, "link");
          if (Status s = CopyDurably(from, target, false); !s.ok()) return s;
        }
      }
      deliveries.push_back({dname, name, "delivered", {}});
      if (queued) delivered_from.push_back(out);
    }
  }
  if (Status s = Durable(); !s.ok()) return s;
  for (const auto& out : delivered_from) {
    if (::unlink(out.c_str()) != 0 && errno != ENOENT) return FromErrno(errno, out, "unlink");
  }
  if (Status s = RemoveWorkCopies(f); !s.ok()) return s;
  std::string names;
  for (const auto& o : outputs) names += (names.empty() ? "" : " and ") + o.name;
  if (!queue.empty()) {
    // Queued and parked in one commit, made durable before a forwarder may act on it.
    std::string to;  // each destination once, in the route's order
    for (const auto& dname : route->destinations) {
      if (std::any_of(queue.begin(), queue.end(),
                      [&](const OutboundItem& q) { return q.destination == dname; })) {
        to += (to.empty() ? "" : ", ") + dname;
      }
    }
    StateChange c{std::string(state::kForwarding), "queued " + names + " for " + to, "",
                  std::move(deliveries), NowIso()};
    c.queue = std::move(queue);
    std::vector<StateChange> changes = batch ? std::move(*batch) : std::vector<StateChange>{};
    changes.push_back(std::move(c));
    return Commit(ledger_->Transitions(f.id, changes));
  }
  // The deliveries and the final state, in one commit, made durable by the next sync point
  // (or Flush): lost in a power cut, the deliveries are found at their destinations again.
  if (batch == nullptr) {
    return ledger_->Transition(f.id, state::kDelivered, "delivered as " + names, "delivered",
                               deliveries);
  }
  batch->push_back({std::string(state::kDelivered), "delivered as " + names, "delivered",
                    std::move(deliveries), NowIso()});
  return ledger_->Transitions(f.id, *batch);
}

std::string Spool::ClaimPath(const std::string& route, const std::string& node,
                             const std::string& name) const {
  return options_.root + "/incoming/" + route + "/" + std::string(kClaimPrefix) + node + "+" + name;
}

namespace {
// The node and the file's name of a claim's name (.rbgate-claim+<node>+<name>); nullopt for
// any other name.
std::optional<std::pair<std::string, std::string>> ParseClaim(const std::string& n) {
  if (n.rfind(kClaimPrefix, 0) != 0) return std::nullopt;
  const auto plus = n.find('+', kClaimPrefix.size());
  if (plus == std::string::npos) return std::nullopt;
  return std::make_pair(n.substr(kClaimPrefix.size(), plus - kClaimPrefix.size()),
                        n.substr(plus + 1));
}
}  // namespace

void Spool::TakeOverClaim(const FileRecord& f,
                          const std::function<bool(const std::string&)>& dead) {
  const std::string dir = fmt::format("{}/incoming/{}", options_.root, f.route);
  for (const auto& n : ListDir(dir)) {
    const auto claim = ParseClaim(n);
    if (!claim || claim->second != f.name || !dead(claim->first)) continue;
    (void)RenameNoReplace(fmt::format("{}/{}", dir, n), ClaimPath(f.route, options_.node, f.name));
    return;
  }
}

StatusOr<std::vector<std::string>> Spool::SettleClaims(
    const std::function<bool(const std::string& key)>& busy) {
  if (options_.node.empty()) return std::vector<std::string>{};
  // The claims first, then the rows: a claim whose worker finished meanwhile has gone into
  // work/ (its row past claiming) or stays aside in doubt, and either way is read right.
  std::vector<std::tuple<std::string, std::string, std::string>> mine;  // dir, claim, name
  for (const auto& r : options_.routes) {
    const std::string dir = fmt::format("{}/incoming/{}", options_.root, r.name);
    for (const auto& n : ListDir(dir)) {
      const auto claim = ParseClaim(n);
      if (claim && claim->first == options_.node) mine.emplace_back(r.name, n, claim->second);
    }
  }
  if (mine.empty()) return std::vector<std::string>{};
  if (Status a = ledger_->Answers(); !a.ok()) return a;
  std::map<std::string, std::string> rows;  // route/name -> id, this node's rows claiming
  for (const auto& f : ledger_->List({std::string(state::kClaiming), "", "", 0})) {
    if (f.node == options_.node) rows[f.route + "/" + f.name] = f.id;
  }
  std::vector<std::string> resume;
  for (const auto& [route, claim, name] : mine) {
    const std::string key = fmt::format("{}/{}", route, name);
    if (busy(key)) continue;  // a worker is claiming it now
    if (auto it = rows.find(key); it != rows.end()) {
      resume.push_back(it->second);
    } else {
      const std::string dir = fmt::format("{}/incoming/{}", options_.root, route);
      (void)RenameNoReplace(fmt::format("{}/{}", dir, claim), fmt::format("{}/{}", dir, name));
    }
  }
  return resume;
}

void Spool::RestoreClaims(const std::function<bool(const std::string& node)>& restore,
                          const std::set<std::string>& keep) {
  for (const auto& r : options_.routes) {
    const std::string dir = fmt::format("{}/incoming/{}", options_.root, r.name);
    for (const auto& n : ListDir(dir)) {
      const auto claim = ParseClaim(n);
      if (!claim || !restore(claim->first) || keep.count(claim->second) > 0) continue;
      // Back under its name; if a new file took the name meanwhile, left for an operator.
      (void)RenameNoReplace(fmt::format("{}/{}", dir, n), fmt::format("{}/{}", dir, claim->second));
    }
  }
}

Status Spool::Recover() {
  Status first;
  // Temporaries of interrupted writes go; they are never the only copy of anything. Only this
  // node's, or no node's: on a spool several nodes share, another's may be being written now.
  const std::vector<FileRecord> unfinished = ledger_->Unfinished();
  std::set<std::string> mine;
  for (const auto& f : unfinished) mine.insert(f.id);
  for (const auto& n : ListDir(options_.root + "/work")) {
    if (n.rfind(".rbgate-tmp-", 0) != 0 && !EndsWith(n, ".tmp")) continue;
    std::string id = n.rfind(".rbgate-tmp-", 0) == 0 ? n.substr(12) : n;
    id = id.substr(0, id.find('.'));
    const auto owner = mine.count(id) > 0 ? std::nullopt : ledger_->Get(id);
    if (mine.count(id) > 0 || !owner || IsFinal(owner->state)) {
      ::unlink((options_.root + "/work/" + n).c_str());
    }
  }
  for (const auto& f : unfinished) {
    // An archive is written without a sync of its own (the deliveries' sync makes it durable
    // before the work copy goes): while the work copy is here, a power cut may have cut the
    // archive short, so it is verified again and, if bad, written again.
    if ((f.state == state::kArchived || f.state == state::kOutbound) &&
        KindOf(WorkPath(f.id)) == NodeKind::kRegular &&
        !VerifyArchive(ArchivePath(f), f.sha256).ok()) {
      if (Status s = Record(f.id, state::kAccepted,
                            "archive found damaged after a restart; "
                            "archiving again");
          !s.ok() && first.ok()) {
        first = s;
      }
    }
    Status s = Process(f.id);
    if (!s.ok() && first.ok()) first = s;
  }
  // This node's claims that never got a row (a crash between the rename aside and the row):
  // back under their names, to be claimed again.
  if (!options_.node.empty()) {
    // Not those with a row another node adopted meanwhile: it takes them over itself.
    std::set<std::string> claiming;
    for (const auto& f : ledger_->List({std::string(state::kClaiming), "", "", 0})) {
      claiming.insert(f.name);
    }
    RestoreClaims([this](const std::string& node) { return node == options_.node; }, claiming);
  }
  // Copies a crash left behind once their work was done: a network destination's outbound copy
  // whose item was delivered (the commit came, the unlink did not), and a work copy made again
  // from the archive for an upload. Everything unfinished was taken on above, so an outbound copy
  // no queued item needs is one of those.
  for (const auto& d : options_.destinations) {
    const std::string dir = options_.root + "/outbound/" + d.name;
    for (const auto& n : ListDir(dir)) {
      // An encrypted copy a crash cut short (one node alone: another may be writing its own).
      const bool cut_short = n.rfind(".rbgate-tmp-", 0) == 0 && options_.node.empty();
      if (cut_short ||
          (d.network() && n[0] != '.' && ledger_->PendingOutboundNamed(d.name, n, 0) == 0)) {
        ::unlink(fmt::format("{}/{}", dir, n).c_str());
      }
    }
  }
  // Anything in work/ the ledger does not know (a lost ledger) is quarantined, not lost.
  for (const auto& n : ListDir(options_.root + "/work")) {
    if (n[0] == '.') continue;
    if (auto owner = ledger_->Get(n)) {
      // A copy restored from the archive for an upload, left by a crash: the archive has it.
      if (owner->state == state::kForwarding || owner->state == state::kDelivered ||
          owner->state == state::kCancelled) {
        ::unlink((options_.root + "/work/" + n).c_str());
      }
      continue;
    }
    // A known file's rows (<id>.csv or <id>.jsonl): kept while it is unfinished.
    if (const auto dot = n.rfind('.'); dot != std::string::npos) {
      if (auto owner = ledger_->Get(n.substr(0, dot))) {
        if (IsFinal(owner->state) || owner->state == state::kForwarding) {
          ::unlink((options_.root + "/work/" + n).c_str());
        }
        continue;
      }
    }
    FileRecord f;
    f.id = NewId();
    f.name = n;
    f.route = "(work)";
    if (Status s = Commit(ledger_->AddFile(f)); !s.ok()) return s;
    if (Status s = RenameNoReplace(options_.root + "/work/" + n, WorkPath(f.id)); !s.ok()) return s;
    if (Status s = Transition(f.id, state::kClaimed, "found in work/ with no ledger row");
        !s.ok()) {
      return s;
    }
    if (Status s = Process(f.id); !s.ok() && first.ok()) first = s;
  }
  if (Status s = Flush(); !s.ok() && first.ok()) first = s;
  return first;
}

Status Spool::Release(const std::string& id, const std::string& reason, bool force_duplicate,
                      const std::string& user) {
  const std::string& who = user.empty() ? options_.user : user;
  auto f = ledger_->Get(id);
  if (!f) return Error(Code::kNotFound, "no file " + id);
  if (f->state != state::kQuarantined) {
    return Error(Code::kFailedPrecondition, id + " is " + f->state + ", not quarantined");
  }
  {
    std::lock_guard lock(accept_mu_);
    auto dup = ledger_->AcceptedWithHash(f->sha256, id);
    if (!dup) dup = ledger_->AcceptedWithKey(f->business_key, id);
    if (dup && !force_duplicate) {
      return Error(Code::kFailedPrecondition, id + " duplicates " + *dup +
                                                  "; release it with --force-duplicate if it must "
                                                  "go again");
    }
    if (KindOf(QuarantineDir(id) + "/original") != NodeKind::kRegular) {
      return Error(Code::kFailedPrecondition,
                   id + ": the quarantined original is not a regular file");
    }
    if (OpenPgpOf(*f) != nullptr) {
      // What would be delivered is its content: a file the keyring cannot open cannot go.
      openpgp::Decrypted d;
      Status verdict;
      Status s = Unwrap(*f, QuarantineDir(id) + "/original", d, verdict);
      ::unlink(PlainPath(id).c_str());
      if (!s.ok()) return s;
      if (!verdict.ok()) {
        return Error(Code::kFailedPrecondition,
                     id + ": not released: the file " + verdict.message +
                         " (a release delivers its decrypted content; reject it, or reprocess it "
                         "once the keyring holds the key)");
      }
    }
    if (Status s = Commit(ledger_->Decide(
            id, state::kQuarantined,
            {{}, who, force_duplicate ? "release --force-duplicate" : "release", reason},
            state::kReleased, "released by " + who + ": " + reason, ""));
        !s.ok()) {
      return s;
    }
  }
  return ProcessDurably(id);
}

Status Spool::Reject(const std::string& id, const std::string& reason, const std::string& user) {
  const std::string& who = user.empty() ? options_.user : user;
  auto f = ledger_->Get(id);
  if (!f) return Error(Code::kNotFound, "no file " + id);
  if (f->state == state::kAwaitingApproval) {
    // Not approved: it stays in the archive and never leaves.
    Status s = Commit(
        ledger_->Decide(id, state::kAwaitingApproval, {{}, who, "reject", reason}, state::kRejected,
                        "not approved; rejected by " + who + ": " + reason, "rejected"));
    if (!s.ok()) return s;
    return RemoveWorkCopies(*f);
  }
  if (f->state != state::kQuarantined) {
    return Error(Code::kFailedPrecondition, id + " is " + f->state + ", not quarantined");
  }
  return Commit(ledger_->Decide(id, state::kQuarantined, {{}, who, "reject", reason},
                                state::kRejected, "rejected by " + who + ": " + reason,
                                "rejected"));
}

std::set<std::pair<std::string, std::string>> Spool::SentOver(const std::string& id) {
  std::set<std::pair<std::string, std::string>> out;
  for (const auto& item : ledger_->OutboundOf(id)) {
    if (item.state == outbound::kDelivered) out.emplace(item.destination, item.name);
  }
  return out;
}

bool Spool::NeedsApproval(const FileRecord& f) const {
  const RouteOptions* route = FindRoute(f.route);
  return route != nullptr && route->approval;
}

Status Spool::Approve(const std::string& id, const std::string& reason, const std::string& user) {
  const std::string& who = user.empty() ? options_.user : user;
  auto f = ledger_->Get(id);
  if (!f) return Error(Code::kNotFound, "no file " + id);
  if (f->state != state::kAwaitingApproval) {
    return Error(Code::kFailedPrecondition, id + " is " + f->state + ", not awaiting approval");
  }
  if (!f->dropped_by.empty() && who == f->dropped_by) {
    return Error(Code::kPermissionDenied,
                 id + " was dropped by " + who +
                     "; approval needs a second officer (someone other than whoever dropped, "
                     "released or reprocessed it)");
  }
  for (const auto& a : ledger_->Actions(id)) {
    if (a.user == who && (a.action.rfind("release", 0) == 0 || a.action == "reprocess")) {
      return Error(
          Code::kPermissionDenied,
          fmt::format("{} was {} by {} at {}; approval needs a second officer (someone "
                      "other than whoever dropped, released or reprocessed it)",
                      id, a.action == "reprocess" ? "reprocessed" : "released", who, a.at));
    }
  }
  if (Status s =
          Commit(ledger_->Decide(id, state::kAwaitingApproval, {{}, who, "approve", reason},
                                 state::kApproved, "approved by " + who + ": " + reason, ""));
      !s.ok()) {
    return s;
  }
  return ProcessDurably(id);
}

std::optional<OutboundItem> Spool::TakeDelivery(const std::string& destination, std::int64_t now_ms,
                                                std::string& path, Status& status) {
  status = Status::Ok();
  auto item = ledger_->TakeOutbound(destination, now_ms);
  if (!item) return std::nullopt;
  path = options_.root + "/outbound/" + destination + "/" + item->name;
  if (KindOf(path) == NodeKind::kRegular) return item;
  // A crash took the copy after a delivery it then forgot: made again from the archive.
  std::lock_guard lock(restore_mu_);
  auto f = ledger_->Get(item->file_id);
  const DestinationOptions* dest = FindDestination(destination);
  if (f && dest != nullptr) {
    for (const auto& o : Outputs(*f)) {
      if (NameAt(*dest, o) != item->name) continue;
      bool restored = false;
      const bool had_work = KindOf(o.work) == NodeKind::kRegular;
      status = MakeDirs(options_.root + "/outbound/" + destination, false);
      if (status.ok()) status = RestoreWorkCopy(*f, o, restored);
      if (status.ok()) status = MakeOutboundCopy(*dest, o.work, path);
      if (status.ok() && dest->encrypts()) {
        // Encrypted again: other bytes than the lost copy's, sent under the same name.
        status = Sha256File(path, item->sha256, &item->size);
      }
      if (!had_work && IsParked(f->state)) (void)RemoveWorkCopies(*f);
      break;
    }
  }
  if (status.ok() && KindOf(path) != NodeKind::kRegular) {
    status = Error(Code::kNotFound, path + ": the outbound copy is gone and cannot be made again");
  }
  if (!status.ok()) {
    // Back in the queue, for the operator to see why.
    std::string ignored;
    if (Status s = ledger_->FinishOutbound(
            *item, {AttemptResult::Kind::kRetry, "spool", status.message, now_ms + 60000}, ignored);
        !s.ok()) {
      // The item stays taken in the ledger; recovery hands it back at the next start.
      status.message += "; and it could not be put back in the queue: " + s.message;
    }
    return std::nullopt;
  }
  return item;
}

Status Spool::RemoveOutboundCopy(const OutboundItem& item) {
  if (ledger_->PendingOutboundNamed(item.destination, item.name, item.id) > 0) {
    return Status::Ok();  // a copy released again with the same content still needs it
  }
  const std::string path = options_.root + "/outbound/" + item.destination + "/" + item.name;
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return FromErrno(errno, path, "unlink");
  return Status::Ok();
}

Status Spool::FinishDelivery(const OutboundItem& item, const AttemptResult& r,
                             std::string& file_state) {
  if (Status s = ledger_->FinishOutbound(item, r, file_state); !s.ok()) return s;
  if (r.kind == AttemptResult::Kind::kRetry) return Status::Ok();
  // Lost in a power cut, the copy is made again from the archive and sent again under the
  // same name and key; the destination finds it already there. An encrypted copy cannot be
  // made again byte for byte: the outcome is made durable before it goes.
  if (const auto* d = FindDestination(item.destination); d != nullptr && d->encrypts()) {
    if (Status s = Durable(); !s.ok()) return s;
  }
  if (Status s = RemoveOutboundCopy(item); !s.ok()) return s;
  if (file_state == state::kQuarantining) {
    // Only the attempt whose refusal moved the file takes it to quarantine.
    if (Status s = ProcessDurably(item.file_id); !s.ok()) return s;
    if (auto f = ledger_->Get(item.file_id)) file_state = f->state;
  }
  return Status::Ok();
}

Status Spool::RetryDelivery(std::uint64_t id, const std::string& reason, const std::string& user) {
  const std::string& who = user.empty() ? options_.user : user;
  return Commit(ledger_->RetryOutbound(id, {{}, who, fmt::format("outbound retry {}", id), reason},
                                       UnixMs()));
}

Status Spool::CancelDelivery(std::uint64_t id, const std::string& reason, const std::string& user) {
  const std::string& who = user.empty() ? options_.user : user;
  auto item = ledger_->GetOutbound(id);
  std::string file_state;
  if (Status s = Commit(ledger_->CancelOutbound(
          id, {{}, who, fmt::format("outbound cancel {}", id), reason}, file_state));
      !s.ok()) {
    return s;
  }
  return item ? RemoveOutboundCopy(*item) : Status::Ok();
}

Status Spool::Reprocess(const std::string& id, const std::string& reason, const std::string& user) {
  const std::string& who = user.empty() ? options_.user : user;
  auto f = ledger_->Get(id);
  if (!f) return Error(Code::kNotFound, "no file " + id);
  if (f->state != state::kQuarantined) {
    return Error(Code::kFailedPrecondition, id + " is " + f->state + ", not quarantined");
  }
  const std::string original = QuarantineDir(id) + "/original";
  if (KindOf(original) != NodeKind::kRegular) {
    return Error(Code::kFailedPrecondition,
                 id + ": the quarantined original is not a regular file");
  }
  // Judged only by a schema that serves: a feed with none keeps its findings as they are.
  const RouteOptions* route = FindRoute(f->route);
  for (const std::string& feed : {route ? route->feed : std::string(), f->feed}) {
    if (Status s = FeedServes(feed); !s.ok()) {
      return Error(s.code, id + ": not reprocessed, its findings stand: " + s.message);
    }
  }
  // The state changes first: checking then brings the original back from quarantine and
  // writes a new report.
  if (Status s = Commit(ledger_->Decide(id, state::kQuarantined, {{}, who, "reprocess", reason},
                                        state::kClaimed, "reprocess requested by " + who, ""));
      !s.ok()) {
    return s;
  }
  ::unlink((QuarantineDir(id) + "/meta.json").c_str());
  return ProcessDurably(id);
}

}  // namespace rbgate::spool
