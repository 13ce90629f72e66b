// Compiling a JSON Schema (the subset in schemas/README.md) with simdjson's DOM: loading is
// not the hot path. $ref is resolved within the file, by JSON pointer, once per target, so a
// recursive schema compiles to a cycle of node indices.
#include "schemas/json/json_schema.h"

#include <fmt/format.h>
#include <re2/re2.h>
#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <set>

#include "parsers/json/syntax.h"

namespace rbgate::schemas::json {
namespace {

namespace dom = simdjson::dom;
using table::SchemaError;

// Keywords that carry no check (annotations and containers), accepted anywhere.
const std::set<std::string_view> kAnnotations = {
    "$schema", "$id",        "$comment", "$anchor",   "title", "description", "examples",
    "default", "deprecated", "readOnly", "writeOnly", "$defs", "definitions", "$vocabulary"};
// Keywords of 2020-12 outside the subset: refused, so that a check never silently vanishes.
const std::set<std::string_view> kUnsupported = {"allOf",
                                                 "anyOf",
                                                 "oneOf",
                                                 "not",
                                                 "if",
                                                 "then",
                                                 "else",
                                                 "dependentSchemas",
                                                 "dependentRequired",
                                                 "prefixItems",
                                                 "contains",
                                                 "minContains",
                                                 "maxContains",
                                                 "uniqueItems",
                                                 "patternProperties",
                                                 "propertyNames",
                                                 "unevaluatedItems",
                                                 "unevaluatedProperties",
                                                 "minProperties",
                                                 "maxProperties",
                                                 "multipleOf",
                                                 "$dynamicRef",
                                                 "$dynamicAnchor",
                                                 "contentEncoding",
                                                 "contentMediaType",
                                                 "contentSchema"};

class Compiler {
 public:
  Compiler(std::string file, JsonSchema& out) : file_(std::move(file)), out_(out) {}

  [[noreturn]] void Fail(const std::string& path, std::string what) const {
    throw SchemaError(file_, path, std::move(what));
  }

  void Run(dom::element root) {
    root_ = root;
    Compile(root, "#", "$");
    // A cycle of bare $refs names no schema at all.
    for (std::size_t i = 0; i < out_.nodes.size(); ++i) {
      int target = out_.nodes[i].ref;
      for (std::size_t hops = 0; target >= 0 && hops <= out_.nodes.size(); ++hops) {
        if (static_cast<std::size_t>(target) == i) {
          std::string path = "$";
          for (const char c : std::string_view(out_.nodes[i].pointer).substr(1)) {
            path += c == '/' ? '.' : c;
          }
          Fail(path + ".$ref", "refers, through $refs alone, back to itself");
        }
        target = out_.nodes[static_cast<std::size_t>(target)].ref;
      }
    }
  }

