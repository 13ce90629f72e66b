#include <doctest/doctest.h>
#include <fmt/format.h>
#include <re2/re2.h>

#include <charconv>
#include <cstring>
#include <string>
#include <vector>

#include "parsers/delimited/delimited.h"
#include "schemas/table/cast.h"
#include "schemas/table/fixed_pattern.h"
#include "schemas/table/schema.h"
#include "schemas/table/validator.h"
#include "tests/support/temp_dir.h"

namespace rbgate::schemas::table {
namespace {

std::string LoadError(const std::string& json) {
  try {
    CompileSchema(json, "feed.json");
  } catch (const SchemaError& e) {
    return e.path() + ": " + e.problem();
  }
  return "loaded";
}

struct Checked {
  std::shared_ptr<const TableSchema> schema;  // the findings' field names point into it
  parsers::DiagnosticCollector diagnostics{1000};
  std::string Findings() const {
    std::string out;
    for (const auto& d : diagnostics.diagnostics()) {
      out += std::string(d.rule->id) + "@" + std::to_string(d.line) + ":" +
             std::to_string(d.column) + ":" + std::string(d.field) + " ";
    }
    return out;
  }
  std::string Messages() const {
    std::string out;
    for (const auto& d : diagnostics.diagnostics()) out += d.message + "\n";
    return out;
  }
};

Checked Check(const std::string& schema_json, const std::string& data) {
  const auto schema = CompileSchema(schema_json, "feed.json");
  Checked c;
  c.schema = schema;
  Validator v(*schema, c.diagnostics);
  parsers::delimited::Parser p(v, c.diagnostics, schema->ParseOptions());
  parsers::delimited::ParseBuffer(p, data);
  v.Finish();
  c.diagnostics.SortByPosition();
  return c;
}

TEST_CASE("A malformed schema names the file, the JSON path and the fault") {
  CHECK(LoadError("{").find("$: is not JSON") == 0);
  CHECK(LoadError("[]") == "$: must be an object");
  CHECK(LoadError("{\"name\":\"x\"}").find("$: is neither a Table Schema") == 0);
  CHECK(LoadError(R"({"fields":[{"name":"a","type":"integr"}]})") ==
        "$.fields[0].type: \"integr\" is not a Table Schema type");
  CHECK(LoadError(R"({"fields":[{"name":"a","type":"geopoint"}]})").find("does not check") !=
        std::string::npos);
  CHECK(LoadError(R"({"fields":[{"name":"a"},{"name":"a"}]})") ==
        "$.fields[1].name: \"a\" names two fields");
  CHECK(LoadError(R"({"fields":[{"name":"a","constraints":{"minLenght":2}}]})")
            .find("$.fields[0].constraints.minLenght: is not a Table Schema constraint") == 0);
  CHECK(LoadError(R"({"fields":[{"name":"a","type":"integer","constraints":{"minimum":"x"}}]})") ==
        "$.fields[0].constraints.minimum: \"x\" is not a whole number");
  CHECK(LoadError(R"({"fields":[{"name":"a","constraints":{"pattern":"("}}]})")
            .find("$.fields[0].constraints.pattern: is not a regular expression") == 0);
  CHECK(LoadError(R"({"fields":[{"name":"a","type":"date","format":"%d/%q/%Y"}]})")
            .find("'%q' is not a directive") != std::string::npos);
  CHECK(LoadError(R"({"fields":[{"name":"a"}],"primaryKey":"b"})") ==
        "$.primaryKey: names \"b\", which is not a field");
  CHECK(LoadError(R"({"fields":[{"name":"a","rbgate":{"domain":"nin"}}]})")
            .find("$.fields[0].rbgate.domain: \"nin\" is not a domain type") == 0);
  CHECK(LoadError(R"({"schema":{"fields":[{"name":"a"}]},"dialect":{"delimter":";"}})")
            .find("$.dialect.delimter: is not a CSV Dialect property") == 0);
  CHECK(LoadError(R"({"schema":{"fields":[{"name":"a"}]},"encoding":"latin-2"})")
            .find("$.encoding:") == 0);
  CHECK(LoadError(R"({"fields":[{"name":"a","rbgate":{"start":1}}]})")
            .find("needs both start and width") != std::string::npos);
  CHECK(LoadError(R"({"fields":[{"name":"a","rbgate":{"start":1,"width":3}},
                                {"name":"b","rbgate":{"start":3,"width":2}}]})")
            .find("overlaps") != std::string::npos);
  CHECK(LoadError(
            R"({"fields":[{"name":"a","type":"integer","constraints":{"minimum":5,"maximum":1}}]})")
            .find("minimum is greater than maximum") != std::string::npos);
  CHECK(LoadError(R"({"fields":[{"name":"a","type":"number","rbgate":{"domain":"pence"},
                      "constraints":{"maximum":1e300}}]})")
            .find("beyond a trillion pounds") != std::string::npos);
}

TEST_CASE("A tabular data resource: name, version, dialect and encoding") {
  const auto s = CompileSchema(R"({"name":"rents","version":"2.1","encoding":"windows-1252",
      "dialect":{"delimiter":";","header":false,"quoteChar":"'"},
      "schema":{"fields":[{"name":"a"}]}})",
                               "dir/rents.json");
  CHECK(s->name == "rents");
  CHECK(s->version == "2.1");
  CHECK(s->dialect.delimiter == ';');
  CHECK(s->dialect.quote == '\'');
  CHECK_FALSE(s->header);
  CHECK(s->encoding == parsers::delimited::Encoding::kWindows1252);
  // With no name, the file's stem names the feed.
  CHECK(CompileSchema(R"({"fields":[{"name":"a"}]})", "dir/my-feed.json")->name == "my-feed");
}

