// Golden tests: known-bad (and known-good) Standard 18 files under tests/golden/bacs18/ and
// Bacs XML reports under tests/golden/reports/, each beside the exact report `rbgate check`
// must give for it. Run with RBGATE_UPDATE_GOLDEN=1 to rewrite the expected reports after a
// deliberate change, and review the diff.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "spool/check/check.h"
#include "spool/check/report.h"
#include "tests/support/bacs18_file.h"

namespace rbgate::check {
namespace {

namespace fs = std::filesystem;

std::string Read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Checks every `extension` file in tests/golden/<folder> against its .expected report; `feed`
// names the feed (else it is detected), which may be one of the shipped schema feeds.
int CheckGolden(const std::string& folder, const std::string& extension,
                const std::string& feed = {}) {
  const fs::path dir = fs::path(RBGATE_SOURCE_DIR) / "tests/golden" / folder;
  const bool update = std::getenv("RBGATE_UPDATE_GOLDEN") != nullptr;
  int files = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != extension) continue;
    ++files;
    CAPTURE(e.path().filename().string());
    check::CheckSettings settings;
    settings.validator.modulus = &testing::TestModulus();
    settings.registry = std::make_shared<schemas::SchemaRegistry>();
    // A folder's reference map, if it has one (refmap.map: the rsl-refmap its files refer to).
    if (fs::exists(dir / "refmap.map")) {
      std::string error;
      settings.references["rsl-refmap"] =
          schemas::table::LoadReferenceValues(*settings.registry->Find("rsl-refmap")->schema->table,
                                              "pay_ref", dir / "refmap.map", error);
      REQUIRE(settings.references["rsl-refmap"]);
    }
    // Run from the golden folder so that paths in the report are bare names.
    auto cwd = fs::current_path();
    fs::current_path(dir);
    auto report = check::CheckFile(e.path().filename().string(), settings, feed);
    fs::current_path(cwd);
    REQUIRE(report->problem.empty());
    std::string text = check::RenderText(*report, {});
    fs::path expected = fs::path(e.path()).replace_extension(".expected");
    if (update) {
      std::ofstream(expected, std::ios::binary) << text;
      continue;
    }
    CHECK(text == Read(expected));
  }
  return files;
}

TEST_CASE("golden reports: Standard 18") { CHECK(CheckGolden("bacs18", ".s18") >= 10); }

// Every Bacs XML report type, valid and with faults (made by rbgate gen; see tests/golden/reports/README.md).
TEST_CASE("golden reports: Bacs XML reports") { CHECK(CheckGolden("reports", ".xml") >= 15); }

// The shipped schema feeds (schemas/payments, schemas/vep, schemas/shbe), valid and with faults,
// made by rbgate gen (tests/golden/README.md).
TEST_CASE("golden reports: payments") { CHECK(CheckGolden("payments", ".csv", "payments") >= 8); }
TEST_CASE("golden reports: VEP alerts") { CHECK(CheckGolden("vep", ".jsonl", "vep") >= 7); }
TEST_CASE("golden reports: SHBE extracts") { CHECK(CheckGolden("shbe", ".csv", "shbe") >= 6); }
TEST_CASE("golden reports: ATLAS notifications") { CHECK(CheckGolden("atlas", ".xml") >= 8); }
// A council's own Direct Debit instructions (schemas/dd_instructions), written by hand.
TEST_CASE("golden reports: Direct Debit instructions") {
  CHECK(CheckGolden("dd-instructions", ".xml") >= 3);
}
TEST_CASE("golden reports: NDR compiled lists") {
  CHECK(CheckGolden("ndr-list", ".txt", "ndr-list") >= 11);
}
TEST_CASE("golden reports: VOA schedules of alterations and council tax lists") {
  CHECK(CheckGolden("ndr-schedule", ".txt") >= 5);  // detected by their header records
  CHECK(CheckGolden("ct-schedule", ".txt") >= 5);
  CHECK(CheckGolden("ct-list", ".txt", "ct-list") >= 4);
  CHECK(CheckGolden("ndr-smv", ".txt", "ndr-smv") >= 9);
  CHECK(CheckGolden("ba-report", ".xml") >= 9);  // detected by the root element
}
TEST_CASE("golden reports: RSL rents, against their reference map") {
  CHECK(CheckGolden("rsl", ".csv", "rsl-rents") >= 6);
}

}  // namespace
}  // namespace rbgate::check
