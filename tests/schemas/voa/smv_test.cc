// Summary valuations: the order of records within a valuation, each line's value, and the
// totals against the lines and adjustments, to the pound.
#include "schemas/voa/smv.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <string>

#include "parsers/delimited/delimited.h"
#include "schemas/registry.h"

namespace rbgate::schemas::voa {
namespace {

// The findings (rule@line:field) for `text` as the shipped ndr-smv feed.
std::string Check(const std::string& text, std::uint64_t* valuations = nullptr) {
  static const SchemaRegistry registry;
  const auto& schema = *registry.Find("ndr-smv")->schema->table;
  parsers::DiagnosticCollector findings(100);
  ValuationChecker checker(schema, findings);
  table::Validator v(schema, findings, {nullptr, &checker, nullptr});
  parsers::delimited::Parser p(v, findings, schema.ParseOptions());
  parsers::delimited::ParseBuffer(p, text);
  v.Finish();
  checker.Finish();
  findings.SortByPosition();
  if (valuations != nullptr) *valuations = checker.valuations();
  std::string out;
  for (const auto& d : findings.diagnostics()) {
    out +=
        std::string(d.rule->id) + "@" + std::to_string(d.line) + ":" + std::string(d.field) + " ";
  }
  return out;
}

// An 01 record with its total area, total value and adopted rateable value.
std::string Head(const char* area, int total, int adopted) {
  return fmt::format(
      "01*10000003*1000011*0114*1*HIGH STREET*LEEDS***LS1 4AP*S1*SHOP AND PREMISES*{}*{}*{}*{}*"
      "2023**00114000001001**01-APR-2023***NIA*\r\n",
      area, total, total, adopted);
}

TEST_CASE("A valuation whose totals agree with its lines and adjustments") {
  // 100.00 m2 at 150.00 = 15,000.00; 20.50 m2 at 99.99 = 2,049.80 (to the penny, halves up);
  // other addition 500.00; plant 1,000.00; parking 4 x 250.00: 19,549.80 -> 19,550 before;
  // -2.5% -> 19,061.25 -> 19,061 after.
  const std::string valuation = Head("120.50", 19061, 19050) +
                                "02*1*GROUND*SALES*100.00*150.00*15000.00\r\n"
                                "02*2*FIRST*STORE*20.50*99.99*2049.80\r\n"
                                "03*CANOPY*10.00*50.00*500.00\r\n"
                                "04*1000.00\r\n"
                                "05*4*250.00*1000.00\r\n"
                                "06*END ALLOWANCE*-2.5\r\n"
                                "07*19550*19061\r\n";
  std::uint64_t valuations = 0;
  CHECK(Check(valuation + valuation, &valuations) == "");
  CHECK(valuations == 2);
}

TEST_CASE("Line values, totals and the total value are held to the pound") {
  const std::string lines = "02*1*GROUND*SALES*100.00*150.00*15000.00\r\n";
  CHECK(Check(Head("100.00", 15000, 15000) + lines + "07*15000*15000\r\n") == "");
  // A value a pound or more from area times price.
  CHECK(Check(Head("100.00", 15001, 15000) + "02*1*GROUND*SALES*100.00*150.00*15001.00\r\n" +
              "07*15001*15001\r\n") == "voa.smv.line@2:value ");
  // Within a pound is the same value; 15,000.99 rounds to 15,001, which the 01 record must say.
  CHECK(Check(Head("100.00", 15000, 15000) + "02*1*GROUND*SALES*100.00*150.00*15000.99\r\n" +
              "07*15001*15001\r\n") == "voa.smv.total@3:total_after ");
  CHECK(Check(Head("100.00", 15001, 15000) + "02*1*GROUND*SALES*100.00*150.00*15000.99\r\n" +
              "07*15001*15001\r\n") == "");
  // Totals before and after, and the 01 record's total value.
  CHECK(Check(Head("100.00", 15000, 15000) + lines + "07*15001*15001\r\n") ==
        "voa.smv.total@3:total_before voa.smv.total@3:total_after ");
  CHECK(Check(Head("100.00", 15000, 15000) + lines + "06*X*10\r\n07*15000*16500\r\n") ==
        "voa.smv.total@4:total_after ");
  CHECK(Check(Head("100.00", 16500, 16500) + lines + "06*X*10\r\n07*15000*16500\r\n") == "");
  // Areas that do not add up to the total area; an adopted value above the total value.
  CHECK(Check(Head("99.00", 15000, 15000) + lines + "07*15000*15000\r\n") ==
        "voa.smv.total@3:record_type ");
  CHECK(Check(Head("100.00", 15000, 15001) + lines + "07*15000*15000\r\n") ==
        "voa.smv.total@1:adopted_rv ");
}

TEST_CASE("Records in order: 01 first, 02 to 06 in order, 04 once, 07 last") {
  const std::string head = Head("100.00", 15000, 15000);
  const std::string line = "02*1*GROUND*SALES*100.00*150.00*15000.00\r\n";
  const std::string totals = "07*15000*15000\r\n";
  CHECK(Check(line + head + line + totals) == "voa.smv.order@1:record_type ");
  CHECK(Check(head + "05*0*1.00*0.00\r\n" + line + totals) == "voa.smv.order@3:record_type ");
  CHECK(Check(head + line + "04*0.00\r\n04*0.00\r\n" + totals) == "voa.smv.order@4:record_type ");
  CHECK(Check(head + line + totals + line) == "voa.smv.order@4:record_type ");
  CHECK(Check(head + line + head + line + totals) == "voa.smv.order@3: ");
  CHECK(Check(head + line) == "voa.smv.order@0: ");
  CHECK(Check(head + totals) ==
        "voa.smv.order@2:record_type voa.smv.total@2:record_type voa.smv.total@2:total_before ");
  // A record type the schema does not know is the table schema's finding.
  CHECK(Check(head + line + "08*X\r\n" + totals) == "table.record-type@3: ");
}

}  // namespace
}  // namespace rbgate::schemas::voa