TEST_CASE("Every fault in a row is reported, each at its field") {
  const auto c = Check(R"({"fields":[
      {"name":"id","type":"integer","constraints":{"required":true,"unique":true}},
      {"name":"when","type":"date","format":"%d-%b-%Y"},
      {"name":"amount","type":"number","constraints":{"minimum":0,"maximum":1000}},
      {"name":"code","constraints":{"pattern":"[A-Z]{3}","enum":["ABC","XYZ"]}}]})",
                       "id,when,amount,code\n1,01-APR-2026,10.5,ABC\n1,31-Feb-2026,-1,abc\n"
                       ",1-Jan-2026,1000.01,XYZ\n");
  CHECK(c.Findings() ==
        "table.unique@3:1:id table.type@3:3:when table.minimum@3:15:amount "
        "table.enum@3:18:code table.pattern@3:18:code table.required@4:1:id "
        "table.maximum@4:13:amount ");
}

TEST_CASE("Header, ragged rows, blank lines and fixed-width line lengths") {
  const std::string schema = R"({"fields":[{"name":"a"},{"name":"b"}]})";
  CHECK(Check(schema, "a,c\n1,2\n").Findings() == "table.header@1:3:b ");
  // Every header difference by name in one run: moved, case only, missing, extra.
  const std::string four = R"({"fields":[{"name":"a"},{"name":"b"},{"name":"c"},{"name":"d"}]})";
  const auto header = Check(four, "b,a,C,e,f\n1,2,3,4,5\n");
  CHECK(header.Findings() ==
        "table.header@1:1:a table.header@1:3:b table.header@1:5:c table.header@1:7:d "
        "table.header@1:9: table.row.fields@2:9: ");
  CHECK(header.Messages().find("column 1 is headed \"b\", the schema's field 2: the columns "
                               "are in another order") != std::string::npos);
  CHECK(header.Messages().find("column 3 is headed \"C\" where the schema's field is \"c\" "
                               "(letter case differs)") != std::string::npos);
  CHECK(header.Messages().find("column 4 is headed \"e\" where the schema's field is \"d\"") !=
        std::string::npos);
  CHECK(header.Messages().find("column 5 is headed \"f\", which is no field") != std::string::npos);
  // Rows of empty fields padding a spreadsheet export: one finding a run, with its range.
  const std::string required =
      R"({"fields":[{"name":"a","constraints":{"required":true}},{"name":"b"}]})";
  const auto padded = Check(
      required, "a,b\n1,2\n" + [] {
        std::string rows;
        for (int i = 0; i < 250; ++i) rows += ",\n";
        return rows;
      }() + "3,4\n,\n");
  CHECK(padded.Findings() == "table.row.padding@3:1:a table.row.padding@254:1:a ");
  CHECK(padded.Messages().find("rows 3 to 252 (250 rows) have every field empty") !=
        std::string::npos);
  CHECK(padded.Messages().find("row 254 has every field empty") != std::string::npos);
  // Where nothing is required, an empty row is a row like any other.
  CHECK(Check(schema, "a,b\n,\n").Findings().empty());
  CHECK(Check(schema, "a,b\n1\n1,2,3\n\n1,2\n").Findings() ==
        "table.row.fields@2:2:b table.row.fields@3:5: table.row.blank@4:1: ");
  const std::string fixed = R"({"fields":[{"name":"a","rbgate":{"start":1,"width":2}},
                                          {"name":"b","type":"integer","rbgate":{"start":3,"width":3}}]})";
  CHECK(Check(fixed, "AB123\nCD12x\nEF12\n").Findings() ==
        "table.type@2:3:b table.row.width@3:5: ");
}

TEST_CASE("Primary keys over several fields, and missing values") {
  const auto c = Check(R"({"fields":[{"name":"a"},{"name":"b","type":"integer"},{"name":"c"}],
      "primaryKey":["a","b"],"missingValues":["","-"]})",
                       "a,b,c\nx,1,-\nx,2,\ny,1,\nx,01,\n-,1,\n");
  CHECK(c.Findings() == "table.primary-key@5:1:a table.required@6:1:a ");
}

// An income-management payments file: a header, payments, a trailer with a count and a total.
const std::string kPayments = R"({"name":"payments","dialect":{"header":false},
  "schema":{"fields":[
    {"name":"type","constraints":{"enum":["D"]}},
    {"name":"account_ref","constraints":{"required":true,"pattern":"[0-9]{8}"}},
    {"name":"amount","type":"number","rbgate":{"domain":"pence"}},
    {"name":"paid_on","type":"date"},
    {"name":"period_end","type":"date"}]},
  "rbgate":{
    "records":{"discriminator":{"column":1},"data":"D",
      "header":{"code":"H","fields":[{"name":"type"},{"name":"run_date","type":"date"}]},
      "trailer":{"code":"T","fields":[{"name":"type"},{"name":"count","type":"integer"},
                                      {"name":"total","type":"number","rbgate":{"domain":"pence"}}]}},
    "rules":["paid_on <= period_end"],
    "controls":[{"field":"count","count":"data"},{"field":"total","sum":"amount"}]}})";

