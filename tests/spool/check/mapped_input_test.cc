#include "spool/check/mapped_input.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <fstream>
#include <string>

namespace rbgate::check {
namespace {

std::string TempFile(const std::string& content) {
  char name[] = "/tmp/rbgate-input-XXXXXX";
  int fd = ::mkstemp(name);
  REQUIRE(fd >= 0);
  ::close(fd);
  std::ofstream(name, std::ios::binary) << content;
  return name;
}

TEST_CASE("windows cover the file exactly, restarting where the consumer stopped") {
  std::string content;
  for (int i = 0; i < 100000; ++i) content += std::to_string(i) + "\n";
  std::string path = TempFile(content);
  std::string seen;
  check::InputError error;
  int windows = 0;
  // Consume whole lines only, as the parser does.
  bool ok = check::ForEachWindow(
      path, 8192,
      [&](std::span<const char> w, std::uint64_t offset, bool last) -> std::size_t {
        ++windows;
        CHECK(offset == seen.size());
        std::string_view v(w.data(), w.size());
        std::size_t end = last ? v.size() : v.rfind('\n') + 1;
        seen.append(v.substr(0, end));
        return end;
      },
      error);
  CHECK(ok);
  CHECK(seen == content);
  CHECK(windows > 50);
  ::unlink(path.c_str());
}

TEST_CASE("empty files, missing files and directories") {
  std::string path = TempFile("");
  check::InputError error;
  int calls = 0;
  CHECK(check::ForEachWindow(
      path, 4096,
      [&](auto w, auto, bool last) {
        ++calls;
        CHECK(w.empty());
        CHECK(last);
        return std::size_t{0};
      },
      error));
  CHECK(calls == 1);
  ::unlink(path.c_str());

  CHECK_FALSE(check::ForEachWindow(
      "/nonexistent/file", 4096, [](auto, auto, bool) { return 0; }, error));
  CHECK(error.message.find("/nonexistent/file: cannot open") == 0);
  CHECK_FALSE(check::ForEachWindow(
      "/tmp", 4096, [](auto, auto, bool) { return 0; }, error));
  CHECK(error.message == "/tmp: not a regular file");
  CHECK(check::FileSize("/tmp") == -1);
}

}  // namespace
}  // namespace rbgate::check
