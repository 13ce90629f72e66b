#include "parsers/invariant.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "parsers/status.h"

namespace rbgate {
namespace {

std::vector<std::string> heard;

TEST_CASE("a broken invariant is counted, told to the listener, and takes the safe path") {
  heard.clear();
  const InvariantListener before = SetInvariantListener([](const InvariantFailure& f) {
    heard.push_back(std::string(f.condition) + " | " + std::string(f.detail));
  });
  const std::uint64_t count = InvariantFailures();
  int x = 2;
  CHECK(RBGATE_INVARIANT(x == 2, "two is two"));
  CHECK(heard.empty());
  CHECK(InvariantFailures() == count);
  bool safe_path = false;
  if (!RBGATE_INVARIANT(x == 3, "x is three")) safe_path = true;
  CHECK(safe_path);
  CHECK(InvariantFailures() == count + 1);
  REQUIRE(heard.size() == 1);
  CHECK(heard[0] == "x == 3 | x is three");

  // A StatusOr made from an OK status is such a bug: it holds an internal error instead.
  const StatusOr<int> wrong(Status::Ok());
  CHECK_FALSE(wrong.ok());
  CHECK(wrong.status().code == Code::kInternal);
  CHECK(InvariantFailures() == count + 2);

  // A listener that throws does not turn the report into a crash.
  SetInvariantListener([](const InvariantFailure&) { throw 1; });
  CHECK_FALSE(RBGATE_INVARIANT(x < 0, "negative"));
  CHECK(InvariantFailures() == count + 3);
  SetInvariantListener(before);
}

}  // namespace
}  // namespace rbgate