TEST_CASE("Multi-record files: header, data and trailer, with control totals") {
  const std::string good =
      "H,2026-04-01\nD,12345678,10.50,2026-04-01,2026-04-30\nD,87654321,2.25,2026-04-02,"
      "2026-04-30\nT,2,12.75\n";
  CHECK(Check(kPayments, good).Findings().empty());
  // A count and a total that do not match, each reported at the trailer's field.
  CHECK(Check(kPayments, "H,2026-04-01\nD,12345678,10.50,2026-04-01,2026-04-30\nT,2,10.51\n")
            .Findings() == "table.control@3:3:count table.control@3:5:total ");
  // No trailer: the file may have been cut short.
  CHECK(Check(kPayments, "H,2026-04-01\nD,12345678,10.50,2026-04-01,2026-04-30\n").Findings() ==
        "table.record-order@2:1: ");
  // A record after the trailer, an unknown record type, the header not first.
  CHECK(Check(kPayments,
              "D,12345678,1.00,2026-04-01,2026-04-30\nH,2026-04-01\nX,1\nT,1,1.00\n"
              "D,12345678,1.00,2026-04-01,2026-04-30\n")
            .Findings() ==
        "table.record-order@1:38: table.record-order@2:13: table.record-type@3:1: "
        "table.control@4:3:count table.control@4:5:total table.record-order@5:38: ");
}

TEST_CASE("Rules across fields: order, and required when another has a value") {
  CHECK(Check(kPayments, "H,2026-04-01\nD,12345678,1.00,2026-05-01,2026-04-30\nT,1,1.00\n")
            .Findings() == "table.rule@2:17:paid_on ");
  const std::string schema = R"({"fields":[{"name":"claimant"},{"name":"partner_name"},
      {"name":"partner_nino","rbgate":{"domain":"nino"}},{"name":"rent","type":"number"},
      {"name":"eligible","type":"integer"}],
      "rbgate":{"rules":[{"require":"partner_nino","when":"partner_name"},"eligible <= rent"]}})";
  CHECK(Check(schema,
              "claimant,partner_name,partner_nino,rent,eligible\n"
              "A,,,100.5,100\nB,Sam,,100,101\nC,Sam,AB123456C,99.5,99\n")
            .Findings() == "table.rule@3:7:partner_nino table.rule@3:12:eligible ");
}

TEST_CASE("Fixed-width multi-record files are sliced by their record type") {
  const std::string schema = R"({"fields":[
      {"name":"type","rbgate":{"start":1,"width":1}},
      {"name":"amount","type":"integer","rbgate":{"start":2,"width":6}}],
    "rbgate":{"records":{"discriminator":{"start":1,"width":1},"data":"D",
      "trailer":{"code":"T","fields":[{"name":"type","rbgate":{"start":1,"width":1}},
                                      {"name":"sum","type":"integer","rbgate":{"start":2,"width":9}}]}},
      "controls":[{"field":"sum","sum":"amount"}]}})";
  CHECK(Check(schema, "D000100\nD000023\nT000000123\n").Findings().empty());
  CHECK(Check(schema, "D000100\nD00002\nT000000124\n").Findings() ==
        "table.row.width@2:7: table.control@3:2:sum ");
}

TEST_CASE("Malformed record types, rules and controls are schema errors") {
  const std::string fields =
      R"("fields":[{"name":"t"},{"name":"n","type":"integer"},{"name":"d","type":"date"}])";
  const auto with = [&](const std::string& rbgate) {
    return LoadError("{" + fields + R"(,"rbgate":)" + rbgate + "}");
  };
  CHECK(with(R"({"records":{"data":"D"}})").find("must give a column") != std::string::npos);
  CHECK(with(R"({"records":{"discriminator":{"column":1}}})") ==
        "$.rbgate.records.data: must give the data records' code");
  CHECK(
      with(
          R"({"records":{"discriminator":{"column":1},"data":"D","header":{"code":"D","fields":[{"name":"x"}]}}})")
          .find("another record type's code") != std::string::npos);
  CHECK(with(R"({"rules":["n <= d"]})").find("they must be of one type") != std::string::npos);
  CHECK(with(R"({"rules":["n <> x"]})").find("names \"> x\", which is not a field") !=
        std::string::npos);
  CHECK(with(R"({"rules":["n ~ d"]})").find("must be \"field OP field\"") != std::string::npos);
  CHECK(with(R"({"rules":[{"require":"n"}]})").find("needs both") != std::string::npos);
  CHECK(with(R"({"controls":[{"field":"count","count":"data"}]})")
            .find("is not a field of the trailer or header") != std::string::npos);
  CHECK(
      with(
          R"({"records":{"discriminator":{"column":1},"data":"D","trailer":{"code":"T","fields":[{"name":"c"}]}},"controls":[{"field":"c","count":"data"}]})")
          .find("must be an integer or pence field") != std::string::npos);
  CHECK(
      with(
          R"({"records":{"discriminator":{"column":1},"data":"D","trailer":{"code":"T","fields":[{"name":"c","type":"integer"}]}},"controls":[{"field":"c","sum":"d"}]})")
          .find("must both be integers or both pence") != std::string::npos);
}

