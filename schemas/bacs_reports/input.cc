#include "schemas/bacs_reports/input.h"

#include <fmt/format.h>

#include <charconv>

#include "schemas/values.h"

namespace rbgate::schemas::bacs_reports {
namespace {

using parsers::xml::AttributeValue;

std::uint64_t Count(std::string_view text) {
  std::uint64_t n = 0;
  std::from_chars(text.data(), text.data() + text.size(), n);
  return n;
}

std::uint64_t Pence(std::string_view text) {
  std::uint64_t p = 0;
  PoundsToPence(text, p);
  return p;
}

}  // namespace

void InputReportValidator::StartElement(std::string_view name,
                                        std::span<const parsers::xml::Attribute> a,
                                        std::uint64_t line) {
  if (name == "Header") {
    report_type_.assign(AttributeValue(a, "reportType"));
  } else if (name == "ProcessingDate") {
    report_date_.assign(AttributeValue(a, "date"));
  } else if (name == "SubmissionInformation") {
    serial_.assign(TrimWhitespace(AttributeValue(a, "volumeSerialNumber")));
    submission_reference_.assign(AttributeValue(a, "submissionReferenceNumber"));
    in_submission_ = 0;
  } else if (name == "UserFileInformation") {
    AnsweredUserFile u;
    u.report_type = report_type_;
    u.report_date = report_date_;
    u.submission_reference = submission_reference_;
    u.sun.assign(AttributeValue(a, "userNumber"));
    u.serial = serial_;
    u.user_file_number.assign(AttributeValue(a, "userFileNumber"));
    u.processing_day.assign(AttributeValue(a, "uhl1ProcessingDate"));
    u.index = in_submission_++;
    u.line = line;
    answers_.push_back(std::move(u));
    in_user_file_ = true;
  } else if (name == "DaySectionRecord" && in_user_file_) {
    auto day = AttributeValue(a, "processingDate");
    if (answers_.back().processing_day.empty()) answers_.back().processing_day.assign(day);
  } else if ((name == "Debit" || name == "Credit") && in_user_file_) {
    in_debit_ = name == "Debit";
    totals_count_ = Count(AttributeValue(a, "numberOf"));
    totals_value_ = Pence(AttributeValue(a, "valueOf"));
    auto& u = answers_.back();
    (in_debit_ ? u.debit_count : u.credit_count) += totals_count_;
    (in_debit_ ? u.debit_value : u.credit_value) += totals_value_;
  } else if (name == "Contra" && in_user_file_) {
    const std::uint64_t n = Count(AttributeValue(a, "numberOf"));
    const std::uint64_t v = Pence(AttributeValue(a, "valueOf"));
    if (n > totals_count_ || v > totals_value_) {
      Report(
          rules::kInputContra, line, n > totals_count_ ? "numberOf" : "valueOf",
          fmt::format("the {} contra is {} record{} of {}, more than the day's {} record{} of {}",
                      in_debit_ ? "debit" : "credit", n, n == 1 ? "" : "s", FormatPounds(v),
                      totals_count_, totals_count_ == 1 ? "" : "s", FormatPounds(totals_value_)));
    }
  } else if (name == "ErrorItem") {
    error_value_.assign(AttributeValue(a, "valueOf"));
    error_line_ = line;
    if (in_user_file_) {
      ++answers_.back().error_items;
      answers_.back().error_value += Pence(error_value_);
    }
  } else if (name == "ErrorMessage") {
    message_type_.assign(AttributeValue(a, "type"));
    message_.clear();
    in_message_ = true;
    if (error_line_ == 0) error_line_ = line;
  }
}

void InputReportValidator::EndElement(std::string_view name, std::uint64_t) {
  if (name == "ErrorMessage") {
    in_message_ = false;
  } else if (name == "Error") {
    std::uint64_t pence = 0;
    const bool valued = PoundsToPence(error_value_, pence);
    // The message is Bacs's own text about the item; it names no payer.
    const std::string text(TrimWhitespace(message_));
    Report(rules::kInputItemError, error_line_, "ErrorMessage",
           fmt::format("Bacs {} an item{}{}", message_type_.empty() ? "reported" : message_type_,
                       valued ? " of " + FormatPounds(pence) : std::string(),
                       text.empty() ? std::string() : ": " + text));
    error_value_.clear();
    error_line_ = 0;
  } else if (name == "InputUserFile" && in_user_file_) {
    in_user_file_ = false;
    if (answers_.back().processing_day.empty()) {
      Report(rules::kInputDayMissing, answers_.back().line, "uhl1ProcessingDate",
             fmt::format("user file {} of SUN {} gives no processing day",
                         answers_.back().user_file_number, answers_.back().sun));
    }
  }
}

}  // namespace rbgate::schemas::bacs_reports
