// libFuzzer target: the JSON validator over arbitrary bytes, as JSON lines (whole and in small
// windows, which must agree) and as a JSON array, against a schema that uses every keyword
// rbgate applies and recurses through $ref and the applicators. Crashes, sanitizer reports, hangs
// and a disagreement are bugs.
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "schemas/json/json_schema.h"
#include "schemas/json/json_validator.h"

namespace {

using namespace rbgate;

const schemas::json::JsonSchema& Schema() {
  static const auto schema = schemas::json::CompileJsonSchema(R"({
    "type": "object", "required": ["id"], "additionalProperties": false,
    "properties": {
      "id": {"type": "string", "pattern": "^[A-Z]{2}[0-9]+$", "minLength": 3, "maxLength": 12},
      "nino": {"type": "string", "rbgate": {"domain": "nino"}},
      "n": {"type": ["integer", "null"], "minimum": 0, "exclusiveMaximum": 100},
      "x": {"type": "number", "enum": [1, 2.5, 3]},
      "k": {"const": "yes"},
      "on": {"type": "string", "format": "date"},
      "at": {"type": "string", "format": "date-time"},
      "list": {"type": "array", "items": {"$ref": "#/$defs/item"}, "minItems": 1, "maxItems": 3},
      "child": {"$ref": "#"},
      "none": false,
      "any": {"anyOf": [{"type": "string", "maxLength": 3}, {"$ref": "#/$defs/item"}]},
      "one": {"oneOf": [{"type": "integer"}, {"minimum": 5}], "not": {"const": 7}},
      "cond": {"if": {"required": ["k"]}, "then": {"minProperties": 2}, "else": {"maxProperties": 1}},
      "tuple": {"prefixItems": [{"type": "string"}], "items": {"$ref": "#"},
                "contains": {"type": "object"}, "maxContains": 2, "uniqueItems": true},
      "map": {"patternProperties": {"^x": {"multipleOf": 0.01}}, "propertyNames": {"maxLength": 4},
              "dependentRequired": {"a": ["b"]}, "dependentSchemas": {"c": {"$ref": "#/$defs/item"}}},
      "fmt": {"anyOf": [{"format": "time"}, {"format": "email"}, {"format": "uuid"}]},
      "both": {"$ref": "#/$defs/item", "minProperties": 1}
    },
    "$defs": {"item": {"type": "object", "additionalProperties": {"type": "boolean"}}}
  })",
                                                              "fuzz.json");
  return *schema;
}

std::size_t Findings(std::string_view bytes, std::size_t window) {
  rbgate::parsers::DiagnosticCollector d(1000000);
  schemas::json::JsonValidator v(Schema(), d);
  std::size_t pos = 0, size = window == 0 ? bytes.size() + 1 : window;
  while (true) {
    const std::size_t len = std::min(size, bytes.size() - pos);
    const bool last = pos + len == bytes.size();
    const std::size_t used = v.FeedLines({bytes.data() + pos, len}, pos, last);
    if (last) break;
    if (used == 0) size *= 2;
    pos += used;
  }
  v.Finish();
  return d.errors() + d.warnings();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (Findings(bytes, 0) != Findings(bytes, 5)) std::abort();
  std::string padded(bytes);
  padded.resize(size + simdjson::SIMDJSON_PADDING);
  rbgate::parsers::DiagnosticCollector d(1000000);
  schemas::json::JsonValidator v(Schema(), d);
  v.ValidateArray({padded.data(), size});
  v.Finish();
  return 0;
}
