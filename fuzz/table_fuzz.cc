// libFuzzer target: the delimited parser and a table schema's validator over arbitrary bytes,
// in every dialect shape (quotes doubled or escaped, no quoting, fixed-width), fed whole and in
// small windows, by the fast paths (the scanner's, the quick casts) and by the general ones
// alone; the verdicts must agree. Where a schema allows it, the bytes are also checked in blocks
// on threads (blocks.h), cut at sizes the input chooses; that verdict must be one pass's,
// line and record numbers included. The same bytes are drafted a schema (infer.h), which must load
// or be refused with a SchemaError. Crashes, sanitizer reports, hangs and a disagreement are
// bugs.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "parsers/delimited/delimited.h"
#include "parsers/windows.h"
#include "schemas/registry.h"
#include "schemas/table/blocks.h"
#include "schemas/table/infer.h"
#include "schemas/table/schema.h"
#include "schemas/table/validator.h"

namespace {

using namespace rbgate;

const schemas::table::TableSchema& Schema(int which) {
  static const auto delimited = schemas::table::CompileSchema(R"({"fields":[
      {"name":"id","type":"integer","constraints":{"required":true,"unique":true}},
      {"name":"day","type":"date","format":"%d/%m/%Y"},
      {"name":"amount","type":"number","constraints":{"minimum":0},"rbgate":{"domain":"pence"}},
      {"name":"nino","rbgate":{"domain":"nino"}},
      {"name":"postcode","rbgate":{"domain":"postcode"}},
      {"name":"code","constraints":{"pattern":"[A-Z]{2,4}","enum":["AB","XYZ"],"maxLength":3}},
      {"name":"flag","type":"boolean"},
      {"name":"at","type":"datetime"}],"primaryKey":["id","code"]})",
                                                              "fuzz.json");
  static const auto escaped = schemas::table::CompileSchema(
      R"({"schema":{"fields":[{"name":"a"},{"name":"b","type":"number","decimalChar":",","groupChar":"."}]},
          "dialect":{"delimiter":";","doubleQuote":false,"escapeChar":"\\","skipInitialSpace":true},
          "encoding":"windows-1252"})",
      "fuzz.json");
  static const auto fixed = schemas::table::CompileSchema(R"({"fields":[
      {"name":"a","rbgate":{"start":1,"width":3}},
      {"name":"b","type":"integer","rbgate":{"start":4,"width":5}},
      {"name":"c","type":"date","rbgate":{"start":10,"width":10}}]})",
                                                          "fuzz.json");
  // Multi-record: the shipped payments feed (header, data, trailer, controls) and a
  // fixed-width file with its own record types and a cross-field rule.
  static const auto payments = [] {
    for (const auto& b : schemas::BuiltinSchemas()) {
      if (b.name.find("payments") != std::string_view::npos) {
        return schemas::table::CompileSchema(b.text, "payments.json");
      }
    }
    std::abort();
  }();
  static const auto records = schemas::table::CompileSchema(R"({"fields":[
      {"name":"t","rbgate":{"start":1,"width":1}},
      {"name":"a","type":"integer","rbgate":{"start":2,"width":4}},
      {"name":"b","type":"integer","rbgate":{"start":6,"width":4}}],
    "rbgate":{"records":{"discriminator":{"start":1,"width":1},"data":"D",
      "header":{"code":"H","fields":[{"name":"t","rbgate":{"start":1,"width":1}}]},
      "trailer":{"code":"T","fields":[{"name":"t","rbgate":{"start":1,"width":1}},
                                      {"name":"n","type":"integer","rbgate":{"start":2,"width":3}},
                                      {"name":"s","type":"integer","rbgate":{"start":5,"width":6}}]}},
      "rules":["a <= b"],
      "controls":[{"field":"n","count":"data"},{"field":"s","sum":"a"}]}})",
                                                            "fuzz.json");
  switch (which) {
    case 0:
      return *delimited;
    case 1:
      return *escaped;
    case 2:
      return *fixed;
    case 3:
      return *payments;
    default:
      return *records;
  }
}

