#include "schemas/feed.h"

#include <cctype>
#include <set>

#include "schemas/json/rules.h"
#include "schemas/table/rules.h"
#include "schemas/voa/rules.h"
#include "schemas/xml_feed.h"

namespace rbgate::schemas {

// Generated from the build's feed list: calls each feed folder's registration function.
void RegisterBuiltinFeeds(FeedCatalogue& catalogue);

Claim BuiltinFeed::ClaimText(std::string_view) const { return {}; }
Claim BuiltinFeed::ClaimXml(std::string_view, std::string_view) const { return {}; }

std::string BuiltinFeed::MaskLine(std::string_view line) const { return MaskEveryLetter(line); }

std::string MaskEveryLetter(std::string_view line) {
  std::string out(line);
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || u >= 0x80) c = '*';
  }
  return out;
}

void FeedCatalogue::Add(std::unique_ptr<const BuiltinFeed> feed) {
  views_.push_back(feed.get());
  owned_.push_back(std::move(feed));
}

namespace {
const FeedCatalogue& Catalogue() {
  static const FeedCatalogue catalogue = [] {
    FeedCatalogue c;
    RegisterBuiltinFeeds(c);
    return c;
  }();
  return catalogue;
}
}  // namespace

std::span<const BuiltinFeed* const> BuiltinFeeds() noexcept { return Catalogue().feeds(); }

const BuiltinFeed* FindBuiltinFeed(std::string_view name) noexcept {
  for (const auto* f : BuiltinFeeds()) {
    if (f->name() == name) return f;
  }
  return nullptr;
}

std::span<const std::string_view> BuiltinColumns(std::string_view name) noexcept {
  const auto* feed = FindBuiltinFeed(name);
  return feed != nullptr ? feed->transform_columns() : std::span<const std::string_view>();
}

std::vector<const parsers::Rule*> AllRules() {
  std::vector<const parsers::Rule*> out;
  std::set<const parsers::Rule*> seen;
  const auto add = [&](std::span<const parsers::Rule* const> rules) {
    for (const auto* r : rules) {
      if (seen.insert(r).second) out.push_back(r);
    }
  };
  for (const auto* f : BuiltinFeeds()) {
    if (f->kind() == "xml") add(XmlLayerRules());
    add(f->rules());
  }
  // The schema engines', for every feed a schema file defines.
  add(table::rules::All());
  add(json::rules::All());
  add(voa::rules::All());
  return out;
}

std::string PrepareBuiltinFeeds() {
  for (const auto* f : BuiltinFeeds()) {
    if (std::string error = f->Prepare(); !error.empty()) return error;
  }
  return {};
}

}  // namespace rbgate::schemas
