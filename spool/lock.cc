#include "spool/lock.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <string_view>

#include "spool/fsio.h"

namespace rbgate::spool {

StatusOr<std::unique_ptr<SpoolLock>> SpoolLock::Take(const std::string& root,
                                                     const std::string& name) {
  std::string path = root + "/" + name;
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
  if (fd < 0) {
    return FromErrno(errno, path, "open");
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    if (err != EWOULDBLOCK) {
      ::close(fd);
      return FromErrno(err, path, "flock");
    }
    // The holder wrote its id once it had the lock; a holder still starting may not have.
    char buf[32] = {};
    const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    std::string_view holder(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
    while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' '))
      holder.remove_suffix(1);
    ::close(fd);
    return Error(Code::kFailedPrecondition,
                 fmt::format("another rbgate run{} holds this spool ({}); one daemon serves a "
                             "spool at a time (operator commands work beside it)",
                             holder.empty() ? "" : fmt::format(" (process {})", holder), path));
  }
  const std::string pid = fmt::format("{}\n", ::getpid());
  if (::ftruncate(fd, 0) != 0) {
    Status failed = FromErrno(errno, path, "ftruncate");
    ::close(fd);
    return failed;
  }
  if (Status w = WriteAll(fd, pid.data(), pid.size(), path); !w.ok()) {
    ::close(fd);
    return w;
  }
  return std::unique_ptr<SpoolLock>(new SpoolLock(std::move(path), fd));
}

SpoolLock::~SpoolLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the lock; the file stays, naming the last holder
}

}  // namespace rbgate::spool
