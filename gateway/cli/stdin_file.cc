#include "gateway/cli/stdin_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace rbgate::gateway {
namespace {

std::runtime_error Failure(const std::string& what) {
  return std::runtime_error("standard input: " + what + ": " + std::strerror(errno));
}

}  // namespace

StdinFile::StdinFile() {
  struct stat st {};
  if (::fstat(STDIN_FILENO, &st) != 0) throw Failure("cannot stat");
  if (S_ISREG(st.st_mode)) {
    path_ = "/proc/self/fd/0";
    return;
  }
  const char* tmp = std::getenv("TMPDIR");
  std::string name =
      std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/rbgate-stdin-XXXXXX";
  copy_ = ::mkostemp(name.data(), O_CLOEXEC);
  if (copy_ < 0) throw Failure("cannot create a temporary copy in " + name);
  ::unlink(name.c_str());
  std::vector<char> buffer(std::size_t{1} << 20);
  for (;;) {
    const ssize_t n = ::read(STDIN_FILENO, buffer.data(), buffer.size());
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Failure("cannot read");
    }
    for (ssize_t done = 0; done < n;) {
      const ssize_t w = ::write(copy_, buffer.data() + done, static_cast<std::size_t>(n - done));
      if (w < 0) {
        if (errno == EINTR) continue;
        throw Failure("cannot write the temporary copy");
      }
      done += w;
    }
  }
  path_ = "/proc/self/fd/" + std::to_string(copy_);
}

StdinFile::~StdinFile() {
  if (copy_ >= 0) ::close(copy_);
}

}  // namespace rbgate::gateway
