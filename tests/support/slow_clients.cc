// A flood of bad clients for the admin server's tests, on loopback only: `slow_clients PORT N
// SECONDS` opens N connections to 127.0.0.1:PORT; half connect and send nothing (idle), half
// send a request's first line and then one header line a second, never finishing it (slow,
// as "slowloris" does). It holds them for SECONDS, then closes them all and exits. It prints
// how many connected, so the test knows the flood was real.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: slow_clients PORT N SECONDS\n");
    return 2;
  }
  const int port = std::atoi(argv[1]);
  const int n = std::atoi(argv[2]);
  const int seconds = std::atoi(argv[3]);
  if (port <= 0 || n <= 0 || n > 2000 || seconds <= 0 || seconds > 120) return 2;
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < static_cast<rlim_t>(n + 64)) {
    lim.rlim_cur = std::min<rlim_t>(lim.rlim_max, static_cast<rlim_t>(n + 64));
    setrlimit(RLIMIT_NOFILE, &lim);
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::vector<int> slow, idle;
  for (int i = 0; i < n; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) break;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd);
      continue;
    }
    if (i % 2 == 0) {
      const std::string first = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n";
      (void)!::write(fd, first.data(), first.size());
      slow.push_back(fd);
    } else {
      idle.push_back(fd);
    }
  }
  std::printf("connected %zu slow, %zu idle\n", slow.size(), idle.size());
  std::fflush(stdout);
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  for (int k = 0; std::chrono::steady_clock::now() < end; ++k) {
    const std::string line = "X-Slow-" + std::to_string(k) + ": 1\r\n";
    for (const int fd : slow) (void)!::send(fd, line.data(), line.size(), MSG_NOSIGNAL);
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  for (const int fd : slow) ::close(fd);
  for (const int fd : idle) ::close(fd);
  return 0;
}