TEST_CASE("Numbers: the fast decimal path gives exactly what from_chars gives") {
  FieldSpec f;
  f.type = Type::kNumber;
  std::uint64_t state = 42;
  const auto next = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return state >> 11;
  };
  for (int i = 0; i < 200000; ++i) {
    const std::uint64_t digits = next() % 1000000000000000ULL;
    const int point = static_cast<int>(next() % 17);
    std::string text = std::to_string(digits);
    if (point > 0 && static_cast<std::size_t>(point) < text.size()) {
      text.insert(text.size() - static_cast<std::size_t>(point), ".");
    }
    if (next() % 2) text = "-" + text;
    Value v;
    REQUIRE(Cast(f, text, v));
    double expected = 0;
    std::from_chars(text.data(), text.data() + text.size(), expected);
    CAPTURE(text);
    CHECK(v.x == expected);
  }
  Value v;
  for (const char* bad : {"", "-", ".", "1.2.3", "1-2", "--1", "1e", "e5", "1,5", "+"}) {
    CAPTURE(bad);
    CHECK_FALSE(Cast(f, bad, v));
  }
  for (const char* good : {"5.", ".5", "1e3", "+7", "1234567890123456789", "NaN", "-INF"}) {
    CAPTURE(good);
    CHECK(Cast(f, good, v));
  }
}

TEST_CASE("A quick cast accepts only what the general path accepts, with the same value") {
  const auto schema = CompileSchema(R"({"fields":[
      {"name":"s"}, {"name":"i","type":"integer"}, {"name":"x","type":"number"},
      {"name":"d","type":"date"}, {"name":"uk","type":"date","format":"%d/%m/%Y"},
      {"name":"t","type":"datetime"}, {"name":"n","rbgate":{"domain":"nino"}},
      {"name":"pc","rbgate":{"domain":"postcode"}},
      {"name":"p","type":"number","rbgate":{"domain":"pence"}},
      {"name":"u","rbgate":{"domain":"uprn"}}, {"name":"b","rbgate":{"domain":"band"}},
      {"name":"ba","rbgate":{"domain":"billing_authority"}}, {"name":"y","type":"year"},
      {"name":"f","type":"boolean"}, {"name":"voa","type":"date","format":"%d-%b-%Y"}]})",
                                    "quick.json");
  const std::vector<std::string> seeds = {"abc",          "-1234",       "0.50",
                                          "2026-02-28",   "28/02/2026",  "2026-02-28T23:59:59Z",
                                          "AB123456C",    "SW1A 1AA",    "12.34",
                                          "100023336956", "H",           "0114",
                                          "2026",         "true",        "QQ123456C",
                                          "OO123456A",    "DN55 1PT",    "-0.05",
                                          "29/02/2024",   "31/04/2026",  "2026-13-01",
                                          "1e5",          "GIR 0AA",     "00/01/2026",
                                          "01-APR-2023",  "29-feb-2024", "31-Sep-2026",
                                          "07-Dec-1999"};
  const std::string alphabet = "0123456789AQZaz-./: T\xC3\xFF+e";
  std::uint64_t state = 3;
  const auto next = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return state >> 11;
  };
  for (const FieldSpec& f : schema->fields) {
    CAPTURE(f.name);
    REQUIRE(static_cast<bool>(f.quick));
    int accepted = 0;
    for (int i = 0; i < 20000; ++i) {
      std::string text = seeds[next() % seeds.size()];
      for (std::uint64_t edits = next() % 3; edits > 0 && !text.empty(); --edits) {
        const std::size_t at = next() % text.size();
        switch (next() % 3) {
          case 0:
            text[at] = alphabet[next() % alphabet.size()];
            break;
          case 1:
            text.erase(at, 1);
            break;
          default:
            text.insert(at, 1, alphabet[next() % alphabet.size()]);
        }
      }
      CAPTURE(text);
      Value quick;
      if (!f.quick(f, text, quick)) continue;
      ++accepted;
      Value general;
      std::string why;
      REQUIRE(Cast(f, text, general));
      CHECK(CheckDomain(f, text, general, why) == nullptr);
      CHECK(quick.n == general.n);
      CHECK(std::memcmp(&quick.x, &general.x, sizeof quick.x) == 0);
      CHECK(quick.text == general.text);
    }
    CHECK(accepted > 100);
  }
}

TEST_CASE("Bounds checked inline after a quick cast hold at and past each limit") {
  const std::string schema = R"({"fields":[
      {"name":"i","type":"integer","constraints":{"minimum":1,"maximum":9999999999}},
      {"name":"d","type":"date","format":"%d-%b-%Y","constraints":{"minimum":"01-APR-2023"}},
      {"name":"s","constraints":{"maxLength":3}},
      {"name":"p","type":"number","constraints":{"maximum":10},"rbgate":{"domain":"pence"}}],
      "rbgate":{"encoding":"ENC"}})";
  const auto with = [&](const char* encoding) {
    std::string s = schema;
    s.replace(s.find("ENC"), 3, encoding);
    return s;
  };
  const std::string header = "i,d,s,p\n";
  // At each limit: no finding.
  CHECK(Check(with("utf-8"), header + "1,01-APR-2023,abc,10.00\n").Findings() == "");
  CHECK(Check(with("utf-8"), header + "9999999999,01-apr-2023,,0.00\n").Findings() == "");
  // Three characters in six bytes is within a maxLength of three (UTF-8 counts characters).
  CHECK(Check(with("utf-8"), header + "5,02-APR-2023,\xC3\xA9\xC3\xA9\xC3\xA9,1.00\n").Findings() ==
        "");
  // Past each: a finding at the field.
  CHECK(Check(with("utf-8"), header + "0,31-MAR-2023,abcd,10.01\n").Findings() ==
        "table.minimum@2:1:i table.minimum@2:3:d table.max-length@2:15:s table.maximum@2:20:p ");
  CHECK(Check(with("utf-8"), header + "10000000000,01-APR-2023,abc,1.00\n").Findings() ==
        "table.maximum@2:1:i ");
  // Four bytes are four characters in Windows-1252.
  CHECK(Check(with("windows-1252"), header + "1,01-APR-2023,\xE9\xE9\xE9\xE9,1.00\n").Findings() ==
        "table.max-length@2:15:s ");
}

