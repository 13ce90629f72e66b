// Every rule explained: each rule rbgate can report has a page, each page is whole (what it
// checks, why it matters, an example, the fix, where it comes from) and names a rule that
// exists; the pages' reader and layout.
#include "gateway/rules/explain.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "gateway/gen/faults.h"

namespace rbgate::gateway {
namespace {

TEST_CASE("a pages file: headings, sections, paragraphs; the comment before the first skipped") {
  const auto pages = ParseRulePages(R"(<!-- about these pages -->

## a.one

**Checks.** That one
thing holds.

Across two paragraphs.

**Fix.** Mend it.
## a.two
**Checks.** Another.
)",
                                    "a.rules.md");
  REQUIRE(pages.size() == 2);
  CHECK(pages[0].id == "a.one");
  CHECK(pages[0].file == "a.rules.md");
  CHECK(pages[0].sections.at("Checks") == "That one thing holds.\nAcross two paragraphs.");
  CHECK(pages[0].sections.at("Fix") == "Mend it.");
  CHECK(pages[1].sections.at("Checks") == "Another.");
  const std::string shown = RenderPage(pages[0]);
  CHECK(shown.find("a.one\n=====\n\nChecks\n  That one thing holds.\n\n  Across two") == 0);
}

TEST_CASE("every rule has a whole page, and every page a rule") {
  std::set<std::string> ids;
  for (const auto* r : EveryRule()) ids.insert(std::string(r->id));
  const auto& pages = RulePages();
  std::size_t missing = 0;
  for (const auto& id : ids) {
    if (pages.count(id) == 0) {
      ++missing;
      MESSAGE("no page for " << id);
    }
  }
  CHECK(missing == 0);
  for (const auto& entry : pages) {
    const std::string& id = entry.first;  // not a structured binding: CAPTURE takes it by lambda
    const RulePage& page = entry.second;
    CAPTURE(id);
    CAPTURE(page.file);
    CHECK(ids.count(id) == 1);
    for (const auto name : kPageSections) {
      CAPTURE(name);
      const auto it = page.sections.find(std::string(name));
      CHECK((it != page.sections.end() && !it->second.empty()));
    }
    CHECK(page.sections.size() == std::size(kPageSections));  // no section misnamed
  }
}

// A page's example made by `rbgate gen GENERATOR ... --fault NAME`: the fault must exist and
// name the page's rule. gateway/gen's tests check each fault against the real checker (the
// file it writes gives that rule), so the example is what an officer will see.
TEST_CASE("every example made by rbgate gen names a fault that trips the page's rule") {
  std::size_t made = 0;
  for (const auto& entry : RulePages()) {
    const std::string& id = entry.first;
    const std::string& example = entry.second.sections.at("Example");
    const auto at = example.find("`rbgate gen ");
    if (at == std::string::npos) continue;
    ++made;
    CAPTURE(id);
    CAPTURE(example);
    const auto end = example.find('`', at + 1);
    REQUIRE(end != std::string::npos);
    std::istringstream words(example.substr(at + 12, end - at - 12));
    std::string generator;
    words >> generator;
    const auto faults = FaultsOf(generator);
    REQUIRE_MESSAGE(faults.has_value(), "rbgate gen has no generator " << generator);
    std::vector<std::string> named;
    bool credits = false;  // `gen arudd --arucs`: ARUCS, whose rules are arudd's renamed
    for (std::string word; words >> word;) {
      if (word == "--fault" && words >> word) named.push_back(word);
      if (word == "--arucs") credits = true;
    }
    REQUIRE_MESSAGE(!named.empty(), "the example names no --fault");
    bool trips = false;
    for (const auto& name : named) {
      const auto it = std::find_if(faults->begin(), faults->end(),
                                   [&](const GenFault& f) { return f.name == name; });
      CHECK_MESSAGE(it != faults->end(), "rbgate gen " << generator << " has no fault " << name);
      if (it == faults->end()) continue;
      std::string rule(it->rule);
      if (credits && rule.starts_with("arudd.")) rule.replace(0, 5, "arucs");
      if (rule == id) trips = true;
    }
    CHECK_MESSAGE(trips, "no fault named trips " << id);
    // The finding it quotes is the page's rule.
    CHECK(example.find("`" + id, end) != std::string::npos);
  }
  // Most pages' examples are made this way; the rest (a ledger's state, a second file) quote
  // the rule's message. Guard the count so that examples are not quietly dropped.
  CHECK(made >= 90);
}

}  // namespace
}  // namespace rbgate::gateway
