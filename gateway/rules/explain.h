// Every rule explained (rbgate explain RULE): a page a rule, kept as data beside the rules
// (`*.rules.md`, compiled in), each with what the rule checks, why it matters to the service,
// a failing example with the finding it gives, how to fix the file or when a release is right,
// and the specification it comes from.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/diagnostic.h"

namespace rbgate::gateway {

// Every rule any part of rbgate reports: an unknown feed, the feeds' and schema engines'
// (schemas::AllRules), the spool's (OpenPGP). What rbgate rules lists.
std::vector<const parsers::Rule*> EveryRule();

struct RulePage {
  std::string id;
  std::string file;                             // the pages file it came from
  std::map<std::string, std::string> sections;  // "Checks", "Matters", "Example", "Fix", "From"
};

// The sections every page has, in the order they are shown.
inline constexpr std::string_view kPageSections[] = {"Checks", "Matters", "Example", "Fix", "From"};

// Pages in `text` (a `*.rules.md` file): a `## rule.id` heading each, its sections paragraphs
// starting `**Name.**`. Text before the first heading (a comment) is skipped.
std::vector<RulePage> ParseRulePages(std::string_view text, const std::string& file);

// Every page compiled in, by rule id.
const std::map<std::string, RulePage>& RulePages();

// A page as a person reads it in a terminal: the heading, then each section.
std::string RenderPage(const RulePage& page);

}  // namespace rbgate::gateway
