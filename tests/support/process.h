// Starting the real rbgate binary from a test, and waiting for it.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

namespace rbgate::testing {

// Starts `bin` with `args`, stderr to `log` (empty: /dev/null), and in the child each of
// `env` set first ("WATCHDOG_PID" set to "$$" becomes the child's own pid).
inline pid_t StartProcess(const std::string& bin, const std::vector<std::string>& args,
                          const std::string& log = {},
                          const std::vector<std::pair<std::string, std::string>>& env = {}) {
  pid_t pid = ::fork();
  if (pid == 0) {
    std::vector<char*> argv{const_cast<char*>(bin.c_str())};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    for (const auto& [name, value] : env) {
      ::setenv(name.c_str(), value == "$$" ? std::to_string(::getpid()).c_str() : value.c_str(), 1);
    }
    std::freopen(log.empty() ? "/dev/null" : log.c_str(), "w", stderr);
    ::execv(bin.c_str(), argv.data());
    ::_exit(127);
  }
  return pid;
}

// The exit code, or 128 + the signal that ended it.
inline int WaitProcess(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace rbgate::testing
