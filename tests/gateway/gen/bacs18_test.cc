#include "gateway/gen/bacs18.h"

#include <doctest/doctest.h>

#include <set>
#include <sstream>

#include "parsers/bacs18/rules.h"
#include "tests/support/bacs18_file.h"

namespace rbgate::gateway {
namespace {

std::string Generate(GenOptions o) {
  std::ostringstream out;
  if (o.creation_date == 0) o.creation_date = *schemas::ParseIsoDate("2026-11-23");
  GenerateBacs18(o, schemas::Calendar::Default(), testing::TestModulus(), out);
  return out.str();
}

TEST_CASE("generated files are valid, deterministic and differ by seed") {
  for (bool multi : {false, true}) {
    for (const char* eol : {"\r\n", "\n", ""}) {
      GenOptions o;
      o.records = 700;
      o.multi_day = multi;
      o.line_ending = eol;
      std::string a = Generate(o);
      auto out = testing::Check(a);
      CHECK_MESSAGE(out.diagnostics.diagnostics().empty(), out.Rules());
      CHECK(out.facts.data_records > 700);
      CHECK(Generate(o) == a);
      o.seed = 2;
      CHECK(Generate(o) != a);
    }
  }
}

TEST_CASE("every fault trips the rule it names") {
  for (const GenFault& f : GenFaults()) {
    CAPTURE(f.name);
    GenOptions o;
    o.records = 300;
    o.faults = {std::string(f.name)};
    auto out = testing::Check(Generate(o));
    CHECK_MESSAGE(out.Has(f.rule), out.Rules());
  }
}

TEST_CASE("every fault names a real rule, and unknown faults are refused") {
  std::set<std::string_view> ids;
  for (const auto* r : parsers::bacs18::rules::All()) ids.insert(r->id);
  for (const GenFault& f : GenFaults()) CHECK_MESSAGE(ids.count(f.rule) == 1, f.rule);
  GenOptions o;
  o.faults = {"no-such-fault"};
  CHECK_THROWS_AS(Generate(o), std::runtime_error);
}

TEST_CASE("large files split contras so that none overflows") {
  GenOptions o;
  o.records = 450'000;
  auto out = testing::Check(Generate(o));
  CHECK_MESSAGE(out.diagnostics.diagnostics().empty(), out.Rules());
}

}  // namespace
}  // namespace rbgate::gateway
