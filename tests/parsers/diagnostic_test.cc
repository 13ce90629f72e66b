#include "parsers/diagnostic.h"

#include <doctest/doctest.h>

namespace rbgate::parsers {
namespace {

constexpr Rule kA{"test.a", Severity::kError, "a", "hint a"};
constexpr Rule kB{"test.b", Severity::kWarning, "b", "hint b"};

Diagnostic At(const Rule& r, std::uint64_t offset) {
  Diagnostic d;
  d.rule = &r;
  d.offset = offset;
  return d;
}

TEST_CASE("the collector keeps the first N findings of each rule and counts the rest") {
  DiagnosticCollector c(3);
  for (int i = 0; i < 10; ++i) c.Report(At(kA, 100 - i));
  c.Report(At(kB, 5));
  CHECK(c.diagnostics().size() == 4);
  CHECK(c.errors() == 10);
  CHECK(c.warnings() == 1);
  CHECK(c.Count("test.a") == 10);
  CHECK(c.suppressed().at("test.a") == 7);
  CHECK(c.suppressed().count("test.b") == 0);
  CHECK(c.Saturated(kA));
  CHECK_FALSE(c.Saturated(kB));
}

TEST_CASE("findings sort by position, then rule") {
  DiagnosticCollector c;
  c.Report(At(kA, 30));
  c.Report(At(kB, 10));
  c.Report(At(kA, 10));
  c.SortByPosition();
  REQUIRE(c.diagnostics().size() == 3);
  CHECK(c.diagnostics()[0].rule == &kA);
  CHECK(c.diagnostics()[0].offset == 10);
  CHECK(c.diagnostics()[1].rule == &kB);
  CHECK(c.diagnostics()[2].offset == 30);
}

TEST_CASE("severity names") {
  CHECK(SeverityName(Severity::kError) == "error");
  CHECK(SeverityName(Severity::kWarning) == "warning");
}

}  // namespace
}  // namespace rbgate::parsers
