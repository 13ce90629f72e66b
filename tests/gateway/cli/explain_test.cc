// Every rule explained: each rule rbgate can report has a page, each page is whole (what it
// checks, why it matters, an example, the fix, where it comes from) and names a rule that
// exists; the pages' reader and layout.
#include "gateway/cli/explain.h"

#include <doctest/doctest.h>

#include <set>

namespace rbgate::cli {
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

}  // namespace
}  // namespace rbgate::cli
