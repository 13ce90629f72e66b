#include "parsers/delimited/delimited.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace rbgate::parsers::delimited {
namespace {

struct Rows final : RowSink {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::uint64_t> lines;
  std::string framing;  // each row's raw bytes and each field's place, to compare scanners
  void OnRow(const Row& row) override {
    std::vector<std::string> fields;
    framing += std::to_string(row.offset) + ":" + std::string(row.raw) + "|";
    for (const auto& f : row.fields) {
      fields.emplace_back(f.text);
      framing += std::to_string(f.pos) + "+" + std::to_string(f.width) + (f.quoted ? "q " : " ");
    }
    framing += "\n";
    rows.push_back(std::move(fields));
    lines.push_back(row.line);
  }
};

struct Parsed {
  Rows rows;
  DiagnosticCollector diagnostics{1000};
  ParseSummary summary;
  std::string Findings() const {
    std::string out;
    for (const auto& d : diagnostics.diagnostics()) {
      out += std::string(d.rule->id) + "@" + std::to_string(d.line) + ":" +
             std::to_string(d.column) + " ";
    }
    return out;
  }
};

std::string Messages(const DiagnosticCollector& diagnostics) {
  std::string out;
  for (const auto& d : diagnostics.diagnostics()) out += d.message + "\n";
  return out;
}

// Parses `text` whole and in every window size from 1 byte (grown as needed) to 16, and
// checks that the windows change nothing; and whole again with every record through the
// general scanner, which must frame and judge exactly as the fast path does.
Parsed Parse(const std::string& text, ParseOptions options = {}) {
  Parsed whole;
  {
    Parser p(whole.rows, whole.diagnostics, options);
    ParseBuffer(p, text);
    whole.summary = p.summary();
  }
  {
    Parsed general;
    ParseOptions o = options;
    o.fast_path = false;
    Parser p(general.rows, general.diagnostics, o);
    ParseBuffer(p, text);
    INFO("general scanner");
    CHECK(general.rows.framing == whole.rows.framing);
    CHECK(general.Findings() == whole.Findings());
    CHECK(Messages(general.diagnostics) == Messages(whole.diagnostics));
    CHECK(p.summary().rows == whole.summary.rows);
    CHECK(p.summary().line_end == whole.summary.line_end);
  }
  for (std::size_t window = 1; window <= 16; ++window) {
    Parsed piecewise;
    Parser p(piecewise.rows, piecewise.diagnostics, options);
    ParseBuffer(p, text, window);
    INFO("window " << window);
    CHECK(piecewise.rows.rows == whole.rows.rows);
    CHECK(piecewise.rows.lines == whole.rows.lines);
    CHECK(piecewise.Findings() == whole.Findings());
  }
  return whole;
}

using Fields = std::vector<std::string>;

TEST_CASE("RFC 4180: quoting, doubled quotes, delimiters and line ends inside quotes") {
  const auto r = Parse("a,b,c\r\n\"x,1\",\"say \"\"hi\"\"\",\"two\r\nlines\"\r\nlast,,\r\n");
  REQUIRE(r.rows.rows.size() == 3);
  CHECK(r.rows.rows[0] == Fields{"a", "b", "c"});
  CHECK(r.rows.rows[1] == Fields{"x,1", "say \"hi\"", "two\r\nlines"});
  CHECK(r.rows.rows[2] == Fields{"last", "", ""});
  CHECK(r.rows.lines == std::vector<std::uint64_t>{1, 2, 4});
  CHECK(r.Findings().empty());
  CHECK(r.summary.line_end == LineEnd::kCrLf);
}

TEST_CASE("LF, no final line end, a BOM, and mixed line ends warned once") {
  auto r = Parse("\xEF\xBB\xBFh1,h2\nv1,v2");
  CHECK(r.summary.bom);
  CHECK(r.rows.rows == std::vector<Fields>{{"h1", "h2"}, {"v1", "v2"}});
  CHECK(r.summary.line_end == LineEnd::kLf);
  r = Parse("a\r\nb\nc\nd\r\n");
  CHECK(r.rows.rows.size() == 4);
  CHECK(r.diagnostics.Count("csv.line-end.mixed") == 1);
}

TEST_CASE("Quote faults are reported with their column and the row still delivered") {
  auto r = Parse("ab\"c,d\n\"x\"y,z\n");
  CHECK(r.rows.rows == std::vector<Fields>{{"ab\"c", "d"}, {"x", "z"}});
  CHECK(r.Findings() == "csv.quote.stray@1:3 csv.quote.trailing@2:4 ");
  // Never closed: read to the end of its line, and the next line parsed on its own.
  r = Parse("1,\"open\n2,ok\n");
  CHECK(r.rows.rows == std::vector<Fields>{{"1", "open"}, {"2", "ok"}});
  CHECK(r.Findings() == "csv.quote.unclosed@1:3 ");
  r = Parse("1,\"open at the end");
  CHECK(r.rows.rows == std::vector<Fields>{{"1", "open at the end"}});
  CHECK(r.Findings() == "csv.quote.unclosed@1:3 ");
}

TEST_CASE("Dialects: delimiter, quote character, escape character, no quoting, initial space") {
  ParseOptions o;
  o.dialect.delimiter = '|';
  o.dialect.quote = '\'';
  auto r = Parse("a|'b|c'|'it''s'\n", o);
  CHECK(r.rows.rows == std::vector<Fields>{{"a", "b|c", "it's"}});
  o = {};
  o.dialect.double_quote = false;
  o.dialect.escape = '\\';
  r = Parse("\"a\\\"b\",c\n", o);
  CHECK(r.rows.rows == std::vector<Fields>{{"a\"b", "c"}});
  o = {};
  o.dialect.quote = '\0';
  r = Parse("\"a\",b\n", o);
  CHECK(r.rows.rows == std::vector<Fields>{{"\"a\"", "b"}});
  CHECK(r.Findings().empty());
  o = {};
  o.dialect.skip_initial_space = true;
  r = Parse("a, b,  \"c\"\n", o);
  CHECK(r.rows.rows == std::vector<Fields>{{"a", "b", "c"}});
}

TEST_CASE("Encodings: UTF-8 checked byte by byte; Windows-1252's undefined bytes") {
  auto r = Parse("caf\xC3\xA9,ok\nbad\xC3(,x\n\xED\xA0\x80,surrogate\n\xC0\xAF,overlong\n");
  CHECK(r.rows.rows.size() == 4);
  CHECK(r.Findings() == "csv.encoding@2:4 csv.encoding@3:1 csv.encoding@4:1 ");
  ParseOptions o;
  o.encoding = Encoding::kWindows1252;
  r = Parse("caf\xE9,\x80\n\x81,x\n", o);
  CHECK(r.Findings() == "csv.encoding@2:1 ");
  r = Parse("\xEF\xBB\xBFh\n", o);
  CHECK(r.diagnostics.Count("csv.bom") == 1);
}

TEST_CASE("Empty input, and a file of nothing but a BOM") {
  CHECK(Parse("").diagnostics.Count("csv.empty") == 1);
  CHECK(Parse("\xEF\xBB\xBF").diagnostics.Count("csv.empty") == 1);
}

TEST_CASE("Fixed-width lines are sliced at their positions") {
  ParseOptions o;
  o.slices = {{0, 3}, {3, 2}, {5, 4}};
  const auto r = Parse("abcdeFGHI\r\nxyz12\n", o);
  CHECK(r.rows.rows == std::vector<Fields>{{"abc", "de", "FGHI"}, {"xyz", "12"}});
}

// The record limit, at and one past it, in several shapes.
TEST_CASE("The record length limit: at it, past it, in one line, quoted lines and many") {
  ParseOptions o;
  o.max_record = 64;
  const std::string at(64, 'a');
  const std::string past(65, 'b');
  auto r = Parse(at + "\n" + past + "\nok\n", o);
  CHECK(r.rows.rows == std::vector<Fields>{{at}, {"ok"}});
  CHECK(r.Findings() == "csv.limit.record@2:1 ");
  // A quoted field running over many lines: the record, not a line, is what is limited.
  std::string quoted = "\"";
  for (int i = 0; i < 20; ++i) quoted += "line\n";
  quoted += "\"";
  r = Parse(quoted + "\nok\n", o);
  CHECK(r.diagnostics.Count("csv.limit.record") == 1);
  CHECK(r.rows.rows.back() == Fields{"ok"});
  // Many long lines, each reported, none delivered.
  std::string many;
  for (int i = 0; i < 5; ++i) many += past + "\n";
  r = Parse(many + "end\n", o);
  CHECK(r.diagnostics.Count("csv.limit.record") == 5);
  CHECK(r.rows.rows == std::vector<Fields>{{"end"}});
  // A file that is one over-long line without a line end.
  r = Parse(past, o);
  CHECK(r.diagnostics.Count("csv.limit.record") == 1);
  CHECK(r.rows.rows.empty());
}

TEST_CASE("The field count limit: at it and past it") {
  ParseOptions o;
  o.max_fields = 8;
  auto r = Parse("1,2,3,4,5,6,7,8\n1,2,3,4,5,6,7,8,9\n", o);
  CHECK(r.rows.rows[0].size() == 8);
  CHECK(r.rows.rows[1].size() == 8);
  CHECK(r.Findings() == "csv.limit.fields@2:17 ");
}

TEST_CASE("Positions inside a quoted multi-line field") {
  Rows rows;
  DiagnosticCollector d;
  Parser p(rows, d, {});
  struct Check final : RowSink {
    Position pos{0, 0};
    void OnRow(const Row& row) override {
      if (row.fields.size() > 1) pos = PositionIn(row, row.fields[1].pos);
    }
  } check;
  Parser q(check, d, {});
  ParseBuffer(q, "h\n\"a\nbc\",x\n");
  CHECK(check.pos.line == 3);
  CHECK(check.pos.column == 5);
}

}  // namespace
}  // namespace rbgate::parsers::delimited

