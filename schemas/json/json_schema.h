// JSON feeds: JSON Schema (2020-12, 2019-09, draft-07, as declared), compiled once into a node
// table, and the validator that runs it over each record of a JSON array or JSON lines file
// with simdjson's On Demand API (no document tree is built). The subset and rbgate's
// additions are documented in schemas/README.md.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "schemas/table/schema.h"

namespace re2 {
class RE2;
}

namespace rbgate::schemas::json {

// JSON types as a bit set; "integer" is a number with no fractional part.
enum TypeBit : std::uint8_t {
  kNull = 1,
  kBoolean = 2,
  kObject = 4,
  kArray = 8,
  kNumber = 16,
  kInteger = 32,
  kString = 64,
  kAnyType = 127,
};

// An enum or const entry: JSON scalars only (objects and arrays are refused at load).
struct Scalar {
  std::uint8_t type = kNull;  // one bit; numbers are kNumber
  double number = 0;
  bool boolean = false;
  std::string text;
  std::string json;  // as written, for messages
};

struct Node {
  std::string pointer;  // where in the schema file, e.g. "#/properties/nino", for messages
  std::uint8_t types = kAnyType;
  int ref = -1;        // a $ref standing alone: the node it names is the schema
  bool never = false;  // the schema `false`
  // Applicators, each reading the value again (a $ref beside other keywords is in all_of).
  std::vector<int> all_of, any_of, one_of;
  int not_ = -1, if_ = -1, then_ = -1, else_ = -1;
  bool again = false;  // any of the above: the validator reads the value more than once
  // Objects.
  struct Property {
    std::string name;
    int node;
    int required_slot;  // index into `required`, or -1
  };
  std::vector<Property> properties;
  std::vector<std::string> required;
  int additional = -1;  // -1 any, -2 none allowed, else a node
  struct PatternProperty {
    std::shared_ptr<const re2::RE2> pattern;
    std::string text;
    int node;
  };
  std::vector<PatternProperty> pattern_properties;
  int property_names = -1;
  std::int64_t min_properties = -1, max_properties = -1;
  // dependentRequired: when the first is present, each of the rest must be.
  std::vector<std::pair<std::string, std::vector<std::string>>> dependent_required;
  std::vector<std::pair<std::string, int>> dependent_schemas;
  // Arrays.
  std::vector<int> prefix_items;
  int items = -1;  // every item after prefix_items
  std::int64_t min_items = -1, max_items = -1;
  int contains = -1;
  std::int64_t min_contains = 1, max_contains = -1;
  bool unique_items = false;
  // Strings.
  std::int64_t min_length = -1, max_length = -1;
  std::shared_ptr<const re2::RE2> pattern;
  std::string pattern_text;
  enum class Format : std::uint8_t {
    kNone,
    kDate,
    kDateTime,
    kTime,
    kEmail,
    kUuid
  } format = Format::kNone;
  table::Domain domain = table::Domain::kNone;  // rbgate: a domain type
  bool wales = false;
  bool personal = false;
  // Numbers.
  std::optional<double> minimum, maximum, exclusive_minimum, exclusive_maximum;
  std::string multiple_of;  // as written: checked in decimal, so that 19.99 is a multiple of 0.01
  // enum / const.
  std::vector<Scalar> enum_values;
  bool is_const = false;
};

enum class Container : std::uint8_t { kDetect, kArray, kLines };

// The JSON Schema dialect a file declares with $schema (2020-12 when it declares none).
enum class Draft : std::uint8_t { k2020_12, k2019_09, k07 };

struct JsonSchema {
  std::string name;
  Draft draft = Draft::k2020_12;
  std::string title;
  std::string version;
  std::string source;
  Container container = Container::kDetect;
  std::vector<Node> nodes;  // nodes[0] is one record's schema
  // The transform's columns: the record's top-level properties in the schema's order, and
  // which are JSON numbers or booleans. Empty when a record is not an object with properties.
  std::vector<std::string> row_columns;
  // The row columns as views into row_columns (made on each call, so that a copy of the schema
  // gives views into itself).
  std::vector<std::string_view> RowColumnViews() const {
    return {row_columns.begin(), row_columns.end()};
  }
  std::vector<bool> row_numeric;
};

// Compiles a JSON Schema document (`file` is named in errors). Throws table::SchemaError
// with a JSON path ($.properties.nino.pattern) when the schema is malformed or uses what the
// subset does not have.
std::shared_ptr<const JsonSchema> CompileJsonSchema(std::string_view json, const std::string& file);

// True when `json` looks like a JSON Schema rather than a Table Schema or data resource.
bool LooksLikeJsonSchema(std::string_view json);

}  // namespace rbgate::schemas::json
