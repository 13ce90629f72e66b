// One daemon per spool: `rbgate run` holds an exclusive lock on ROOT/rbgate.lock for as long
// as it runs. Two daemons on one spool would each take the other's claimed files for lost
// ones (spurious 'vanished' entries), so the second is refused with the first's process id.
// Operator commands never take it: they work beside a running daemon through the ledger.
#pragma once

#include <memory>
#include <string>

#include "spool/status.h"

namespace rbgate::spool {

class SpoolLock {
 public:
  // Takes the lock of the spool at `root` (creating ROOT/rbgate.lock) and writes this
  // process's id into it. kFailedPrecondition, naming the holder's process id, when another
  // process holds it; the lock goes with the object, or with the process however it ends.
  // `name`: the lock file; several nodes on one spool (a PostgreSQL ledger) take one each,
  // rbgate.<node>.lock, so that one node name runs once.
  static StatusOr<std::unique_ptr<SpoolLock>> Take(const std::string& root,
                                                   const std::string& name = "rbgate.lock");
  ~SpoolLock();
  SpoolLock(const SpoolLock&) = delete;
  SpoolLock& operator=(const SpoolLock&) = delete;

  const std::string& path() const noexcept { return path_; }

 private:
  SpoolLock(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  std::string path_;
  int fd_ = -1;
};

}  // namespace rbgate::spool
