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
  CHECK(LoadError(R"({"type":"object","anyOf":[]})") ==
        "$.anyOf: must be a list of one or more schemas");
  CHECK(LoadError(R"({"unevaluatedProperties":false})").find("refused rather than skipped") !=
        std::string::npos);
  CHECK(LoadError(R"({"$ref":"#/$defs/missing"})") ==
        "$.$ref: \"#/$defs/missing\" points at nothing in this file");
  CHECK(LoadError(R"({"$ref":"other.json#/a"})").find("is not within this file") !=
        std::string::npos);
  // A $ref beside other keywords applies with them (2019-09 on); draft-07 would ignore them.
  CHECK(LoadError(R"({"$ref":"#/$defs/a","type":"string","$defs":{"a":{}}})") == "loaded");
  CHECK(LoadError(R"({"$schema":"http://json-schema.org/draft-07/schema#","$ref":"#/$defs/a",
                      "type":"string","$defs":{"a":{}}})")
            .find("in draft-07 the keywords beside a $ref are ignored") != std::string::npos);
  // Loops that never read into a property or item: through $refs alone, and through allOf.
  CHECK(LoadError(
            R"({"$ref":"#/$defs/a","$defs":{"a":{"$ref":"#/$defs/b"},"b":{"$ref":"#/$defs/a"}}})")
            .find("would never end") != std::string::npos);
  CHECK(LoadError(R"({"type":"object","allOf":[{"not":{"$ref":"#"}}]})").find("would never end") !=
        std::string::npos);
  // The dialect is honoured or refused, never ignored.
  CHECK(LoadError(R"({"$schema":"http://json-schema.org/draft-04/schema#"})")
            .find("is not a JSON Schema dialect rbgate reads") != std::string::npos);
  CHECK(LoadError(R"({"items":[{"type":"string"}]})").find("is prefixItems") != std::string::npos);
  CHECK(LoadError(R"({"$schema":"http://json-schema.org/draft-07/schema","prefixItems":[true]})")
            .find("is a 2020-12 keyword") != std::string::npos);
  CHECK(LoadError(R"({"$schema":"http://json-schema.org/draft-07/schema","minContains":1})")
            .find("is not a draft-07 keyword") != std::string::npos);
  CHECK(LoadError(R"({"dependencies":{"a":["b"]}})").find("dependentRequired") !=
        std::string::npos);
  CHECK(LoadError(R"({"$schema":"http://json-schema.org/draft-07/schema#","items":{},
                      "additionalItems":false})")
            .find("applies only when items is a list") != std::string::npos);
  CHECK(LoadError(R"({"then":{}})") == "$.then: does nothing without an if beside it");
  CHECK(LoadError(R"({"maxContains":2})") ==
        "$.maxContains: does nothing without contains beside it");
  CHECK(LoadError(R"({"multipleOf":0})") == "$.multipleOf: must be a number above 0");
  CHECK(LoadError(R"({"minimum":true})").find("draft-04") != std::string::npos);
  CHECK(LoadError(R"J({"type":"string","pattern":"(?=x)"})J").find("RE2") != std::string::npos);
  CHECK(LoadError(R"({"type":"string","format":"hostname"})").find("not a format rbgate checks") !=
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

TEST_CASE("Applicators read a value again, at its own line and column") {
  const std::string schema = R"({"type":"object","properties":{
      "a":{"anyOf":[{"type":"string","maxLength":3},{"type":"integer"}]},
      "b":{"oneOf":[{"type":"integer"},{"minimum":5}]},
      "c":{"not":{"const":"x"}},
      "d":{"if":{"properties":{"k":{"const":"pay"}}},"then":{"required":["amt"]},
           "else":{"required":["why"]}},
      "h":{"$ref":"#/$defs/s","maxLength":2},
      "n":{"allOf":[{"minimum":1},{"maximum":9}]}},
    "$defs":{"s":{"type":"string"}}})";
  const auto c =
      Lines(schema,
            "{\"a\":\"abc\",\"b\":3,\"d\":{\"k\":\"pay\",\"amt\":1},\"h\":\"ab\",\"n\":5}\n"
            "{\"a\":\"abcd\",\"b\":7,\"c\":\"x\",\"d\":{\"k\":\"pay\"},\"h\":\"abc\"}\n"
            "{\"a\":true,\"b\":1.5,\"d\":{},\"h\":1,\"n\":10}\n");
  CHECK(c.Findings() ==
        "json.any-of@2:6:/a json.one-of@2:17:/b json.not@2:23:/c json.required@2:31:/d/amt "
        "json.max-length@2:47:/h "
        // {} meets "if" (k is absent, so its properties hold): "then" applies.
        "json.any-of@3:6:/a json.one-of@3:15:/b json.required@3:23:/d/amt json.type@3:30:/h "
        "json.maximum@3:36:/n ");
  // The nearest schema's first fault is in the message.
  const auto& any = c.diagnostics.diagnostics().front();
  CHECK(any.message.find("the nearest is #/properties/a/anyOf/0 (1 fault): \"abcd\" at /a is 4 "
                         "characters") != std::string::npos);
  // In an array file the same, with the array's pointers.
  const auto a = Array(schema, "[{\"a\":[],\"c\":\"x\"},\n {\"n\":0}]");
  CHECK(a.Findings() == "json.any-of@1:7:/0/a json.not@1:14:/0/c json.minimum@2:7:/1/n ");
}

TEST_CASE("Objects: patternProperties, propertyNames, counts and dependencies") {
  const std::string schema = R"({"type":"object","additionalProperties":false,
      "patternProperties":{"^x-":{"type":"string"},"-id$":{"maxLength":2}},
      "propertyNames":{"maxLength":6},"minProperties":1,"maxProperties":3,
      "dependentRequired":{"p-id":["q-id"]},
      "dependentSchemas":{"x-a":{"required":["x-b"]}}})";
  const auto c = Lines(schema,
                       "{\"x-a\":\"1\",\"x-b\":\"2\"}\n"
                       "{\"x-id\":\"abc\",\"other\":1}\n"
                       "{}\n"
                       "{\"p-id\":\"1\",\"x-c\":\"2\",\"toolong\":1,\"x-a\":\"\"}\n");
  CHECK(c.Findings() ==
        "json.max-length@2:9:/x-id json.additional@2:23:/other "
        "json.min-properties@3:1: "
        "json.property-names@4:23: json.additional@4:33:/toolong json.max-properties@4:1: "
        "json.dependent-required@4:1:/q-id json.required@4:1:/x-b ");
}

TEST_CASE("Arrays: prefixItems, contains and uniqueItems") {
  const std::string schema = R"({"type":"array","prefixItems":[{"type":"string"}],
      "items":{"type":["integer","object"]},"contains":{"const":7},"maxContains":1,
      "uniqueItems":true})";
  const auto c = Lines(schema,
                       "[\"s\",7,{\"a\":1,\"b\":2}]\n"
                       "[\"s\",1,1.0]\n"
                       "[1,7,7,{\"b\":2,\"a\":1},{\"a\":1,\"b\":2}]\n");
  CHECK(c.Findings() ==
        "json.unique-items@2:1:/2 json.contains@2:1: "
        "json.type@3:2:/0 json.unique-items@3:1:/2 json.unique-items@3:1:/4 json.contains@3:1: ");
  CHECK(c.diagnostics.diagnostics()[0].message ==
        "/2 is the same as item 1 of the array; the schema wants each item once");
}

TEST_CASE("multipleOf is decimal, and formats time, email and uuid") {
  const std::string schema = R"({"type":"object","properties":{
      "p":{"multipleOf":0.01},"n":{"multipleOf":5},"e":{"multipleOf":1e-2},
      "t":{"format":"time"},"m":{"format":"email"},"u":{"format":"uuid"}}})";
  const auto c =
      Lines(schema,
            "{\"p\":19.99,\"n\":-15,\"e\":0.07,\"t\":\"23:59:60Z\",\"m\":\"a.b@c.gov.uk\","
            "\"u\":\"123E4567-E89B-12D3-A456-426614174000\"}\n"
            "{\"p\":19.999,\"n\":7,\"e\":1e-3,\"t\":\"10:20:30\",\"m\":\"a@b\",\"u\":\"x\"}\n"
            "{\"t\":\"10:20:60Z\"}\n{\"t\":\"00:59:60+01:00\"}\n{\"t\":\"10:20:30.5-05:30\"}\n");
  CHECK(c.Findings() ==
        "json.multiple-of@2:6:/p json.multiple-of@2:17:/n json.multiple-of@2:23:/e "
        "json.format@2:32:/t json.format@2:47:/m json.format@2:57:/u json.format@3:6:/t ");
}

