#include "spool/durability.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <set>

namespace rbgate::spool {

GroupSync::GroupSync(const std::vector<std::string>& dirs) {
  std::set<dev_t> devices;
  for (const auto& d : dirs) {
    struct stat st;
    if (::stat(d.c_str(), &st) != 0 || !devices.insert(st.st_dev).second) continue;
    int fd = ::open(d.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) fds_.push_back(fd);
  }
}

GroupSync::~GroupSync() {
  for (int fd : fds_) ::close(fd);
}

Status GroupSync::Sync() {
  std::unique_lock lock(mu_);
  const std::uint64_t mine = ++requested_;  // served by a sync that starts after this point
  while (completed_ < mine) {
    if (syncing_) {
      done_.wait(lock);
      continue;
    }
    syncing_ = true;
    const std::uint64_t target = requested_;
    lock.unlock();
    Status s;
    const auto start = std::chrono::steady_clock::now();
    for (int fd : fds_) {
      if (::syncfs(fd) != 0) {
        s = FromErrno(errno, "spool", "syncfs");
        break;
      }
    }
    const auto took = std::chrono::steady_clock::now() - start;
    lock.lock();
    ++syncs_;
    sync_ns_ += static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(took).count());
    syncing_ = false;
    last_ = s;
    if (s.ok()) completed_ = target;
    done_.notify_all();
    if (!s.ok()) return s;
  }
  return last_.ok() ? Status::Ok() : last_;
}

double GroupSync::sync_seconds() const {
  std::lock_guard lock(mu_);
  return static_cast<double>(sync_ns_) / 1e9;
}

}  // namespace rbgate::spool
