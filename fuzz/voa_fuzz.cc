// libFuzzer target: the VOA's multi-record files over arbitrary bytes: summary valuations
// (records 01-07, checked across records valuation by valuation) and schedules of alterations
// (header, records, trailer, read for balancing and balanced against a small list), each fed
// whole and in small windows; the findings and the balance must agree. Crashes, sanitizer
// reports, hangs and a disagreement are bugs.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "parsers/delimited/delimited.h"
#include "schemas/registry.h"
#include "schemas/table/validator.h"
#include "schemas/voa/balance.h"
#include "schemas/voa/smv.h"

namespace {

using namespace rbgate;

const schemas::table::TableSchema& Shipped(std::string_view feed) {
  static const schemas::SchemaRegistry registry;
  return *registry.Find(feed)->schema->table;
}

std::string Findings(const parsers::DiagnosticCollector& d) {
  std::string out;
  for (const auto& f : d.diagnostics()) {
    out += std::string(f.rule->id) + "@" + std::to_string(f.line) + ":" + std::to_string(f.column) +
           " " + f.message + "\n";
  }
  return out;
}

std::string Valuations(std::string_view bytes, std::size_t window) {
  const auto& schema = Shipped("ndr-smv");
  parsers::DiagnosticCollector diagnostics(1000000);
  schemas::voa::ValuationChecker checker(schema, diagnostics);
  schemas::table::Validator validator(schema, diagnostics, {nullptr, &checker, nullptr});
  auto options = schema.ParseOptions();
  options.max_record = 256;  // small, so that the limit paths are reached
  parsers::delimited::Parser parser(validator, diagnostics, options);
  parsers::delimited::ParseBuffer(parser, bytes, window);
  validator.Finish();
  checker.Finish();
  return Findings(diagnostics) + std::to_string(checker.valuations());
}

std::string Balanced(std::string_view bytes, std::size_t window) {
  const auto& schema = Shipped("ndr-schedule");
  parsers::DiagnosticCollector diagnostics(1000000);
  schemas::voa::ScheduleReader reader(schema);
  schemas::table::Validator validator(schema, diagnostics, {nullptr, &reader, nullptr});
  parsers::delimited::Parser parser(validator, diagnostics, schema.ParseOptions());
  parsers::delimited::ParseBuffer(parser, bytes, window);
  validator.Finish();
  std::string out = Findings(diagnostics), error;
  const auto schedule = reader.Take(error);
  out += error + "\n";
  if (!error.empty()) return out;
  schemas::voa::ListState list;
  list.ba = schedule.ba;
  for (std::int64_t k = 1; k <= 20; ++k) list.entries.emplace(k, k * 1000);
  const auto report = schemas::voa::Balance(list, schedule, schema.voa);
  return out + schemas::voa::RenderJson(report) + schemas::voa::RenderCsv(report) +
         schemas::voa::RenderText(report);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 0) {
    if (Valuations(bytes, 0) != Valuations(bytes, 5)) std::abort();
  } else {
    if (Balanced(bytes, 0) != Balanced(bytes, 5)) std::abort();
  }
  return 0;
}
