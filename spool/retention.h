// Retention: archived originals and rejected files' quarantine folders are deleted once they
// are older than the council keeps them (archive.retain_days, quarantine.retain_days), each
// deletion recorded on the file's record in the audit chain first. The files' records stay;
// nothing an officer or a forwarder still needs is touched (a file waiting in quarantine, for
// approval, or for a network destination keeps its original whatever its age).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "spool/spool.h"

namespace rbgate::spool {

struct RetentionOptions {
  int archive_days = 0;     // archived originals; 0: kept for ever
  int quarantine_days = 0;  // rejected files' quarantine folders; 0: kept for ever
  bool any() const { return archive_days > 0 || quarantine_days > 0; }
};

struct PurgedFile {
  std::string id, name, where;  // where: "archive" or "quarantine"
  std::string path, day;        // what goes; the day it counts from (received or rejected)
  std::uint64_t bytes = 0;
};

struct PurgeReport {
  std::vector<PurgedFile> files;
  std::uint64_t bytes = 0;
  std::uint64_t kept_in_use = 0;  // past their time but still needed (waiting, forwarding)
};

// What is past its time at `now_ms` (Unix ms); with `dry_run`, only said, else deleted, each
// deletion first recorded as an action by `user` ("purge"). Safe to run again after a crash:
// a deletion on record is finished without a second record.
StatusOr<PurgeReport> PurgeExpired(Spool& spool, const RetentionOptions& r, std::int64_t now_ms,
                                   bool dry_run, const std::string& user);

}  // namespace rbgate::spool
