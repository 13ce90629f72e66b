// Loading a Table Schema descriptor: JSON (simdjson's DOM; loading is not the hot path) to a
// compiled TableSchema, with every fault named by file, JSON path and plain English.
#include "schemas/table/schema.h"

#include <fmt/format.h>
#include <re2/re2.h>
#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "parsers/json/syntax.h"
#include "schemas/table/cast.h"
#include "schemas/table/keys.h"
#include "schemas/values.h"

namespace rbgate::schemas::table {
namespace {

namespace dom = simdjson::dom;
using parsers::delimited::Encoding;

constexpr std::string_view kTypeNames[] = {"string",   "integer", "number", "boolean",   "date",
                                           "datetime", "time",    "year",   "yearmonth", "any"};
constexpr std::string_view kDomainNames[] = {
    "",         "nino",           "sort_code", "account_number",
    "postcode", "uprn",           "uarn",      "billing_authority",
    "band",     "paye_reference", "pence"};

// Reads one descriptor, with the file and a path stack for errors.
class Loader {
 public:
  explicit Loader(std::string file, ResourceChoice choice = {})
      : file_(std::move(file)), choice_(std::move(choice)) {}

  [[noreturn]] void Fail(const std::string& path, std::string what) const {
    throw SchemaError(file_, path, std::move(what));
  }

  dom::object Object(dom::element e, const std::string& path) const {
    dom::object o;
    if (e.get(o) != simdjson::SUCCESS) Fail(path, "must be an object");
    return o;
  }
  dom::array Array(dom::element e, const std::string& path) const {
    dom::array a;
    if (e.get(a) != simdjson::SUCCESS) Fail(path, "must be an array");
    return a;
  }
  std::string String(dom::element e, const std::string& path) const {
    std::string_view s;
    if (e.get(s) != simdjson::SUCCESS) Fail(path, "must be a string");
    return std::string(s);
  }
  bool Bool(dom::element e, const std::string& path) const {
    bool b = false;
    if (e.get(b) != simdjson::SUCCESS) Fail(path, "must be true or false");
    return b;
  }
  std::int64_t NonNegative(dom::element e, const std::string& path) const {
    std::int64_t n = 0;
    if (e.get(n) != simdjson::SUCCESS || n < 0) Fail(path, "must be a whole number, 0 or more");
    return n;
  }
  char OneChar(dom::element e, const std::string& path) const {
    const std::string s = String(e, path);
    if (s.size() != 1) Fail(path, fmt::format("must be one character, not \"{}\"", s));
    return s[0];
  }

  std::shared_ptr<TableSchema> Load(std::string_view json) {
    dom::parser parser;
    dom::element root;
    if (auto error = parser.parse(json.data(), json.size()).get(root)) {
      SchemaIssue issue{"$", "is not JSON: "};
      issue.problem += parsers::json::WhyNotJson(json, simdjson::error_message(error), &issue.line,
                                                 &issue.column);
      throw SchemaError(file_, {issue});
    }
    auto schema = std::make_shared<TableSchema>();
    schema->source = file_;
    // Every misspelt key first, then what loading finds: all of it in one report.
    AuditKeys(root, issues_, schema->warnings);
    try {
      LoadDescriptor(root, *schema);
    } catch (const SchemaError& e) {
      for (const auto& issue : e.issues()) Add(issue);
    }
    if (!issues_.empty()) throw SchemaError(file_, issues_);
    return schema;
  }

 private:
  // An issue, unless one at the same place is said already (a misspelt constraint is both).
  void Add(const SchemaIssue& issue) {
    for (const auto& i : issues_) {
      if (i.path == issue.path) return;
    }
    issues_.push_back(issue);
  }

  void LoadDescriptor(dom::element root, TableSchema& out) {
    TableSchema* schema = &out;
    dom::object top = Object(root, "$");
    if (top["fields"].error() == simdjson::SUCCESS) {
      // A bare Table Schema may carry a resource's name, title and version too.
      for (const char* key : {"name", "title", "version"}) {
        if (top[key].error() != simdjson::SUCCESS) continue;
        std::string& out = key == std::string_view("name")    ? schema->name
                           : key == std::string_view("title") ? schema->title
                                                              : schema->version;
        out = String(top[key].value_unsafe(), std::string("$.") + key);
      }
      LoadTableSchema(top, "$", *schema);
      LoadRbgate(top, "$", *schema, /*resource=*/false);
    } else if (top["resources"].error() == simdjson::SUCCESS) {
      LoadPackage(top, *schema);
    } else if (top["schema"].error() == simdjson::SUCCESS) {
      LoadResource(top, "$", *schema);
    } else {
      Fail("$",
           "is neither a Table Schema (it has no \"fields\"), a data resource (no \"schema\") "
           "nor a Data Package (no \"resources\")");
    }
    if (schema->name.empty()) {
      schema->name = std::filesystem::path(file_).stem().string();
      if (schema->name.empty()) schema->name = "table";
    }
    if (!issues_.empty()) return;  // Finish assumes fields that loaded
    Finish(*schema);
  }

  // A resource's "schema" or "dialect" may be an object or a path to a JSON file beside it.
  dom::element Referenced(dom::element e, const std::string& path, dom::parser& parser) {
    std::string_view relative;
    if (e.get(relative) != simdjson::SUCCESS) return e;
    if (relative.find("://") != std::string_view::npos) {
      Fail(path, "names a URL; rbgate reads schemas from files only");
    }
    const auto full = std::filesystem::path(file_).parent_path() / std::string(relative);
    std::ifstream in(full, std::ios::binary);
    if (!in) Fail(path, fmt::format("names {}, which cannot be read", full.string()));
    std::stringstream text;
    text << in.rdbuf();
    referenced_.push_back(text.str());
    dom::element out;
    if (auto error = parser.parse(referenced_.back()).get(out)) {
      Fail(path, fmt::format("names {}, which is not JSON: {}", full.string(),
                             parsers::json::WhyNotJson(referenced_.back(),
                                                       simdjson::error_message(error))));
    }
    return out;
  }

