#include "parsers/diagnostic.h"

#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "parsers/status.h"

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

// A schema's field names can go before its findings do (a reload, the check's end): the
// collector keeps its own copy of each kept finding's field name, through moves too.
TEST_CASE("a kept finding's field name outlives whatever named it") {
  DiagnosticCollector c(2);
  {
    auto name = std::make_unique<std::string>("gross_rent_in_pence_a_long_name");
    Diagnostic d;
    d.rule = &kA;
    d.field = *name;
    c.Report(std::move(d));
    name->assign(name->size(), 'x');  // overwritten, then freed
  }
  DiagnosticCollector moved = std::move(c);
  REQUIRE(moved.diagnostics().size() == 1);
  CHECK(moved.diagnostics()[0].field == "gross_rent_in_pence_a_long_name");
}

TEST_CASE("severity names") {
  CHECK(SeverityName(Severity::kError) == "error");
  CHECK(SeverityName(Severity::kWarning) == "warning");
}

}  // namespace
}  // namespace rbgate::parsers

namespace rbgate {
namespace {

TEST_CASE("StatusOr holds a value or why there is none") {
  StatusOr<std::unique_ptr<int>> good(std::make_unique<int>(7));
  REQUIRE(good.ok());
  CHECK(**good == 7);
  const std::unique_ptr<int> taken = std::move(good).value();
  CHECK(*taken == 7);
  StatusOr<std::string> bad(Error(Code::kUnavailable, "the disk is full"));
  CHECK_FALSE(bad.ok());
  CHECK(bad.status().code == Code::kUnavailable);
  CHECK(bad.status().message == "the disk is full");
}

}  // namespace
}  // namespace rbgate
