// Every Standard 18 rule, passing and failing: the base file passes them all; each row of
// the table below breaks exactly one thing and must trip its rule. A rule added to
// parsers/bacs18/rules.h without a row here fails the coverage test.
#include "schemas/bacs18/validator.h"

#include <doctest/doctest.h>

#include <functional>
#include <map>
#include <set>

#include "parsers/bacs18/rules.h"
#include "tests/support/bacs18_file.h"

namespace rbgate::schemas::bacs18 {
namespace {

using testing::Check;
using testing::DataRecord;
using testing::File;
using testing::Pad;
using testing::Put;

// The UTL1 label for the given totals.
std::string Utl1(std::uint64_t dt, std::uint64_t ct, std::uint64_t dc, std::uint64_t cc) {
  return Pad(fmt::format("UTL1{:013}{:013}{:07}{:07}", dt, ct, dc, cc), 80);
}

// A multi-day version of the base file: 106-byte records, blank UHL1 processing day.
File MultiDay() {
  File f = File::Valid();
  Put(f.lines[File::kHdr2], 11, "00106");
  f.lines[File::kEof2] = "EOF2" + f.lines[File::kHdr2].substr(4);
  Put(f.lines[File::kUhl1], 5, "      ");
  Put(f.lines[File::kUhl1], 29, "4 MULTI  ");
  for (int i = File::kItem1; i <= File::kContra; ++i) f.lines[i] += " 26329";
  return f;
}

struct Case {
  std::string_view rule;
  std::function<std::string()> make;
  ValidatorOptions options = {};
  bool with_modulus = true;
};

std::string Mutated(const std::function<void(File&)>& change, std::string_view eol = "\r\n") {
  File f = File::Valid();
  change(f);
  return f.Join(eol);
}

std::vector<Case> Cases() {
  using F = File;
  std::vector<Case> c;
  auto add = [&](std::string_view rule, std::function<void(File&)> change) {
    c.push_back({rule, [change] { return Mutated(change); }});
  };
  // Framing.
  c.push_back({"bacs18.file.empty", [] { return std::string(); }});
  add("bacs18.record.length", [](F& f) { f.lines[F::kItem1].pop_back(); });
  add("bacs18.record.unknown-type",
      [](F& f) { f.lines.insert(f.lines.begin() + F::kItem1, Pad("JUNK", 100)); });
  c.push_back({"bacs18.record.mixed-line-endings", [] {
                 File f = File::Valid();
                 return f.Join("\r\n").replace(80 * 2 + 2, 2, "\n");
               }});
  c.push_back({"bacs18.record.trailing-bytes", [] { return File::Valid().Join() + "\x1a"; }});
  // Structure.
  add("bacs18.structure.unexpected-record",
      [](F& f) { std::swap(f.lines[F::kHdr1], f.lines[F::kHdr2]); });
  add("bacs18.structure.truncated", [](F& f) { f.lines.pop_back(); });
  add("bacs18.structure.label-order", [](F& f) {
    auto utl1 = f.lines.back();
    f.lines.pop_back();
    f.lines.insert(f.lines.begin() + F::kEof1, utl1);
  });
  add("bacs18.structure.no-data", [](F& f) {
    f.lines.erase(f.lines.begin() + F::kItem1, f.lines.begin() + F::kEof1);
    f.lines.back() = Utl1(0, 0, 0, 0);
  });
  // Labels.
  add("bacs18.label.reserved", [](F& f) { Put(f.lines[F::kVol1], 50, "X"); });
  add("bacs18.vol1.serial", [](F& f) { Put(f.lines[F::kVol1], 5, "000000"); });
  add("bacs18.vol1.accessibility", [](F& f) { Put(f.lines[F::kVol1], 11, "X"); });
  add("bacs18.vol1.sun", [](F& f) { Put(f.lines[F::kVol1], 42, "12345A"); });
  add("bacs18.vol1.label-standard", [](F& f) { Put(f.lines[F::kVol1], 80, "3"); });
  add("bacs18.hdr1.format", [](F& f) { Put(f.lines[F::kHdr1], 5, "B"); });
  add("bacs18.hdr1.sun", [](F& f) { Put(f.lines[F::kHdr1], 6, "ABCDEF"); });
  add("bacs18.hdr1.set-id", [](F& f) { Put(f.lines[F::kHdr1], 22, "00004!"); });
  add("bacs18.hdr1.creation-date", [](F& f) { Put(f.lines[F::kHdr1], 42, "X26327"); });
  add("bacs18.hdr1.expiry-date", [](F& f) { Put(f.lines[F::kHdr1], 48, " 2632A"); });
  add("bacs18.hdr2.format", [](F& f) { Put(f.lines[F::kHdr2], 5, "V"); });
  add("bacs18.hdr2.block-length", [](F& f) { Put(f.lines[F::kHdr2], 6, "0200X"); });
  add("bacs18.hdr2.record-length", [](F& f) { Put(f.lines[F::kHdr2], 11, "00120"); });
  add("bacs18.uhl1.processing-day", [](F& f) { Put(f.lines[F::kUhl1], 5, "X26329"); });
  add("bacs18.uhl1.receiving-party", [](F& f) { Put(f.lines[F::kUhl1], 11, "ABCDEF"); });
  add("bacs18.uhl1.currency", [](F& f) { Put(f.lines[F::kUhl1], 21, "01"); });
  add("bacs18.uhl1.country", [](F& f) { Put(f.lines[F::kUhl1], 23, "000001"); });
  add("bacs18.uhl1.work-code", [](F& f) { Put(f.lines[F::kUhl1], 29, "2 WEEKLY "); });
  add("bacs18.uhl1.file-number", [](F& f) { Put(f.lines[F::kUhl1], 38, "000"); });
  add("bacs18.utl1.format", [](F& f) { Put(f.lines[F::kUtl1], 5, "X"); });
  // Data record fields.
  add("bacs18.data.dest-sort-code", [](F& f) { Put(f.lines[F::kItem1], 1, "X"); });
  add("bacs18.data.dest-account", [](F& f) { Put(f.lines[F::kItem1], 8, "X"); });
  add("bacs18.data.account-type", [](F& f) { Put(f.lines[F::kItem1], 15, "1"); });
  add("bacs18.data.transaction-code", [](F& f) { Put(f.lines[F::kItem1], 16, "X1"); });
  add("bacs18.data.transaction-code-unusual", [](F& f) { Put(f.lines[F::kItem1], 16, "Z4"); });
  add("bacs18.data.orig-sort-code", [](F& f) { Put(f.lines[F::kItem1], 18, "X"); });
  add("bacs18.data.orig-account", [](F& f) { Put(f.lines[F::kItem1], 25, "X"); });
  add("bacs18.data.free-format", [](F& f) { Put(f.lines[F::kItem1], 32, "ABCD"); });
  add("bacs18.data.amount", [](F& f) { Put(f.lines[F::kItem1], 40, "X"); });
  add("bacs18.data.charset", [](F& f) { Put(f.lines[F::kItem1], 85, "#"); });
  add("bacs18.data.lowercase", [](F& f) { Put(f.lines[F::kItem1], 85, "smith"); });
  add("bacs18.data.dest-name", [](F& f) { Put(f.lines[F::kItem1], 83, std::string(18, ' ')); });
  c.push_back({"bacs18.data.processing-day", [] {
                 File f = MultiDay();
                 Put(f.lines[File::kItem1], 101, "X26329");
                 return f.Join();
               }});
  // Cross-field and cross-record rules.
  add("bacs18.hdr1.sun-mismatch", [](F& f) { Put(f.lines[F::kHdr1], 6, "654321"); });
  add("bacs18.hdr1.set-id-mismatch", [](F& f) { Put(f.lines[F::kHdr1], 22, "000043"); });
  add("bacs18.hdr1.expiry-before-creation", [](F& f) { Put(f.lines[F::kHdr1], 48, " 26300"); });
  add("bacs18.hdr2.record-length-mismatch", [](F& f) {
    Put(f.lines[F::kHdr2], 11, "00106");
    Put(f.lines[F::kUhl1], 29, "4 MULTI  ");
  });
  add("bacs18.uhl1.receiving-party-unusual", [](F& f) { Put(f.lines[F::kUhl1], 11, "111111"); });
  add("bacs18.eof1.mismatch", [](F& f) { Put(f.lines[F::kEof1], 30, "9"); });
  add("bacs18.eof2.mismatch", [](F& f) { Put(f.lines[F::kEof2], 8, "9"); });
  add("bacs18.utl1.debit-total", [](F& f) { f.lines[F::kUtl1] = Utl1(20551, 20550, 2, 1); });
  add("bacs18.utl1.credit-total", [](F& f) { f.lines[F::kUtl1] = Utl1(20550, 20549, 2, 1); });
  add("bacs18.utl1.debit-count", [](F& f) { f.lines[F::kUtl1] = Utl1(20550, 20550, 3, 1); });
  add("bacs18.utl1.credit-count", [](F& f) { f.lines[F::kUtl1] = Utl1(20550, 20550, 2, 0); });
  add("bacs18.data.amount-zero", [](F& f) { Put(f.lines[F::kItem1], 36, "00000000000"); });
  add("bacs18.data.amount-on-instruction",
      [](F& f) { Put(f.lines[F::kInstruction], 36, "00000000001"); });
  add("bacs18.contra.mismatch", [](F& f) { Put(f.lines[F::kContra], 36, "00000020551"); });
  add("bacs18.contra.missing", [](F& f) { f.lines.erase(f.lines.begin() + F::kContra); });
  add("bacs18.contra.orphan", [](F& f) {
    f.lines.insert(f.lines.begin() + F::kEof1,
                   DataRecord("118765", "64371389", "17", 100, "CONTRA", "BOROUGH COUNCIL"));
  });
  add("bacs18.contra.overflow", [](F& f) {
    Put(f.lines[F::kItem1], 36, "60000000000");
    Put(f.lines[F::kItem2], 36, "60000000000");
  });
  add("bacs18.auddis.reference",
      [](F& f) { Put(f.lines[F::kInstruction], 65, Pad("AAAAAAAA", 18)); });
  add("bacs18.date.invalid", [](F& f) { Put(f.lines[F::kHdr1], 42, " 26400"); });
  add("bacs18.uhl1.processing-day-missing", [](F& f) { Put(f.lines[F::kUhl1], 5, "      "); });
  add("bacs18.uhl1.work-code-mismatch", [](F& f) { Put(f.lines[F::kUhl1], 29, "4 MULTI  "); });
  add("bacs18.calendar.non-processing-day", [](F& f) { Put(f.lines[F::kUhl1], 5, " 26332"); });
  add("bacs18.calendar.before-as-of", [](F& f) { Put(f.lines[F::kUhl1], 5, " 26324"); });
  add("bacs18.calendar.too-far-ahead", [](F& f) { Put(f.lines[F::kUhl1], 5, " 26365"); });
  add("bacs18.calendar.out-of-range", [](F& f) {
    Put(f.lines[F::kHdr1], 42, " 28010 28010");
    f.lines[F::kEof1] = "EOF1" + f.lines[F::kHdr1].substr(4);
    Put(f.lines[F::kUhl1], 5, " 28012");
  });
  add("bacs18.modulus.failed", [](F& f) { Put(f.lines[F::kItem1], 7, "66374959"); });
  add("bacs18.modulus.unchecked", [](F& f) { Put(f.lines[F::kItem1], 1, "999999"); });
  c.push_back({"bacs18.modulus.tables-missing", [] { return File::Valid().Join(); }, {}, false});
  add("bacs18.data.duplicate-item", [](F& f) {
    f.lines.insert(f.lines.begin() + F::kItem2, f.lines[F::kItem1]);
    Put(f.lines[F::kContra + 1], 36, "00000032550");
    f.lines.back() = Utl1(32550, 32550, 3, 1);
  });
  c.push_back({"bacs18.data.amount-outlier", [] {
                 File f = File::Valid();
                 std::vector<std::string> items;
                 for (int i = 0; i < 30; ++i) {
                   items.push_back(DataRecord("089999", "66374958", "17", 10000,
                                              fmt::format("CT{:010}", 100 + i), "A SMITH"));
                 }
                 items.push_back(
                     DataRecord("089999", "66374958", "17", 5000000, "CT0000009999", "A SMITH"));
                 f.lines.insert(f.lines.begin() + File::kItem1, items.begin(), items.end());
                 const std::uint64_t total = 20550 + 30 * 10000 + 5000000;
                 Put(f.lines[File::kContra + items.size()], 36, fmt::format("{:011}", total));
                 f.lines.back() = Utl1(total, total, 33, 1);
                 return f.Join();
               }});
  return c;
}

TEST_CASE("the base file, and its variants, pass every rule") {
  auto clean = [](const std::string& bytes) {
    auto out = Check(bytes);
    CHECK_MESSAGE(out.diagnostics.diagnostics().empty(), out.Rules());
    return out;
  };
  auto base = clean(File::Valid().Join());
  CHECK(base.facts.sun == "123456");
  CHECK(base.facts.serial == "000042");
  REQUIRE(base.facts.user_files.size() == 1);
  CHECK(base.facts.user_files[0].debit_total == 20550);
  CHECK(base.facts.user_files[0].credit_total == 20550);
  CHECK(base.facts.user_files[0].instructions == 1);
  clean(File::Valid().Join("\n"));
  clean(File::Valid().Join(""));
  clean(MultiDay().Join());
  clean(MultiDay().Join(""));

  // Two user files after one VOL1/HDR1/HDR2.
  File two = File::Valid();
  std::vector<std::string> second(two.lines.begin() + File::kUhl1, two.lines.end());
  Put(second[0], 38, "002");
  for (std::size_t i = 1; i <= 3; ++i) Put(second[i], 65, fmt::format("CT99{:08}", i));
  two.lines.insert(two.lines.end(), second.begin(), second.end());
  auto both = clean(two.Join());
  CHECK(both.facts.user_files.size() == 2);

  // Contras split per originating account balance separately.
  File split = File::Valid();
  split.lines[File::kItem2] =
      DataRecord("107999", "88837491", "01", 8550, "CT0000000002", "B JONES", "089999", "66374958");
  Put(split.lines[File::kContra], 36, "00000012000");
  split.lines.insert(split.lines.begin() + File::kEof1,
                     DataRecord("089999", "66374958", "99", 8550, "CONTRA", "BOROUGH COUNCIL",
                                "089999", "66374958"));
  split.lines.back() = Utl1(20550, 20550, 2, 2);
  clean(split.Join());

  // An instructions-only file has zero totals and needs no contra.
  File instructions = File::Valid();
  instructions.lines.erase(instructions.lines.begin() + File::kItem1,
                           instructions.lines.begin() + File::kInstruction);
  instructions.lines.erase(instructions.lines.begin() + File::kItem1 + 1);
  instructions.lines.back() = Utl1(0, 0, 0, 0);
  clean(instructions.Join());

  // With --as-of, processing days are judged against it, not the creation date.
  ValidatorOptions as_of;
  as_of.as_of = ParseIsoDate("2026-11-24");
  auto judged = Check(File::Valid().Join(), as_of);
  CHECK(judged.diagnostics.diagnostics().empty());
  as_of.as_of = ParseIsoDate("2026-11-26");
  CHECK(Check(File::Valid().Join(), as_of).Has("bacs18.calendar.before-as-of"));
}

TEST_CASE("each rule fails its case, at a plausible place") {
  for (const Case& k : Cases()) {
    CAPTURE(k.rule);
    std::string bytes = k.make();
    auto out = Check(bytes, k.options, 0, k.with_modulus);
    CHECK_MESSAGE(out.Has(k.rule), out.Rules());
    if (const auto* d = out.First(k.rule)) {
      CHECK(d->offset <= bytes.size());
      CHECK(d->message.size() > 10);
    }
    // The same findings whatever the window size.
    auto windowed = Check(bytes, k.options, 37, k.with_modulus);
    CHECK(windowed.diagnostics.Count(k.rule) == out.diagnostics.Count(k.rule));
  }
}

TEST_CASE("every rule has a failing case above") {
  std::set<std::string_view> covered;
  for (const Case& k : Cases()) covered.insert(k.rule);
  for (const auto* r : parsers::bacs18::rules::All()) {
    CHECK_MESSAGE(covered.count(r->id) == 1, r->id);
  }
}

TEST_CASE("findings name the field and point at it") {
  auto out = Check(Mutated([](File& f) { f.lines[File::kUtl1] = Utl1(20551, 20550, 2, 1); }));
  const auto* d = out.First("bacs18.utl1.debit-total");
  REQUIRE(d != nullptr);
  CHECK(d->line == 11);
  CHECK(d->column == 5);
  CHECK(d->field == "debit_total");
  CHECK(d->message ==
        "UTL1 says £205.51 (20551 pence) but the records add up to £205.50 (20550 "
        "pence)");

  auto bh = Check(Mutated([](File& f) { Put(f.lines[File::kUhl1], 5, " 26359"); }));
  const auto* h = bh.First("bacs18.calendar.non-processing-day");
  REQUIRE(h != nullptr);
  CHECK(h->message.find("Christmas") != std::string::npos);
}

TEST_CASE("modulus findings never print the account number") {
  auto out = Check(Mutated([](File& f) { Put(f.lines[File::kItem1], 7, "66374959"); }));
  const auto* d = out.First("bacs18.modulus.failed");
  REQUIRE(d != nullptr);
  CHECK(d->message.find("66374959") == std::string::npos);
  CHECK(d->bytes_personal);
}

TEST_CASE("a file where every record fails reports in bounded memory") {
  File f = File::Valid();
  std::string bad = f.lines[File::kItem1];
  Put(bad, 1, "X");
  f.lines.insert(f.lines.begin() + File::kItem1, 50000, bad);
  parsers::DiagnosticCollector capped(20);
  ValidatorOptions o;
  o.modulus = &testing::TestModulus();
  Validator v(o, capped);
  parsers::bacs18::Parser p(v, capped);
  std::string bytes = f.Join();
  (void)p.Feed(bytes, 0, true);
  p.Finish();
  v.Finish();
  CHECK(capped.Count("bacs18.data.dest-sort-code") == 50000);
  CHECK(capped.diagnostics().size() < 100);
  CHECK(capped.suppressed().at("bacs18.data.dest-sort-code") == 50000 - 20);
}

}  // namespace
}  // namespace rbgate::schemas::bacs18
