#include "gateway/gen/reports.h"

#include <doctest/doctest.h>

#include <set>
#include <sstream>

#include "schemas/bacs_reports/answered.h"
#include "schemas/bacs_reports/report_rules.h"
#include "spool/check/check.h"
#include "tests/support/temp_dir.h"

namespace rbgate::gateway {
namespace {

// Writes `doc` to a file and checks it as rbgate check would (feed detected from content).
std::unique_ptr<check::FileReport> CheckedBytes(const std::string& doc,
                                                const check::CheckHooks& hooks = {}) {
  testing::TempDir dir;
  testing::WriteFile(dir / "report.xml", doc);
  check::CheckSettings settings;
  settings.progress = false;
  return check::CheckFile(dir / "report.xml", settings, {}, hooks);
}

template <class Generate>
std::unique_ptr<check::FileReport> CheckedWith(Generate&& generate,
                                               const check::CheckHooks& hooks = {}) {
  std::ostringstream out;
  generate(out);
  return CheckedBytes(out.str(), hooks);
}

// What an input report's check hands its store's session.
struct Answers final : schemas::FeedSession, schemas::bacs_reports::AnswerSink {
  void OnAnswers(const std::vector<schemas::bacs_reports::AnsweredUserFile>& a) override {
    answers = a;
  }
  std::vector<schemas::bacs_reports::AnsweredUserFile> answers;
};

std::unique_ptr<check::FileReport> Checked(const ReportGenOptions& o) {
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

TEST_CASE("input reports: valid alone, and the faults a report shows by itself") {
  SentSubmission none;
  Answers session;
  check::CheckHooks hooks;
  hooks.session = &session;
  auto r =
      CheckedWith([&](std::ostream& out) { GenerateInputReport(Options(), none, out); }, hooks);
  CHECK(r->feed == "input");
  CHECK(r->valid());
  CHECK(r->diagnostics.diagnostics().empty());
  const auto& answers = session.answers;
  REQUIRE(answers.size() == 1);
  CHECK(answers[0].sun == "123456");
  CHECK(answers[0].serial == "000001");
  CHECK(answers[0].processing_day == "2026-11-27");
  CHECK(answers[0].debit_count == 25);
  CHECK(answers[0].credit_count == 1);
  CHECK(answers[0].credit_value == answers[0].debit_value);
  for (const GenFault& f : InputFaults()) {
    // These need the ledger (tests/gateway/reconcile_test.cc).
    if (std::string_view(f.rule).starts_with("input.submission.")) continue;
    CAPTURE(f.name);
    ReportGenOptions o = Options();
    o.faults = {std::string(f.name)};
    auto bad = CheckedWith([&](std::ostream& out) { GenerateInputReport(o, none, out); });
    CHECK(bad->diagnostics.Count(f.rule) > 0);
  }
}

TEST_CASE("every report rule has a generator fault that trips it, or a test of its own") {
  std::set<std::string> tripped;
  for (auto faults : {AruddFaults(), DdicFaults(), MessagingFaults(), InputFaults()}) {
    for (const GenFault& f : faults) {
      std::string rule(f.rule);
      tripped.insert(rule);
      if (rule.starts_with("arudd.")) tripped.insert("arucs." + rule.substr(6));
    }
  }
  // The XML layer's limits, malformed and encoding cases: tests/parsers/xml/xml_stream_test.cc.
  // Returns matched against the ledger as they arrive: tests/gateway/reconcile_test.cc.
  const std::set<std::string_view> elsewhere = {"arudd.item.unmatched", "arudd.item.returned-twice",
                                                "arucs.item.unmatched",
                                                "arucs.item.returned-twice"};
  for (const auto* r : schemas::bacs_reports::AllReportRules()) {
    CAPTURE(r->id);
    CHECK((tripped.contains(std::string(r->id)) || std::string_view(r->id).starts_with("xml.") ||
           elsewhere.contains(r->id)));
  }
}

std::unique_ptr<check::FileReport> CheckedDdic(const ReportGenOptions& o) {
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

std::unique_ptr<check::FileReport> CheckedMessaging(const ReportGenOptions& o,
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