TEST_CASE("A record that would take exponential work under anyOf is refused, quickly") {
  // Each level tries the first schema to the bottom, fails on minItems, then the second: 2^depth.
  const std::string schema = R"({"$ref":"#/$defs/n","$defs":{"n":{"anyOf":[
      {"type":"array","items":{"$ref":"#/$defs/n"},"minItems":99},
      {"type":"array","items":{"$ref":"#/$defs/n"}}]}}})";
  const auto nested = [](int depth) { return std::string(depth, '[') + std::string(depth, ']'); };
  const auto shallow = Lines(schema, nested(8) + "\n");
  CHECK(shallow.diagnostics.errors() == 0);
  const auto deep = Lines(schema, nested(25) + "\n" + nested(3) + "\n");
  CHECK(deep.diagnostics.Count("json.limit.work") == 1);
  CHECK(deep.diagnostics.errors() == 1);  // nothing else said of it; the next line is fine
  // Applicators nested past their own bound within one value.
  const auto deeper = Lines(schema, nested(40) + "\n");
  CHECK(deeper.diagnostics.Count("json.limit.depth") +
            deeper.diagnostics.Count("json.limit.work") ==
        1);
}

TEST_CASE("An enum or const of scalars refuses an object or array") {
  const auto c = Lines(R"({"properties":{"k":{"enum":["a","b"]},"v":{"const":1}}})",
                       "{\"k\":{\"a\":1},\"v\":[1]}\n{\"k\":\"a\",\"v\":1}\n");
  CHECK(c.Findings() == "json.enum@1:6:/k json.const@1:18:/v ");
  CHECK(c.diagnostics.diagnostics()[0].message == "an object at /k is not one of: \"a\", \"b\"");
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