 private:
  // Compiles the schema at `e` (`pointer` in the file, `path` for errors) into a node;
  // returns its index. A target reached again through $ref is compiled once.
  int Compile(dom::element e, const std::string& pointer, const std::string& path) {
    if (const auto it = by_pointer_.find(pointer); it != by_pointer_.end()) return it->second;
    const int index = static_cast<int>(out_.nodes.size());
    out_.nodes.emplace_back();
    out_.nodes[index].pointer = pointer;
    by_pointer_[pointer] = index;
    bool b = false;
    if (e.get(b) == simdjson::SUCCESS) {  // true: anything; false: nothing
      out_.nodes[index].never = !b;
      return index;
    }
    dom::object o;
    if (e.get(o) != simdjson::SUCCESS) Fail(path, "a schema must be an object, true or false");
    Node n;
    n.pointer = pointer;
    for (auto [key, value] : o) {
      const std::string p = fmt::format("{}.{}", path, key);
      const std::string ptr = fmt::format("{}/{}", pointer, Escape(key));
      if (key == "type") {
        n.types = 0;
        std::string_view one;
        if (value.get(one) == simdjson::SUCCESS) {
          n.types = Type(one, p);
        } else {
          dom::array list;
          if (value.get(list) != simdjson::SUCCESS) Fail(p, "must be a type name or a list");
          for (dom::element t : list) n.types |= Type(String(t, p), p);
        }
        if (n.types & kNumber) n.types |= kInteger;
      } else if (key == "properties") {
        dom::object props;
        if (value.get(props) != simdjson::SUCCESS) Fail(p, "must be an object");
        for (auto [name, sub] : props) {
          const int child =
              Compile(sub, fmt::format("{}/{}", ptr, Escape(name)), fmt::format("{}.{}", p, name));
          n.properties.push_back({std::string(name), child, -1});
        }
      } else if (key == "required") {
        dom::array list;
        if (value.get(list) != simdjson::SUCCESS) Fail(p, "must be a list of property names");
        for (dom::element r : list) n.required.push_back(String(r, p));
      } else if (key == "additionalProperties") {
        bool allowed = true;
        if (value.get(allowed) == simdjson::SUCCESS) {
          n.additional = allowed ? -1 : -2;
        } else {
          n.additional = Compile(value, ptr, p);
        }
      } else if (key == "items") {
        n.items = Compile(value, ptr, p);
      } else if (key == "minItems" || key == "maxItems") {
        (key == "minItems" ? n.min_items : n.max_items) = Count(value, p);
      } else if (key == "minLength" || key == "maxLength") {
        (key == "minLength" ? n.min_length : n.max_length) = Count(value, p);
      } else if (key == "minimum" || key == "maximum" || key == "exclusiveMinimum" ||
                 key == "exclusiveMaximum") {
        double x = 0;
        if (value.get(x) != simdjson::SUCCESS) Fail(p, "must be a number");
        (key == "minimum"            ? n.minimum
         : key == "maximum"          ? n.maximum
         : key == "exclusiveMinimum" ? n.exclusive_minimum
                                     : n.exclusive_maximum) = x;
      } else if (key == "pattern") {
        n.pattern_text = String(value, p);
        RE2::Options options;
        options.set_log_errors(false);
        // JSON Schema patterns are ECMA-262 and not anchored: they match anywhere.
        auto re = std::make_shared<RE2>(n.pattern_text, options);
        if (!re->ok())
          Fail(p, fmt::format("is not a regular expression RE2 reads: {}", re->error()));
        n.pattern = std::move(re);
      } else if (key == "format") {
        const std::string f = String(value, p);
        if (f == "date") {
          n.format = Node::Format::kDate;
        } else if (f == "date-time") {
          n.format = Node::Format::kDateTime;
        } else {
          Fail(p, fmt::format("\"{}\" is not a format rbgate checks (date, date-time)", f));
        }
      } else if (key == "enum") {
        dom::array list;
        if (value.get(list) != simdjson::SUCCESS) Fail(p, "must be a list");
        std::size_t i = 0;
        for (dom::element v : list)
          n.enum_values.push_back(ToScalar(v, fmt::format("{}[{}]", p, i++)));
        if (n.enum_values.empty()) Fail(p, "must list at least one value");
      } else if (key == "const") {
        n.enum_values = {ToScalar(value, p)};
        n.is_const = true;
      } else if (key == "$ref") {
        n.ref = Resolve(String(value, p), p);
      } else if (key == "rbgate") {
        Rbgate(value, p, n);
      } else if (kAnnotations.count(key) > 0) {
        if (key == "$defs" || key == "definitions") {
          dom::object defs;
          if (value.get(defs) != simdjson::SUCCESS) Fail(p, "must be an object");
        }
        if (key == "title" && index == 0) out_.title = String(value, p);
      } else if (kUnsupported.count(key) > 0) {
        Fail(p, "is a JSON Schema keyword outside rbgate's subset (schemas/README.md)");
      } else {
        Fail(p, "is not a JSON Schema keyword (a misspelling would silently weaken a check)");
      }
    }
    for (auto& prop : n.properties) {
      const auto it = std::find(n.required.begin(), n.required.end(), prop.name);
      if (it != n.required.end()) prop.required_slot = static_cast<int>(it - n.required.begin());
    }
    if (n.required.size() > 64) Fail(path + ".required", "lists more than 64 properties");
    if (n.ref >= 0) {
      // On Demand reads a value once, so a $ref stands alone: its target is the schema.
      const bool alone = n.types == kAnyType && n.properties.empty() && n.required.empty() &&
                         n.additional == -1 && n.items < 0 && n.min_items < 0 && n.max_items < 0 &&
                         n.min_length < 0 && n.max_length < 0 && !n.pattern &&
                         n.format == Node::Format::kNone && n.domain == table::Domain::kNone &&
                         !n.minimum && !n.maximum && !n.exclusive_minimum && !n.exclusive_maximum &&
                         n.enum_values.empty();
      if (!alone) {
        Fail(path + ".$ref",
             "rbgate applies a $ref alone; move the keywords beside it into "
             "the schema it names");
      }
    }
    out_.nodes[index] = std::move(n);
    return index;
  }

