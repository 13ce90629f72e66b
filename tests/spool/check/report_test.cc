#include "spool/check/report.h"

#include <doctest/doctest.h>
#include <simdjson.h>

#include "parsers/bacs18/rules.h"
#include "tests/support/temp_dir.h"

namespace rbgate::check {
namespace {

namespace rules = parsers::bacs18::rules;

std::unique_ptr<check::FileReport> Report() {
  auto r = std::make_unique<check::FileReport>(20);
  r->path = "pay.s18";
  r->feed = "bacs18";
  r->records = 9;
  r->bytes = 900;
  r->separator = "CRLF";
  parsers::Diagnostic d;
  d.rule = &rules::kDestAccount;
  d.offset = 88;
  d.line = 2;
  d.column = 7;
  d.record = 2;
  d.field = "dest_account";
  d.bytes = "663O4958";
  d.bytes_personal = true;
  d.message = "destination account number must be 8 digits; found '663O4958'";
  d.excerpt =
      "089999663O495801711876564371389    00000012000BOROUGH COUNCIL   CT0000000001      "
      "A SMITH           ";
  d.excerpt_pos = 6;
  d.width = 8;
  d.personal = {{6, 14}, {82, 100}};
  r->diagnostics.Report(std::move(d));
  return r;
}

TEST_CASE("text is compiler-style with the record, a caret and a hint, personal data masked") {
  auto r = Report();
  std::string text = check::RenderText(*r, {});
  CHECK(text.find("pay.s18:2:7: error[bacs18.data.dest-account]: destination account number "
                  "must be 8 digits; found '663O4958'\n") == 0);
  // The message is the parser's; the excerpt shows the account masked.
  CHECK(text.find(" 2 | 089999********01711876564371389") != std::string::npos);
  CHECK(text.find("   |       ^~~~~~~~\n") != std::string::npos);
  CHECK(text.find("  = hint: ") != std::string::npos);
  CHECK(text.find("A SMITH") == std::string::npos);
  CHECK(text.find("INVALID, 1 error, 0 warnings") != std::string::npos);

  std::string shown = check::RenderText(*r, {.show_personal = true});
  CHECK(shown.find("A SMITH") != std::string::npos);
}

TEST_CASE("JSON has the documented shape, masks personal bytes, and escapes anything") {
  std::vector<std::unique_ptr<check::FileReport>> reports;
  reports.push_back(Report());
  reports[0]->path = "we\"ird\x01\xff.s18";
  std::string json = check::RenderJson(reports, {});
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE_FALSE(parser.parse(json).get(doc));
  simdjson::dom::element file = doc["files"].at(0);
  CHECK(std::string_view(file["path"]) == "we\"ird\x01\xc3\xbf.s18");
  CHECK(bool(file["valid"]) == false);
  CHECK(std::int64_t(file["records"]) == 9);
  simdjson::dom::element d = file["diagnostics"].at(0);
  CHECK(std::string_view(d["rule"]) == "bacs18.data.dest-account");
  CHECK(std::string_view(d["severity"]) == "error");
  CHECK(std::int64_t(d["line"]) == 2);
  CHECK(std::int64_t(d["column"]) == 7);
  CHECK(std::int64_t(d["offset"]) == 88);
  CHECK(std::int64_t(d["record"]) == 2);
  CHECK(std::string_view(d["field"]) == "dest_account");
  CHECK(std::string_view(d["bytes"]) == "********");
  CHECK_FALSE(std::string_view(d["hint"]).empty());
  CHECK(file["suppressed"].get_object().size() == 0);
}

TEST_CASE("suppressed findings are counted in both renderings") {
  auto r = std::make_unique<check::FileReport>(1);
  r->path = "x";
  r->feed = "bacs18";
  for (int i = 0; i < 5; ++i) {
    parsers::Diagnostic d;
    d.rule = &rules::kCharset;
    r->diagnostics.Report(std::move(d));
  }
  CHECK(check::RenderText(*r, {}).find("4 more [bacs18.data.charset] findings not shown") !=
        std::string::npos);
  std::vector<std::unique_ptr<check::FileReport>> v;
  v.push_back(std::move(r));
  CHECK(check::RenderJson(v, {}).find("\"suppressed\":{\"bacs18.data.charset\":4}") !=
        std::string::npos);
}

}  // namespace
}  // namespace rbgate::check

namespace rbgate::check {
namespace {

// A table feed's file checked through the real validator, rendered as an officer reads it.
std::unique_ptr<check::FileReport> CheckText(const std::string& schema, const std::string& data) {
  testing::TempDir dir;
  testing::WriteFile(dir / "data.csv", data);
  check::CheckSettings settings;
  settings.schema = schemas::CompileFeedSchema(schema, dir / "schema.json");
  return check::CheckFile(dir / "data.csv", settings);
}

TEST_CASE("Findings are in UTF-8 and count characters, whatever the file's encoding") {
  // Windows-1252: "Zoë" and "£300.00" as the sender's export wrote them.
  auto w = CheckText(R"({"name":"w","encoding":"windows-1252","schema":{"fields":[{"name":"who"},)"
                     R"({"name":"amount","type":"number"}]}})",
                     "who,amount\r\nZo\xEB,\xA3"
                     "300.00\r\n");
  const std::string text = check::RenderText(*w, {});
  CHECK(text.find("data.csv:2:5: error[table.type]: \"\xC2\xA3"
                  "300.00\" in amount is not a number") != std::string::npos);
  CHECK(text.find(" 2 | Zo\xC3\xAB,\xC2\xA3"
                  "300.00\n   |     ^~~~~~~\n") != std::string::npos);
  // UTF-8: the column and the caret count "ë" once; JSON keeps the byte column too.
  auto u = CheckText(R"({"name":"u","schema":{"fields":[{"name":"who"},)"
                     R"({"name":"amount","type":"number"}]}})",
                     "who,amount\r\nZo\xC3\xAB,x300\r\n");
  const std::string utf8 = check::RenderText(*u, {});
  CHECK(utf8.find("data.csv:2:5: error[table.type]") != std::string::npos);
  CHECK(utf8.find(" 2 | Zo\xC3\xAB,x300\n   |     ^~~~\n") != std::string::npos);
  std::vector<std::unique_ptr<check::FileReport>> one;
  one.push_back(std::move(u));
  CHECK(check::RenderJson(one, {}).find("\"line\":2,\"column\":6,\"character\":5,") !=
        std::string::npos);
  // A byte that is not UTF-8 is never passed on raw.
  auto bad = CheckText(R"({"name":"u","schema":{"fields":[{"name":"who","type":"integer"}]}})",
                       "who\r\nZ\xFF\r\n");
  CHECK(check::RenderText(*bad, {}).find("\"Z\xEF\xBF\xBD\" in who is not") != std::string::npos);
  // A whole number past 64 bits is called what it is, not "not a whole number".
  auto big = CheckText(R"({"name":"n","schema":{"fields":[{"name":"n","type":"integer"}]}})",
                       "n\r\n99999999999999999999\r\n-12a\r\n");
  const std::string says = check::RenderText(*big, {});
  CHECK(says.find("\"99999999999999999999\" in n is a whole number too large to hold") !=
        std::string::npos);
  CHECK(says.find("\"-12a\" in n is not a whole number") != std::string::npos);
}

}  // namespace
}  // namespace rbgate::check
