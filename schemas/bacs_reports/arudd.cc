#include "schemas/bacs_reports/arudd.h"

#include <fmt/format.h>

#include <charconv>
#include <memory>

namespace rbgate::schemas::bacs_reports {

extern const std::string_view kAruddXsd;  // generated from arudd.xsd
extern const std::string_view kArucsXsd;  // generated from arucs.xsd

namespace {

std::string Pounds(std::uint64_t pence) {
  return fmt::format("£{}.{:02}", pence / 100, pence % 100);
}

}  // namespace

const parsers::xml::XmlSchema* AruddSchema() {
  static const std::unique_ptr<parsers::xml::XmlSchema> schema = [] {
    std::string error;
    return parsers::xml::XmlSchema::FromMemory(kAruddXsd, "arudd.xsd", error);
  }();
  return schema.get();
}

const parsers::xml::XmlSchema* ArucsSchema() {
  static const std::unique_ptr<parsers::xml::XmlSchema> schema = [] {
    std::string error;
    return parsers::xml::XmlSchema::FromMemory(kArucsXsd, "arucs.xsd", error);
  }();
  return schema.get();
}

bool PoundsToPence(std::string_view text, std::uint64_t& pence) {
  auto dot = text.find('.');
  if (dot == std::string_view::npos || dot == 0 || text.size() - dot != 3 || dot > 11) return false;
  std::uint64_t pounds = 0, pennies = 0;
  auto a = std::from_chars(text.data(), text.data() + dot, pounds);
  auto b = std::from_chars(text.data() + dot + 1, text.data() + text.size(), pennies);
  if (a.ec != std::errc() || a.ptr != text.data() + dot || b.ec != std::errc() ||
      b.ptr != text.data() + text.size() || text[dot + 1] == '-' || text[0] == '-') {
    return false;
  }
  pence = pounds * 100 + pennies;
  return true;
}

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
                         Pounds(declared_value), Pounds(record_value_)));
    }
  }
}

void AruddValidator::EndElement(std::string_view, std::uint64_t) {}

}  // namespace rbgate::schemas::bacs_reports
