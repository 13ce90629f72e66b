#include "gateway/gen_reports.h"

#include <doctest/doctest.h>

#include <sstream>

#include "spool/check.h"
#include "tests/support/temp_dir.h"

namespace rbgate::gateway {
namespace {

// Writes `doc` to a file and checks it as rbgate check would (feed detected from content).
std::unique_ptr<spool::FileReport> CheckedBytes(const std::string& doc) {
  testing::TempDir dir;
  testing::WriteFile(dir / "report.xml", doc);
  spool::CheckSettings settings;
  settings.progress = false;
  return spool::CheckFile(dir / "report.xml", settings);
}

template <class Generate>
std::unique_ptr<spool::FileReport> CheckedWith(Generate&& generate) {
  std::ostringstream out;
  generate(out);
  return CheckedBytes(out.str());
}

std::unique_ptr<spool::FileReport> Checked(const ReportGenOptions& o) {
  return CheckedWith([&](std::ostream& out) { GenerateArudd(o, out); });
}

ReportGenOptions Options() {
  ReportGenOptions o;
  o.records = 25;
  o.processing_date = *schemas::ParseIsoDate("2026-11-25");
  return o;
}

TEST_CASE("generated ARUDD reports are detected, valid, and count their items") {
  auto r = Checked(Options());
  CHECK(r->feed == "arudd");
  CHECK(r->problem.empty());
  CHECK(r->diagnostics.diagnostics().empty());
  CHECK(r->valid());
  CHECK(r->records == 25);
}

TEST_CASE("a report larger than libxml2's 10 MB lookahead validates through 16 MiB windows") {
  ReportGenOptions o = Options();
  o.records = 32000;  // about 11.7 MB
  auto r = Checked(o);
  CHECK(r->bytes > 10'000'000);
  CHECK_MESSAGE(
      r->diagnostics.diagnostics().empty(),
      (r->diagnostics.diagnostics().empty() ? "" : r->diagnostics.diagnostics()[0].message));
  CHECK(r->records == 32000);
}

TEST_CASE("every ARUDD fault trips the rule it names") {
  for (const GenFault& f : AruddFaults()) {
    CAPTURE(f.name);
    ReportGenOptions o = Options();
    o.faults = {std::string(f.name)};
    auto r = Checked(o);
    if (f.rule.empty()) {
      CHECK(r->valid());  // a variation, not a fault
    } else {
      CHECK(r->diagnostics.Count(f.rule) > 0);
    }
  }
}

TEST_CASE("ARUCS (returned credits, inferred shape): valid, detected, and its faults") {
  ReportGenOptions o = Options();
  o.credits = true;
  auto r = Checked(o);
  CHECK(r->feed == "arucs");
  CHECK(r->valid());
  CHECK(r->records == 25);
  for (const GenFault& f : AruddFaults()) {
    if (f.rule.empty()) continue;
    CAPTURE(f.name);
    ReportGenOptions bad = o;
    bad.faults = {std::string(f.name)};
    std::string rule(f.rule);
    if (rule.starts_with("arudd.")) rule.replace(0, 5, "arucs");
    CHECK(Checked(bad)->diagnostics.Count(rule) > 0);
  }
}

std::unique_ptr<spool::FileReport> CheckedDdic(const ReportGenOptions& o) {
  return CheckedWith([&](std::ostream& out) { GenerateDdic(o, out); });
}

TEST_CASE("DDIC (element-based): valid, detected, and its faults") {
  auto r = CheckedDdic(Options());
  CHECK(r->feed == "ddic");
  CHECK_MESSAGE(r->valid(),
                (r->diagnostics.diagnostics().empty() ? std::string()
                                                      : r->diagnostics.diagnostics()[0].message));
  CHECK(r->records == 25);
  for (const GenFault& f : DdicFaults()) {
    CAPTURE(f.name);
    ReportGenOptions bad = Options();
    bad.faults = {std::string(f.name)};
    CHECK(CheckedDdic(bad)->diagnostics.Count(f.rule) > 0);
  }
}

std::unique_ptr<spool::FileReport> CheckedMessaging(const ReportGenOptions& o,
                                                    std::string_view type) {
  return CheckedWith([&](std::ostream& out) { GenerateMessaging(o, type, out); });
}

TEST_CASE("generated messaging advices are detected as their feed and valid") {
  const std::pair<std::string_view, std::string_view> kinds[] = {
      {"ADDACS", "addacs"}, {"AUDACC", "auddis"}, {"AUDREJ", "auddis"}, {"AWACS", "awacs"}};
  for (auto [type, feed] : kinds) {
    CAPTURE(type);
    auto r = CheckedMessaging(Options(), type);
    CHECK(r->feed == feed);
    CHECK(r->problem.empty());
    CHECK(r->diagnostics.diagnostics().empty());
    CHECK(r->records >= 25);
  }
}

TEST_CASE("every messaging fault trips the rule it names") {
  for (std::string_view type : {"ADDACS", "AUDREJ", "AWACS"}) {
    for (const GenFault& f : MessagingFaults()) {
      // AWACS has no reason codes, and its report-type is not publicly known.
      if (type == "AWACS" && (f.name == "reason-code" || f.name == "report-type")) continue;
      CAPTURE(type);
      CAPTURE(f.name);
      ReportGenOptions o = Options();
      o.faults = {std::string(f.name)};
      auto r = CheckedMessaging(o, type);
      CHECK(r->diagnostics.Count(f.rule) > 0);
    }
  }
}

}  // namespace
}  // namespace rbgate::gateway
