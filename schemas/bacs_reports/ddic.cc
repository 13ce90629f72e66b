#include "schemas/bacs_reports/ddic.h"

#include <fmt/format.h>

#include <memory>

#include "schemas/bacs_reports/arudd.h"

namespace rbgate::schemas::bacs_reports {

extern const std::string_view kDdicXsd;  // generated from ddic.xsd

namespace {

std::string_view Trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

std::string Pounds(std::uint64_t pence) {
  return fmt::format("£{}.{:02}", pence / 100, pence % 100);
}

}  // namespace

const parsers::xml::XmlSchema* DdicSchema() {
  static const std::unique_ptr<parsers::xml::XmlSchema> schema = [] {
    std::string error;
    return parsers::xml::XmlSchema::FromMemory(kDdicXsd, "ddic.xsd", error);
  }();
  return schema.get();
}

void DdicValidator::StartElement(std::string_view name, std::span<const parsers::xml::Attribute>,
                                 std::uint64_t) {
  text_.clear();
  if (name == "NewAdvices") {
    declared_ = sum_ = 0;
    declared_ok_ = false;
  }
}

void DdicValidator::EndElement(std::string_view name, std::uint64_t line) {
  std::uint64_t pence = 0;
  if (name == "TotalValueOfDebits") {
    declared_ok_ = PoundsToPence(Trim(text_), declared_);
  } else if (name == "TotalAmount") {
    if (PoundsToPence(Trim(text_), pence)) sum_ += pence;
  } else if (name == "DDICAdvice") {
    ++advices_;
  } else if (name == "NewAdvices" && declared_ok_ && declared_ != sum_) {
    parsers::ReportAt(diagnostics_, rules::kDdicTotal, line, 1, "TotalValueOfDebits",
                      fmt::format("TotalValueOfDebits says {} but the advices add up to {}",
                                  Pounds(declared_), Pounds(sum_)));
  }
  text_.clear();
}

}  // namespace rbgate::schemas::bacs_reports