TEST_CASE("Fixed-shape patterns give exactly RE2's verdict, and the rest are left to RE2") {
  const std::vector<std::string> fixed = {"HB[0-9]{8}",
                                          "[A-Z]{2}[0-9]{6}[A-D]",
                                          "\\d{3}/[A-Z0-9]{1}",
                                          "ab\\.c",
                                          "[a-c_ ]{0}x",
                                          "",
                                          "[0-9]{2}-[0-9]{2}-[0-9]{2}",
                                          "Z{12}",
                                          "[A-Za-z]"};
  const std::vector<std::string> refused = {
      "a|b", "(ab)", "a*", "a+", "a?",     "[^0-9]", "a{1,2}",  ".",           "\\w",    "[a-]",
      "[]",  "a{",   "\\", "é",  "a{300}", "[z-a]",  "(?i)abc", "[[:digit:]]", "a{2}{3}"};
  for (const auto& r : refused) {
    CAPTURE(r);
    CHECK_FALSE(FixedPattern::Compile(r).has_value());
  }
  const std::string alphabet = "ABCDHZabcxz0129/._- \xC3\xA9\xFF";
  std::uint64_t state = 7;
  const auto next = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return state >> 11;
  };
  RE2::Options options;
  options.set_log_errors(false);
  options.set_encoding(RE2::Options::EncodingUTF8);
  for (const auto& pattern : fixed) {
    CAPTURE(pattern);
    const auto compiled = FixedPattern::Compile(pattern);
    REQUIRE(compiled.has_value());
    const RE2 re("(?s:" + pattern + ")", options);
    REQUIRE(re.ok());
    int matched = 0;
    for (int i = 0; i < 20000; ++i) {
      std::string text;
      // Half the cases start from a string the pattern matches, then maybe change one byte.
      const std::size_t length = next() % 14;
      for (std::size_t k = 0; k < length; ++k) text += alphabet[next() % alphabet.size()];
      if (i % 2 == 0 && pattern == "HB[0-9]{8}")
        text = "HB" + std::to_string(10000000 + next() % 90000000);
      if (i % 2 == 0 && pattern == "[A-Z]{2}[0-9]{6}[A-D]") text = "AB123456C";
      if (i % 4 == 0 && !text.empty())
        text[next() % text.size()] = alphabet[next() % alphabet.size()];
      CAPTURE(text);
      const bool want = RE2::FullMatch(text, re);
      matched += want;
      CHECK(compiled->Matches(text) == want);
    }
    if (pattern == "HB[0-9]{8}" || pattern == "[A-Z]{2}[0-9]{6}[A-D]") CHECK(matched > 1000);
  }
}

TEST_CASE("References: values must be in another feed's file; a bad map is refused") {
  testing::TempDir dir;
  const auto map = CompileSchema(
      R"({"name":"map","fields":[{"name":"ref","constraints":{"pattern":"R[0-9]+"}},{"name":"n","type":"integer"}]})",
      "map.json");
  const auto data = CompileSchema(
      R"({"name":"d","fields":[{"name":"ref"}],"rbgate":{"references":[{"field":"ref","feed":"map","key":"ref"}]}})",
      "d.json");
  testing::WriteFile(dir / "map.csv", "ref,n\nR1,1\nR2,2\n");
  testing::WriteFile(dir / "bad.csv", "ref,n\nX1,1\n");
  std::string error;
  const auto values = LoadReferenceValues(*map, "ref", dir / "map.csv", error);
  REQUIRE(values);
  CHECK(values->size() == 2);
  CHECK_FALSE(LoadReferenceValues(*map, "ref", dir / "bad.csv", error));
  CHECK(error.find("is not a valid map file") != std::string::npos);
  CHECK_FALSE(LoadReferenceValues(*map, "n", dir / "map.csv", error));
  CHECK(error.find("not a string field") != std::string::npos);
  CHECK_FALSE(LoadReferenceValues(*map, "nope", dir / "map.csv", error));
  CHECK_FALSE(LoadReferenceValues(*map, "ref", dir / "missing.csv", error));

  const auto run = [&](const ReferenceSets* sets) {
    parsers::DiagnosticCollector d(100);
    Validator v(*data, d, {nullptr, nullptr, sets});
    parsers::delimited::Parser p(v, d, data->ParseOptions());
    parsers::delimited::ParseBuffer(p, "ref\nR1\nR3\nR4\n");
    std::string out;
    for (const auto& f : d.diagnostics())
      out += std::string(f.rule->id) + "@" + std::to_string(f.line) + " ";
    return out;
  };
  ReferenceSets sets{{"map", values}};
  CHECK(run(&sets) == "table.reference@3 table.reference@4 ");
  CHECK(run(nullptr) == "table.reference.unchecked@2 ");
  CHECK(
      LoadError(
          R"({"fields":[{"name":"a"}],"rbgate":{"references":[{"field":"b","feed":"m","key":"k"}]}})")
          .find("names \"b\", which is not a field") != std::string::npos);
}

