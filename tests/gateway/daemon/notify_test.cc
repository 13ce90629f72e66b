// Under systemd (Type=notify): the daemon says READY=1 once it takes work, feeds the watchdog
// at least twice per WatchdogSec, and says STOPPING=1 on SIGTERM. The test plays systemd: a
// datagram socket at NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID in the daemon's
// environment, as the service manager sets them.
#include <doctest/doctest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <string>

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace rbgate::gateway {
namespace {

using testing::TempDir;

// Waits up to `ms` for one notification; empty when none came.
std::string Receive(int fd, int ms) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, ms) <= 0) return {};
  char buffer[4096];
  const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
  return n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : std::string();
}

TEST_CASE("readiness, the watchdog and stopping, as systemd sees them") {
  const char* bin = std::getenv("RBGATE_BIN");
  REQUIRE_MESSAGE(bin != nullptr, "set RBGATE_BIN to the rbgate binary");
  TempDir dir;
  const std::string root = dir / "spool";
  REQUIRE(testing::WaitProcess(testing::StartProcess(bin, {"init", root})) == 0);
  const std::string config = root + "/rbgate.toml";
  std::string text = testing::ReadFile(config);
  const std::string listen = "listen = \"127.0.0.1:8490\"";
  REQUIRE(text.find(listen) != std::string::npos);
  text.replace(text.find(listen), listen.size(), "listen = \"127.0.0.1:0\"");
  testing::WriteFile(config, text);

  const std::string socket_path = dir / "notify";
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, socket_path.c_str(), sizeof addr.sun_path - 1);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);

  const pid_t pid = testing::StartProcess(
      bin, {"run", "--config", config}, dir / "daemon.log",
      {{"NOTIFY_SOCKET", socket_path}, {"WATCHDOG_USEC", "400000"}, {"WATCHDOG_PID", "$$"}});
  std::string first = Receive(fd, 10000);
  CAPTURE(first);
  CHECK(first.find("READY=1") != std::string::npos);
  CHECK(first.find("STATUS=taking files from 1 route(s), admin at http://127.0.0.1:") !=
        std::string::npos);
  // 400 ms watchdog: fed every 200 ms or sooner. Over 1.5 s, at least five pings.
  int pings = 0;
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(1500);
  while (std::chrono::steady_clock::now() < until) {
    const std::string m = Receive(fd, 300);
    CAPTURE(m);
    REQUIRE_MESSAGE(!m.empty(), "the watchdog went unfed for 300 ms");
    if (m.find("WATCHDOG=1") != std::string::npos) ++pings;
  }
  CHECK(pings >= 5);
  ::kill(pid, SIGTERM);
  bool stopping = false;
  for (int i = 0; i < 20 && !stopping; ++i) {
    stopping = Receive(fd, 500).find("STOPPING=1") != std::string::npos;
  }
  CHECK(stopping);
  CHECK(testing::WaitProcess(pid) == 0);
  ::close(fd);
}

TEST_CASE("without systemd, nothing is sent and nothing breaks") {
  const char* bin = std::getenv("RBGATE_BIN");
  REQUIRE(bin != nullptr);
  TempDir dir;
  const std::string root = dir / "spool";
  REQUIRE(testing::WaitProcess(testing::StartProcess(bin, {"init", root})) == 0);
  // --once serves no admin port; NOTIFY_SOCKET unset.
  ::unsetenv("NOTIFY_SOCKET");
  CHECK(testing::WaitProcess(
            testing::StartProcess(bin, {"run", "--once", "--config", root + "/rbgate.toml"})) == 0);
}

}  // namespace
}  // namespace rbgate::gateway
