#include "parsers/bacs18/standard18.h"

#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

#include "parsers/bacs18/rules.h"

namespace rbgate::parsers::bacs18 {
namespace {

struct Seen final : RecordSink {
  std::vector<std::string> kinds;
  std::vector<std::uint64_t> lines, offsets;
  std::vector<std::uint64_t> amounts;
  std::vector<bool> well_formed;
  void OnRecord(const Record& r) override {
    kinds.emplace_back(RecordKindName(r.kind));
    lines.push_back(r.line);
    offsets.push_back(r.offset);
    well_formed.push_back(r.well_formed);
    if (r.data != nullptr && r.data->amount_ok) amounts.push_back(r.data->amount);
  }
};

std::string Pad(std::string s, std::size_t n) {
  s.resize(n, ' ');
  return s;
}

const std::string kVol1 = Pad(Pad("VOL1000042", 41) + "123456", 79) + "1";
const std::string kData =
    "0899996637495801711876564371389    00000012000BOROUGH COUNCIL   CT0000000001      A SMITH"
    "           ";

struct Run {
  Seen seen;
  DiagnosticCollector diags{100};
  ParseSummary summary;
};

Run Parse(const std::string& bytes, std::size_t window = 0) {
  Run r;
  Parser p(r.seen, r.diags);
  ParseBuffer(p, bytes, window);
  r.summary = p.summary();
  return r;
}

TEST_CASE("the data record fixture is 100 bytes") { REQUIRE(kData.size() == 100); }

TEST_CASE("CRLF, LF and unseparated records are framed alike") {
  for (const auto& pair : {std::pair{"\r\n", Separator::kCrLf}, std::pair{"\n", Separator::kLf},
                           std::pair{"", Separator::kNone}}) {
    const char* eol = pair.first;
    const Separator sep = pair.second;
    CAPTURE(SeparatorName(sep));
    auto r = Parse(kVol1 + eol + kData + eol + kData + eol);
    CHECK(r.summary.separator == sep);
    CHECK(r.seen.kinds == std::vector<std::string>{"VOL1", "data record", "data record"});
    CHECK(r.seen.amounts == std::vector<std::uint64_t>{12000, 12000});
    CHECK(r.diags.diagnostics().empty());
    const std::uint64_t step = 100 + std::string(eol).size();
    CHECK(r.seen.offsets[2] == 80 + std::string(eol).size() + step);
    if (sep == Separator::kNone) {
      CHECK(r.seen.lines[2] == 1);
    } else {
      CHECK(r.seen.lines[2] == 3);
    }
  }
}

TEST_CASE("a last line without a terminator is still a record") {
  auto r = Parse(kVol1 + "\r\n" + kData);
  CHECK(r.seen.kinds.size() == 2);
  CHECK(r.diags.diagnostics().empty());
}

TEST_CASE("small windows give the same records and findings as one window") {
  std::string bad = kData;
  bad[3] = 'X';
  std::string file = kVol1 + "\r\n" + kData + "\r\n" + bad + "\r\n" + kData + "\n";
  auto whole = Parse(file);
  for (std::size_t w : {1u, 7u, 64u, 101u, 250u}) {
    CAPTURE(w);
    auto part = Parse(file, w);
    CHECK(part.seen.kinds == whole.seen.kinds);
    CHECK(part.seen.offsets == whole.seen.offsets);
    REQUIRE(part.diags.diagnostics().size() == whole.diags.diagnostics().size());
    for (std::size_t i = 0; i < part.diags.diagnostics().size(); ++i) {
      CHECK(part.diags.diagnostics()[i].offset == whole.diags.diagnostics()[i].offset);
      CHECK(part.diags.diagnostics()[i].rule == whole.diags.diagnostics()[i].rule);
    }
  }
}

TEST_CASE("a bad field is reported at its line, column and field, with its bytes") {
  std::string bad = kData;
  bad[9] = 'O';  // letter O in the destination account
  auto r = Parse(kVol1 + "\r\n" + bad + "\r\n");
  REQUIRE(r.diags.diagnostics().size() == 1);
  const auto& d = r.diags.diagnostics()[0];
  CHECK(d.rule->id == "bacs18.data.dest-account");
  CHECK(d.line == 2);
  CHECK(d.column == 10);
  CHECK(d.offset == 82 + 9);
  CHECK(d.record == 2);
  CHECK(d.field == "dest_account");
  CHECK(d.bytes == "O");
  CHECK(d.bytes_personal);
  CHECK(d.message == "destination account number must be 8 digits; position 10 holds 'O'");
  CHECK(d.excerpt == bad);
  CHECK(d.excerpt_pos == 9);
  CHECK(d.width == 1);
  CHECK_FALSE(r.seen.well_formed[1]);
}

TEST_CASE("a bad character is pinned to its own column") {
  std::string bad = kData;
  bad[86] = '*';
  auto r = Parse(kVol1 + "\n" + bad + "\n");
  REQUIRE(r.diags.diagnostics().size() == 1);
  CHECK(r.diags.diagnostics()[0].rule->id == "bacs18.data.charset");
  CHECK(r.diags.diagnostics()[0].column == 87);
  CHECK(r.diags.diagnostics()[0].width == 1);
}

TEST_CASE("lower case is a warning and the record stays well formed") {
  std::string low = kData;
  low[84] = 'm';
  auto r = Parse(kVol1 + "\n" + low + "\n");
  REQUIRE(r.diags.diagnostics().size() == 1);
  CHECK(r.diags.diagnostics()[0].rule->id == "bacs18.data.lowercase");
  CHECK(r.diags.errors() == 0);
  CHECK(r.seen.well_formed[1]);
}

TEST_CASE("columns in an unseparated file count from the start of the file") {
  std::string bad = kData;
  bad[0] = 'X';
  auto r = Parse(kVol1 + bad);
  REQUIRE(r.diags.diagnostics().size() >= 1);
  CHECK(r.diags.diagnostics()[0].line == 1);
  CHECK(r.diags.diagnostics()[0].column == 81);
}

TEST_CASE("wrong lengths, unknown records, long lines and empty files") {
  auto short_rec = Parse(kVol1 + "\n" + kData.substr(0, 99) + "\n");
  CHECK(short_rec.diags.Count("bacs18.record.length") == 1);

  auto junk = Parse(kVol1 + "\n" + "JUNKJUNK" + kData.substr(8) + "\n");
  CHECK(junk.diags.Count("bacs18.record.unknown-type") == 1);
  CHECK(junk.seen.kinds.size() == 1);

  // A data-length record whose sort code is merely damaged is still a data record.
  auto damaged = Parse(kVol1 + "\n" + "X" + kData.substr(1) + "\n");
  CHECK(damaged.diags.Count("bacs18.data.dest-sort-code") == 1);
  CHECK(damaged.seen.kinds.back() == "data record");

  auto long_line = Parse(kVol1 + "\n" + std::string(10000, '1') + "\n" + kData + "\n");
  CHECK(long_line.diags.Count("bacs18.record.length") == 1);
  CHECK(long_line.seen.kinds.back() == "data record");
  CHECK(long_line.seen.lines.back() == 3);

  auto empty = Parse("");
  CHECK(empty.diags.Count("bacs18.file.empty") == 1);

  auto trailing = Parse(kVol1 + "\r\n" + kData + "\r\n\x1a");
  CHECK(trailing.diags.Count("bacs18.record.trailing-bytes") == 1);
  CHECK(trailing.diags.errors() == 0);

  auto mixed = Parse(kVol1 + "\r\n" + kData + "\n" + kData + "\r\n");
  CHECK(mixed.diags.Count("bacs18.record.mixed-line-endings") == 1);
}

TEST_CASE("every transaction code Bacs accepts passes; Z4 and Z5 warn; others fail") {
  for (std::string code : {"01", "17", "18", "19", "99", "0N", "0C", "0S"}) {
    std::string rec = kData;
    rec.replace(15, 2, code);
    auto r = Parse(kVol1 + "\n" + rec + "\n");
    CHECK_MESSAGE(r.diags.diagnostics().empty(), code);
  }
  for (std::string code : {"Z4", "Z5"}) {
    std::string rec = kData;
    rec.replace(15, 2, code);
    auto r = Parse(kVol1 + "\n" + rec + "\n");
    CHECK(r.diags.Count("bacs18.data.transaction-code-unusual") == 1);
    CHECK(r.diags.errors() == 0);
  }
  std::string rec = kData;
  rec.replace(15, 2, "98");
  CHECK(Parse(kVol1 + "\n" + rec + "\n").diags.Count("bacs18.data.transaction-code") == 1);
}

TEST_CASE("free format accepts blanks, 0000 and an RTI") {
  for (std::string ff : {"    ", "0000", "/123", "/A1 "}) {
    std::string rec = kData;
    rec.replace(31, 4, ff);
    CHECK_MESSAGE(Parse(kVol1 + "\n" + rec + "\n").diags.diagnostics().empty(), ff);
  }
  std::string rec = kData;
  rec.replace(31, 4, "12AB");
  CHECK(Parse(kVol1 + "\n" + rec + "\n").diags.Count("bacs18.data.free-format") == 1);
}

TEST_CASE("the rule table has unique ids and every rule a hint") {
  std::set<std::string_view> ids;
  for (const auto* r : rules::All()) {
    CHECK(ids.insert(r->id).second);
    CHECK(r->id.starts_with("bacs18."));
    CHECK_FALSE(r->hint.empty());
    CHECK_FALSE(r->summary.empty());
  }
}

TEST_CASE("feed detection") {
  CHECK(LooksLikeStandard18(kVol1));
  CHECK_FALSE(LooksLikeStandard18("<?xml"));
  CHECK_FALSE(LooksLikeStandard18(""));
}

}  // namespace
}  // namespace rbgate::parsers::bacs18