  void Rbgate(dom::element e, const std::string& path, Node& n) {
    dom::object o;
    if (e.get(o) != simdjson::SUCCESS) Fail(path, "must be an object");
    for (auto [key, value] : o) {
      const std::string p = fmt::format("{}.{}", path, key);
      if (key == "domain") {
        const std::string d = String(value, p);
        const auto domain = table::DomainNamed(d);
        if (!domain) {
          Fail(p, fmt::format("\"{}\" is not a domain type ({})", d, table::kDomainNamesHint));
        }
        n.domain = *domain;
        n.personal = n.personal || table::IsPersonalDomain(n.domain);
      } else if (key == "country") {
        const std::string c = String(value, p);
        if (c != "england" && c != "wales") Fail(p, "must be \"england\" or \"wales\"");
        n.wales = c == "wales";
      } else if (key == "personal") {
        bool b = false;
        if (value.get(b) != simdjson::SUCCESS) Fail(p, "must be true or false");
        n.personal = b;
      } else if (path == "$.rbgate") {
        TopLevel(key, value, p);
      } else {
        Fail(p, "is not an rbgate schema property (domain, country, personal)");
      }
    }
  }

  void TopLevel(std::string_view key, dom::element value, const std::string& p) {
    if (key == "name") {
      out_.name = String(value, p);
    } else if (key == "version") {
      out_.version = String(value, p);
    } else if (key == "container") {
      const std::string c = String(value, p);
      if (c == "array") {
        out_.container = Container::kArray;
      } else if (c == "lines") {
        out_.container = Container::kLines;
      } else {
        Fail(p, "must be \"array\" (one JSON array of records) or \"lines\" (JSON lines)");
      }
    } else {
      Fail(p,
           "is not an rbgate property (name, version, container; on a property: domain, "
           "country, personal)");
    }
  }

  int Resolve(const std::string& ref, const std::string& path) {
    if (ref.empty() || ref[0] != '#') {
      Fail(path, fmt::format("\"{}\" is not within this file: rbgate resolves \"#...\" only", ref));
    }
    if (ref == "#") return 0;
    if (ref.size() < 2 || ref[1] != '/') {
      Fail(path, fmt::format("\"{}\" is not a JSON pointer (#/$defs/name)", ref));
    }
    const std::string pointer = ref.substr(1);
    dom::element target;
    if (root_.at_pointer(pointer).get(target) != simdjson::SUCCESS) {
      Fail(path, fmt::format("\"{}\" points at nothing in this file", ref));
    }
    return Compile(target, ref, path + "(" + ref + ")");
  }

  std::uint8_t Type(std::string_view t, const std::string& path) const {
    if (t == "null") return kNull;
    if (t == "boolean") return kBoolean;
    if (t == "object") return kObject;
    if (t == "array") return kArray;
    if (t == "number") return kNumber;
    if (t == "integer") return kInteger;
    if (t == "string") return kString;
    Fail(path, fmt::format("\"{}\" is not a JSON Schema type", t));
  }

  Scalar ToScalar(dom::element v, const std::string& path) const {
    Scalar s;
    s.json = simdjson::minify(v);
    switch (v.type()) {
      case dom::element_type::NULL_VALUE:
        s.type = kNull;
        break;
      case dom::element_type::BOOL:
        s.type = kBoolean;
        s.boolean = v.get_bool().value_unsafe();
        break;
      case dom::element_type::STRING:
        s.type = kString;
        s.text = std::string(v.get_string().value_unsafe());
        break;
      case dom::element_type::INT64:
      case dom::element_type::UINT64:
      case dom::element_type::DOUBLE:
        s.type = kNumber;
        s.number = v.get_double().value_unsafe();
        break;
      default:
        Fail(path, "rbgate's enum and const take strings, numbers, booleans and null only");
    }
    return s;
  }