  // A Data Package: one of its tabular resources (choice_), the others kept for foreign keys.
  void LoadPackage(dom::object top, TableSchema& schema) {
    struct Candidate {
      std::size_t index;
      std::string name;
      std::vector<std::string> paths;
      dom::object o;
    };
    std::vector<Candidate> tabular;
    std::size_t i = 0;
    for (dom::element e : Array(top["resources"].value_unsafe(), "$.resources")) {
      const std::string base = fmt::format("$.resources[{}]", i);
      dom::object o = Object(e, base);
      Candidate c{i++, "", {}, o};
      std::string_view text;
      if (o["name"].get(text) == simdjson::SUCCESS) c.name = text;
      dom::array list;
      if (o["path"].get(text) == simdjson::SUCCESS) {
        c.paths.emplace_back(text);
      } else if (o["path"].get(list) == simdjson::SUCCESS) {
        for (dom::element p : list) {
          if (p.get(text) == simdjson::SUCCESS) c.paths.emplace_back(text);
        }
      }
      package_.push_back(c.o);
      package_names_.push_back(c.name);
      package_paths_.push_back(c.paths.empty() ? std::string() : c.paths.front());
      if (o["schema"].error() == simdjson::SUCCESS) tabular.push_back(std::move(c));
    }
    std::vector<std::string> names;
    for (const auto& c : tabular) names.push_back(c.name.empty() ? "(no name)" : c.name);
    const Candidate* pick = nullptr;
    if (!choice_.name.empty()) {
      for (const auto& c : tabular) {
        if (c.name == choice_.name) pick = &c;
      }
      if (pick == nullptr) {
        Fail("$.resources", fmt::format("has no tabular resource named \"{}\" (it has {})",
                                        choice_.name, fmt::join(names, ", ")));
      }
    }
    if (pick == nullptr && !choice_.data_file.empty()) {
      const std::filesystem::path data(choice_.data_file);
      for (const auto& c : tabular) {
        for (const auto& p : c.paths) {
          const std::filesystem::path rel(p);
          const bool same = rel == data || rel.filename() == data.filename() ||
                            std::filesystem::path(file_).parent_path() / rel == data;
          if (same && pick == nullptr) pick = &c;
        }
      }
    }
    if (pick == nullptr && tabular.size() == 1) pick = &tabular.front();
    if (pick == nullptr) {
      Fail("$.resources",
           tabular.empty()
               ? std::string("has no tabular resource (none has a \"schema\")")
               : fmt::format("lists {} tabular resources ({}): name one (rbgate check "
                             "--resource NAME), or check a file named as one's \"path\"; a "
                             "schema folder serves a package of one resource",
                             tabular.size(), fmt::join(names, ", ")));
    }
    if (!pick->name.empty()) schema.name = pick->name;
    LoadResource(pick->o, fmt::format("$.resources[{}]", pick->index), schema);
  }

  void LoadResource(dom::object top, const std::string& base, TableSchema& schema) {
    for (auto [key, value] : top) {
      const std::string path = fmt::format("{}.{}", base, key);
      if (key == "name") {
        schema.name = String(value, path);
      } else if (key == "title") {
        schema.title = String(value, path);
      } else if (key == "version") {
        schema.version = String(value, path);
      } else if (key == "encoding") {
        const std::string enc = String(value, path);
        std::string lower(enc);
        std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
        if (lower == "utf-8" || lower == "utf8") {
          schema.encoding = Encoding::kUtf8;
        } else if (lower == "windows-1252" || lower == "cp1252") {
          schema.encoding = Encoding::kWindows1252;
          windows1252_ = true;  // read before the schema's fields, whose bounds it affects
        } else {
          Fail(path,
               fmt::format("\"{}\" is not an encoding rbgate reads (utf-8, windows-1252)", enc));
        }
      } else if (key == "bytes") {
        schema.bytes = static_cast<std::uint64_t>(NonNegative(value, path));
      } else if (key == "hash") {
        Hash(String(value, path), path, schema);
      }
    }
    dom::parser schema_parser;
    LoadTableSchema(
        Object(Referenced(top["schema"].value_unsafe(), base + ".schema", schema_parser),
               base + ".schema"),
        base + ".schema", schema);
    if (top["dialect"].error() == simdjson::SUCCESS) {
      dom::parser dialect_parser;
      LoadDialect(
          Object(Referenced(top["dialect"].value_unsafe(), base + ".dialect", dialect_parser),
                 base + ".dialect"),
          schema);
    }
    LoadRbgate(top, base, schema, /*resource=*/true);
  }

  // A resource's hash: "algorithm:hex" (Data Resource v2, and v1 for all but MD5) or bare hex
  // (MD5, v1's default).
  void Hash(std::string text, const std::string& path, TableSchema& schema) {
    std::string algorithm = "md5";
    if (const auto colon = text.find(':'); colon != std::string::npos) {
      algorithm = text.substr(0, colon);
      text = text.substr(colon + 1);
    }
    std::transform(algorithm.begin(), algorithm.end(), algorithm.begin(), ::tolower);
    std::transform(text.begin(), text.end(), text.begin(), ::tolower);
    const std::size_t digits = algorithm == "md5"      ? 32
                               : algorithm == "sha1"   ? 40
                               : algorithm == "sha256" ? 64
                               : algorithm == "sha512" ? 128
                                                       : 0;
    if (digits == 0) {
      Fail(path, fmt::format("\"{}\" is not a hash rbgate computes (md5, sha1, sha256, sha512)",
                             algorithm));
    }
    if (text.size() != digits || text.find_first_not_of("0123456789abcdef") != std::string::npos) {
      Fail(path, fmt::format("a {} hash is {} hexadecimal digits", algorithm, digits));
    }
    schema.hash_algorithm = algorithm;
    schema.hash_hex = text;
  }

  void LoadDialect(dom::object o, TableSchema& schema) {
    auto& d = schema.dialect;
    for (auto [key, value] : o) {
      const std::string path = fmt::format("$.dialect.{}", key);
      if (key == "delimiter") {
        d.delimiter = OneChar(value, path);
        if (d.delimiter == '\n' || d.delimiter == '\r') Fail(path, "cannot be a line end");
      } else if (key == "quoteChar") {
        d.quote = OneChar(value, path);
      } else if (key == "doubleQuote") {
        d.double_quote = Bool(value, path);
      } else if (key == "escapeChar") {
        d.escape = OneChar(value, path);
      } else if (key == "skipInitialSpace") {
        d.skip_initial_space = Bool(value, path);
      } else if (key == "header") {
        schema.header = Bool(value, path);
      } else if (key == "lineTerminator") {
        schema.line_terminator = String(value, path);
        if (schema.line_terminator != "\r\n" && schema.line_terminator != "\n") {
          Fail(path, "must be \"\\r\\n\" or \"\\n\" (both are read either way)");
        }
      } else if (key == "quoting") {  // rbgate: false turns quoting off
        if (!Bool(value, path)) d.quote = '\0';
      } else if (key == "caseSensitiveHeader") {
        // Stated false, a header that differs from the fields' names only in letter case is
        // the header; unstated or true, rbgate holds headers to their exact names.
        schema.case_insensitive_header = !Bool(value, path);
      } else if (key == "csvddfVersion" || key == "commentChar" || key == "nullSequence") {
        if (key == "commentChar" || key == "nullSequence") {
          Fail(path, "is not supported by rbgate: feeds do not carry comments or null markers");
        }
      } else {
        Fail(path,
             "is not a CSV Dialect property (delimiter, quoteChar, doubleQuote, "
             "escapeChar, skipInitialSpace, header, lineTerminator)");
      }
    }
    if (d.quote != '\0' && d.quote == d.delimiter) {
      Fail("$.dialect.quoteChar", "is the same character as the delimiter");
    }
  }

