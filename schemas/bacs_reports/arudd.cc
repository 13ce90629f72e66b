#include "schemas/bacs_reports/arudd.h"

#include <fmt/format.h>

#include <charconv>

#include "schemas/values.h"

namespace rbgate::schemas::bacs_reports {

void AruddValidator::StartElement(std::string_view name,
                                  std::span<const parsers::xml::Attribute> attributes,
                                  std::uint64_t line) {
  if (name == "Header") {
    processing_date_.assign(parsers::xml::AttributeValue(attributes, "currentProcessingDate"));
  } else if (name == "ServiceLicenseInformation") {
    sun_.assign(TrimWhitespace(parsers::xml::AttributeValue(attributes, "userNumber")));
  } else if (name == "OriginatingAccountRecord") {
    record_items_ = 0;
    record_value_ = 0;
  } else if (name == kind_.item) {
    ++record_items_;
    ++items_;
    std::uint64_t pence = 0;
    if (PoundsToPence(parsers::xml::AttributeValue(attributes, "valueOf"), pence)) {
      record_value_ += pence;
      value_ += pence;
    }
    if (sink_ != nullptr) {
      in_item_ = true;
      item_ = ReturnedItem{};
      item_.amount = pence;
      item_.line = line;
      item_.credit = kind_.item == kArucs.item;
      original_.assign(parsers::xml::AttributeValue(attributes, "originalProcessingDate"));
      reference_.assign(TrimWhitespace(parsers::xml::AttributeValue(attributes, "ref")));
      code_.assign(parsers::xml::AttributeValue(attributes, "transCode"));
      return_code_.assign(parsers::xml::AttributeValue(attributes, "returnCode"));
      description_.assign(parsers::xml::AttributeValue(attributes, "returnDescription"));
      payer_sort_.clear();
      payer_account_.clear();
    }
    // ISO dates compare as text.
    std::string_view original = parsers::xml::AttributeValue(attributes, "originalProcessingDate");
    if (!processing_date_.empty() && original.size() == 10 && original > processing_date_) {
      Report(*kind_.original_date, line, "originalProcessingDate",
             fmt::format("a returned item's original processing day {} is after this "
                         "report's day {}",
                         original, processing_date_));
    }
  } else if (name == "PayerAccount" && in_item_) {
    AssignSortCode(payer_sort_, parsers::xml::AttributeValue(attributes, "sortCode"));
    payer_account_.assign(parsers::xml::AttributeValue(attributes, "number"));
  } else if (name == "Totals") {
    std::uint64_t declared_count = 0, declared_value = 0;
    std::string_view count = parsers::xml::AttributeValue(attributes, "numberOf");
    auto r = std::from_chars(count.data(), count.data() + count.size(), declared_count);
    if (r.ec == std::errc() && declared_count != record_items_) {
      Report(*kind_.totals_count, line, "numberOf",
             fmt::format("Totals says {} items but the account's record holds {}", declared_count,
                         record_items_));
    }
    if (PoundsToPence(parsers::xml::AttributeValue(attributes, "valueOf"), declared_value) &&
        declared_value != record_value_) {
      Report(*kind_.totals_value, line, "valueOf",
             fmt::format("Totals says {} but the returned items add up to {}",
                         FormatPounds(declared_value), FormatPounds(record_value_)));
    }
  }
}

void AruddValidator::EndElement(std::string_view name, std::uint64_t) {
  if (!in_item_ || name != kind_.item) return;
  in_item_ = false;
  item_.report_day = processing_date_;
  item_.original_day = original_;
  item_.reference = reference_;
  item_.code = code_;
  item_.return_code = return_code_;
  item_.description = description_;
  item_.payer_sort = payer_sort_;
  item_.payer_account = payer_account_;
  item_.sun = sun_;
  sink_->OnReturnedItem(item_);
}

}  // namespace rbgate::schemas::bacs_reports
