#include "gateway/cli/transform.h"

#include <doctest/doctest.h>
#include <simdjson.h>

#include <sstream>

#include "gateway/gen/reports.h"
#include "schemas/feed_schema.h"
#include "schemas/values.h"
#include "tests/support/temp_dir.h"

namespace rbgate::gateway {
namespace {

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    out.push_back(line);
  }
  return out;
}

// Options for a generated report of `records` items dated 2026-11-25.
ReportGenOptions Sample(std::uint64_t records) {
  ReportGenOptions o;
  o.records = records;
  o.processing_date = *schemas::ParseIsoDate("2026-11-25");
  return o;
}

TEST_CASE("ARUDD rows: a header, one row per item, pence, six-digit sort codes") {
  testing::TempDir dir;
  const ReportGenOptions o = Sample(7);
  std::ostringstream xml;
  GenerateArudd(o, xml);
  testing::WriteFile(dir / "a.xml", xml.str());

  std::ostringstream csv;
  std::string error;
  REQUIRE(TransformFile(dir / "a.xml", "arudd", RowFormat::kCsv, csv, error) == 7);
  auto lines = Lines(csv.str());
  REQUIRE(lines.size() == 8);
  CHECK(lines[0].starts_with("report_type,advice_number,processing_date,service_user_number,"));
  CHECK(lines[1].starts_with("REFT1019,"));
  CHECK(lines[1].find(",2026-11-25,123456,") != std::string::npos);

  std::ostringstream jsonl;
  REQUIRE(TransformFile(dir / "a.xml", "arudd", RowFormat::kJsonLines, jsonl, error) == 7);
  auto rows = Lines(jsonl.str());
  REQUIRE(rows.size() == 7);
  std::uint64_t total = 0;
  for (const auto& row : rows) {
    simdjson::dom::parser parser;
    simdjson::dom::element e;
    REQUIRE_FALSE(parser.parse(row).get(e));
    CHECK(std::string_view(e["payer_sort_code"]).size() == 6);
    CHECK(std::string_view(e["orig_sort_code"]).size() == 6);
    CHECK(std::string_view(e["currency"]) == "GBP");
    total += std::uint64_t(e["amount_pence"]);
  }
  CHECK(total > 0);
  // The rows' amounts add up to the report's total.
  auto at = xml.str().find("<Totals numberOf=\"7\" valueOf=\"");
  REQUIRE(at != std::string::npos);
  const std::string doc = xml.str();
  const auto begin = doc.find("valueOf=\"", at) + 9;
  const std::string value = doc.substr(begin, doc.find('"', begin) - begin);
  std::uint64_t pence = 0;
  REQUIRE(schemas::PoundsToPence(value, pence));
  CHECK(total == pence);
}

TEST_CASE("messaging rows, CSV quoting, and feeds without a transform") {
  testing::TempDir dir;
  const ReportGenOptions o = Sample(5);
  std::ostringstream xml;
  GenerateMessaging(o, "ADDACS", xml);
  std::string doc = xml.str();
  // A payer name with a comma and a quote must survive CSV.
  doc.replace(doc.find("payer-name=\"A PAYER\""), 20, "payer-name=\"SMITH, J &quot;JO&quot;\"");
  testing::WriteFile(dir / "m.xml", doc);
  std::ostringstream csv;
  std::string error;
  REQUIRE(TransformFile(dir / "m.xml", "addacs", RowFormat::kCsv, csv, error) == 5);
  auto lines = Lines(csv.str());
  CHECK(
      lines[0].starts_with("advice_type,report_type,service_user_number,report_date,record_type"));
  CHECK(csv.str().find("\"SMITH, J \"\"JO\"\"\"") != std::string::npos);
  CHECK(lines[1].starts_with("ADDACS,7001,123456,2026-11-25,A,"));

  std::ostringstream none;
  CHECK(TransformFile(dir / "m.xml", "bacs18", RowFormat::kCsv, none, error) == -1);
  CHECK(error.find("no transform") != std::string::npos);
  CHECK(TransformFile(dir / "missing.xml", "arudd", RowFormat::kCsv, none, error) == -1);
}