  // A list of fields (the data records', or a header's or trailer's), names unique, each
  // sortCodeField resolved within the list.
  std::vector<FieldSpec> LoadFieldList(dom::element list, const std::string& path,
                                       TableSchema& schema) {
    std::vector<FieldSpec> fields;
    pending_sort_code_.clear();
    std::size_t i = 0;
    for (dom::element f : Array(list, path)) {
      // A field that does not load is reported, and the rest are still read: every field's
      // problem in one run. It stands in as "any", so that names still resolve.
      try {
        fields.push_back(LoadField(f, fmt::format("{}[{}]", path, i), schema));
      } catch (const SchemaError& e) {
        for (const auto& issue : e.issues()) Add(issue);
        FieldSpec stand_in;
        std::string_view name;
        stand_in.name = f["name"].get(name) == simdjson::SUCCESS ? std::string(name)
                                                                 : fmt::format("(field {})", i + 1);
        stand_in.type = Type::kAny;
        fields.push_back(std::move(stand_in));
      }
      pending_sort_code_.resize(fields.size());
      ++i;
    }
    if (fields.empty()) Fail(path, "must name at least one field");
    std::set<std::string> names;
    for (std::size_t k = 0; k < fields.size(); ++k) {
      if (!names.insert(fields[k].name).second) {
        Fail(fmt::format("{}[{}].name", path, k),
             fmt::format("\"{}\" names two fields", fields[k].name));
      }
      if (!pending_sort_code_[k].empty()) {
        fields[k].sort_code_field = IndexIn(fields, pending_sort_code_[k],
                                            fmt::format("{}[{}].rbgate.sortCodeField", path, k));
      }
    }
    return fields;
  }

  int IndexIn(const std::vector<FieldSpec>& fields, const std::string& name,
              const std::string& path) {
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (fields[i].name == name) return static_cast<int>(i);
    }
    Fail(path, fmt::format("names \"{}\", which is not a field", name));
  }

  void LoadTableSchema(dom::object o, const std::string& base, TableSchema& schema) {
    dom::element fields;
    if (o["fields"].get(fields) != simdjson::SUCCESS) Fail(base, "has no \"fields\"");
    schema.fields = LoadFieldList(fields, base + ".fields", schema);
    for (auto [key, value] : o) {
      const std::string path = fmt::format("{}.{}", base, key);
      if (key == "missingValues") {
        schema.missing_values = MissingValues(value, path);
      } else if (key == "primaryKey") {
        std::vector<std::string> keys;
        std::string_view one;
        if (value.get(one) == simdjson::SUCCESS) {
          keys.emplace_back(one);
        } else {
          for (dom::element k : Array(value, path)) keys.push_back(String(k, path));
        }
        for (const auto& k : keys) schema.primary_key.push_back(FieldIndex(schema, k, path));
        // A primary key's fields must have values (Table Schema v1).
        for (const int k : schema.primary_key) {
          schema.fields[static_cast<std::size_t>(k)].constraints.required = true;
        }
      } else if (key == "foreignKeys") {
        std::size_t i = 0;
        for (dom::element fk : Array(value, path))
          ForeignKey(fk, fmt::format("{}[{}]", path, i++), schema);
      }
    }
  }

  // One field, as a foreign key names it: "a" or ["a"]. Keys over several fields are refused.
  std::string OneFieldName(dom::element e, const std::string& path) {
    std::string_view one;
    if (e.get(one) == simdjson::SUCCESS) return std::string(one);
    dom::array list = Array(e, path);
    if (list.size() != 1) {
      Fail(path, "names several fields: rbgate checks foreign keys of one field");
    }
    return String(list.at(0).value_unsafe(), path);
  }

  void ForeignKey(dom::element e, const std::string& path, TableSchema& schema) {
    dom::object o = Object(e, path);
    dom::element fields, reference;
    if (o["fields"].get(fields) != simdjson::SUCCESS) Fail(path, "has no \"fields\"");
    if (o["reference"].get(reference) != simdjson::SUCCESS) Fail(path, "has no \"reference\"");
    const int field = FieldIndex(schema, OneFieldName(fields, path + ".fields"), path + ".fields");
    dom::object ref = Object(reference, path + ".reference");
    dom::element key_element;
    if (ref["fields"].get(key_element) != simdjson::SUCCESS) {
      Fail(path + ".reference", "has no \"fields\"");
    }
    const std::string key = OneFieldName(key_element, path + ".reference.fields");
    std::string name;  // the resource pointed into: "" or absent (v2) for this one
    const std::string where = path + ".reference.resource";
    if (ref["resource"].error() == simdjson::SUCCESS)
      name = String(ref["resource"].value_unsafe(), where);
    const std::string text =
        fmt::format("{} -> {}", schema.fields[static_cast<std::size_t>(field)].name, key);
    if (name.empty()) {
      schema.self_references.push_back(
          {field, FieldIndex(schema, key, path + ".reference.fields"), text});
      return;
    }
    if (resolving_) return;  // a referenced resource's own foreign keys are its check's
    const auto it = std::find(package_names_.begin(), package_names_.end(), name);
    if (it == package_names_.end()) {
      Fail(where, package_.empty()
                      ? fmt::format("names resource \"{}\", but this descriptor is not in a Data "
                                    "Package; to check against another feed's file use "
                                    "rbgate.references",
                                    name)
                      : fmt::format("names \"{}\", which is not a resource of this package", name));
    }
    const auto index = static_cast<std::size_t>(it - package_names_.begin());
    Loader other(file_);
    other.resolving_ = true;
    auto target = std::make_shared<TableSchema>();
    target->source = file_;
    try {
      other.LoadResource(package_[index], fmt::format("$.resources[{}]", index), *target);
      other.Finish(*target);
    } catch (const SchemaError& e) {
      Fail(where, fmt::format("names \"{}\", whose schema does not load: {}", name, e.problem()));
    }
    const int k = other.FieldIndex(*target, key, path + ".reference.fields");
    if (target->fields[static_cast<std::size_t>(k)].type != Type::kString &&
        target->fields[static_cast<std::size_t>(k)].type != Type::kAny) {
      Fail(path + ".reference.fields",
           fmt::format("{}'s {} is not a string field; foreign keys to another resource compare "
                       "text",
                       name, key));
    }
    if (!other.issues_.empty()) Fail(where, other.issues_.front().problem);
    target->name = name;
    std::string data;
    if (!package_paths_[index].empty()) {
      data = (std::filesystem::path(file_).parent_path() / package_paths_[index]).string();
    }
    schema.references.push_back({field, name, key});
    schema.package_resources.push_back({name, std::move(target), std::move(data)});
  }

  std::vector<std::string> MissingValues(dom::element value, const std::string& path) {
    std::vector<std::string> out;
    for (dom::element m : Array(value, path)) out.push_back(String(m, path));
    return out;
  }

  int FieldIndex(const TableSchema& schema, const std::string& name, const std::string& path) {
    return IndexIn(schema.fields, name, path);
  }

