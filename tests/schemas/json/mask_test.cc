// A JSON feed's records as a viewer sees them in the console: the values its schema marks
// personal masked (and those of a personal domain type), nothing else described by the schema;
// a line that is not a whole JSON value, and a value the schema does not describe, masked.
#include "schemas/json/mask.h"

#include <doctest/doctest.h>

#include "schemas/feed.h"

namespace rbgate::schemas::json {
namespace {

const std::string kClaims = R"({
  "rbgate": {"name": "claims"},
  "$defs": {"person": {"type": "object", "properties": {
    "surname": {"type": "string", "rbgate": {"personal": true}},
    "age": {"type": "integer"}}}},
  "type": "object",
  "properties": {
    "id": {"type": "string"},
    "nino": {"type": "string", "rbgate": {"domain": "nino"}},
    "amount": {"type": "number"},
    "paid": {"type": "boolean"},
    "claimant": {"$ref": "#/$defs/person"},
    "partners": {"type": "array", "items": {"$ref": "#/$defs/person"}},
    "notes": {"type": "object", "additionalProperties": {"type": "string"}}
  }
})";

TEST_CASE("a JSON record: the schema's personal values are masked, and only they") {
  const auto s = CompileJsonSchema(kClaims, "claims.json");
  CHECK(MaskLine(*s, R"({"id":"C1","nino":"QQ123456C","amount":12.5,"paid":true})") ==
        R"({"id":"C1","nino":"*********","amount":12.5,"paid":true})");
  // Through a $ref, in nested objects and in array items; spacing kept.
  CHECK(MaskLine(*s, R"({ "claimant": {"surname": "O'Brien", "age": 41},
                          "partners": [{"surname":"Émile","age":3}] })") ==
        R"({ "claimant": {"surname": "*'*****", "age": 41},
                          "partners": [{"surname":"******","age":3}] })");
  // A property the schema allows without naming: nothing says it is not personal.
  CHECK(MaskLine(*s, R"({"id":"C2","extra":"Jane Doe 1 High St"})") ==
        R"({"id":"C2","extra":"**** *** * **** **"})");
  // Described by additionalProperties: not personal, shown.
  CHECK(MaskLine(*s, R"({"notes":{"n1":"called back"}})") == R"({"notes":{"n1":"called back"}})");
  // An escaped quote inside a personal string stays inside it.
  CHECK(MaskLine(*s, R"({"claimant":{"surname":"A\"B"},"id":"C3"})") ==
        R"({"claimant":{"surname":"*\"*"},"id":"C3"})");
}

TEST_CASE("a line that is not one whole JSON value is masked whole") {
  const auto s = CompileJsonSchema(kClaims, "claims.json");
  for (const std::string line : {R"({"id":"C1","nino":"QQ12)", R"(  "nino": "QQ123456C",)",
                                 R"({"id":"C1"} trailing)", R"([1,2)", ""}) {
    CAPTURE(line);
    CHECK(MaskLine(*s, line) == MaskEveryLetter(line));
  }
  // Nested past the limit: masked whole, not recursed into without end.
  const std::string deep = std::string(100, '[') + "1" + std::string(100, ']');
  CHECK(MaskLine(*s, deep) == MaskEveryLetter(deep));
}

}  // namespace
}  // namespace rbgate::schemas::json