namespace rbgate::parsers::delimited {
namespace {

TEST_CASE("The fast path frames and judges every record as the general scanner does") {
  // Records of many lengths across the 64-byte blocks, with quotes, CRs, non-ASCII and
  // invalid bytes, empty fields and the limits near: each compared inside Parse.
  const std::string alphabet[] = {"a",        "bc",   ",",  ",",
                                  "\"",       "\r",   "\n", "\r\n",
                                  "\xC3\xA9", "\xFF", " ",  "0123456789012345678901234567890"};
  std::uint64_t state = 11;
  const auto next = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return state >> 11;
  };
  for (int i = 0; i < 300; ++i) {
    std::string text;
    const std::size_t pieces = next() % 60;
    for (std::size_t k = 0; k < pieces; ++k) {
      // Mostly plain pieces, so that most records take the fast path.
      const std::size_t pick = next() % 40;
      text += pick < std::size(alphabet) ? alphabet[pick] : pick % 3 == 0 ? "\n" : "xy,";
    }
    ParseOptions o;
    o.max_record = 40 + static_cast<std::uint32_t>(next() % 100);
    o.max_fields = 3 + static_cast<std::uint32_t>(next() % 10);
    if (i % 3 == 1) o.dialect.quote = '\0';
    if (i % 3 == 2) o.encoding = Encoding::kWindows1252;
    CAPTURE(text);
    Parse(text, o);
  }
}

}  // namespace
}  // namespace rbgate::parsers::delimited