  // A constraint's bound or enum entry, cast with the field's own rules.
  Value Bound(const FieldSpec& f, dom::element e, const std::string& path, std::string& text) {
    std::string_view s;
    double x = 0;
    std::int64_t n = 0;
    if (e.get(s) == simdjson::SUCCESS) {
      text = std::string(s);
      // A Windows-1252 file's values are its bytes: so are the bounds they are compared with.
      if (windows1252_ && !Utf8ToWindows1252(s, text)) {
        Fail(path, fmt::format("\"{}\" has a character a Windows-1252 file cannot hold", s));
      }
    } else if (e.get(n) == simdjson::SUCCESS) {
      text = std::to_string(n);
    } else if (e.get(x) == simdjson::SUCCESS) {
      text = fmt::format("{}", x);
      if (f.type == Type::kNumber && f.domain != Domain::kPence) {
        Value v;
        v.x = x;
        return v;
      }
    } else {
      Fail(path, "must be a string or a number");
    }
    Value v;
    if (f.domain == Domain::kPence) {
      double pounds = 0;
      if (std::from_chars(text.data(), text.data() + text.size(), pounds).ec != std::errc()) {
        Fail(path, fmt::format("\"{}\" is not an amount in pounds", text));
      }
      // Beyond a trillion pounds no amount is real, and the pence would not fit 64 bits.
      if (!(pounds > -1e12 && pounds < 1e12)) {
        Fail(path, fmt::format("\"{}\" is beyond a trillion pounds", text));
      }
      v.n = static_cast<std::int64_t>(pounds * 100 + (pounds < 0 ? -0.5 : 0.5));
      return v;
    }
    // Numbers given as JSON numbers are read with '.'; strings with the field's own rules.
    FieldSpec plain = f;
    plain.decimal_char = '.';
    plain.group_char = '\0';
    if (!Cast(e.is_string() ? f : plain, text, v)) {
      Fail(path, fmt::format("\"{}\" is not {}", text, DescribeType(f)));
    }
    return v;
  }

  FieldSpec LoadField(dom::element e, const std::string& path, TableSchema& schema) {
    dom::object o = Object(e, path);
    FieldSpec f;
    dom::element name;
    if (o["name"].get(name) != simdjson::SUCCESS) Fail(path, "has no \"name\"");
    f.name = String(name, path + ".name");
    if (f.name.empty()) Fail(path + ".name", "must not be empty");
    if (o["type"].error() == simdjson::SUCCESS) {
      const std::string type = String(o["type"].value_unsafe(), path + ".type");
      const auto it = std::find(std::begin(kTypeNames), std::end(kTypeNames), type);
      if (it == std::end(kTypeNames)) {
        const bool known = type == "object" || type == "array" || type == "duration" ||
                           type == "geopoint" || type == "geojson";
        Fail(path + ".type",
             known ? fmt::format("\"{}\" is a Table Schema type rbgate does not check; use "
                                 "\"string\" or \"any\"",
                                 type)
                   : fmt::format("\"{}\" is not a Table Schema type", type));
      }
      f.type = static_cast<Type>(it - std::begin(kTypeNames));
    }
    pending_sort_code_.emplace_back();
    for (auto [key, value] : o) {
      const std::string p = fmt::format("{}.{}", path, key);
      if (key == "format") {
        f.format = String(value, p);
      } else if (key == "bareNumber") {
        f.bare_number = Bool(value, p);
      } else if (key == "decimalChar") {
        f.decimal_char = OneChar(value, p);
      } else if (key == "groupChar") {
        // "" is how descriptors written by other tools say there is none.
        std::string_view none;
        f.group_char =
            value.get(none) == simdjson::SUCCESS && none.empty() ? '\0' : OneChar(value, p);
      } else if (key == "missingValues") {  // Table Schema v2: this field's own
        f.missing_values = MissingValues(value, p);
        f.own_missing_values = true;
      } else if (key == "trueValues" || key == "falseValues") {
        auto& list = key == "trueValues" ? f.true_values : f.false_values;
        list.clear();
        for (dom::element v : Array(value, p)) list.push_back(String(v, p));
      }
    }
    if (f.format.empty()) f.format = "default";
    if (f.format.substr(0, 4) == "fmt:" || f.format.find('%') != std::string::npos) {
      if (f.type != Type::kDate && f.type != Type::kTime && f.type != Type::kDateTime) {
        Fail(path + ".format", "a pattern format is for date, time and datetime fields");
      }
      std::string why;
      if (!CompileTimePattern(f.format, f.type, f.pattern, why)) Fail(path + ".format", why);
    } else if (f.format != "default") {
      const bool ok =
          (f.type == Type::kString && (f.format == "email" || f.format == "uri" ||
                                       f.format == "uuid" || f.format == "binary")) ||
          ((f.type == Type::kDate || f.type == Type::kTime || f.type == Type::kDateTime) &&
           f.format == "any");
      if (!ok) {
        Fail(path + ".format", fmt::format("\"{}\" is not a format of {} fields that rbgate "
                                           "reads",
                                           f.format, TypeName(f.type)));
      }
    }
    if (f.type == Type::kString) {
      f.string_format = f.format == "email"    ? StringFormat::kEmail
                        : f.format == "uri"    ? StringFormat::kUri
                        : f.format == "uuid"   ? StringFormat::kUuid
                        : f.format == "binary" ? StringFormat::kBinary
                                               : StringFormat::kDefault;
    }
    f.any_format = f.format == "any";  // only date, time and datetime get this far with it
    if (o["rbgate"].error() == simdjson::SUCCESS) {
      LoadFieldRbgate(Object(o["rbgate"].value_unsafe(), path + ".rbgate"), path + ".rbgate", f,
                      schema);
    }
    if (o["constraints"].error() == simdjson::SUCCESS) {
      LoadConstraints(Object(o["constraints"].value_unsafe(), path + ".constraints"),
                      path + ".constraints", f);
    }
    f.quick = ChooseQuickCast(f);
    f.quick_bound = ChooseQuickBound(f);
    return f;
  }

  void LoadConstraints(dom::object o, const std::string& path, FieldSpec& f) {
    auto& c = f.constraints;
    for (auto [key, value] : o) {
      const std::string p = fmt::format("{}.{}", path, key);
      if (key == "required") {
        c.required = Bool(value, p);
      } else if (key == "unique") {
        c.unique = Bool(value, p);
      } else if (key == "minLength" || key == "maxLength") {
        (key == "minLength" ? c.min_length : c.max_length) = NonNegative(value, p);
      } else if (key == "minimum" || key == "maximum") {
        if (f.type == Type::kString || f.type == Type::kBoolean || f.type == Type::kAny) {
          if (f.domain != Domain::kPence) {
            Fail(p, fmt::format("does not apply to {} fields", TypeName(f.type)));
          }
        }
        const bool min = key == "minimum";
        (min ? c.minimum : c.maximum) = Bound(f, value, p, min ? c.minimum_text : c.maximum_text);
        (min ? c.has_minimum : c.has_maximum) = true;
      } else if (key == "pattern") {
        c.pattern_text = String(value, p);
        if (const std::string why = XsdOnly(c.pattern_text); !why.empty()) Fail(p, why);
        RE2::Options options;
        options.set_log_errors(false);
        options.set_encoding(RE2::Options::EncodingUTF8);
        // A Windows-1252 file's values are matched byte by byte (a byte a character), against
        // the pattern in the same bytes.
        std::string pattern = c.pattern_text;
        if (windows1252_) {
          if (!Utf8ToWindows1252(c.pattern_text, pattern)) {
            Fail(p, "has a character a Windows-1252 file cannot hold");
          }
          options.set_encoding(RE2::Options::EncodingLatin1);
        }
        // Table Schema patterns are XML Schema regular expressions: anchored at both ends.
        auto re = std::make_shared<RE2>("(?s:" + pattern + ")", options);
        if (!re->ok()) Fail(p, fmt::format("is not a regular expression: {}", re->error()));
        c.pattern = std::move(re);
        c.fixed_pattern = FixedPattern::Compile(pattern);
      } else if (key == "enum") {
        dom::array entries = Array(value, p);
        // Texts first: string values point into them, so they must not move afterwards.
        c.enum_texts.resize(entries.size());
        std::size_t i = 0;
        for (dom::element v : entries) {
          c.enum_values.push_back(Bound(f, v, fmt::format("{}[{}]", p, i), c.enum_texts[i]));
          ++i;
        }
        if (c.enum_texts.empty()) Fail(p, "must list at least one value");
      } else {
        Fail(p,
             "is not a Table Schema constraint (required, unique, minLength, maxLength, "
             "minimum, maximum, pattern, enum)");
      }
    }
    if (c.has_minimum && c.has_maximum && Compare(f, c.minimum, c.maximum) > 0) {
      Fail(path, "minimum is greater than maximum");
    }
    if (c.min_length >= 0 && c.max_length >= 0 && c.min_length > c.max_length) {
      Fail(path, "minLength is greater than maxLength");
    }
  }