  std::string String(dom::element e, const std::string& path) const {
    std::string_view s;
    if (e.get(s) != simdjson::SUCCESS) Fail(path, "must be a string");
    return std::string(s);
  }
  std::int64_t Count(dom::element e, const std::string& path) const {
    std::int64_t n = 0;
    double x = 0;
    if (e.get(n) != simdjson::SUCCESS) {
      if (e.get(x) != simdjson::SUCCESS || x != static_cast<double>(static_cast<std::int64_t>(x))) {
        Fail(path, "must be a whole number, 0 or more");
      }
      n = static_cast<std::int64_t>(x);
    }
    if (n < 0) Fail(path, "must be a whole number, 0 or more");
    return n;
  }
  static std::string Escape(std::string_view key) {
    std::string out;
    for (const char c : key) {
      if (c == '~') {
        out += "~0";
      } else if (c == '/') {
        out += "~1";
      } else {
        out += c;
      }
    }
    return out;
  }

  std::string file_;
  JsonSchema& out_;
  dom::element root_;
  std::map<std::string, int> by_pointer_;
};

}  // namespace

bool LooksLikeJsonSchema(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::object o;
  if (parser.parse(json.data(), json.size()).get(o) != simdjson::SUCCESS) return false;
  if (o["fields"].error() == simdjson::SUCCESS || o["schema"].error() == simdjson::SUCCESS) {
    return false;
  }
  return o["$schema"].error() == simdjson::SUCCESS ||
         o["properties"].error() == simdjson::SUCCESS || o["type"].error() == simdjson::SUCCESS ||
         o["$ref"].error() == simdjson::SUCCESS;
}

std::shared_ptr<const JsonSchema> CompileJsonSchema(std::string_view json,
                                                    const std::string& file) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto error = parser.parse(json.data(), json.size()).get(root)) {
    table::SchemaIssue issue{"$", "is not JSON: "};
    issue.problem +=
        parsers::json::WhyNotJson(json, simdjson::error_message(error), &issue.line, &issue.column);
    throw SchemaError(file, {issue});
  }
  auto out = std::make_shared<JsonSchema>();
  out->source = file;
  Compiler(file, *out).Run(root);
  // The transform's columns, from the record's own node (through bare $refs).
  int record = 0;
  for (int hops = 0; out->nodes[static_cast<std::size_t>(record)].ref >= 0 && hops < 64; ++hops) {
    record = out->nodes[static_cast<std::size_t>(record)].ref;
  }
  for (const auto& p : out->nodes[static_cast<std::size_t>(record)].properties) {
    int node = p.node;
    for (int hops = 0; out->nodes[static_cast<std::size_t>(node)].ref >= 0 && hops < 64; ++hops) {
      node = out->nodes[static_cast<std::size_t>(node)].ref;
    }
    const Node& n = out->nodes[static_cast<std::size_t>(node)];
    bool numeric = (n.types & (kNumber | kInteger | kBoolean)) != 0 &&
                   (n.types & (kString | kObject | kArray)) == 0;
    // An enum of numbers only is numeric too; of strings only, textual.
    if (n.types == kAnyType && !n.enum_values.empty()) {
      numeric = std::all_of(n.enum_values.begin(), n.enum_values.end(), [](const Scalar& v) {
        return v.type == kNumber || v.type == kBoolean || v.type == kNull;
      });
    }
    out->row_columns.push_back(p.name);
    out->row_numeric.push_back(numeric);
  }
  for (const auto& c : out->row_columns) out->row_column_views.push_back(c);
  if (out->name.empty()) out->name = std::filesystem::path(file).stem().string();
  for (const char c : out->name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) {
      throw SchemaError(file, "$.rbgate.name",
                        fmt::format("\"{}\" must be letters, digits, '-' and '_'", out->name));
    }
  }
  return out;
}

}  // namespace rbgate::schemas::json