TEST_CASE("DDIC rows come from element text, trimmed, in pence") {
  testing::TempDir dir;
  const ReportGenOptions o = Sample(4);
  std::ostringstream xml;
  GenerateDdic(o, xml);
  testing::WriteFile(dir / "d.xml", xml.str());
  std::ostringstream csv;
  std::string error;
  REQUIRE(TransformFile(dir / "d.xml", "ddic", RowFormat::kCsv, csv, error) == 4);
  auto lines = Lines(csv.str());
  CHECK(lines[0] ==
        "service_user_number,date_of_debit,reason_code,reason_meaning,reference,"
        "paying_bank_reference,amount_pence");
  CHECK(lines[1].starts_with("123456,2026-11-25,1,NO INSTRUCTION,CT0000000001,PB"));
  CHECK(lines[1].find(' ', lines[1].rfind(',')) == std::string::npos);  // amount trimmed
}

TEST_CASE("the transform validates in the same pass: an invalid report's findings come back") {
  testing::TempDir dir;
  ReportGenOptions o = Sample(6);
  o.faults = {"totals-value"};
  std::ostringstream xml;
  GenerateArudd(o, xml);
  testing::WriteFile(dir / "bad.xml", xml.str());
  std::ostringstream csv;
  std::string error;
  std::unique_ptr<check::FileReport> report;
  CHECK(TransformFile(dir / "bad.xml", "arudd", RowFormat::kCsv, csv, error, &report) == 6);
  REQUIRE(report);
  CHECK_FALSE(report->valid());
  CHECK(report->diagnostics.Count("arudd.totals.value") == 1);
}

TEST_CASE("input report rows: one per user file, with its totals and error items") {
  testing::TempDir dir;
  ReportGenOptions o = Sample(9);
  o.faults = {"rejected-item"};
  std::ostringstream xml;
  GenerateInputReport(o, SentSubmission{}, xml);
  testing::WriteFile(dir / "i.xml", xml.str());
  std::ostringstream jsonl;
  std::string error;
  std::unique_ptr<check::FileReport> report;
  REQUIRE(TransformFile(dir / "i.xml", "input", RowFormat::kJsonLines, jsonl, error, &report) == 1);
  CHECK(report->valid());  // a rejected item is a warning
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  REQUIRE_FALSE(parser.parse(Lines(jsonl.str())[0]).get(e));
  CHECK(std::string_view(e["service_user_number"]) == "123456");
  CHECK(std::string_view(e["volume_serial"]) == "000001");
  CHECK(std::string_view(e["processing_day"]) == "2026-11-27");
  CHECK(std::uint64_t(e["debit_count"]) == 9);
  CHECK(std::uint64_t(e["credit_count"]) == 1);
  CHECK(std::uint64_t(e["credit_pence"]) == std::uint64_t(e["debit_pence"]));
  CHECK(std::uint64_t(e["error_items"]) == 1);
  CHECK(std::uint64_t(e["error_pence"]) > 0);
}

TEST_CASE("JSON lines carry names as UTF-8, whatever the report's encoding") {
  testing::TempDir dir;
  ReportGenOptions o = Sample(2);
  o.faults = {"latin1"};
  std::ostringstream xml;
  GenerateArudd(o, xml);
  std::string doc = xml.str();
  const auto at = doc.find("name=\"", doc.find("<PayerAccount"));
  doc.replace(at, 7, "name=\"JOS\xc9&#9;");  // É in ISO-8859-1, and a tab (a control)
  testing::WriteFile(dir / "l.xml", doc);
  std::ostringstream jsonl;
  std::string error;
  std::unique_ptr<check::FileReport> report;
  REQUIRE(TransformFile(dir / "l.xml", "arudd", RowFormat::kJsonLines, jsonl, error, &report) == 2);
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  REQUIRE_FALSE(parser.parse(Lines(jsonl.str())[0]).get(e));
  CHECK(std::string_view(e["payer_name"]).starts_with("JOS\xc3\x89\t"));
  CHECK(jsonl.str().find("JOS\xc3\x89\\u0009") != std::string::npos);
}

