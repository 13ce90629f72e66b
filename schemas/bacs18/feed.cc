// The Bacs Standard 18 payment file: the feed the council sends, recognised by its VOL1 label,
// parsed by the X3 grammar (parsers/bacs18) and judged by the validator beside this file. Its
// business key refuses the same payments sent twice; its items go to reconciliation.
#include "schemas/feed.h"

#include <algorithm>
#include <optional>

#include "parsers/bacs18/layout.h"
#include "parsers/bacs18/rules.h"
#include "parsers/bacs18/standard18.h"
#include "schemas/bacs18/business_key.h"
#include "schemas/bacs18/items.h"
#include "schemas/bacs18/validator.h"

namespace rbgate::schemas::bacs18 {
namespace {

class Check final : public FeedCheck {
 public:
  Check(const ValidatorOptions& options, parsers::DiagnosticSink& diagnostics,
        schemas::ItemSink* items)
      : encoder_(items != nullptr ? std::make_unique<SentItemEncoder>(*items) : nullptr),
        validator_(WithItems(options, encoder_.get()), diagnostics),
        parser_(validator_, diagnostics) {}
  std::size_t Feed(std::span<const char> window, std::uint64_t offset, bool last) override {
    return parser_.Feed(window, offset, last);
  }
  void Finish(FeedFacts& facts) override {
    parser_.Finish();
    validator_.Finish();
    facts.records = parser_.summary().records;
    facts.bytes = parser_.summary().bytes;
    facts.separator = std::string(parsers::bacs18::SeparatorName(parser_.summary().separator));
    facts.business_key = Bacs18BusinessKey(validator_.facts());
  }

 private:
  static ValidatorOptions WithItems(ValidatorOptions o, ItemSink* items) {
    o.items = items;
    return o;
  }
  std::unique_ptr<SentItemEncoder> encoder_;  // the items, on to the store's sink
  Validator validator_;
  parsers::bacs18::Parser parser_;
};

class Standard18 final : public BuiltinFeed {
 public:
  std::string_view name() const noexcept override { return "bacs18"; }
  std::string_view kind() const noexcept override { return "bacs18"; }
  std::string_view origin() const noexcept override { return "built in (C++)"; }
  std::span<const parsers::Rule* const> rules() const noexcept override {
    return parsers::bacs18::rules::All();
  }
  Claim ClaimText(std::string_view head) const override {
    return {parsers::bacs18::LooksLikeStandard18(head), {}};
  }
  StatusOr<std::unique_ptr<FeedCheck>> MakeCheck(std::uint64_t size, const CheckOptions& o,
                                                 parsers::DiagnosticSink& diagnostics,
                                                 const FeedSinks& sinks) const override {
    ValidatorOptions options;
    static_cast<CheckOptions&>(options) = o;
    // The duplicate-item set is sized for the records the file can hold, not the maximum: a
    // 4 KiB file should not cost 16 MiB of zeroed memory.
    options.duplicate_window = std::min<std::size_t>(
        o.duplicate_window, static_cast<std::size_t>(size / parsers::bacs18::kDataLength + 16));
    return std::unique_ptr<FeedCheck>(std::make_unique<Check>(options, diagnostics, sinks.items));
  }
  // The layout says which fields are personal (names, accounts, references): only those are
  // masked, and whatever lies past the layout, which is not known not to be.
  std::string MaskLine(std::string_view line) const override {
    namespace p18 = parsers::bacs18;
    std::string out(line);
    p18::RecordKind kind = p18::RecordKind::kData;
    p18::LabelKind(line, kind);
    const bool multi_day = line.size() > p18::kDataLength;
    for (const auto& field : p18::FieldsOf(kind, multi_day)) {
      if (!field.personal) continue;
      for (std::size_t i = field.begin(); i < field.end() && i < out.size(); ++i) {
        if (out[i] != ' ') out[i] = '*';
      }
    }
    const std::size_t known = kind == p18::RecordKind::kData
                                  ? (multi_day ? p18::kMultiDayDataLength : p18::kDataLength)
                                  : p18::kLabelLength;
    for (std::size_t i = known; i < out.size(); ++i) {
      if (out[i] != ' ') out[i] = '*';
    }
    return out;
  }
};

}  // namespace

void RegisterFeeds(FeedCatalogue& catalogue) { catalogue.Add(std::make_unique<Standard18>()); }

}  // namespace rbgate::schemas::bacs18
