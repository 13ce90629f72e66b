// End to end: a generated Direct Debit file goes through the spool, the bank's returns for some
// of its items (generated from the file itself) follow, and reconciliation matches them.
#include "schemas/bacs_reports/reconcile.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <map>
#include <sstream>

#include "gateway/gen/bacs18.h"
#include "gateway/gen/reports.h"
#include "spool/spool.h"
#include "tests/support/bacs18_file.h"
#include "tests/support/spool_options.h"
#include "tests/support/temp_dir.h"

namespace rbgate::gateway {
namespace {

schemas::bacs_reports::ReconcileResult Reconciled(spool::Ledger& ledger) {
  auto r = schemas::bacs_reports::Reconcile(ledger, {}, {});
  REQUIRE_MESSAGE(r.ok(), r.status().message);
  return std::move(r).value();
}

using testing::TempDir;

struct Gateway {
  Gateway() {
    const spool::SpoolOptions o = testing::TestSpoolOptions(dir);
    s = testing::OpenSpool(o);
  }
  // Drops a file and processes it to the end; its id.
  std::string Drop(const std::string& name, const std::string& bytes) {
    testing::WriteFile(dir / ("spool/incoming/auto/" + name), bytes);
    auto ready = s->Scan(0).ready;
    REQUIRE(ready.size() == 1);
    std::string id;
    REQUIRE(s->Claim(ready[0], id).ok());
    spool::Status st = s->Process(id);
    REQUIRE_MESSAGE(st.ok(), st.message);
    return id;
  }

