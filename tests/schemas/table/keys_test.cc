// A misspelt key never silently weakens a check: every single-edit typo of every key the
// Frictionless specifications define, in every place it can stand, is an error or a warning.
#include "schemas/table/keys.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace rbgate::schemas::table {
namespace {

// Every string one edit away from `key`: a letter deleted, two adjacent swapped, one replaced
// (by a lower-case letter, or its own case flipped), one inserted.
std::set<std::string> SingleEdits(const std::string& key) {
  std::set<std::string> out;
  for (std::size_t i = 0; i < key.size(); ++i) {
    out.insert(key.substr(0, i) + key.substr(i + 1));
    if (i + 1 < key.size()) {
      std::string t = key;
      std::swap(t[i], t[i + 1]);
      out.insert(t);
    }
    for (char c = 'a'; c <= 'z'; ++c) {
      std::string t = key;
      t[i] = c;
      out.insert(t);
    }
    std::string flipped = key;
    flipped[i] = static_cast<char>(std::isupper(static_cast<unsigned char>(key[i]))
                                       ? std::tolower(static_cast<unsigned char>(key[i]))
                                       : std::toupper(static_cast<unsigned char>(key[i])));
    out.insert(flipped);
  }
  for (std::size_t i = 0; i <= key.size(); ++i) {
    for (char c = 'a'; c <= 'z'; ++c) out.insert(key.substr(0, i) + c + key.substr(i));
  }
  out.erase(key);
  out.erase("");
  return out;
}

// A descriptor with `key` in `context`, and the JSON path it has there.
std::pair<std::string, std::string> Place(KeyContext context, const std::string& key) {
  const std::string k = "\"" + key + "\": 1";
  switch (context) {
    case KeyContext::kPackage:
      return {R"({"resources": [{"name": "r", "schema": {"fields": [{"name": "a"}]}}], )" + k + "}",
              "$." + key};
    case KeyContext::kResource:
      return {R"({"schema": {"fields": [{"name": "a"}]}, )" + k + "}", "$." + key};
    case KeyContext::kTableSchema:
      return {R"({"fields": [{"name": "a"}], )" + k + "}", "$." + key};
    case KeyContext::kField:
      return {R"({"fields": [{"name": "a", )" + k + "}]}", "$.fields[0]." + key};
    case KeyContext::kConstraints:
      return {R"({"fields": [{"name": "a", "constraints": {)" + k + "}}]}",
              "$.fields[0].constraints." + key};
    case KeyContext::kDialect:
      return {R"({"schema": {"fields": [{"name": "a"}]}, "dialect": {)" + k + "}}",
              "$.dialect." + key};
    case KeyContext::kForeignKey:
      return {R"({"fields": [{"name": "a"}], "foreignKeys": [{)" + k + "}]}",
              "$.foreignKeys[0]." + key};
    case KeyContext::kReference:
      return {R"({"fields": [{"name": "a"}], "foreignKeys": [{"reference": {)" + k + "}}]}",
              "$.foreignKeys[0].reference." + key};
  }
  return {};
}

// What AuditKeys says of the key at `path`: "error", "warning" or "" (nothing).
std::string Verdict(const std::string& json, const std::string& path) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  REQUIRE(parser.parse(json).get(root) == simdjson::SUCCESS);
  std::vector<SchemaIssue> errors, warnings;
  AuditKeys(root, errors, warnings);
  const auto at = [&](const std::vector<SchemaIssue>& v) {
    return std::any_of(v.begin(), v.end(), [&](const SchemaIssue& i) { return i.path == path; });
  };
  return at(errors) ? "error" : at(warnings) ? "warning" : "";
}

constexpr KeyContext kContexts[] = {KeyContext::kPackage,     KeyContext::kResource,
                                    KeyContext::kTableSchema, KeyContext::kField,
                                    KeyContext::kConstraints, KeyContext::kDialect,
                                    KeyContext::kForeignKey,  KeyContext::kReference};

