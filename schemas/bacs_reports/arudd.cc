#include "schemas/bacs_reports/arudd.h"

#include <fmt/format.h>

#include <charconv>

#include "schemas/values.h"

namespace rbgate::schemas::bacs_reports {

namespace {}  // namespace

void AruddValidator::Report(const parsers::Rule& rule, std::uint64_t line, std::string_view field,
                            std::string message) {
  parsers::ReportAt(diagnostics_, rule, line, 1, field, std::move(message));
}

void AruddValidator::StartElement(std::string_view name,
                                  std::span<const parsers::xml::Attribute> attributes,
                                  std::uint64_t line) {
  if (name == "Header") {
    processing_date_.assign(parsers::xml::AttributeValue(attributes, "currentProcessingDate"));
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
    // ISO dates compare as text.
    std::string_view original = parsers::xml::AttributeValue(attributes, "originalProcessingDate");
    if (!processing_date_.empty() && original.size() == 10 && original > processing_date_) {
      Report(
          *kind_.original_date, line, "originalProcessingDate",
          fmt::format(
              "item {} was originally processed on {}, after this report's day {}",
              parsers::xml::AttributeValue(attributes, "ref").empty() ? "?" : "with its reference",
              original, processing_date_));
    }
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

void AruddValidator::EndElement(std::string_view, std::uint64_t) {}

}  // namespace rbgate::schemas::bacs_reports
