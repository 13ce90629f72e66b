// Compiling a JSON Schema (what is applied: schemas/README.md) with simdjson's DOM: loading is
// not the hot path. $ref is resolved within the file, by JSON pointer, once per target, so a
// recursive schema compiles to a cycle of node indices.
#include "schemas/json/json_schema.h"

#include <fmt/format.h>
#include <re2/re2.h>
#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
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
// Keywords of 2020-12 that rbgate does not apply: refused, so that a check never silently
// vanishes.
const std::set<std::string_view> kUnsupported = {
    "unevaluatedItems", "unevaluatedProperties", "$dynamicRef",
    "$dynamicAnchor",   "$recursiveRef",         "$recursiveAnchor",
    "contentEncoding",  "contentMediaType",      "contentSchema"};
// Keywords that draft-07 does not have (a draft-07 validator would skip them unseen).
const std::set<std::string_view> kSince2019 = {"dependentRequired", "dependentSchemas",
                                               "minContains", "maxContains", "$anchor"};

std::optional<Draft> DraftNamed(std::string_view uri) {
  if (!uri.empty() && uri.back() == '#') uri.remove_suffix(1);
  if (uri.substr(0, 5) == "http:") uri.remove_prefix(5);
  if (uri.substr(0, 6) == "https:") uri.remove_prefix(6);
  if (uri == "//json-schema.org/draft/2020-12/schema") return Draft::k2020_12;
  if (uri == "//json-schema.org/draft/2019-09/schema") return Draft::k2019_09;
  if (uri == "//json-schema.org/draft-07/schema") return Draft::k07;
  return std::nullopt;
}

std::string_view DraftName(Draft d) {
  switch (d) {
    case Draft::k2020_12:
      return "2020-12";
    case Draft::k2019_09:
      return "2019-09";
    default:
      return "draft-07";
  }
}

// A decimal number as JSON writes it (no leading '+', no hex), for multipleOf.
bool IsJsonNumber(std::string_view s) {
  static const RE2 re(R"(-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?)");
  return RE2::FullMatch(re2::StringPiece(s.data(), s.size()), re);
}

class Compiler {
 public:
  Compiler(std::string file, JsonSchema& out) : file_(std::move(file)), out_(out) {}

  [[noreturn]] void Fail(const std::string& path, std::string what) const {
    throw SchemaError(file_, path, std::move(what));
  }

  void Run(dom::element root) {
    root_ = root;
    dom::object top;
    std::string_view uri;
    if (root.get(top) == simdjson::SUCCESS && top["$schema"].get(uri) == simdjson::SUCCESS) {
      draft_ = Dialect(uri, "$.$schema");
      out_.draft = draft_;
    }
    Compile(root, "#", "$");
    RefuseLoops();
  }

 private:
  Draft Dialect(std::string_view uri, const std::string& path) const {
    const auto d = DraftNamed(uri);
    if (!d) {
      Fail(path, fmt::format("\"{}\" is not a JSON Schema dialect rbgate reads (draft 2020-12, "
                             "2019-09 or draft-07); read as another, the file would check "
                             "differently",
                             uri));
    }
    return *d;
  }

  // A schema that comes back to itself without reading into a property or an item (through
  // $ref, allOf, anyOf, oneOf, not, if/then/else or dependentSchemas) would never end.
  void RefuseLoops() const {
    std::vector<std::uint8_t> state(out_.nodes.size(), 0);  // 0 new, 1 on the path, 2 done
    std::vector<int> path;
    const auto same_value = [](const Node& n) {
      std::vector<int> next = n.all_of;
      next.insert(next.end(), n.any_of.begin(), n.any_of.end());
      next.insert(next.end(), n.one_of.begin(), n.one_of.end());
      for (const int i : {n.ref, n.not_, n.if_, n.then_, n.else_}) {
        if (i >= 0) next.push_back(i);
      }
      for (const auto& [name, i] : n.dependent_schemas) next.push_back(i);
      return next;
    };
    const std::function<void(int)> visit = [&](int i) {
      state[static_cast<std::size_t>(i)] = 1;
      for (const int next : same_value(out_.nodes[static_cast<std::size_t>(i)])) {
        if (state[static_cast<std::size_t>(next)] == 1) {
          Fail(PathOf(out_.nodes[static_cast<std::size_t>(i)].pointer),
               fmt::format("comes back to {} without reading into a property or an item: "
                           "checking a value against it would never end",
                           out_.nodes[static_cast<std::size_t>(next)].pointer));
        }
        if (state[static_cast<std::size_t>(next)] == 0) visit(next);
      }
      state[static_cast<std::size_t>(i)] = 2;
    };
    for (std::size_t i = 0; i < out_.nodes.size(); ++i) {
      if (state[i] == 0) visit(static_cast<int>(i));
    }
  }

