#include <doctest/doctest.h>
#include <simdjson.h>

#include <string>

#include "schemas/json/json_schema.h"
#include "schemas/json/json_validator.h"

namespace rbgate::schemas::json {
namespace {

std::string LoadError(const std::string& json) {
  try {
    CompileJsonSchema(json, "alerts.json");
  } catch (const table::SchemaError& e) {
    return e.path() + ": " + e.problem();
  }
  return "loaded";
}

struct Checked {
  std::shared_ptr<const JsonSchema> schema;
  parsers::DiagnosticCollector diagnostics{1000};
  std::uint64_t records = 0;
  std::string Findings() const {
    std::string out;
    for (const auto& d : diagnostics.diagnostics()) {
      out += std::string(d.rule->id) + "@" + std::to_string(d.line) + ":" +
             std::to_string(d.column) + ":" + d.pointer + " ";
    }
    return out;
  }
};

// JSON lines, whole and in windows of every size from 1 byte up (grown as the validator
// needs), which must change nothing.
Checked Lines(const std::string& schema, const std::string& data) {
  Checked c;
  c.schema = CompileJsonSchema(schema, "alerts.json");
  {
    JsonValidator v(*c.schema, c.diagnostics);
    std::size_t used = v.FeedLines({data.data(), data.size()}, 0, true);
    CHECK(used == data.size());
    v.Finish();
    c.records = v.records();
  }
  for (std::size_t window : {1, 7, 64}) {
    parsers::DiagnosticCollector d(1000);
    JsonValidator v(*c.schema, d);
    std::size_t pos = 0, size = window;
    while (true) {
      const std::size_t len = std::min(size, data.size() - pos);
      const bool last = pos + len == data.size();
      const std::size_t used = v.FeedLines({data.data() + pos, len}, pos, last);
      if (last) break;
      if (used == 0) size *= 2;
      pos += used;
    }
    v.Finish();
    CHECK(d.diagnostics().size() == c.diagnostics.diagnostics().size());
  }
  return c;
}

Checked Array(const std::string& schema, std::string data) {
  Checked c;
  c.schema = CompileJsonSchema(schema, "alerts.json");
  JsonValidator v(*c.schema, c.diagnostics);
  const std::size_t n = data.size();
  data.resize(n + simdjson::SIMDJSON_PADDING);
  v.ValidateArray({data.data(), n});
  v.Finish();
  c.records = v.records();
  return c;
}

TEST_CASE("A malformed JSON Schema names the file's JSON path and the fault") {
  CHECK(LoadError("{").find("$: is not JSON") == 0);
  CHECK(LoadError(R"({"type":"strin"})") == "$.type: \"strin\" is not a JSON Schema type");
  CHECK(LoadError(R"({"type":"object","properties":{"a":{"minLenght":1}}})") ==
        "$.properties.a.minLenght: is not a JSON Schema keyword (a misspelling would silently "
        "weaken a check)");
  CHECK(LoadError(R"({"type":"object","anyOf":[]})").find("outside rbgate's subset") !=
        std::string::npos);
  CHECK(LoadError(R"({"$ref":"#/$defs/missing"})") ==
        "$.$ref: \"#/$defs/missing\" points at nothing in this file");
  CHECK(LoadError(R"({"$ref":"other.json#/a"})").find("is not within this file") !=
        std::string::npos);
  CHECK(LoadError(R"({"$ref":"#/$defs/a","type":"string","$defs":{"a":{}}})") ==
        "$.$ref: rbgate applies a $ref alone; move the keywords beside it into the schema it "
        "names");
  CHECK(LoadError(
            R"({"$ref":"#/$defs/a","$defs":{"a":{"$ref":"#/$defs/b"},"b":{"$ref":"#/$defs/a"}}})")
            .find("back to itself") != std::string::npos);
  CHECK(LoadError(R"J({"type":"string","pattern":"(?=x)"})J").find("RE2") != std::string::npos);
  CHECK(LoadError(R"({"type":"string","format":"email"})").find("not a format rbgate checks") !=
        std::string::npos);
  CHECK(LoadError(R"({"enum":[{"a":1}]})").find("strings, numbers, booleans and null") !=
        std::string::npos);
  CHECK(LoadError(R"({"properties":{"n":{"rbgate":{"domain":"ninox"}}}})")
            .find("is not a domain type") != std::string::npos);
  // Recursion through $ref is a schema, not an error.
  CHECK(LoadError(R"({"type":"object","properties":{"child":{"$ref":"#"}}})") == "loaded");
}

TEST_CASE("Every fault is reported with its pointer, line and column") {
  const std::string schema = R"({"type":"object","required":["id"],"additionalProperties":false,
      "properties":{"id":{"type":"integer"},"tags":{"type":"array","items":{"type":"string"}},
                    "child":{"$ref":"#"}}})";
  const auto c = Lines(schema,
                       "{\"id\":1}\n"
                       "{\"id\":\"x\",\"tags\":[\"a\",2],\"x\":0}\n"
                       "\n"
                       "{\"id\":2,\"child\":{\"child\":{}}}\n");
  CHECK(c.records == 3);
  CHECK(c.Findings() ==
        "json.type@2:7:/id json.type@2:23:/tags/1 json.additional@2:30:/x "
        "json.required@4:26:/child/child/id json.required@4:17:/child/id ");
}

TEST_CASE("Malformed lines are findings and the next line is read") {
  const auto c = Lines(R"({"type":"object"})", "{\"a\":\n[1,2]\n{} {}\n{\"ok\":true}\n");
  CHECK(c.records == 4);
  CHECK(c.diagnostics.Count("json.malformed") == 2);
  CHECK(c.diagnostics.Count("json.type") == 1);  // the array
}

TEST_CASE("Nesting at the depth limit and past it") {
  const auto nest = [](int depth) {
    return std::string(static_cast<std::size_t>(depth), '[') +
           std::string(static_cast<std::size_t>(depth), ']') + "\n";
  };
  CHECK(Lines("true", nest(63)).diagnostics.errors() == 0);
  CHECK(Lines("true", nest(65)).diagnostics.Count("json.limit.depth") == 1);
  CHECK(Lines("true", nest(100000)).diagnostics.Count("json.limit.depth") == 1);
  // A schema that recurses through $ref follows the value no deeper than the limit.
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += "{\"child\":";
  deep += "{}" + std::string(100000, '}') + "\n";
  const std::string recursive = R"({"type":"object","properties":{"child":{"$ref":"#"}}})";
  CHECK(Lines(recursive, deep).diagnostics.Count("json.limit.depth") == 1);
  CHECK(Array(recursive, "[" + deep + "]").diagnostics.Count("json.limit.depth") == 1);
}

TEST_CASE("The JSON line limit: at it and past it, and the lines after are still read") {
  const std::string at = "\"" + std::string(kMaxLine - 2, 'a') + "\"";
  const std::string past = "\"" + std::string(kMaxLine - 1, 'b') + "\"";
  auto c = Lines(R"({"type":"string","maxLength":3})", at + "\n" + past + "\n\"ok\"\n");
  CHECK(c.records == 3);
  CHECK(c.diagnostics.Count("json.max-length") == 1);
  CHECK(c.diagnostics.Count("json.limit.line") == 1);
  CHECK(c.Findings().find("json.limit.line@2:1") != std::string::npos);
}

TEST_CASE("A JSON array: each element a record, pointers from the array") {
  const auto c =
      Array(R"({"type":"object","required":["a"]})", "[\n {\"a\":1},\n {\"b\":2},\n 3\n]\n");
  CHECK(c.records == 3);
  CHECK(c.Findings() == "json.required@3:2:/1/a json.type@4:2:/2 ");
  CHECK(Array("true", "[1, 2").diagnostics.Count("json.malformed") == 1);
  CHECK(Array("true", "[1] x").diagnostics.Count("json.malformed") == 1);
  CHECK(Array("true", "{}").diagnostics.Count("json.malformed") == 1);
}

TEST_CASE("An empty file") { CHECK(Lines("true", "").diagnostics.Count("json.empty") == 1); }

TEST_CASE("Personal values are masked in every excerpt of their record") {
  const auto c = Lines(R"({"type":"object","properties":{"nino":{"rbgate":{"domain":"nino"}},
                                                       "n":{"type":"integer"}}})",
                       "{\"nino\":\"AB123456C\",\"n\":\"x\"}\n");
  REQUIRE(c.diagnostics.diagnostics().size() == 1);
  const auto& d = c.diagnostics.diagnostics()[0];
  REQUIRE(d.personal.size() == 1);
  CHECK(d.excerpt.substr(d.personal[0].begin, d.personal[0].end - d.personal[0].begin) ==
        "\"AB123456C\"");
}

TEST_CASE("What kind of schema a file holds") {
  CHECK(LooksLikeJsonSchema(R"({"$schema":"https://json-schema.org/draft/2020-12/schema"})"));
  CHECK(LooksLikeJsonSchema(R"({"type":"object"})"));
  CHECK_FALSE(LooksLikeJsonSchema(R"({"fields":[]})"));
  CHECK_FALSE(LooksLikeJsonSchema(R"({"schema":{"fields":[]},"type":"table"})"));
  CHECK(StartsAsArray("\xEF\xBB\xBF \n ["));
  CHECK_FALSE(StartsAsArray("{\"a\":1}"));
}

}  // namespace
}  // namespace rbgate::schemas::json