TEST_CASE("Domain types") {
  FieldSpec f;
  Value v;
  std::string why;
  const auto rule = [&](Domain d, std::string_view text) -> std::string {
    f.domain = d;
    const auto* r = CheckDomain(f, text, v, why);
    return r == nullptr ? "ok" : std::string(r->id);
  };
  CHECK(rule(Domain::kNino, "AB123456C") == "ok");
  CHECK(rule(Domain::kNino, "AB 12 34 56 C") == "ok");
  CHECK(rule(Domain::kNino, "AB123456E") == "domain.nino");
  CHECK(rule(Domain::kNino, "DA123456A") == "domain.nino");
  CHECK(rule(Domain::kNino, "AO123456A") == "domain.nino");
  CHECK(rule(Domain::kNino, "GB123456A") == "domain.nino");
  CHECK(rule(Domain::kNino, "PP123456A") == "domain.nino.administrative");
  CHECK(rule(Domain::kNino, "QQ123456C") == "domain.nino.administrative");
  CHECK(rule(Domain::kSortCode, "12-34-56") == "ok");
  CHECK(rule(Domain::kSortCode, "123456") == "ok");
  CHECK(rule(Domain::kSortCode, "12-3456") == "domain.sort-code");
  CHECK(rule(Domain::kAccountNumber, "12345678") == "ok");
  CHECK(rule(Domain::kAccountNumber, "1234567") == "domain.account-number");
  CHECK(rule(Domain::kPostcode, "SW1A 1AA") == "ok");
  CHECK(rule(Domain::kPostcode, "M1 1AE") == "ok");
  CHECK(rule(Domain::kPostcode, "GIR 0AA") == "ok");
  CHECK(rule(Domain::kPostcode, "SW1A 1CA") == "domain.postcode");  // C is no inward letter
  CHECK(rule(Domain::kPostcode, "12 1AA") == "domain.postcode");
  CHECK(NormalisePostcode("sw1a1aa") == "SW1A 1AA");
  CHECK(rule(Domain::kUprn, "100023336956") == "ok");
  CHECK(rule(Domain::kUprn, "1000233369561") == "domain.uprn");
  CHECK(rule(Domain::kUprn, "0") == "domain.uprn");
  CHECK(rule(Domain::kUarn, "12345678901") == "ok");
  CHECK(rule(Domain::kBillingAuthority, "0114") == "ok");
  CHECK(rule(Domain::kBillingAuthority, "114") == "domain.ba-code");
  CHECK(rule(Domain::kBand, "H") == "ok");
  CHECK(rule(Domain::kBand, "I") == "domain.band");
  f.wales = true;
  CHECK(rule(Domain::kBand, "I") == "ok");
  CHECK(rule(Domain::kPayeReference, "123/A246") == "ok");
  CHECK(rule(Domain::kPayeReference, "12/A246") == "domain.paye");
  CHECK(rule(Domain::kPence, "65.00") == "ok");
  CHECK(v.n == 6500);
  CHECK(rule(Domain::kPence, "-0.05") == "ok");
  CHECK(v.n == -5);
  CHECK(rule(Domain::kPence, "65.0") == "domain.pence");
  CHECK(rule(Domain::kPence, "65") == "domain.pence");
}

TEST_CASE("Personal fields are masked in every excerpt that shows them") {
  const auto schema = CompileSchema(
      R"({"fields":[{"name":"nino","rbgate":{"domain":"nino"}},{"name":"n","type":"integer"}]})",
      "f.json");
  parsers::DiagnosticCollector d;
  Validator v(*schema, d);
  parsers::delimited::Parser p(v, d, schema->ParseOptions());
  parsers::delimited::ParseBuffer(p, "nino,n\nAB123456C,x\n");
  REQUIRE(d.diagnostics().size() == 1);
  const auto& finding = d.diagnostics()[0];
  REQUIRE(finding.personal.size() == 1);
  CHECK(finding.personal[0].begin == 0);
  CHECK(finding.personal[0].end == 9);
}

}  // namespace
}  // namespace rbgate::schemas::table

