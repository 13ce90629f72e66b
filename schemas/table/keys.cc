#include "schemas/table/keys.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>

namespace rbgate::schemas::table {
namespace {

namespace dom = simdjson::dom;

// Data Package (v1, v2).
constexpr std::string_view kPackage[] = {"resources", "profile",  "$schema", "name",
                                         "id",        "licenses", "title",   "description",
                                         "homepage",  "version",  "sources", "contributors",
                                         "keywords",  "image",    "created"};
// Data Resource (v1, v2) with rbgate's "version" and "rbgate".
constexpr std::string_view kResource[] = {
    "name",   "id",          "profile",   "$schema", "type",     "path",         "data",
    "title",  "description", "homepage",  "sources", "licenses", "contributors", "keywords",
    "format", "mediatype",   "encoding",  "bytes",   "hash",     "schema",       "dialect",
    "scheme", "compression", "innerpath", "version", "created",  "rbgate"};
// Table Schema (v1, v2); a bare one may carry a resource's name, title and version.
constexpr std::string_view kTableSchema[] = {
    "fields",  "missingValues", "primaryKey", "foreignKeys", "uniqueKeys", "fieldsMatch", "$schema",
    "profile", "name",          "title",      "description", "version",    "rbgate"};
constexpr std::string_view kField[] = {
    "name",       "title",       "type",          "format",     "description",       "example",
    "examples",   "constraints", "rdfType",       "bareNumber", "decimalChar",       "groupChar",
    "trueValues", "falseValues", "missingValues", "categories", "categoriesOrdered", "floatNumber",
    "rbgate"};
constexpr std::string_view kConstraints[] = {
    "required", "unique", "minLength",        "maxLength",        "minimum",   "maximum",
    "pattern",  "enum",   "exclusiveMinimum", "exclusiveMaximum", "jsonSchema"};
constexpr std::string_view kDialect[] = {
    "delimiter",   "lineTerminator",      "quoteChar",        "doubleQuote",
    "escapeChar",  "nullSequence",        "skipInitialSpace", "header",
    "commentChar", "caseSensitiveHeader", "csvddfVersion",    "$schema",
    "headerRows",  "headerJoin",          "commentRows",      "quoting"};
constexpr std::string_view kForeignKey[] = {"fields", "reference"};
constexpr std::string_view kReference[] = {"resource", "fields"};

std::string_view ContextName(KeyContext c) {
  switch (c) {
    case KeyContext::kPackage:
      return "Data Package";
    case KeyContext::kResource:
      return "Data Resource";
    case KeyContext::kTableSchema:
      return "Table Schema";
    case KeyContext::kField:
      return "Table Schema field";
    case KeyContext::kConstraints:
      return "Table Schema constraint";
    case KeyContext::kDialect:
      return "CSV Dialect";
    case KeyContext::kForeignKey:
      return "foreign key";
    case KeyContext::kReference:
      return "foreign key reference";
  }
  return "";
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

class Auditor {
 public:
  Auditor(std::vector<SchemaIssue>& errors, std::vector<SchemaIssue>& warnings)
      : errors_(errors), warnings_(warnings) {}

  // Checks `o`'s keys against `context`, then walks into the objects it knows.
  void Object(dom::object o, const std::string& path, KeyContext context) {
    const auto known = KnownKeys(context);
    const bool closed = context == KeyContext::kConstraints || context == KeyContext::kDialect;
    for (auto [key, value] : o) {
      const std::string p = fmt::format("{}.{}", path, key);
      if (std::find(known.begin(), known.end(), key) != known.end()) {
        Into(key, value, p, context);
        continue;
      }
      if (const auto typo = TypoOf(key, known); !typo.empty()) {
        errors_.push_back({p, fmt::format("is not a {} property; did you mean \"{}\"? (a misspelt "
                                          "key would silently drop a check)",
                                          ContextName(context), typo)});
      } else if (closed) {
        errors_.push_back({p, fmt::format("is not a {} property rbgate knows ({})",
                                          ContextName(context), fmt::join(known, ", "))});
      } else {
        warnings_.push_back({p, fmt::format("is not a {} property: kept as a custom property "
                                            "and not checked",
                                            ContextName(context))});
      }
    }
  }

 private:
  void Into(std::string_view key, dom::element value, const std::string& p, KeyContext context) {
    dom::object o;
    dom::array a;
    switch (context) {
      case KeyContext::kPackage:
        if (key == "resources" && value.get(a) == simdjson::SUCCESS)
          Each(a, p, KeyContext::kResource);
        break;
      case KeyContext::kResource:
        if (key == "schema" && value.get(o) == simdjson::SUCCESS)
          Object(o, p, KeyContext::kTableSchema);
        if (key == "dialect" && value.get(o) == simdjson::SUCCESS)
          Object(o, p, KeyContext::kDialect);
        break;
      case KeyContext::kTableSchema:
        if (key == "fields" && value.get(a) == simdjson::SUCCESS) Each(a, p, KeyContext::kField);
        if (key == "foreignKeys" && value.get(a) == simdjson::SUCCESS)
          Each(a, p, KeyContext::kForeignKey);
        break;
      case KeyContext::kField:
        if (key == "constraints" && value.get(o) == simdjson::SUCCESS)
          Object(o, p, KeyContext::kConstraints);
        break;
      case KeyContext::kForeignKey:
        if (key == "reference" && value.get(o) == simdjson::SUCCESS)
          Object(o, p, KeyContext::kReference);
        break;
      default:
        break;
    }
  }
  void Each(dom::array a, const std::string& path, KeyContext context) {
    std::size_t i = 0;
    for (dom::element e : a) {
      dom::object o;
      if (e.get(o) == simdjson::SUCCESS) Object(o, fmt::format("{}[{}]", path, i), context);
      ++i;
    }
  }

  std::vector<SchemaIssue>& errors_;
  std::vector<SchemaIssue>& warnings_;
};

}  // namespace

std::span<const std::string_view> KnownKeys(KeyContext context) noexcept {
  switch (context) {
    case KeyContext::kPackage:
      return kPackage;
    case KeyContext::kResource:
      return kResource;
    case KeyContext::kTableSchema:
      return kTableSchema;
    case KeyContext::kField:
      return kField;
    case KeyContext::kConstraints:
      return kConstraints;
    case KeyContext::kDialect:
      return kDialect;
    case KeyContext::kForeignKey:
      return kForeignKey;
    case KeyContext::kReference:
      return kReference;
  }
  return {};
}

std::size_t EditDistance(std::string_view a, std::string_view b) {
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::size_t> prev2(m + 1), prev(m + 1), cur(m + 1);
  for (std::size_t j = 0; j <= m; ++j) prev[j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        cur[j] = std::min(cur[j], prev2[j - 2] + 1);
    }
    prev2 = prev;
    prev = cur;
  }
  return prev[m];
}

std::string_view TypoOf(std::string_view key, std::span<const std::string_view> known) {
  std::string_view best;
  std::size_t best_distance = 3;
  const std::string lower = Lower(key);
  for (const std::string_view k : known) {
    if (k == key) return {};  // known: no typo
    const std::size_t d = Lower(k) == lower ? 0 : EditDistance(key, k);
    const std::size_t limit = std::min(key.size(), k.size()) >= 5 ? 2 : 1;
    if (d <= limit && d < best_distance) {
      best = k;
      best_distance = d;
    }
  }
  return best;
}

void AuditKeys(dom::element root, std::vector<SchemaIssue>& errors,
               std::vector<SchemaIssue>& warnings) {
  dom::object top;
  if (root.get(top) != simdjson::SUCCESS) return;
  Auditor auditor(errors, warnings);
  if (top["fields"].error() != simdjson::SUCCESS && top["resources"].error() == simdjson::SUCCESS) {
    auditor.Object(top, "$", KeyContext::kPackage);
    return;
  }
  const bool resource = top["fields"].error() != simdjson::SUCCESS;
  if (resource && top["schema"].error() != simdjson::SUCCESS) {
    // None: the key that makes it one may be misspelt.
    constexpr std::string_view kEither[] = {"fields", "schema", "resources"};
    for (auto [key, value] : top) {
      if (const auto typo = TypoOf(key, kEither); !typo.empty())
        errors.push_back({fmt::format("$.{}", key), fmt::format("did you mean \"{}\"?", typo)});
    }
    return;
  }
  auditor.Object(top, "$", resource ? KeyContext::kResource : KeyContext::kTableSchema);
}

}  // namespace rbgate::schemas::table
