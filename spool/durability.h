// Group commit for the spool's durability points. Instead of an fsync per file and per
// directory (a journal commit each), a caller that needs what it has written so far to be
// durable calls Sync(): one syncfs(2) per filesystem then serves every caller that asked
// before it began. Ledger commits (SQLite, WAL, synchronous=NORMAL) become durable the same
// way, since the ledger lives in the spool. With several workers this turns many journal
// commits into few, and a worker still never takes its next step before its last is durable.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "spool/status.h"

namespace rbgate::spool {

class GroupSync {
 public:
  // `dirs`: one directory on each filesystem that must be synced (the spool root, each
  // destination). Several on the same filesystem are synced once.
  explicit GroupSync(const std::vector<std::string>& dirs);
  ~GroupSync();
  GroupSync(const GroupSync&) = delete;
  GroupSync& operator=(const GroupSync&) = delete;

  // Returns once everything written before the call is on stable storage.
  Status Sync();

  std::uint64_t syncs() const { return syncs_; }         // syncs made
  std::uint64_t requests() const { return completed_; }  // Sync calls they served
  // Wall time spent in syncfs, in seconds (for the daemon's closing line and the benchmarks).
  double sync_seconds() const;

 private:
  std::vector<int> fds_;  // one per filesystem
  mutable std::mutex mu_;
  std::condition_variable done_;
  std::uint64_t requested_ = 0;
  std::uint64_t completed_ = 0;
  bool syncing_ = false;
  Status last_;
  std::uint64_t sync_ns_ = 0;
  std::uint64_t syncs_ = 0;
};

}  // namespace rbgate::spool
