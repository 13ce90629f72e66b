// DDIC (indemnity claims): the rule beyond the XSD: per Document, the advices' TotalAmount
// values add up to NewAdvices/TotalValueOfDebits. Element-based: values come as text.
#pragma once

#include <cstdint>
#include <string>

#include "parsers/diagnostic.h"
#include "parsers/xml/xml_stream.h"
#include "schemas/bacs_reports/report_rules.h"

namespace rbgate::schemas::bacs_reports {

namespace rules {
inline constexpr parsers::Rule kDdicTotal{
    "ddic.total", parsers::Severity::kError,
    "the advices' amounts do not add up to TotalValueOfDebits",
    "the claim is inconsistent; ask the bank before anything is refunded or recovered"};
}  // namespace rules

// Collects the text of the leaf elements it cares about and checks the totals.
class DdicValidator final : public XmlFeedValidator {
 public:
  explicit DdicValidator(parsers::DiagnosticSink& diagnostics) : XmlFeedValidator(diagnostics) {}
  void StartElement(std::string_view name, std::span<const parsers::xml::Attribute>,
                    std::uint64_t line) override;
  void EndElement(std::string_view name, std::uint64_t line) override;
  void Text(std::string_view text) override { text_ += text; }

  std::uint64_t advices() const { return advices_; }

  std::uint64_t records() const override { return advices_; }

 private:
  std::string text_;
  std::uint64_t declared_ = 0, sum_ = 0, advices_ = 0;
  bool declared_ok_ = false;
};

}  // namespace rbgate::schemas::bacs_reports