  void LoadFieldRbgate(dom::object o, const std::string& path, FieldSpec& f, TableSchema& schema) {
    bool start = false, width = false;
    for (auto [key, value] : o) {
      const std::string p = fmt::format("{}.{}", path, key);
      if (key == "domain") {
        const std::string d = String(value, p);
        const auto domain = DomainNamed(d);
        if (!domain) Fail(p, fmt::format("\"{}\" is not a domain type ({})", d, kDomainNamesHint));
        f.domain = *domain;
        f.personal = f.personal || IsPersonalDomain(f.domain);
      } else if (key == "country") {
        const std::string c = String(value, p);
        if (c != "england" && c != "wales") Fail(p, "must be \"england\" or \"wales\"");
        f.wales = c == "wales";
      } else if (key == "sortCodeField") {
        pending_sort_code_.back() = String(value, p);
      } else if (key == "personal") {
        f.personal = Bool(value, p);
      } else if (key == "start") {
        const auto n = NonNegative(value, p);
        if (n < 1 || n > (1 << 20)) Fail(p, "must be a column from 1");
        f.slice.start = static_cast<std::uint32_t>(n - 1);
        start = true;
      } else if (key == "width") {
        const auto n = NonNegative(value, p);
        if (n < 1 || n > (1 << 20)) Fail(p, "must be 1 or more");
        f.slice.width = static_cast<std::uint32_t>(n);
        width = true;
      } else {
        Fail(p,
             "is not an rbgate field property (domain, country, sortCodeField, personal, "
             "start, width)");
      }
    }
    if (start != width) Fail(path, "a fixed-width position needs both start and width");
    if (start) schema.fixed_width = true;
    if (f.domain == Domain::kPence && f.type != Type::kNumber && f.type != Type::kString) {
      Fail(path + ".domain", "pence fields are of type number or string");
    }
  }

  void LoadRbgate(dom::object top, const std::string& base, TableSchema& schema, bool resource) {
    if (top["rbgate"].error() != simdjson::SUCCESS) return;
    const std::string path = base + ".rbgate";
    for (auto [key, value] : Object(top["rbgate"].value_unsafe(), path)) {
      const std::string p = fmt::format("{}.{}", path, key);
      if (key == "name") {
        schema.name = String(value, p);
      } else if (key == "version") {
        schema.version = String(value, p);
      } else if (key == "encoding" && !resource) {
        const std::string enc = String(value, p);
        if (enc == "utf-8") {
          schema.encoding = Encoding::kUtf8;
        } else if (enc == "windows-1252") {
          schema.encoding = Encoding::kWindows1252;
        } else {
          Fail(p, "must be \"utf-8\" or \"windows-1252\"");
        }
      } else if (key == "records") {
        LoadRecords(Object(value, p), p, schema);
      } else if (key == "rules") {
        std::size_t i = 0;
        for (dom::element r : Array(value, p)) {
          schema.rules.push_back(LoadRule(r, fmt::format("{}[{}]", p, i++), schema));
        }
      } else if (key == "controls") {
        controls_ = value;
        controls_path_ = p;
      } else if (key == "voa") {
        voa_ = value;
        voa_path_ = p;
      } else if (key == "references") {
        std::size_t i = 0;
        for (dom::element r : Array(value, p)) {
          const std::string q = fmt::format("{}[{}]", p, i++);
          Reference ref;
          std::string field;
          for (auto [k, v] : Object(r, q)) {
            const std::string path = fmt::format("{}.{}", q, k);
            if (k == "field") {
              field = String(v, path);
            } else if (k == "feed") {
              ref.feed = String(v, path);
            } else if (k == "key") {
              ref.key = String(v, path);
            } else {
              Fail(path, "is not a reference property (field, feed, key)");
            }
          }
          if (field.empty() || ref.feed.empty() || ref.key.empty()) {
            Fail(q, "needs \"field\", \"feed\" and \"key\"");
          }
          ref.field = FieldIndex(schema, field, q + ".field");
          schema.references.push_back(std::move(ref));
        }
      } else {
        Fail(p,
             "is not an rbgate schema property (name, version, encoding, records, rules, "
             "controls, references, voa)");
      }
    }
    if (!voa_path_.empty()) LoadVoa(Object(voa_, voa_path_), voa_path_, schema);
    // Controls name the header's or trailer's fields, which `records` defines.
    if (!controls_path_.empty()) {
      std::size_t i = 0;
      for (dom::element c : Array(controls_, controls_path_)) {
        schema.controls.push_back(
            LoadControl(c, fmt::format("{}[{}]", controls_path_, i++), schema));
      }
    }
  }

