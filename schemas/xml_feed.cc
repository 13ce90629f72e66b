#include "schemas/xml_feed.h"

#include <fmt/format.h>

#include <optional>

#include "parsers/xml/rules.h"

namespace rbgate::schemas {
namespace {

// One XML file's check: the validator, and the transform if asked for, on the parser's events.
class XmlCheck final : public FeedCheck {
 public:
  XmlCheck(std::unique_ptr<XmlFeedValidator> validator, std::unique_ptr<parsers::xml::XmlSink> rows,
           parsers::DiagnosticSink& diagnostics, const parsers::xml::XmlSchema* xsd)
      : validator_(std::move(validator)), rows_(std::move(rows)) {
    if (rows_) both_.emplace(*validator_, *rows_);
    parser_.emplace(both_ ? static_cast<parsers::xml::XmlSink&>(*both_) : *validator_, diagnostics,
                    parsers::xml::XmlLimits{}, xsd);
  }
  std::size_t Feed(std::span<const char> window, std::uint64_t, bool last) override {
    parser_->Feed(window, last);
    return window.size();
  }
  void Finish(FeedFacts& facts) override {
    facts.records = validator_->records();
    facts.separator = "xml";
    validator_->Finish(facts);
  }

 private:
  std::unique_ptr<XmlFeedValidator> validator_;
  std::unique_ptr<parsers::xml::XmlSink> rows_;
  std::optional<parsers::xml::TeeSink> both_;
  std::optional<parsers::xml::XmlStreamParser> parser_;
};

}  // namespace

const parsers::xml::XmlSchema* XmlFeed::Xsd(std::string* error) const {
  std::call_once(compiled_, [this] {
    auto compiled = parsers::xml::XmlSchema::FromMemory(d_.xsd, d_.xsd_name);
    if (compiled.ok()) {
      xsd_ = std::move(compiled).value();
    } else {
      xsd_error_ = compiled.status().message;
    }
  });
  if (!xsd_ && error != nullptr) {
    *error = fmt::format("the built-in {} ({}): {}", d_.xsd_name, d_.name, xsd_error_);
  }
  return xsd_.get();
}

std::string XmlFeed::Prepare() const {
  std::string error;
  Xsd(&error);
  return error;
}

StatusOr<std::unique_ptr<FeedCheck>> XmlFeed::MakeCheck(std::uint64_t, const CheckOptions& options,
                                                        parsers::DiagnosticSink& diagnostics,
                                                        const FeedSinks& sinks) const {
  // Without its XSD a file would be judged by half its rules: not judged at all.
  std::string error;
  const parsers::xml::XmlSchema* xsd = Xsd(&error);
  if (xsd == nullptr) return Error(Code::kFailedPrecondition, error);
  std::unique_ptr<parsers::xml::XmlSink> rows;
  if (sinks.rows != nullptr && d_.rows != nullptr) rows = d_.rows(*sinks.rows);
  return std::unique_ptr<FeedCheck>(std::make_unique<XmlCheck>(
      d_.validator(diagnostics, options, sinks), std::move(rows), diagnostics, xsd));
}

std::span<const parsers::Rule* const> XmlLayerRules() noexcept {
  namespace r = parsers::xml::rules;
  static constexpr const parsers::Rule* kAll[] = {
      &r::kDoctype,    &r::kMalformed,    &r::kTruncated,  &r::kEncoding,
      &r::kSchema,     &r::kDepth,        &r::kNameLength, &r::kAttributeLength,
      &r::kTextLength, &r::kMarkupLength, &r::kSize};
  return kAll;
}

}  // namespace rbgate::schemas
