#include "gateway/gen/feeds.h"

#include <doctest/doctest.h>

#include <sstream>

#include "spool/check/check.h"
#include "tests/support/bacs18_file.h"
#include "tests/support/temp_dir.h"

namespace rbgate::gateway {
namespace {

// Generates a file and checks it against its shipped schema, as rbgate check --feed would.
std::unique_ptr<check::FileReport> Checked(const std::string& feed, const FeedGenOptions& o) {
  std::ostringstream out;
  if (feed == "payments") {
    GeneratePayments(o, out);
  } else if (feed == "shbe") {
    GenerateShbe(o, out);
  } else if (feed == "atlas") {
    GenerateAtlas(o, out);
  } else if (feed == "rsl-rents") {
    GenerateRslRents(o, out);
  } else if (feed == "dd-instructions") {
    GenerateDdInstructions(o, testing::TestModulus(), out);
  } else {
    GenerateVep(o, out);
  }
  testing::TempDir dir;
  testing::WriteFile(dir / "file", out.str());
  check::CheckSettings settings;
  settings.registry = std::make_shared<schemas::SchemaRegistry>();
  settings.validator.modulus = &testing::TestModulus();
  if (feed == "rsl-rents") {  // the matching reference map, for the references
    std::ostringstream map;
    GenerateRslRefmap(o, map);
    testing::WriteFile(dir / "map", map.str());
    std::string error;
    settings.references["rsl-refmap"] = schemas::table::LoadReferenceValues(
        *settings.registry->Find("rsl-refmap")->schema->table, "pay_ref", dir / "map", error);
    REQUIRE(settings.references["rsl-refmap"]);
  }
  auto report = check::CheckFile(dir / "file", settings, feed);
  REQUIRE(report->problem.empty());
  return report;
}

FeedGenOptions Options() {
  FeedGenOptions o;
  o.records = 40;
  o.date = *schemas::ParseIsoDate("2026-04-07");
  return o;
}

std::string Errors(const check::FileReport& r) {
  std::string out;
  for (const auto& d : r.diagnostics.diagnostics()) out += std::string(d.rule->id) + " ";
  return out;
}

TEST_CASE("gen payments, vep, shbe and atlas: valid by default, for many seeds") {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    auto o = Options();
    o.seed = seed;
    for (const char* feed : {"payments", "vep", "shbe", "atlas", "rsl-rents", "dd-instructions"}) {
      CAPTURE(feed);
      CAPTURE(seed);
      const auto r = Checked(feed, o);
      CHECK(r->valid());
      CHECK(r->diagnostics.warnings() == 0);
      CHECK(Errors(*r).empty());
    }
  }
}

TEST_CASE("gen payments, vep, shbe and atlas: each named fault trips its rule") {
  for (const auto& [feed, faults] :
       {std::pair{"payments", PaymentsFaults()}, std::pair{"vep", VepFaults()},
        std::pair{"shbe", ShbeFaults()}, std::pair{"atlas", AtlasFaults()},
        std::pair{"rsl-rents", RslFaults()},
        std::pair{"dd-instructions", DdInstructionsFaults()}}) {
    for (const auto& fault : faults) {
      CAPTURE(feed);
      CAPTURE(fault.name);
      auto o = Options();
      o.faults = {std::string(fault.name)};
      const auto r = Checked(feed, o);
      CHECK_FALSE(r->valid());
      CHECK(r->diagnostics.Count(fault.rule) >= 1);
    }
  }
}

TEST_CASE("gen refuses a fault it does not know") {
  auto o = Options();
  o.faults = {"no-such-fault"};
  std::ostringstream out;
  CHECK_THROWS(GeneratePayments(o, out));
  CHECK_THROWS(GenerateVep(o, out));
  CHECK_THROWS(GenerateShbe(o, out));
  CHECK_THROWS(GenerateAtlas(o, out));
  CHECK_THROWS(GenerateRslRents(o, out));
  CHECK_THROWS(GenerateDdInstructions(o, testing::TestModulus(), out));
}

}  // namespace
}  // namespace rbgate::gateway