  TempDir dir;
  std::unique_ptr<spool::Spool> s;
};

std::string DirectDebits(std::uint64_t records, bool multi_day = false) {
  GenOptions o;
  o.records = records;
  o.multi_day = multi_day;
  o.creation_date = *schemas::ParseIsoDate("2026-11-23");
  std::ostringstream out;
  GenerateBacs18(o, schemas::Calendar::Default(), testing::TestModulus(), out);
  return out.str();
}

std::string Returns(const std::string& s18_path, std::uint64_t n, std::uint64_t seed,
                    std::vector<std::string> faults = {}) {
  ReportGenOptions o;
  o.records = n;
  o.seed = seed;
  o.faults = std::move(faults);
  o.returning = SentItemsOf(s18_path, false, n);
  REQUIRE(o.returning.size() == n);
  std::ostringstream out;
  GenerateArudd(o, out);
  return out.str();
}

// Returns of items never sent through the gateway.
std::string StrayReturns(std::uint64_t n, std::vector<std::string> faults, bool credits = false) {
  ReportGenOptions o;
  o.records = n;
  o.faults = std::move(faults);
  o.credits = credits;
  o.processing_date = *schemas::ParseIsoDate("2026-11-27");
  std::ostringstream out;
  GenerateArudd(o, out);
  return out.str();
}

// The warnings on record for a file, by rule.
std::map<std::string, std::uint64_t> Warnings(Gateway& g, const std::string& id) {
  std::map<std::string, std::uint64_t> out;
  for (const auto& c : g.s->ledger().Findings(id)) {
    if (c.severity == "warning") out[c.rule] = c.count;
  }
  return out;
}

TEST_CASE("returns of forwarded Direct Debits match; a second return of one is flagged") {
  Gateway g;
  const std::string debits = DirectDebits(500);
  testing::WriteFile(g.dir / "dd.s18", debits);
  const std::string dd = g.Drop("dd.s18", debits);
  REQUIRE(g.s->ledger().Get(dd)->state == spool::state::kDelivered);

  const std::string r1 = g.Drop("arudd1.xml", Returns(g.dir / "dd.s18", 12, 1));
  REQUIRE(g.s->ledger().Get(r1)->state == spool::state::kDelivered);
  auto result = Reconciled(g.s->ledger());
  CHECK(result.matched == 12);
  CHECK(result.unmatched == 0);
  for (const auto& l : result.lines) {
    REQUIRE(l.sent);
    CHECK(l.sent->first.id == dd);
    CHECK(l.note.empty());  // the payer's account is the one debited
  }

  CHECK(Warnings(g, r1).empty());  // as it arrived: every item matched, none returned before

  // The bank reports the first few again the next day (a resent report with other bytes):
  // delivered, with a warning on record for each.
  const std::string r2 = g.Drop("arudd2.xml", Returns(g.dir / "dd.s18", 3, 2));
  REQUIRE(g.s->ledger().Get(r2)->state == spool::state::kDelivered);
  CHECK(Warnings(g, r2) == std::map<std::string, std::uint64_t>{{"arudd.item.returned-twice", 3}});
  result = Reconciled(g.s->ledger());
  CHECK(result.matched == 12);
  CHECK(result.returned_twice == 3);

  // Returns for things never sent through the gateway: a debit, and a credit.
  for (bool credits : {false, true}) {
    const std::string id =
        g.Drop(credits ? "arucs.xml" : "arudd3.xml", StrayReturns(1, {}, credits));
    CHECK(Warnings(g, id) == std::map<std::string, std::uint64_t>{
                                 {credits ? "arucs.item.unmatched" : "arudd.item.unmatched", 1}});
  }
  result = Reconciled(g.s->ledger());
  CHECK(result.unmatched == 2);
}

TEST_CASE("a quarantined return is not reconciled until released; its items are kept once") {
  Gateway g;
  const std::string debits = DirectDebits(200);
  testing::WriteFile(g.dir / "dd.s18", debits);
  g.Drop("dd.s18", debits);
  const std::string bad = g.Drop("arudd.xml", Returns(g.dir / "dd.s18", 5, 1, {"totals-value"}));
  REQUIRE(g.s->ledger().Get(bad)->state == spool::state::kQuarantined);
  CHECK(Reconciled(g.s->ledger()).lines.empty());
  // An officer's look at it: the totals error, and its items matched (no warnings).
  auto look = g.s->CheckAsSpool(g.s->QuarantineDir(bad) + "/original", "arudd", bad);
  CHECK(look->diagnostics.Count("arudd.totals.value") == 1);
  CHECK(look->diagnostics.warnings() == 0);
  // A stray one too: its items match nothing sent, and quarantine show says so.
  const std::string lost = g.Drop("stray.xml", StrayReturns(2, {"totals-count"}));
  look = g.s->CheckAsSpool(g.s->QuarantineDir(lost) + "/original", "arudd", lost);
  CHECK(look->diagnostics.Count("arudd.totals.count") == 1);
  CHECK(look->diagnostics.Count("arudd.item.unmatched") == 2);
  // Reprocessed (checked again: the same items written again, not twice), then released.
  REQUIRE(g.s->Reprocess(bad, "test").ok());
  REQUIRE(g.s->ledger().Get(bad)->state == spool::state::kQuarantined);
  REQUIRE(g.s->Release(bad, "totals off by a penny; items verified by phone", false).ok());
  const auto result = Reconciled(g.s->ledger());
  CHECK(result.lines.size() == 5);
  CHECK(result.matched == 5);
}

TEST_CASE("an input report is matched against the submission it answers") {
  Gateway g;
  const std::string debits = DirectDebits(300);
  testing::WriteFile(g.dir / "dd.s18", debits);
  g.Drop("dd.s18", debits);
  const SentSubmission sent = SubmissionOf(g.dir / "dd.s18");
  REQUIRE(sent.user_files.size() == 1);
  CHECK(sent.user_files[0].credit_contras == 1);  // the debits' balancing contra
  auto report = [&](std::vector<std::string> faults) {
    ReportGenOptions o;
    o.faults = std::move(faults);
    o.processing_date = *schemas::ParseIsoDate("2026-11-23");
    std::ostringstream out;
    GenerateInputReport(o, sent, out);
    return out.str();
  };
  const std::string good = g.Drop("input.xml", report({}));
  CHECK(g.s->ledger().Get(good)->state == spool::state::kDelivered);
  for (const GenFault& f : InputFaults()) {
    if (!std::string_view(f.rule).starts_with("input.submission.")) continue;
    CAPTURE(f.name);
    const std::string id =
        g.Drop(fmt::format("input-{}.xml", f.name), report({std::string(f.name)}));
    const auto rec = g.s->ledger().Get(id);
    CHECK(rec->state == spool::state::kQuarantined);
    bool found = false;
    for (const auto& c : g.s->ledger().Findings(id)) found = found || c.rule == f.rule;
    CHECK(found);
    // An officer's fresh look at it finds the same.
    auto again = g.s->CheckAsSpool(g.s->QuarantineDir(id) + "/original", rec->feed);
    CHECK(again->diagnostics.Count(f.rule) == 1);
  }
}

TEST_CASE("a multi-day submission's input report is matched by position") {
  Gateway g;
  const std::string debits = DirectDebits(300, true);
  testing::WriteFile(g.dir / "multi.s18", debits);
  g.Drop("multi.s18", debits);
  const SentSubmission sent = SubmissionOf(g.dir / "multi.s18");
  REQUIRE(sent.user_files.size() == 1);
  CHECK(sent.user_files[0].multi_day);
  for (bool wrong : {false, true}) {
    ReportGenOptions o;
    if (wrong) o.faults = {"totals"};
    o.processing_date = *schemas::ParseIsoDate("2026-11-23");
    std::ostringstream out;
    GenerateInputReport(o, sent, out);
    const std::string id = g.Drop(wrong ? "wrong.xml" : "right.xml", out.str());
    CHECK(g.s->ledger().Get(id)->state ==
          (wrong ? spool::state::kQuarantined : spool::state::kDelivered));
    if (wrong) {
      auto again = g.s->CheckAsSpool(g.s->QuarantineDir(id) + "/original", "input");
      REQUIRE(again->diagnostics.diagnostics().size() == 1);
      CHECK(again->diagnostics.diagnostics()[0].message.find("the multi-day user file") !=
            std::string::npos);
    }
  }
}

}  // namespace
}  // namespace rbgate::gateway
