// libFuzzer target: the Standard 18 parser and validator over arbitrary bytes, fed whole
// and in small windows. Crashes, sanitizer reports, and disagreement between the two
// feeds are bugs.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "parsers/bacs18/standard18.h"
#include "parsers/diagnostic.h"
#include "schemas/bacs18/validator.h"

namespace {

struct Result {
  std::uint64_t records = 0, errors = 0, warnings = 0;
};

Result Run(std::string_view bytes, std::size_t window) {
  using namespace rbgate;
  parsers::DiagnosticCollector diagnostics(8);
  schemas::bacs18::ValidatorOptions options;
  options.duplicate_window = 1024;
  schemas::bacs18::Validator validator(options, diagnostics);
  parsers::bacs18::Parser parser(validator, diagnostics);
  parsers::bacs18::ParseBuffer(parser, bytes, window);
  validator.Finish();
  for (const auto& d : diagnostics.diagnostics()) {
    if (d.offset > bytes.size() || d.excerpt_pos > d.excerpt.size() + 1) std::abort();
  }
  return {parser.summary().records, diagnostics.errors(), diagnostics.warnings()};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  Result whole = Run(bytes, size + 1);
  Result windowed = Run(bytes, 61);
  if (whole.records != windowed.records || whole.errors != windowed.errors ||
      whole.warnings != windowed.warnings) {
    std::abort();
  }
  return 0;
}