namespace rbgate::schemas::table {
namespace {

TEST_CASE("Descriptors as other tools write them: groupChar \"\", caseSensitiveHeader") {
  CHECK(LoadError(R"({"fields":[{"name":"n","type":"number","groupChar":""}]})") == "loaded");
  CHECK(Check(R"({"fields":[{"name":"n","type":"number","groupChar":""}]})", "n\n\"1,5\"\n")
            .Findings() == "table.type@2:1:n ");
  // Stated false, letter case in the header does not matter; unstated, it does.
  const std::string folded =
      R"({"schema":{"fields":[{"name":"ref"},{"name":"rent"}]},"dialect":{"caseSensitiveHeader":false}})";
  CHECK(Check(folded, "REF,Rent\nA,1\n").Findings().empty());
  CHECK(Check(folded, "Rent,REF\nA,1\n").Findings() ==
        "table.header@1:1:ref table.header@1:6:rent ");
  CHECK(Check(R"({"fields":[{"name":"ref"}]})", "REF\nA\n").Findings() == "table.header@1:1:ref ");
}

TEST_CASE("A field's own missingValues stand for the schema's, for that field only") {
  const auto c = Check(R"({"fields":[{"name":"a","constraints":{"required":true}},
      {"name":"b","type":"integer","missingValues":["N/A",""]},
      {"name":"c","type":"integer","missingValues":[]}],"missingValues":["-"]})",
                       "a,b,c\nx,N/A,1\n-,,2\nN/A,-,\ny,1,-\n");
  // a: "-" is missing (the schema's), so required; "N/A" is a value. b: "N/A" and "" are
  // missing, "-" is not an integer. c: nothing is missing, so "" and "-" are not integers.
  CHECK(c.Findings() == "table.required@3:1:a table.type@4:5:b table.type@4:7:c table.type@5:5:c ");
}

TEST_CASE("format \"any\" for times and date-times: ISO, and the forms UK files use") {
  const auto c = Check(R"({"fields":[{"name":"t","type":"time","format":"any"},
      {"name":"d","type":"datetime","format":"any","constraints":{"maximum":"2026-12-31T23:59:59Z"}}]})",
                       "t,d\n10:20,2026-01-02 10:20:30\n10:20:30,25/12/2026 10:00\n"
                       "10:20:30,2026-01-02T10:20:30+01:00\n25:00,2027-01-01T00:00\n"
                       "noon,2026-13-02 10:20\n");
  CHECK(c.Findings() == "table.type@5:1:t table.maximum@5:7:d table.type@6:1:t table.type@6:6:d ");
  // Without "any", only ISO: hh:mm is not a time, a space not a T.
  CHECK(Check(R"({"fields":[{"name":"t","type":"time"},{"name":"d","type":"datetime"}]})",
              "t,d\n10:20,2026-01-02 10:20:30Z\n")
            .Findings() == "table.type@2:1:t table.type@2:7:d ");
  CHECK(LoadError(R"({"fields":[{"name":"y","type":"year","format":"any"}]})")
            .find("is not a format of year fields") != std::string::npos);
}

TEST_CASE("A Windows-1252 file meets its schema's enum, pattern and header as text, not bytes") {
  const std::string schema = R"({"encoding":"windows-1252","schema":{"fields":[
      {"name":"Prénom","constraints":{"enum":["Zoë","Siân","€uro"]}},
      {"name":"town","constraints":{"pattern":"Ystrad Mynach|Caerffïli"}}]}})";
  const auto c = Check(schema,
                       "Pr\xE9nom,town\nZo\xEB,Caerff\xEFli\nSi\xE2n,Ystrad Mynach\n"
                       "\x80uro,Caerffili\nZoe,Caerff\xEFli\n");
  CHECK(c.Findings() == "table.pattern@4:6:town table.enum@5:1:Prénom ");
  CHECK(c.Messages().find("\"Zoe\" in Prénom is not one of: Zoë, Siân, €uro") != std::string::npos);
  // Named in the header as the schema names it, and said in UTF-8 when it is not.
  CHECK(Check(schema, "Pr\xE8nom,town\nZo\xEB,Caerff\xEFli\n").Messages().find("\"Prènom\"") !=
        std::string::npos);
  // A character the file's encoding cannot hold can never match: refused at load.
  CHECK(LoadError(R"({"encoding":"windows-1252","schema":{"fields":[
      {"name":"a","constraints":{"enum":["Łódź"]}}]}})")
            .find("has a character a Windows-1252 file cannot hold") != std::string::npos);
}

TEST_CASE("Data Packages: the resource is picked by name, by the data file's path, or alone") {
  const std::string package = R"({"name":"hra","resources":[
      {"name":"rents","path":"data/rents.csv","schema":{"fields":[{"name":"ref"}]}},
      {"name":"notes","path":"notes.txt"},
      {"name":"tenancies","path":["t1.csv","t2.csv"],"schema":{"fields":[{"name":"t"},{"name":"u"}]}}]})";
  CHECK(CompileSchema(package, "/p/datapackage.json", {"tenancies", ""})->fields.size() == 2);
  CHECK(CompileSchema(package, "/p/datapackage.json", {"", "/elsewhere/rents.csv"})->name ==
        "rents");
  CHECK(CompileSchema(package, "/p/datapackage.json", {"", "t2.csv"})->name == "tenancies");
  CHECK(CompileSchema(package, "/p/datapackage.json", {"", "/p/data/rents.csv"})->name == "rents");
  const auto error = [&](const ResourceChoice& choice) {
    try {
      CompileSchema(package, "/p/datapackage.json", choice);
    } catch (const SchemaError& e) {
      return e.path() + ": " + e.problem();
    }
    return std::string("loaded");
  };
  CHECK(error({}).find("$.resources: lists 2 tabular resources (rents, tenancies)") == 0);
  CHECK(error({"notes", ""}).find("has no tabular resource named \"notes\"") != std::string::npos);
  CHECK(LoadError(R"({"resources":[{"name":"only","schema":{"fields":[{"name":"a"}]}}]})") ==
        "loaded");
  CHECK(LoadError(R"({"resources":[{"name":"x","path":"x.pdf"}]})") ==
        "$.resources: has no tabular resource (none has a \"schema\")");
  // A package key misspelt is caught as any other.
  CHECK(LoadError(R"({"resorces":[]})").find("did you mean \"resources\"") != std::string::npos);
  CHECK(PackageResourceNames(package) == std::vector<std::string>{"rents", "tenancies"});
  CHECK(PackageResourceNames(R"({"fields":[{"name":"a"}]})").empty());
}