  // rbgate.voa. Names data fields, and (for a schedule) the header's and trailer's, so it is
  // read after `records`; each field must have the type its part needs.
  void LoadVoa(dom::object o, const std::string& path, TableSchema& schema) {
    using V = VoaBinding;
    V& v = schema.voa;
    std::string role, tax;
    const auto data = [&](dom::element e, const std::string& p) {
      return IndexIn(schema.fields, String(e, p), p);
    };
    const auto record_field = [&](const std::optional<RecordLayout>& layout, const char* which,
                                  dom::element e, const std::string& p) {
      if (!layout) Fail(p, fmt::format("needs a {} record (rbgate.records.{})", which, which));
      return IndexIn(layout->fields, String(e, p), p);
    };
    for (auto [key, value] : o) {
      const std::string p = fmt::format("{}.{}", path, key);
      if (key == "role") {
        role = String(value, p);
      } else if (key == "tax") {
        tax = String(value, p);
      } else if (key == "ba") {
        v.ba = data(value, p);
      } else if (key == "key") {
        v.key = data(value, p);
      } else if (key == "value") {
        v.value = data(value, p);
      } else if (key == "reference") {
        v.reference = data(value, p);
      } else if (key == "until") {
        v.until = data(value, p);
      } else if (key == "heading") {
        v.heading = data(value, p);
      } else if (key == "headings") {
        for (auto [code, meaning] : Object(value, p)) {
          const std::string q = fmt::format("{}.{}", p, code);
          std::string m = String(meaning, q);
          V::Heading h;
          h.code = std::string(code);
          h.historic = m.rfind("historic-", 0) == 0;
          if (h.historic) m.erase(0, 9);
          bool known = false;
          for (const auto c : {V::Change::kNew, V::Change::kDeleted, V::Change::kAmended,
                               V::Change::kReinstated, V::Change::kMinorAddress}) {
            if (m == ChangeName(c)) h.change = c, known = true;
          }
          if (!known) {
            Fail(q,
                 "must be new, deleted, amended, reinstated or minor-address-change, or one "
                 "of them after historic-");
          }
          v.headings.push_back(std::move(h));
        }
      } else if (key == "stated") {
        for (auto [k, e] : Object(value, p)) {
          const std::string q = fmt::format("{}.{}", p, k);
          if (k == "entries") {
            v.stated_entries = record_field(schema.records.trailer, "trailer", e, q);
          } else if (k == "total") {
            v.stated_total = record_field(schema.records.trailer, "trailer", e, q);
          } else if (k == "bands") {
            std::size_t i = 0;
            for (dom::element b : Array(e, q)) {
              v.stated_bands.push_back(record_field(schema.records.trailer, "trailer", b,
                                                    fmt::format("{}[{}]", q, i++)));
            }
          } else {
            Fail(q, "is not a stated figure (entries, total, bands)");
          }
        }
      } else if (key == "number") {
        v.number = record_field(schema.records.header, "header", value, p);
      } else if (key == "date") {
        v.date = record_field(schema.records.header, "header", value, p);
      } else {
        Fail(p,
             "is not a voa property (role, tax, ba, key, value, reference, until, heading, "
             "headings, stated, number, date)");
      }
    }
    if (role == "list") {
      v.role = V::Role::kList;
    } else if (role == "schedule") {
      v.role = V::Role::kSchedule;
    } else if (role == "valuations") {
      v.role = V::Role::kValuations;
    } else {
      Fail(path + ".role", "must be \"list\", \"schedule\" or \"valuations\"");
    }
    if (tax == "ndr") {
      v.tax = V::Tax::kNdr;
    } else if (tax == "council-tax") {
      v.tax = V::Tax::kCouncilTax;
    } else {
      Fail(path + ".tax", "must be \"ndr\" or \"council-tax\"");
    }
    const auto need = [&](int index, const char* what) {
      if (index < 0) Fail(path, fmt::format("needs \"{}\"", what));
    };
    if (v.role == V::Role::kValuations) {
      // The record types and fields summary valuations need are named by the checker
      // (schemas/voa/smv.h), which says at check time if one is missing.
      if (!schema.records.enabled) Fail(path, "summary valuations need rbgate.records");
      return;
    }
    need(v.ba, "ba");
    need(v.key, "key");
    need(v.value, "value");
    if (schema.fields[static_cast<std::size_t>(v.ba)].domain != Domain::kBillingAuthority) {
      Fail(path + ".ba", "must name a billing_authority field");
    }
    const FieldSpec& key = schema.fields[static_cast<std::size_t>(v.key)];
    if (key.type != Type::kInteger && key.domain != Domain::kUarn && key.domain != Domain::kUprn) {
      Fail(path + ".key", "must name an integer, uarn or uprn field");
    }
    const FieldSpec& value = schema.fields[static_cast<std::size_t>(v.value)];
    if (v.tax == V::Tax::kNdr ? value.type != Type::kInteger : value.domain != Domain::kBand) {
      Fail(path + ".value", v.tax == V::Tax::kNdr ? "must name an integer field (pounds)"
                                                  : "must name a band field");
    }
    if (v.role == V::Role::kList) {
      if (v.heading >= 0 || !v.headings.empty() || v.stated_entries >= 0 || v.stated_total >= 0 ||
          !v.stated_bands.empty()) {
        Fail(path, "a list has no heading, headings or stated figures (a schedule has)");
      }
      return;
    }
    need(v.heading, "heading");
    if (v.headings.empty()) Fail(path + ".headings", "must give each heading's code");
    need(v.stated_entries, "stated.entries");
    if (v.tax == V::Tax::kNdr) {
      need(v.stated_total, "stated.total");
      if (!v.stated_bands.empty()) Fail(path + ".stated.bands", "is for council tax");
    } else {
      const std::size_t bands = value.wales ? 9 : 8;
      if (v.stated_bands.size() != bands) {
        Fail(path + ".stated.bands", fmt::format("must name {} trailer fields, band A to {}", bands,
                                                 value.wales ? 'I' : 'H'));
      }
      if (v.stated_total >= 0) Fail(path + ".stated.total", "is for NDR (rateable value)");
    }
    const auto& trailer = schema.records.trailer->fields;
    std::vector<int> stated = v.stated_bands;
    stated.push_back(v.stated_entries);
    if (v.stated_total >= 0) stated.push_back(v.stated_total);
    for (const int i : stated) {
      if (trailer[static_cast<std::size_t>(i)].type != Type::kInteger) {
        Fail(path + ".stated",
             fmt::format("{} must be an integer field", trailer[static_cast<std::size_t>(i)].name));
      }
    }
  }

  void LoadRecords(dom::object o, const std::string& path, TableSchema& schema) {
    auto& r = schema.records;
    r.enabled = true;
    for (auto [key, value] : o) {
      const std::string p = fmt::format("{}.{}", path, key);
      if (key == "discriminator") {
        for (auto [k, v] : Object(value, p)) {
          const std::string q = fmt::format("{}.{}", p, k);
          const auto n = NonNegative(v, q);
          if (n < 1 || n > (1 << 20)) Fail(q, "must be 1 or more");
          if (k == "column") {
            r.column = static_cast<int>(n - 1);
          } else if (k == "start") {
            r.slice.start = static_cast<std::uint32_t>(n - 1);
          } else if (k == "width") {
            r.slice.width = static_cast<std::uint32_t>(n);
          } else {
            Fail(q, "is not a discriminator property (column; or start and width)");
          }
        }
      } else if (key == "data") {
        r.data_code = String(value, p);
      } else if (key == "header" || key == "trailer") {
        (key == "header" ? r.header : r.trailer) = LoadLayout(value, p, schema);
      } else if (key == "others") {
        std::size_t i = 0;
        for (dom::element e : Array(value, p)) {
          r.others.push_back(LoadLayout(e, fmt::format("{}[{}]", p, i++), schema));
        }
      } else {
        Fail(p, "is not a records property (discriminator, data, header, trailer, others)");
      }
    }
    if (r.data_code.empty()) Fail(path + ".data", "must give the data records' code");
    if ((r.column >= 0) == (r.slice.width > 0)) {
      Fail(path + ".discriminator",
           "must give a column (delimited) or a start and width (fixed-width)");
    }
    std::set<std::string> codes{r.data_code};
    const auto unique = [&](const std::optional<RecordLayout>& l, const std::string& p) {
      if (l && !codes.insert(l->code).second) {
        Fail(p + ".code", fmt::format("\"{}\" is another record type's code", l->code));
      }
    };
    unique(r.header, path + ".header");
    unique(r.trailer, path + ".trailer");
    for (std::size_t i = 0; i < r.others.size(); ++i) {
      unique(r.others[i], fmt::format("{}.others[{}]", path, i));
    }
  }

