// Where hand-edited JSON stops being JSON: the mistakes people make, at the line and column
// they made them, and agreement with simdjson on what is JSON at all.
#include "parsers/json/syntax.h"

#include <doctest/doctest.h>
#include <simdjson.h>

#include <random>

namespace rbgate::parsers::json {
namespace {

std::string Says(std::string_view text) {
  const auto e = FindSyntaxError(text);
  return e ? Describe(*e) : "ok";
}

TEST_CASE("The mistakes of hand-edited JSON, each at its line and column") {
  CHECK(Says("{\n  \"a\": [1, 2,],\n}") ==
        "line 2, column 13: a comma after the last item: JSON allows none before ']'");
  CHECK(Says("{\n  \"a\": 1,\n}") ==
        "line 2, column 9: a comma after the last member: JSON allows none before '}'");
  CHECK(Says("{\n  \"fields\": [\n    {\"name\": \"a\"}\n") ==
        "line 2, column 13: the list opened here is never closed: a ']' is missing");
  CHECK(Says("{\"a\": 1") ==
        "line 1, column 1: the object opened here is never closed: a '}' "
        "is missing");
  CHECK(Says("{\n  // rents\n  \"a\": 1}") ==
        "line 2, column 3: a comment: JSON has none; remove it");
  CHECK(Says("{\"a\": /* x */ 1}") == "line 1, column 7: a comment: JSON has none; remove it");
  CHECK(Says("{\"name\": \xE2\x80\x9CZo\xC3\xAB\xE2\x80\x9D}")
            .find("line 1, column 10: '\xE2\x80\x9C' is a typographic quote") == 0);
  CHECK(Says("{'a': 1}") ==
        "line 1, column 2: a single quote: JSON strings and names need double quotes (\")");
  CHECK(Says("{a: 1}") ==
        "line 1, column 2: a name without quotes: names are written in double quotes (\"name\")");
  CHECK(Says("{\"a\": 1 \"b\": 2}") == "line 1, column 9: a missing comma before this");
  CHECK(Says("{\"a\": True}") ==
        "line 1, column 7: 'True' is not a JSON value: text needs double quotes; true, false and "
        "null are written in lower case");
  CHECK(Says("{\"a\": 1}}") == "line 1, column 9: an extra '}': everything was closed before it");
  CHECK(Says("{\"a\": [1}") ==
        "line 1, column 9: '}' closes the list opened at line 1, column 7, which needs ']'");
  CHECK(Says("{\"a\": \"x\ny\"}").find("line 1, column 9: a line break inside a string") == 0);
  CHECK(Says("{\"a\": \"C:\\temp\"}").find("'\\t'") == std::string::npos);  // \t is an escape
  CHECK(Says("{\"a\": \"C:\\data\"}") ==
        "line 1, column 10: '\\d' is not a JSON escape (a backslash itself is written \\\\)");
  CHECK(Says("{\"a\": 007}").find("cannot start with 0") != std::string::npos);
  CHECK(Says("{\"a\": \"\xFF\"}") ==
        "line 1, column 8: bytes that are not UTF-8: save the file as UTF-8");
  CHECK(Says("") == "line 1, column 1: the file has no JSON in it");
  // Columns count characters: "Zoë" is three.
  CHECK(Says("{\"Zo\xC3\xAB\": x}") ==
        "line 1, column 9: 'x' is not a JSON value: text needs "
        "double quotes; true, false and null are written in lower "
        "case");
  // A byte order mark is no mistake and no column.
  CHECK(Says("\xEF\xBB\xBF{\"a\": 1}") == "ok");
  CHECK(Says("\xEF\xBB\xBF{\"a\": 1,}") ==
        "line 1, column 8: a comma after the last member: JSON allows none before '}'");
  CHECK(WhyNotJson("[1]", "simdjson says") == "simdjson says");
}

TEST_CASE("Deep nesting costs one pass, never the stack") {
  std::string deep(1'000'000, '[');
  const auto e = FindSyntaxError(deep);
  REQUIRE(e);
  CHECK(e->line == 1);
  CHECK(e->column == 1'000'000);
  CHECK(Says(deep + std::string(1'000'000, ']')) == "ok");
}

TEST_CASE("What simdjson reads as JSON, the scanner does too, and the other way round") {
  const char* cases[] = {"{}",
                         "[]",
                         "0",
                         "-0.5e+10",
                         "\"\\u00e9\\n\"",
                         "[true,false,null]",
                         "{\"a\":{\"b\":[{}]}}",
                         " \r\n\t{\"a\" : 1 } ",
                         "1.",
                         "01",
                         "-",
                         "[1 2]",
                         "{\"a\"}",
                         "{\"a\":}",
                         "{,}",
                         "[,]",
                         "nul",
                         "\"abc",
                         "\"\\u12\"",
                         "{\"a\":1,,\"b\":2}",
                         "[1,]",
                         "{\"a\":[}]",
                         "\"\t\"",
                         "+1",
                         ".5",
                         "1e",
                         "[[[]]",
                         "{\"\\uD83D\\uDE00\":0}",
                         "\"\xC0\xAF\"",
                         "\"\xED\xA0\x80\""};
  simdjson::dom::parser parser;
  for (const char* c : cases) {
    const std::string text(c);
    simdjson::dom::element e;
    const bool simdjson_ok = parser.parse(text).get(e) == simdjson::SUCCESS;
    CHECK_MESSAGE(simdjson_ok == !FindSyntaxError(text).has_value(), text);
  }
  // Random edits of a real descriptor: the two agree on every one.
  const std::string base =
      R"({"name":"rents","dialect":{"delimiter":","},"schema":{"fields":[{"name":"pay_ref",)"
      R"("type":"string","constraints":{"required":true,"pattern":"[A-Z]{2}\\d+"}},)"
      R"({"name":"rent","type":"number","constraints":{"minimum":-1.5e2}}]}})";
  std::mt19937 rng(19);
  const std::string alphabet = "{}[]\",:\\ 0123456789-.eEtrufalsn\n\xC3\xA9";
  for (int i = 0; i < 20000; ++i) {
    std::string t = base;
    for (int k = 0, n = 1 + static_cast<int>(rng() % 3); k < n; ++k) {
      const std::size_t at = rng() % t.size();
      switch (rng() % 3) {
        case 0:
          t.erase(at, 1);
          break;
        case 1:
          t.insert(at, 1, alphabet[rng() % alphabet.size()]);
          break;
        default:
          t[at] = alphabet[rng() % alphabet.size()];
          break;
      }
    }
    simdjson::dom::element e;
    const bool simdjson_ok = parser.parse(t).get(e) == simdjson::SUCCESS;
    const bool scanner_ok = !FindSyntaxError(t).has_value();
    if (simdjson_ok != scanner_ok) FAIL_CHECK(t);
  }
}

TEST_CASE("A value's closing bracket, strings skipped") {
  const std::string_view text = R"({"a":["}",{"b":"\"]"}],"c":1} tail)";
  CHECK(ClosingBracket(text, 0) == text.find(" tail"));
  CHECK(ClosingBracket(text, 5) == text.find(",\"c\""));                // the array
  CHECK(ClosingBracket(R"({"a":[1,2})", 0) == std::string_view::npos);  // never closes
  CHECK(ClosingBracket(R"({"a":"})", 0) == std::string_view::npos);     // inside a string
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  CHECK(ClosingBracket(deep, 0) == deep.size());
}

}  // namespace
}  // namespace rbgate::parsers::json
