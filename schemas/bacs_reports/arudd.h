// ARUDD (unpaid Direct Debits): the rules beyond the XSD. Per originating account, Totals'
// count and value must equal the returned items'; each item's original processing day must
// not be after the report's. Consumes the XML layer's events in one pass.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "parsers/diagnostic.h"
#include "parsers/xml/xml_stream.h"
#include "schemas/bacs_reports/report_rules.h"

namespace rbgate::schemas::bacs_reports {

namespace rules {
using parsers::Rule;
inline constexpr Rule kTotalsCount{"arudd.totals.count", parsers::Severity::kError,
                                   "Totals@numberOf differs from the returned items",
                                   "the bank's report is inconsistent; ask the bank to re-send"};
inline constexpr Rule kTotalsValue{"arudd.totals.value", parsers::Severity::kError,
                                   "Totals@valueOf differs from the sum of the returned items",
                                   "the bank's report is inconsistent; ask the bank to re-send"};
inline constexpr Rule kOriginalDate{
    "arudd.item.original-date", parsers::Severity::kError,
    "an item's original processing day is after the report's processing day",
    "a debit cannot be returned before it was collected"};
inline constexpr Rule kArucsTotalsCount{
    "arucs.totals.count", parsers::Severity::kError,
    "Totals@numberOf differs from the returned items",
    "the bank's report is inconsistent; ask the bank to re-send"};
inline constexpr Rule kArucsTotalsValue{
    "arucs.totals.value", parsers::Severity::kError,
    "Totals@valueOf differs from the sum of the returned items",
    "the bank's report is inconsistent; ask the bank to re-send"};
inline constexpr Rule kArucsOriginalDate{
    "arucs.item.original-date", parsers::Severity::kError,
    "an item's original processing day is after the report's processing day",
    "a credit cannot be returned before it was sent"};
// Against the ledger (the spool applies these, as the report is checked): warnings, so that a
// report of returns for items sent another way still goes through, with a record of each.
inline constexpr Rule kUnmatched{
    "arudd.item.unmatched", parsers::Severity::kWarning,
    "a returned item matches no Direct Debit the gateway sent",
    "find the debit in the R&B system by its reference before acting on the return; "
    "rbgate reconcile lists them all"};
inline constexpr Rule kReturnedTwice{
    "arudd.item.returned-twice", parsers::Severity::kWarning,
    "an earlier report already returned this Direct Debit",
    "act on the return once: the household must not be chased twice"};
inline constexpr Rule kArucsUnmatched{
    "arucs.item.unmatched", parsers::Severity::kWarning,
    "a returned item matches no credit the gateway sent",
    "find the payment in the R&B system by its reference before re-issuing it; "
    "rbgate reconcile lists them all"};
inline constexpr Rule kArucsReturnedTwice{
    "arucs.item.returned-twice", parsers::Severity::kWarning,
    "an earlier report already returned this credit",
    "act on the return once: the payment must not be re-issued twice"};
}  // namespace rules

// ARUDD and ARUCS share a shape (ARUCS's is inferred from ARUDD's): what differs.
struct ReturnsKind {
  std::string_view item;  // ReturnedDebitItem or ReturnedCreditItem
  const parsers::Rule* totals_count;
  const parsers::Rule* totals_value;
  const parsers::Rule* original_date;
  const parsers::Rule* unmatched;
  const parsers::Rule* returned_twice;
};
inline constexpr ReturnsKind kArudd{"ReturnedDebitItem",  &rules::kTotalsCount,
                                    &rules::kTotalsValue, &rules::kOriginalDate,
                                    &rules::kUnmatched,   &rules::kReturnedTwice};
inline constexpr ReturnsKind kArucs{"ReturnedCreditItem",      &rules::kArucsTotalsCount,
                                    &rules::kArucsTotalsValue, &rules::kArucsOriginalDate,
                                    &rules::kArucsUnmatched,   &rules::kArucsReturnedTwice};

// One returned item, complete with its payer's account: what reconciliation matches against
// the Standard 18 items sent. Views valid for the call only.
struct ReturnedItem {
  std::string_view report_day;    // the report's currentProcessingDate, ISO
  std::string_view original_day;  // originalProcessingDate, ISO
  std::string_view reference, code, return_code, description;
  std::string_view payer_sort;  // six digits when well formed (hyphens removed)
  std::string_view payer_account;
  std::string_view sun;      // the service user's number the report is for (userNumber)
  std::uint64_t amount = 0;  // pence; 0 if not pounds and pence (the XSD refuses the file)
  std::uint64_t line = 0;
  bool credit = false;  // a returned credit (ARUCS), else a returned debit (ARUDD)
};
class ReturnedItemSink {
 public:
  virtual ~ReturnedItemSink() = default;
  virtual void OnReturnedItem(const ReturnedItem& item) = 0;
};

class AruddValidator final : public XmlFeedValidator {
 public:
  // `items`, if given, is told of every returned item.
  explicit AruddValidator(parsers::DiagnosticSink& diagnostics, const ReturnsKind& kind = kArudd,
                          ReturnedItemSink* items = nullptr)
      : XmlFeedValidator(diagnostics), kind_(kind), sink_(items) {}
  // Its items, encoded, on to `items` (which must outlive it).
  AruddValidator(parsers::DiagnosticSink& diagnostics, const ReturnsKind& kind,
                 std::unique_ptr<ReturnedItemSink> items)
      : XmlFeedValidator(diagnostics), kind_(kind), owned_(std::move(items)), sink_(owned_.get()) {}

  void StartElement(std::string_view name, std::span<const parsers::xml::Attribute> attributes,
                    std::uint64_t line) override;
  void EndElement(std::string_view name, std::uint64_t line) override;

  std::uint64_t items() const { return items_; }
  std::uint64_t value() const { return value_; }  // pence, all items

  std::uint64_t records() const override { return items_; }

 private:
  const ReturnsKind& kind_;
  std::string processing_date_, sun_;
  std::uint64_t record_items_ = 0, record_value_ = 0;
  std::uint64_t items_ = 0, value_ = 0;
  std::unique_ptr<ReturnedItemSink> owned_;
  ReturnedItemSink* sink_;
  // The item being read, until its end tag.
  bool in_item_ = false;
  std::string original_, reference_, code_, return_code_, description_, payer_sort_, payer_account_;
  ReturnedItem item_;
};

}  // namespace rbgate::schemas::bacs_reports