  RecordLayout LoadLayout(dom::element e, const std::string& path, TableSchema& schema) {
    RecordLayout l;
    bool has_fields = false;
    const auto data_fields = std::move(pending_sort_code_);
    for (auto [key, value] : Object(e, path)) {
      const std::string p = fmt::format("{}.{}", path, key);
      if (key == "code") {
        l.code = String(value, p);
      } else if (key == "fields") {
        l.fields = LoadFieldList(value, p, schema);
        has_fields = true;
      } else {
        Fail(p, "is not a record type property (code, fields)");
      }
    }
    pending_sort_code_ = data_fields;
    if (l.code.empty()) Fail(path, "needs a \"code\" (the discriminator's value)");
    if (!has_fields) Fail(path, "needs \"fields\"");
    return l;
  }

  CrossRule LoadRule(dom::element e, const std::string& path, const TableSchema& schema) {
    CrossRule rule;
    std::string_view text;
    if (e.get(text) == simdjson::SUCCESS) {
      // "left OP right", OP one of < <= == != >= >: two-character operators first.
      rule.text = std::string(text);
      static constexpr std::pair<std::string_view, CompareOp> kOps[] = {
          {"<=", CompareOp::kLe}, {">=", CompareOp::kGe}, {"==", CompareOp::kEq},
          {"!=", CompareOp::kNe}, {"<", CompareOp::kLt},  {">", CompareOp::kGt}};
      for (const auto& [op, value] : kOps) {
        const std::size_t at = text.find(op);
        if (at == std::string_view::npos) continue;
        const auto trim = [](std::string_view s) {
          while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
          while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
          return std::string(s);
        };
        rule.op = value;
        rule.left = FieldIndex(schema, trim(text.substr(0, at)), path);
        rule.right = FieldIndex(schema, trim(text.substr(at + op.size())), path);
        const FieldSpec& l = schema.fields[static_cast<std::size_t>(rule.left)];
        const FieldSpec& r = schema.fields[static_cast<std::size_t>(rule.right)];
        const auto numeric = [](const FieldSpec& f) {
          return (f.type == Type::kInteger || f.type == Type::kNumber) &&
                 f.domain != Domain::kPence;
        };
        if (!(l.type == r.type && l.domain == r.domain) && !(numeric(l) && numeric(r))) {
          Fail(path, fmt::format("compares {} ({}) with {} ({}): they must be of one type", l.name,
                                 TypeName(l.type), r.name, TypeName(r.type)));
        }
        return rule;
      }
      Fail(path, "must be \"field OP field\" with OP one of < <= == != >= >");
    }
    std::string require, when;
    for (auto [key, value] : Object(e, path)) {
      const std::string p = fmt::format("{}.{}", path, key);
      if (key == "require") {
        require = String(value, p);
      } else if (key == "when") {
        when = String(value, p);
      } else {
        Fail(p, "is not a rule property (a rule is \"a <= b\", or {\"require\": a, \"when\": b})");
      }
    }
    if (require.empty() || when.empty()) Fail(path, "needs both \"require\" and \"when\"");
    rule.kind = CrossRule::Kind::kRequiredWhen;
    rule.left = FieldIndex(schema, require, path + ".require");
    rule.right = FieldIndex(schema, when, path + ".when");
    rule.text = fmt::format("{} is required when {} has a value", require, when);
    return rule;
  }

  Control LoadControl(dom::element e, const std::string& path, const TableSchema& schema) {
    Control c;
    std::string field, count, sum;
    for (auto [key, value] : Object(e, path)) {
      const std::string p = fmt::format("{}.{}", path, key);
      if (key == "field") {
        field = String(value, p);
      } else if (key == "count") {
        count = String(value, p);
        if (count != "data") Fail(p, "must be \"data\" (the number of data records)");
      } else if (key == "sum") {
        sum = String(value, p);
      } else {
        Fail(p, "is not a control property (field, and count or sum)");
      }
    }
    if (field.empty() || count.empty() == sum.empty()) {
      Fail(path, "needs \"field\" and one of \"count\": \"data\" or \"sum\": a data field");
    }
    const auto& r = schema.records;
    const RecordLayout* layout = nullptr;
    for (const RecordLayout* l :
         {r.trailer ? &*r.trailer : nullptr, r.header ? &*r.header : nullptr}) {
      if (l == nullptr || layout != nullptr) continue;
      for (std::size_t i = 0; i < l->fields.size(); ++i) {
        if (l->fields[i].name == field) {
          layout = l;
          c.field = static_cast<int>(i);
          c.in_header = r.header && l == &*r.header;
          break;
        }
      }
    }
    if (layout == nullptr) {
      Fail(path + ".field", fmt::format("\"{}\" is not a field of the trailer or header", field));
    }
    const FieldSpec& carrier = layout->fields[static_cast<std::size_t>(c.field)];
    const auto whole = [](const FieldSpec& f) {
      return f.type == Type::kInteger || f.domain == Domain::kPence;
    };
    if (!whole(carrier)) {
      Fail(path + ".field",
           fmt::format("{} must be an integer or pence field to carry a total", field));
    }
    if (!sum.empty()) {
      c.what = Control::What::kSum;
      c.sum_field = FieldIndex(schema, sum, path + ".sum");
      const FieldSpec& summed = schema.fields[static_cast<std::size_t>(c.sum_field)];
      if (!whole(summed) ||
          (summed.domain == Domain::kPence) != (carrier.domain == Domain::kPence)) {
        Fail(path + ".sum", fmt::format("{} and {} must both be integers or both pence, so the "
                                        "sum is exact",
                                        sum, field));
      }
      c.text = fmt::format("{} = the sum of {}", field, sum);
    } else {
      c.text = fmt::format("{} = the number of data records", field);
    }
    return c;
  }

