#include "spool/retention.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace rbgate::spool {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kDayMs = 86'400'000;
constexpr std::string_view kPurge = "purge";

bool PurgeOnRecord(Ledger& l, const std::string& id, std::string_view where) {
  const auto actions = l.Actions(id);
  return std::any_of(actions.begin(), actions.end(), [&](const ActionRecord& a) {
    return a.action == kPurge && a.reason.find(where) != std::string::npos;
  });
}

std::uint64_t SizeOf(const fs::path& p) {
  std::error_code ec;
  if (fs::is_directory(p, ec)) {
    std::uint64_t n = 0;
    for (const auto& e : fs::recursive_directory_iterator(p, ec)) {
      if (e.is_regular_file(ec)) n += e.file_size(ec);
    }
    return n;
  }
  const auto n = fs::file_size(p, ec);
  return ec ? 0 : n;
}

// Archived originals of files that are done with, received before `cutoff` (ISO day).
void FindArchived(Spool& spool, const std::string& cutoff, PurgeReport& out) {
  const fs::path root = spool.options().root + "/archive";
  std::error_code ec;
  std::vector<fs::path> found;
  for (const auto& e : fs::recursive_directory_iterator(root, ec)) {
    if (e.is_regular_file(ec) && e.path().extension() == ".zst") found.push_back(e.path());
  }
  std::sort(found.begin(), found.end());
  for (const auto& p : found) {
    const std::string id = p.stem().string();
    const auto f = spool.ledger().Get(id);
    if (!f || f->received_at.substr(0, 10) >= cutoff) continue;
    // Waiting for an approval or a network destination: the archive is what they send from.
    // Quarantined after a destination refused it: released again, it is sent from the archive.
    const auto state = FileStateNamed(f->state);
    if (!state || !InfoOf(*state).final || *state == FileState::kQuarantined) {
      ++out.kept_in_use;
      continue;
    }
    out.files.push_back(
        {f->id, f->name, "archive", p.string(), f->received_at.substr(0, 10), SizeOf(p)});
  }
}

// Quarantine folders of files rejected before `cutoff`. A file still quarantined waits for an
// officer however long it takes.
void FindRejected(Spool& spool, const std::string& cutoff, PurgeReport& out) {
  const fs::path root = spool.options().root + "/quarantine";
  std::error_code ec;
  std::vector<fs::path> found;
  for (const auto& e : fs::directory_iterator(root, ec)) {
    if (e.is_directory(ec)) found.push_back(e.path());
  }
  std::sort(found.begin(), found.end());
  for (const auto& p : found) {
    const auto f = spool.ledger().Get(p.filename().string());
    if (!f || f->updated_at.substr(0, 10) >= cutoff) continue;
    if (f->state != state::kRejected) {
      if (f->state == state::kQuarantined) ++out.kept_in_use;
      continue;
    }
    out.files.push_back(
        {f->id, f->name, "quarantine", p.string(), f->updated_at.substr(0, 10), SizeOf(p)});
  }
}

}  // namespace

StatusOr<PurgeReport> PurgeExpired(Spool& spool, const RetentionOptions& r, std::int64_t now_ms,
                                   bool dry_run, const std::string& user) {
  PurgeReport report;
  if (r.archive_days > 0) {
    FindArchived(spool, IsoFromUnixMs(now_ms - r.archive_days * kDayMs).substr(0, 10), report);
  }
  if (r.quarantine_days > 0) {
    FindRejected(spool, IsoFromUnixMs(now_ms - r.quarantine_days * kDayMs).substr(0, 10), report);
  }
  for (const auto& f : report.files) report.bytes += f.bytes;
  if (dry_run) return report;
  Ledger& ledger = spool.ledger();
  for (const auto& f : report.files) {
    const bool archive = f.where == "archive";
    const std::string what = archive ? fmt::format(
                                           "archived original deleted: received {}, kept {} days "
                                           "(archive.retain_days)",
                                           f.day, r.archive_days)
                                     : fmt::format(
                                           "quarantine folder deleted: rejected {}, kept {} days "
                                           "(quarantine.retain_days)",
                                           f.day, r.quarantine_days);
    // On record first: a crash between the two leaves a deletion on record to finish, never a
    // deletion nobody recorded.
    if (!PurgeOnRecord(ledger, f.id, archive ? "archived original" : "quarantine folder")) {
      if (Status st = ledger.RecordAction(f.id, {NowIso(), user, std::string(kPurge), what});
          !st.ok()) {
        return st;
      }
    }
    std::error_code ec;
    fs::remove_all(f.path, ec);
    if (ec) {
      return Error(Code::kUnavailable, fmt::format("delete {}: {}", f.path, ec.message()));
    }
  }
  if (Status st = spool.Flush(); !st.ok()) return st;
  return report;
}

}  // namespace rbgate::spool
