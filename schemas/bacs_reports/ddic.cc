#include "schemas/bacs_reports/ddic.h"

#include <fmt/format.h>

#include <memory>

#include "schemas/values.h"

namespace rbgate::schemas::bacs_reports {

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
    declared_ok_ = PoundsToPence(TrimWhitespace(text_), declared_);
  } else if (name == "TotalAmount") {
    if (PoundsToPence(TrimWhitespace(text_), pence)) sum_ += pence;
  } else if (name == "DDICAdvice") {
    ++advices_;
  } else if (name == "NewAdvices" && declared_ok_ && declared_ != sum_) {
    parsers::ReportAt(diagnostics_, rules::kDdicTotal, line, 1, "TotalValueOfDebits",
                      fmt::format("TotalValueOfDebits says {} but the advices add up to {}",
                                  FormatPounds(declared_), FormatPounds(sum_)));
  }
  text_.clear();
}

}  // namespace rbgate::schemas::bacs_reports