// Table-schema feeds: typed rows from the checking pass, values normalised.
TEST_CASE("transform: a table-schema feed's data records, normalised, CSV and JSON lines") {
  testing::TempDir dir;
  testing::WriteFile(dir / "schema.json", R"({"name":"t","encoding":"windows-1252",
      "dialect":{"delimiter":";"},
      "schema":{"fields":[{"name":"name"},{"name":"paid","type":"number","rbgate":{"domain":"pence"}},
        {"name":"on","type":"date","format":"%d-%b-%Y"},{"name":"n","type":"integer"},
        {"name":"ok","type":"boolean"},{"name":"at","type":"datetime"}]}})");
  // "Caf\xE9 \x80" is Windows-1252 for "Café €".
  testing::WriteFile(dir / "data.csv",
                     "name;paid;on;n;ok;at\r\nCaf\xE9 \x80;12.50;01-APR-2026;7;true;"
                     "2026-04-01T23:30:00-01:00\r\nx;0.05;02-Apr-2026;;0;2026-04-02T00:00:00Z\r\n");
  check::CheckSettings settings;
  settings.schema = schemas::LoadFeedSchemaFile(dir / "schema.json");
  std::ostringstream csv, jsonl;
  std::string error;
  std::unique_ptr<check::FileReport> report;
  CHECK(TransformFile(dir / "data.csv", "t", RowFormat::kCsv, csv, error, &report, settings) == 2);
  REQUIRE(report);
  CHECK(report->valid());
  CHECK(Lines(csv.str()) ==
        std::vector<std::string>{"name,paid_pence,on,n,ok,at",
                                 "Café €,1250,2026-04-01,7,true,2026-04-02T00:30:00Z",
                                 "x,5,2026-04-02,,false,2026-04-02T00:00:00Z"});
  CHECK(TransformFile(dir / "data.csv", "t", RowFormat::kJsonLines, jsonl, error, nullptr,
                      settings) == 2);
  CHECK(
      Lines(jsonl.str())[1] ==
      R"({"name":"x","paid_pence":5,"on":"2026-04-02","n":null,"ok":false,"at":"2026-04-02T00:00:00Z"})");
}

TEST_CASE("transform: a JSON feed's records, their top-level properties as columns") {
  testing::TempDir dir;
  testing::WriteFile(dir / "schema.json", R"({"type":"object","rbgate":{"name":"j"},
      "properties":{"id":{"type":"string"},"n":{"type":"integer"},"ok":{"type":"boolean"},
                    "kind":{"enum":[1,2]},"nested":{"type":"object"},"tags":{"type":"array"}}})");
  testing::WriteFile(dir / "data.jsonl",
                     "{\"id\":\"a\\\"b\",\"n\":7,\"ok\":true,\"kind\":2,\"nested\":{\"id\":\"x\"},"
                     "\"tags\":[\"t\"]}\n{\"n\":8}\n");
  check::CheckSettings settings;
  settings.schema = schemas::LoadFeedSchemaFile(dir / "schema.json");
  std::ostringstream jsonl, csv;
  std::string error;
  CHECK(TransformFile(dir / "data.jsonl", "j", RowFormat::kJsonLines, jsonl, error, nullptr,
                      settings) == 2);
  CHECK(Lines(jsonl.str()) ==
        std::vector<std::string>{R"({"id":"a\"b","n":7,"ok":true,"kind":2,"nested":"","tags":""})",
                                 R"({"id":"","n":8,"ok":null,"kind":null,"nested":"","tags":""})"});
  CHECK(TransformFile(dir / "data.jsonl", "j", RowFormat::kCsv, csv, error, nullptr, settings) ==
        2);
  CHECK(Lines(csv.str())[1] == R"("a""b",7,true,2,,)");
}

}  // namespace
}  // namespace rbgate::gateway