  void Finish(TableSchema& schema) {
    // Messages quote values in UTF-8 whatever the file's encoding.
    const bool windows1252 = schema.encoding == Encoding::kWindows1252;
    // Each field's missing values: its own (Table Schema v2), else the schema's.
    schema.only_empty_missing = true;
    const auto finish = [&](FieldSpec& f) {
      f.windows1252 = windows1252;
      if (!f.own_missing_values) f.missing_values = schema.missing_values;
      f.only_empty_missing = f.missing_values.size() == 1 && f.missing_values[0].empty();
      schema.only_empty_missing = schema.only_empty_missing && f.only_empty_missing;
    };
    for (FieldSpec& f : schema.fields) finish(f);
    for (auto* layout : {schema.records.header ? &*schema.records.header : nullptr,
                         schema.records.trailer ? &*schema.records.trailer : nullptr}) {
      if (layout != nullptr)
        for (FieldSpec& f : layout->fields) finish(f);
    }
    for (RecordLayout& layout : schema.records.others) {
      for (FieldSpec& f : layout.fields) finish(f);
    }
    for (const char c : schema.name) {
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) {
        Fail("$.name", fmt::format("\"{}\" must be letters, digits, '-' and '_' (it names a "
                                   "feed in routes)",
                                   schema.name));
      }
    }
    for (const FieldSpec& f : schema.fields) {
      const bool pence = f.domain == Domain::kPence;
      schema.row_columns.push_back(pence && !f.name.ends_with("_pence") ? f.name + "_pence"
                                                                        : f.name);
      schema.row_numeric.push_back(pence || f.type == Type::kInteger || f.type == Type::kNumber ||
                                   f.type == Type::kYear || f.type == Type::kBoolean);
    }
    auto& r = schema.records;
    if (r.enabled && r.column >= 0 && schema.fixed_width) {
      Fail("$.rbgate.records.discriminator",
           "a fixed-width file's discriminator is a start and width");
    }
    if (r.enabled && r.slice.width > 0 && !schema.fixed_width) {
      Fail("$.rbgate.records.discriminator", "a delimited file's discriminator is a column");
    }
    if (r.enabled) schema.header = false;  // record types replace a header row
    if (!schema.fixed_width) return;
    // Fixed-width: every field of every layout positioned, in order, not overlapping.
    schema.dialect.quote = '\0';
    schema.header = false;
    schema.line_width = LineWidth(schema.fields, "$.fields");
    if (r.header) r.header->line_width = LineWidth(r.header->fields, "$.rbgate.records.header");
    if (r.trailer) r.trailer->line_width = LineWidth(r.trailer->fields, "$.rbgate.records.trailer");
    for (std::size_t i = 0; i < r.others.size(); ++i) {
      r.others[i].line_width =
          LineWidth(r.others[i].fields, fmt::format("$.rbgate.records.others[{}]", i));
    }
  }

  std::uint32_t LineWidth(const std::vector<FieldSpec>& fields, const std::string& path) {
    std::uint32_t end = 0;
    for (std::size_t i = 0; i < fields.size(); ++i) {
      const auto& s = fields[i].slice;
      const std::string p = fmt::format("{}[{}].rbgate", path, i);
      if (s.width == 0) Fail(p, "every field of a fixed-width layout needs start and width");
      if (s.start < end) Fail(p + ".start", "overlaps the field before");
      end = s.start + s.width;
    }
    return end;
  }

  std::string file_;
  ResourceChoice choice_;
  // A Data Package's resources (objects, names, first paths), for foreign keys between them.
  std::vector<dom::object> package_;
  std::vector<std::string> package_names_;
  std::vector<std::string> package_paths_;
  bool resolving_ = false;    // loading a resource a foreign key names
  bool windows1252_ = false;  // the file's encoding: constraints' texts are converted to it
  std::vector<std::string> pending_sort_code_;
  std::vector<std::string> referenced_;
  dom::element controls_;
  dom::element voa_;
  std::string voa_path_;
  std::string controls_path_;
  std::vector<SchemaIssue> issues_;
};

}  // namespace

std::string_view ChangeName(VoaBinding::Change c) noexcept {
  switch (c) {
    case VoaBinding::Change::kNew:
      return "new";
    case VoaBinding::Change::kDeleted:
      return "deleted";
    case VoaBinding::Change::kAmended:
      return "amended";
    case VoaBinding::Change::kReinstated:
      return "reinstated";
    case VoaBinding::Change::kMinorAddress:
      return "minor-address-change";
  }
  return "?";
}

std::string XsdOnly(std::string_view pattern) {
  // Table Schema patterns are XML Schema regular expressions; these parts of that syntax mean
  // something else to RE2 (or nothing), so they are refused rather than misapplied.
  bool in_class = false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      const char e = pattern[i + 1];
      if (e == 'i' || e == 'I' || e == 'c' || e == 'C') {
        return fmt::format(
            "uses \\{}, XML Schema's name-character escape, which rbgate's regular "
            "expressions do not have: spell the characters out in a class",
            e);
      }
      if ((e == 'p' || e == 'P') && pattern.substr(i + 2, 3) == "{Is") {
        return "uses a Unicode block escape (\\p{Is...}), which rbgate's regular expressions "
               "do not have: give the range of code points instead";
      }
      ++i;
      continue;
    }
    if (c == '[' && !in_class) {
      in_class = true;
    } else if (c == ']' && in_class) {
      in_class = false;
    } else if (in_class && c == '-' && i + 1 < pattern.size() && pattern[i + 1] == '[') {
      return "uses class subtraction ([a-z-[aeiou]]), which rbgate's regular expressions do "
             "not have: list the characters that remain";
    }
  }
  return {};
}

std::string_view TypeName(Type t) noexcept { return kTypeNames[static_cast<int>(t)]; }
std::string_view DomainName(Domain d) noexcept { return kDomainNames[static_cast<int>(d)]; }

std::optional<Domain> DomainNamed(std::string_view name) noexcept {
  const auto it = std::find(std::begin(kDomainNames) + 1, std::end(kDomainNames), name);
  if (it == std::end(kDomainNames)) return std::nullopt;
  return static_cast<Domain>(it - std::begin(kDomainNames));
}

SchemaError::SchemaError(std::string file, std::string path, std::string what)
    : SchemaError(std::move(file), std::vector<SchemaIssue>{{std::move(path), std::move(what)}}) {}

namespace {
std::string Joined(const std::string& file, const std::vector<SchemaIssue>& issues) {
  std::string out = file;
  for (std::size_t i = 0; i < issues.size(); ++i)
    out += fmt::format("{}{}: {}", i == 0 ? ": " : "; ", issues[i].path, issues[i].problem);
  return out;
}
}  // namespace

SchemaError::SchemaError(std::string file, std::vector<SchemaIssue> issues)
    : std::runtime_error(Joined(file, issues)),
      file_(std::move(file)),
      issues_(std::move(issues)) {}

parsers::delimited::ParseOptions TableSchema::ParseOptions() const {
  parsers::delimited::ParseOptions o;
  o.dialect = dialect;
  o.encoding = encoding;
  // Fixed-width lines reach the validator whole: it slices them by their record type.
  if (fixed_width) o.slices.push_back({0, o.max_record});
  o.max_fields = static_cast<std::uint32_t>(std::max<std::size_t>(4096, fields.size() * 2));
  return o;
}

std::vector<std::string> PackageResourceNames(std::string_view json) {
  dom::parser parser;
  dom::object top;
  dom::array resources;
  std::vector<std::string> names;
  if (parser.parse(json.data(), json.size()).get(top) != simdjson::SUCCESS ||
      top["fields"].error() == simdjson::SUCCESS ||
      top["resources"].get(resources) != simdjson::SUCCESS) {
    return names;
  }
  for (dom::element r : resources) {
    std::string_view name;
    if (r["schema"].error() == simdjson::SUCCESS && r["name"].get(name) == simdjson::SUCCESS) {
      names.emplace_back(name);
    }
  }
  return names;
}

std::shared_ptr<const TableSchema> CompileSchema(std::string_view json, const std::string& file,
                                                 const ResourceChoice& choice) {
  return Loader(file, choice).Load(json);
}

}  // namespace rbgate::schemas::table
