#include "spool/check/mapped_input.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace rbgate::check {
namespace {

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

std::string Why(const std::string& path, const char* what) {
  return path + ": " + what + ": " + std::strerror(errno);
}

}  // namespace

std::int64_t FileSize(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return -1;
  return st.st_size;
}

bool ForEachWindow(const std::string& path, std::size_t window_bytes, const WindowConsumer& consume,
                   InputError& error,
                   const std::function<void(std::uint64_t, std::uint64_t)>& progress) {
  Fd f;
  f.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (f.fd < 0) {
    error.message = Why(path, "cannot open");
    return false;
  }
  struct stat st;
  if (::fstat(f.fd, &st) != 0) {
    error.message = Why(path, "cannot stat");
    return false;
  }
  if (!S_ISREG(st.st_mode)) {
    error.message = path + ": not a regular file";
    return false;
  }
  const std::uint64_t size = static_cast<std::uint64_t>(st.st_size);
  const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  window_bytes = (window_bytes + page - 1) / page * page;
  if (window_bytes < 2 * page) window_bytes = 2 * page;

  if (size == 0) {
    consume(std::span<const char>(), 0, true);
    return true;
  }
  std::uint64_t pos = 0;  // first byte not yet consumed
  while (pos < size) {
    const std::uint64_t map_at = pos / page * page;
    const std::size_t skip = static_cast<std::size_t>(pos - map_at);
    std::uint64_t len = std::min<std::uint64_t>(window_bytes, size - map_at);
    // Not MAP_POPULATE: measured slower here (it maps the window before any work starts,
    // where faulting pages in as the parser reaches them overlaps with its work).
    void* m = ::mmap(nullptr, len, PROT_READ, MAP_PRIVATE, f.fd, static_cast<off_t>(map_at));
    if (m == MAP_FAILED) {
      error.message = Why(path, "cannot map");
      return false;
    }
    ::madvise(m, len, MADV_SEQUENTIAL);
    const bool last = map_at + len == size;
    std::span<const char> window(static_cast<const char*>(m) + skip, len - skip);
    std::size_t used = consume(window, pos, last);
    ::munmap(m, len);
    if (used == 0 && !last && window.size() >= window_bytes - page) {
      // The consumer could not use a whole window: its unit is bigger than a window.
      error.message = path + ": internal error: window too small for one record";
      return false;
    }
    if (last && used < window.size()) {
      // At the end, whatever is left was judged by the consumer; stop.
      pos = size;
    } else {
      pos += used;
    }
    if (progress) progress(pos, size);
  }
  return true;
}

}  // namespace rbgate::check