TEST_CASE("Every single-edit typo of every known key is refused or warned, never silent") {
  std::size_t tried = 0, errors = 0;
  for (const KeyContext context : kContexts) {
    const auto known = KnownKeys(context);
    for (const std::string_view key : known) {
      // The key itself is known: nothing to say.
      const auto placed = Place(context, std::string(key));  // no binding: doctest's lambdas
      CHECK_MESSAGE(Verdict(placed.first, placed.second).empty(), placed.first);
      for (const std::string& typo : SingleEdits(std::string(key))) {
        if (std::find(known.begin(), known.end(), typo) != known.end()) continue;  // another key
        const auto [json, path] = Place(context, typo);
        const std::string verdict = Verdict(json, path);
        ++tried;
        if (verdict == "error") ++errors;
        if (verdict.empty()) FAIL_CHECK(fmt::format("silent: \"{}\" for \"{}\"", typo, key));
      }
    }
  }
  CHECK(tried > 40000);
  // Single edits are taken for typos (errors), bar none.
  CHECK(errors == tried);
}

TEST_CASE("Keys no specification defines are custom properties: kept, unchecked, warned") {
  simdjson::dom::parser parser;
  std::vector<SchemaIssue> errors, warnings;
  AuditKeys(parser.parse(std::string(R"({"fields":[{"name":"a","x-sap-origin":"BUT000"}],)"
                                     R"("council":"Northgate"})")),
            errors, warnings);
  CHECK(errors.empty());
  REQUIRE(warnings.size() == 2);
  CHECK(warnings[0].path == "$.fields[0].x-sap-origin");
  CHECK(warnings[0].problem.find("custom property") != std::string::npos);
  CHECK(warnings[1].path == "$.council");
}

TEST_CASE("The typos officers made: refused with 'did you mean', every one in one report") {
  const std::string typos = R"({"name":"t","fields":[{"name":"v","tpye":"integer"},)"
                            R"({"name":"w","constraint":{"required":true,"maximum":5}},)"
                            R"({"name":"x","type":"money"}],"primarykey":["v"]})";
  try {
    CompileSchema(typos, "t.json");
    FAIL("loaded");
  } catch (const SchemaError& e) {
    REQUIRE(e.issues().size() == 4);
    CHECK(e.issues()[0].path == "$.fields[0].tpye");
    CHECK(e.issues()[0].problem.find("did you mean \"type\"?") != std::string::npos);
    CHECK(e.issues()[1].path == "$.fields[1].constraint");
    CHECK(e.issues()[1].problem.find("did you mean \"constraints\"?") != std::string::npos);
    CHECK(e.issues()[2].path == "$.primarykey");
    CHECK(e.issues()[2].problem.find("did you mean \"primaryKey\"?") != std::string::npos);
    CHECK(e.issues()[3].path == "$.fields[2].type");  // the loader's own finding, too
  }
  // A misspelt constraint inside "constraints" is said once, with the suggestion.
  try {
    CompileSchema(R"({"fields":[{"name":"v","constraints":{"maximun":5}}]})", "t.json");
    FAIL("loaded");
  } catch (const SchemaError& e) {
    REQUIRE(e.issues().size() == 1);
    CHECK(e.issues()[0].problem.find("did you mean \"maximum\"?") != std::string::npos);
  }
  // A descriptor whose "fields" is misspelt is neither kind; the typo says why.
  try {
    CompileSchema(R"({"name":"t","feilds":[{"name":"v"}]})", "t.json");
    FAIL("loaded");
  } catch (const SchemaError& e) {
    CHECK(e.issues()[0].problem == "did you mean \"fields\"?");
  }
  // Custom keys load, with warnings.
  const auto schema = CompileSchema(R"({"fields":[{"name":"v","note":"x"}]})", "t.json");
  REQUIRE(schema->warnings.size() == 1);
}

TEST_CASE("Edit distance counts a swap of neighbours once") {
  CHECK(EditDistance("type", "tpye") == 1);
  CHECK(EditDistance("constraints", "constraint") == 1);
  CHECK(EditDistance("", "abc") == 3);
  CHECK(EditDistance("maximum", "minimum") == 2);
  CHECK(TypoOf("primarykey", KnownKeys(KeyContext::kTableSchema)) == "primaryKey");
  CHECK(TypoOf("note", KnownKeys(KeyContext::kField)).empty());  // short: two edits is a word
  CHECK(TypoOf("descripton", KnownKeys(KeyContext::kField)) == "description");
}

}  // namespace
}  // namespace rbgate::schemas::table