// The same schema with every field's quick cast removed: each value takes the general path.
// (The copy's string views still point into `schema`, which lives as long as the process.)
const schemas::table::TableSchema& GeneralOnly(int which) {
  static std::unique_ptr<schemas::table::TableSchema> copies[5];
  auto& copy = copies[which];
  if (!copy) {
    copy = std::make_unique<schemas::table::TableSchema>(Schema(which));
    const auto strip = [](std::vector<schemas::table::FieldSpec>& fields) {
      for (auto& f : fields) f.quick = nullptr;
    };
    strip(copy->fields);
    if (copy->records.header) strip(copy->records.header->fields);
    if (copy->records.trailer) strip(copy->records.trailer->fields);
    for (auto& other : copy->records.others) strip(other.fields);
  }
  return *copy;
}

std::string Verdict(std::string_view bytes, int which, std::size_t window, bool fast_path) {
  const auto& schema = fast_path ? Schema(which) : GeneralOnly(which);
  parsers::DiagnosticCollector diagnostics(1000000);
  schemas::table::Validator validator(schema, diagnostics);
  auto options = schema.ParseOptions();
  options.max_record = 64;  // small, so that the limit paths are reached
  options.max_fields = 6;
  options.fast_path = fast_path;
  parsers::delimited::Parser parser(validator, diagnostics, options);
  parsers::delimited::ParseBuffer(parser, bytes, window);
  validator.Finish();
  std::string out;
  for (const auto& d : diagnostics.diagnostics()) {
    out += std::string(d.rule->id) + "@" + std::to_string(d.offset) + " " + d.message + "\n";
  }
  return out;
}

std::string Render(const parsers::DiagnosticCollector& diagnostics, std::uint64_t records,
                   std::uint64_t rows) {
  std::string out = std::to_string(records) + " records " + std::to_string(rows) + " rows\n";
  for (const auto& d : diagnostics.diagnostics()) {
    out += std::string(d.rule->id) + "@" + std::to_string(d.offset) + " " + std::to_string(d.line) +
           ":" + std::to_string(d.column) + " r" + std::to_string(d.record) + " " + d.message +
           " [" + d.excerpt + "]\n";
  }
  return out;
}

// One pass, with the schema's own parse options (those a block's rows are split again with).
std::string OnePass(std::string_view bytes, int which) {
  const auto& schema = Schema(which);
  parsers::DiagnosticCollector diagnostics(8);
  schemas::table::Validator validator(schema, diagnostics);
  parsers::delimited::Parser parser(validator, diagnostics, schema.ParseOptions());
  parsers::delimited::ParseBuffer(parser, bytes);
  validator.Finish();
  diagnostics.SortByPosition();
  return Render(diagnostics, validator.records(), parser.summary().rows);
}

std::string InBlocks(std::string_view bytes, int which, unsigned threads, std::size_t block,
                     std::size_t window) {
  const auto& schema = Schema(which);
  parsers::DiagnosticCollector diagnostics(8);
  schemas::table::BlockChecker checker(schema, diagnostics, {}, threads, nullptr, block);
  parsers::FeedInWindows(checker, bytes, window);
  diagnostics.SortByPosition();
  return Render(diagnostics, checker.records(), checker.summary().rows);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const int which = data[0] % 5;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  // Whole or in windows, by the fast paths (the scanner's and the quick casts) or by the
  // general ones alone: the same findings.
  if (Verdict(bytes, which, 0, true) != Verdict(bytes, which, 7, false)) std::abort();
  if (schemas::table::Validator::ChecksInBlocks(Schema(which), {})) {
    const unsigned threads = 2 + data[size - 1] % 3;
    const std::size_t block = 1 + data[size - 1] % 61, window = size % 2 == 0 ? 0 : 64;
    if (OnePass(bytes, which) != InBlocks(bytes, which, threads, block, window)) std::abort();
  }
  // A draft schema of the same bytes is a descriptor the loader reads: it loads, or it is
  // refused with a finding (a header naming a column twice); nothing else escapes.
  if (which == 0) {
    try {
      schemas::table::CompileSchema(schemas::table::InferSchema(bytes, {"fuzz", 200}), "d.json");
    } catch (const schemas::table::SchemaError&) {
    }
  }
  return 0;
}
