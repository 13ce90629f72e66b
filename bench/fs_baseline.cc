// The bare filesystem cost of landing N small files durably, as the spool benchmark's
// reference: for each file, create + write + fsync + rename + fsync of the directory.
// Usage: fs_baseline DIR COUNT BYTES   (prints files per second)
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: fs_baseline DIR COUNT BYTES\n");
    return 2;
  }
  const std::string dir = argv[1];
  const int count = std::atoi(argv[2]);
  const std::vector<char> bytes(static_cast<std::size_t>(std::atol(argv[3])), 'x');
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (dfd < 0) return 1;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < count; ++i) {
    const std::string tmp = dir + "/.tmp-" + std::to_string(i);
    const std::string dst = dir + "/file-" + std::to_string(i);
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0640);
    if (fd < 0 || ::write(fd, bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size()) ||
        ::fsync(fd) != 0 || ::close(fd) != 0 || ::rename(tmp.c_str(), dst.c_str()) != 0 ||
        ::fsync(dfd) != 0) {
      std::perror("fs_baseline");
      return 1;
    }
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%.1f\n", count / s);
  return 0;
}
