#include "schemas/feed.h"

#include <cctype>
#include <set>

#include "schemas/json/rules.h"
#include "schemas/table/rules.h"
#include "schemas/table/validator.h"
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

void FeedCatalogue::AddStore(std::unique_ptr<const FeedStore> store) {
  store_views_.push_back(store.get());
  stores_.push_back(std::move(store));
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
std::span<const FeedStore* const> FeedStores() noexcept { return Catalogue().stores(); }

std::unique_ptr<table::TypedRowSink> MakeTableRecordCheck(const table::TableSchema& schema,
                                                          parsers::DiagnosticSink& diagnostics) {
  for (TableRecordCheck make : Catalogue().table_checks()) {
    if (auto check = make(schema, diagnostics)) return check;
  }
  return nullptr;
}

StatusOr<ReportOut> FeedStore::Report(std::string_view name, FeedRecords&,
                                      const ReportQuery&) const {
  return Error(Code::kNotFound, "no report " + std::string(name));
}

StatusOr<ReportOut> MakeReport(std::string_view name, FeedRecords& records,
                               const ReportQuery& query) {
  for (const auto* store : FeedStores()) {
    for (const auto r : store->reports()) {
      if (r == name) return store->Report(name, records, query);
    }
  }
  return Error(Code::kNotFound, "no report " + std::string(name));
}

std::unique_ptr<FeedSession> OpenFeedSession(std::string_view feed, const SchemaRegistry* registry,
                                             const StoreSettings& settings) {
  if (feed.empty()) return nullptr;
  for (const auto* store : FeedStores()) {
    if (auto session = store->Open(feed, registry, settings)) return session;
  }
  return nullptr;
}

std::string JoinFields(std::initializer_list<std::string_view> fields) {
  std::string out;
  bool first = true;
  for (std::string_view f : fields) {
    if (!first) out += '\t';
    first = false;
    for (char c : f) out += c == '\t' || c == '\n' || c == '\r' ? ' ' : c;
  }
  return out;
}

std::vector<std::string_view> SplitFields(std::string_view text, std::size_t n) {
  std::vector<std::string_view> out(n);
  for (auto& field : out) {
    const auto tab = text.find('\t');
    field = text.substr(0, tab);
    text = tab == std::string_view::npos ? std::string_view() : text.substr(tab + 1);
  }
  return out;
}

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
