// libFuzzer target: the table schema loader over arbitrary bytes. A malformed schema must be a
// SchemaError naming a JSON path; anything else escaping (a crash, another exception) is a bug.
// A schema that loads is then run over a few rows, so what the loader accepts, the validator
// can run.
#include <cstddef>
#include <cstdint>
#include <string>

#include "parsers/delimited/delimited.h"
#include "schemas/table/schema.h"
#include "schemas/table/validator.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rbgate;
  const std::string json(reinterpret_cast<const char*>(data), size);
  std::shared_ptr<const schemas::table::TableSchema> schema;
  try {
    schema = schemas::table::CompileSchema(json, "/nonexistent/fuzz.json");
  } catch (const schemas::table::SchemaError& e) {
    if (e.path().empty() || e.path()[0] != '$') __builtin_trap();
    return 0;
  }
  parsers::DiagnosticCollector diagnostics;
  schemas::table::Validator validator(*schema, diagnostics);
  parsers::delimited::Parser parser(validator, diagnostics, schema->ParseOptions());
  parsers::delimited::ParseBuffer(parser, "a,b,c\n1,2,3\n,,\nx\n2026-01-02,1.5,true\n");
  return 0;
}