TEST_CASE("A resource's bytes and hash are read, and a malformed hash refused") {
  const auto s = CompileSchema(
      R"({"bytes":12,"hash":"SHA256:ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789",
          "schema":{"fields":[{"name":"a"}]}})",
      "r.json");
  CHECK(*s->bytes == 12);
  CHECK(s->hash_algorithm == "sha256");
  CHECK(s->hash_hex == "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
  CHECK(CompileSchema(
            R"({"hash":"0123456789abcdef0123456789abcdef","schema":{"fields":[{"name":"a"}]}})",
            "r.json")
            ->hash_algorithm == "md5");  // v1: bare hex is MD5
  CHECK(LoadError(R"({"hash":"crc32:1234","schema":{"fields":[{"name":"a"}]}})")
            .find("is not a hash rbgate computes") != std::string::npos);
  CHECK(LoadError(R"({"hash":"sha1:12","schema":{"fields":[{"name":"a"}]}})") ==
        "$.hash: a sha1 hash is 40 hexadecimal digits");
  CHECK(LoadError(R"({"bytes":-1,"schema":{"fields":[{"name":"a"}]}})") ==
        "$.bytes: must be a whole number, 0 or more");
}

TEST_CASE("Foreign keys within the file: found before or after, or reported once per value") {
  const std::string schema = R"({"fields":[{"name":"id"},{"name":"parent"}],
      "foreignKeys":[{"fields":"parent","reference":{"resource":"","fields":"id"}}]})";
  const auto c = Check(schema, "id,parent\nA,\nB,A\nC,D\nD,D\nE,X\nF,X\nG,G\n");
  // C's D comes later (found); X never: one finding, at its first record, counting the rest.
  CHECK(c.Findings() == "table.foreign-key@6:3:parent ");
  CHECK(c.Messages() ==
        "parent \"X\" is not the id of any record in the file; 1 more record refers to it "
        "(foreign key parent -> id)\n");
  // Without "resource" (Table Schema v2) the reference is to this resource too.
  CHECK(Check(R"({"fields":[{"name":"id"},{"name":"parent"}],
      "foreignKeys":[{"fields":["parent"],"reference":{"fields":["id"]}}]})",
              "id,parent\nA,B\n")
            .Findings() == "table.foreign-key@2:3:parent ");
  CHECK(LoadError(R"({"fields":[{"name":"a"},{"name":"b"}],
      "foreignKeys":[{"fields":["a","b"],"reference":{"resource":"","fields":["a","b"]}}]})")
            .find("rbgate checks foreign keys of one field") != std::string::npos);
  CHECK(LoadError(R"({"fields":[{"name":"a"}],
      "foreignKeys":[{"fields":"a","reference":{"resource":"other","fields":"k"}}]})")
            .find("is not in a Data Package") != std::string::npos);
  CHECK(LoadError(R"({"fields":[{"name":"a"}],
      "foreignKeys":[{"fields":"b","reference":{"resource":"","fields":"a"}}]})")
            .find("names \"b\", which is not a field") != std::string::npos);
}

TEST_CASE("Foreign keys waiting for their record: at the bound and past it") {
  const std::string schema = R"({"fields":[{"name":"id"},{"name":"parent"}],
      "foreignKeys":[{"fields":"parent","reference":{"resource":"","fields":"id"}}]})";
  const auto rows = [](std::size_t n) {
    std::string data = "id,parent\n";
    for (std::size_t i = 0; i < n; ++i) data += fmt::format("r{},p{}\n", i, i);
    return data;
  };
  const std::size_t bound = 100000;
  const auto at = Check(schema, rows(bound));
  CHECK(at.diagnostics.Count("table.foreign-key") == bound);
  CHECK(at.diagnostics.Count("table.reference.unchecked") == 0);
  const auto past = Check(schema, rows(bound + 1));
  CHECK(past.diagnostics.Count("table.foreign-key") == bound);
  CHECK(past.diagnostics.Count("table.reference.unchecked") == 1);
}

TEST_CASE("XML Schema regular expression syntax RE2 reads otherwise is refused, not misapplied") {
  const auto with = [](const std::string& pattern) {
    return LoadError(R"({"fields":[{"name":"a","constraints":{"pattern":")" + pattern + R"("}}]})");
  };
  CHECK(with("[a-z-[aeiou]]+").find("class subtraction") != std::string::npos);
  CHECK(with("\\\\i\\\\c*").find("name-character escape") != std::string::npos);
  CHECK(with("\\\\p{IsBasicLatin}+").find("Unicode block escape") != std::string::npos);
  CHECK(with("[a-z\\\\-\\\\[]+") == "loaded");  // an escaped '-' and '[' are characters
  CHECK(with("[A-Z]{2}-[0-9]+") == "loaded");   // '-[' outside a class is text
}

}  // namespace
}  // namespace rbgate::schemas::table