  static std::string PathOf(std::string_view pointer) {
    std::string path = "$";
    for (const char c : pointer.substr(1)) path += c == '/' ? '.' : c;
    return path;
  }

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
    int checks = 0;  // keywords that check something, beside $ref
    int additional_items = -1;
    bool items_list = false;  // draft-07 and 2019-09: items as a list is prefixItems
    std::string ref_path;
    const auto schema_list = [&](dom::element value, const std::string& p, const std::string& ptr,
                                 std::vector<int>& into) {
      dom::array list;
      if (value.get(list) != simdjson::SUCCESS || list.size() == 0) {
        Fail(p, "must be a list of one or more schemas");
      }
      std::size_t i = 0;
      for (dom::element sub : list) {
        into.push_back(Compile(sub, fmt::format("{}/{}", ptr, i), fmt::format("{}[{}]", p, i)));
        ++i;
      }
    };
    for (auto [key, value] : o) {
      const std::string p = fmt::format("{}.{}", path, key);
      const std::string ptr = fmt::format("{}/{}", pointer, Escape(key));
      if (draft_ == Draft::k07 && kSince2019.count(key) > 0) {
        Fail(p, fmt::format("is not a draft-07 keyword (a draft-07 validator would skip it); "
                            "declare \"$schema\": \"{}\" to use it",
                            "https://json-schema.org/draft/2020-12/schema"));
      }
      if (key != "$ref" && key != "rbgate" && kAnnotations.count(key) == 0) ++checks;
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
      } else if (key == "patternProperties") {
        dom::object props;
        if (value.get(props) != simdjson::SUCCESS) Fail(p, "must be an object");
        for (auto [text, sub] : props) {
          const std::string where = fmt::format("{}[\"{}\"]", p, text);
          n.pattern_properties.push_back(
              {Regex(std::string(text), where), std::string(text),
               Compile(sub, fmt::format("{}/{}", ptr, Escape(text)), where)});
        }
      } else if (key == "propertyNames") {
        n.property_names = Compile(value, ptr, p);
      } else if (key == "required") {
        dom::array list;
        if (value.get(list) != simdjson::SUCCESS) Fail(p, "must be a list of property names");
        for (dom::element r : list) n.required.push_back(String(r, p));
      } else if (key == "dependentRequired" || (key == "dependencies" && draft_ == Draft::k07)) {
        dom::object deps;
        if (value.get(deps) != simdjson::SUCCESS) Fail(p, "must be an object");
        for (auto [name, sub] : deps) {
          const std::string where = fmt::format("{}.{}", p, name);
          dom::array list;
          if (sub.get(list) == simdjson::SUCCESS) {
            std::vector<std::string> names;
            for (dom::element r : list) names.push_back(String(r, where));
            n.dependent_required.emplace_back(std::string(name), std::move(names));
          } else if (key == "dependencies") {
            n.dependent_schemas.emplace_back(
                std::string(name), Compile(sub, fmt::format("{}/{}", ptr, Escape(name)), where));
          } else {
            Fail(where, "must be a list of property names");
          }
        }
      } else if (key == "dependentSchemas") {
        dom::object deps;
        if (value.get(deps) != simdjson::SUCCESS) Fail(p, "must be an object");
        for (auto [name, sub] : deps) {
          n.dependent_schemas.emplace_back(
              std::string(name),
              Compile(sub, fmt::format("{}/{}", ptr, Escape(name)), fmt::format("{}.{}", p, name)));
        }
      } else if (key == "dependencies") {
        Fail(p, fmt::format("is draft-07's; in {} it is dependentRequired (lists) and "
                            "dependentSchemas (schemas)",
                            DraftName(draft_)));
      } else if (key == "minProperties" || key == "maxProperties") {
        (key == "minProperties" ? n.min_properties : n.max_properties) = Count(value, p);
      } else if (key == "additionalProperties") {
        bool allowed = true;
        if (value.get(allowed) == simdjson::SUCCESS) {
          n.additional = allowed ? -1 : -2;
        } else {
          n.additional = Compile(value, ptr, p);
        }
      } else if (key == "items") {
        dom::array list;
        if (value.get(list) == simdjson::SUCCESS) {
          if (draft_ == Draft::k2020_12) {
            Fail(p,
                 "in draft 2020-12 items is one schema for every item; a list of schemas, "
                 "one for each leading item, is prefixItems");
          }
          schema_list(value, p, ptr, n.prefix_items);
          items_list = true;
        } else {
          n.items = Compile(value, ptr, p);
        }
      } else if (key == "prefixItems") {
        if (draft_ != Draft::k2020_12) {
          Fail(p, fmt::format("is a 2020-12 keyword; in {} a list under items says the same",
                              DraftName(draft_)));
        }
        schema_list(value, p, ptr, n.prefix_items);
      } else if (key == "additionalItems" && draft_ != Draft::k2020_12) {
        additional_items = Compile(value, ptr, p);
      } else if (key == "additionalItems") {
        Fail(p, "is not a 2020-12 keyword: items after prefixItems are checked by items");
      } else if (key == "contains") {
        n.contains = Compile(value, ptr, p);
      } else if (key == "minContains" || key == "maxContains") {
        (key == "minContains" ? n.min_contains : n.max_contains) = Count(value, p);
      } else if (key == "uniqueItems") {
        if (value.get(n.unique_items) != simdjson::SUCCESS) Fail(p, "must be true or false");
      } else if (key == "minItems" || key == "maxItems") {
        (key == "minItems" ? n.min_items : n.max_items) = Count(value, p);
      } else if (key == "minLength" || key == "maxLength") {
        (key == "minLength" ? n.min_length : n.max_length) = Count(value, p);
      } else if (key == "minimum" || key == "maximum" || key == "exclusiveMinimum" ||
                 key == "exclusiveMaximum") {
        double x = 0;
        if (value.get(x) != simdjson::SUCCESS) {
          Fail(p, value.is_bool() ? "must be a number (a boolean here is draft-04's, which "
                                    "rbgate does not read)"
                                  : "must be a number");
        }
        (key == "minimum"            ? n.minimum
         : key == "maximum"          ? n.maximum
         : key == "exclusiveMinimum" ? n.exclusive_minimum
                                     : n.exclusive_maximum) = x;
      } else if (key == "multipleOf") {
        double x = 0;
        if (value.get(x) != simdjson::SUCCESS || !(x > 0)) Fail(p, "must be a number above 0");
        n.multiple_of = simdjson::minify(value);
        if (!IsJsonNumber(n.multiple_of)) Fail(p, "must be a number above 0");
      } else if (key == "pattern") {
        n.pattern_text = String(value, p);
        n.pattern = Regex(n.pattern_text, p);
      } else if (key == "format") {
        const std::string f = String(value, p);
        using F = Node::Format;
        static const std::pair<std::string_view, F> kFormats[] = {{"date", F::kDate},
                                                                  {"date-time", F::kDateTime},
                                                                  {"time", F::kTime},
                                                                  {"email", F::kEmail},
                                                                  {"uuid", F::kUuid}};
        const auto* found = std::find_if(std::begin(kFormats), std::end(kFormats),
                                         [&](const auto& kv) { return kv.first == f; });
        if (found == std::end(kFormats)) {
          Fail(p, fmt::format("\"{}\" is not a format rbgate checks (date, date-time, time, "
                              "email, uuid)",
                              f));
        }
        n.format = found->second;
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
      } else if (key == "allOf" || key == "anyOf" || key == "oneOf") {
        schema_list(value, p, ptr,
                    key == "allOf"   ? n.all_of
                    : key == "anyOf" ? n.any_of
                                     : n.one_of);
      } else if (key == "not" || key == "if" || key == "then" || key == "else") {
        (key == "not"    ? n.not_
         : key == "if"   ? n.if_
         : key == "then" ? n.then_
                         : n.else_) = Compile(value, ptr, p);
      } else if (key == "$ref") {
        n.ref = Resolve(String(value, p), p);
        ref_path = p;
      } else if (key == "rbgate") {
        ++checks;
        Rbgate(value, p, n);
      } else if (key == "$schema" && index != 0) {
        std::string_view uri;
        if (value.get(uri) != simdjson::SUCCESS || Dialect(uri, p) != draft_) {
          Fail(p,
               "must name the dialect the file's top declares: rbgate reads one file as one "
               "dialect");
        }
      } else if (kAnnotations.count(key) > 0) {
        if (key == "$defs" || key == "definitions") {
          dom::object defs;
          if (value.get(defs) != simdjson::SUCCESS) Fail(p, "must be an object");
        }
        if (key == "title" && index == 0) out_.title = String(value, p);
      } else if (kUnsupported.count(key) > 0) {
        Fail(p,
             "is a JSON Schema keyword rbgate does not apply (schemas/README.md); refused "
             "rather than skipped");
      } else {
        Fail(p, "is not a JSON Schema keyword (a misspelling would silently weaken a check)");
      }
    }
    if ((n.then_ >= 0 || n.else_ >= 0) && n.if_ < 0) {
      Fail(path + (n.then_ >= 0 ? ".then" : ".else"), "does nothing without an if beside it");
    }
    if (additional_items >= 0) {
      if (!items_list) {
        Fail(path + ".additionalItems",
             "applies only when items is a list; with items one schema it would be skipped");
      }
      n.items = additional_items;
    }
    if ((n.min_contains != 1 || n.max_contains >= 0) && n.contains < 0) {
      Fail(path + (n.max_contains >= 0 ? ".maxContains" : ".minContains"),
           "does nothing without contains beside it");
    }
    for (auto& prop : n.properties) {
      const auto it = std::find(n.required.begin(), n.required.end(), prop.name);
      if (it != n.required.end()) prop.required_slot = static_cast<int>(it - n.required.begin());
    }
    if (n.required.size() > 64) Fail(path + ".required", "lists more than 64 properties");
    if (n.ref >= 0 && checks > 0) {
      // Beside other keywords a $ref is one more schema the value must meet (2019-09 on);
      // draft-07 says to ignore the keywords beside it, which would drop checks unseen.
      if (draft_ == Draft::k07) {
        Fail(ref_path,
             "in draft-07 the keywords beside a $ref are ignored; move them into the schema it "
             "names, or declare draft 2020-12, where both apply");
      }
      n.all_of.push_back(n.ref);
      n.ref = -1;
    }
    n.again = !n.all_of.empty() || !n.any_of.empty() || !n.one_of.empty() || n.not_ >= 0 ||
              (n.if_ >= 0 && (n.then_ >= 0 || n.else_ >= 0));
    out_.nodes[index] = std::move(n);
    return index;
  }

  std::shared_ptr<const RE2> Regex(const std::string& text, const std::string& path) const {
    RE2::Options options;
    options.set_log_errors(false);
    // JSON Schema patterns are ECMA-262 and not anchored: they match anywhere.
    auto re = std::make_shared<RE2>(text, options);
    if (!re->ok())
      Fail(path, fmt::format("is not a regular expression RE2 reads: {}", re->error()));
    return re;
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
  Draft draft_ = Draft::k2020_12;
  dom::element root_;
  std::map<std::string, int> by_pointer_;
};

}  // namespace

bool LooksLikeJsonSchema(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::object o;
  if (parser.parse(json.data(), json.size()).get(o) != simdjson::SUCCESS) return false;
  if (o["fields"].error() == simdjson::SUCCESS || o["schema"].error() == simdjson::SUCCESS ||
      o["resources"].error() == simdjson::SUCCESS) {  // Table Schema, resource, package
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
