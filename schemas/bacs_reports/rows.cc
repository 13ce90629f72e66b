#include "schemas/bacs_reports/rows.h"

#include <array>

#include "schemas/bacs_reports/input.h"
#include "schemas/values.h"

namespace rbgate::schemas::bacs_reports {
namespace {

using parsers::xml::Attribute;
using parsers::xml::AttributeValue;

constexpr std::array<std::string_view, 17> kAruddColumns = {"report_type",
                                                            "advice_number",
                                                            "processing_date",
                                                            "service_user_number",
                                                            "orig_sort_code",
                                                            "orig_account",
                                                            "reference",
                                                            "transaction_code",
                                                            "return_code",
                                                            "return_description",
                                                            "original_processing_date",
                                                            "amount_pence",
                                                            "currency",
                                                            "payer_sort_code",
                                                            "payer_account",
                                                            "payer_name",
                                                            "payer_reference"};

constexpr std::array<std::string_view, 15> kMessagingColumns = {
    "advice_type",    "report_type",   "service_user_number", "report_date",     "record_type",
    "effective_date", "reference",     "payer_name",          "payer_sort_code", "payer_account",
    "reason_code",    "new_sort_code", "new_account",         "processing_date", "error"};

constexpr std::array<std::string_view, 7> kDdicColumns = {
    "service_user_number", "date_of_debit",         "reason_code", "reason_meaning",
    "reference",           "paying_bank_reference", "amount_pence"};

constexpr std::array<std::string_view, 13> kInputColumns = {
    "report_type",         "report_date",      "submission_reference", "volume_serial",
    "service_user_number", "user_file_number", "processing_day",       "debit_count",
    "debit_pence",         "credit_count",     "credit_pence",         "error_items",
    "error_pence"};

void SetPence(std::string& out, std::string_view pounds) {
  std::uint64_t pence = 0;
  if (PoundsToPence(TrimWhitespace(pounds), pence)) {
    out = std::to_string(pence);
  } else {
    out.clear();
  }
}

// ARUDD and ARUCS: a row per returned item, completed by its PayerAccount.
class AruddRows final : public parsers::xml::XmlSink {
 public:
  AruddRows(RowWriter& w, std::string_view item) : w_(w), item_(item) {}
  void StartElement(std::string_view name, std::span<const Attribute> a, std::uint64_t) override {
    if (name == "Header") {
      w_[0] = AttributeValue(a, "reportType");
      w_[1] = AttributeValue(a, "adviceNumber");
      w_[2] = AttributeValue(a, "currentProcessingDate");
    } else if (name == "ServiceLicenseInformation") {
      w_[3] = AttributeValue(a, "userNumber");
    } else if (name == "OriginatingAccount") {
      AssignSortCode(w_[4], AttributeValue(a, "sortCode"));
      w_[5] = AttributeValue(a, "number");
    } else if (name == item_) {
      w_.Clear(6, 17);
      w_[6] = AttributeValue(a, "ref");
      w_[7] = AttributeValue(a, "transCode");
      w_[8] = AttributeValue(a, "returnCode");
      w_[9] = AttributeValue(a, "returnDescription");
      w_[10] = AttributeValue(a, "originalProcessingDate");
      SetPence(w_[11], AttributeValue(a, "valueOf"));
      w_[12] = AttributeValue(a, "currency");
      in_item_ = true;
    } else if (name == "PayerAccount" && in_item_) {
      AssignSortCode(w_[13], AttributeValue(a, "sortCode"));
      w_[14] = AttributeValue(a, "number");
      w_[15] = AttributeValue(a, "name");
      w_[16] = AttributeValue(a, "ref");
    }
  }
  void EndElement(std::string_view name, std::uint64_t) override {
    if (in_item_ && name == item_) {
      w_.Write();
      in_item_ = false;
    }
  }

 private:
  RowWriter& w_;
  std::string_view item_;  // ReturnedDebitItem (ARUDD) or ReturnedCreditItem (ARUCS)
  bool in_item_ = false;
};

// ADDACS, AUDDIS, AWACS: a row per MessagingAdvice, with its first error line if any.
class MessagingRows final : public parsers::xml::XmlSink {
 public:
  explicit MessagingRows(RowWriter& w) : w_(w) {}
  void StartElement(std::string_view name, std::span<const Attribute> a, std::uint64_t) override {
    if (name == "MessagingHeader") {
      w_[0] = AttributeValue(a, "advice-type");
      w_[1] = AttributeValue(a, "report-type");
      w_[2] = AttributeValue(a, "user-number");
      w_[3] = AttributeValue(a, "report-generation-date");
    } else if (name == "MessagingAdvice") {
      w_.Clear(4, 15);
      w_[4] = AttributeValue(a, "record-type");
      w_[5] = AttributeValue(a, "effective-date");
      w_[6] = AttributeValue(a, "reference");
      w_[7] = AttributeValue(a, "payer-name");
      AssignSortCode(w_[8], AttributeValue(a, "payer-sort-code"));
      w_[9] = AttributeValue(a, "payer-account-number");
      w_[10] = AttributeValue(a, "reason-code");
      AssignSortCode(w_[11], AttributeValue(a, "payer-new-sort-code"));
      w_[12] = AttributeValue(a, "payer-new-account-number");
      w_[13] = AttributeValue(a, "processing-date");
      in_advice_ = true;
    } else if (name == "MessagingError" && in_advice_ && w_[14].empty()) {
      w_[14] = AttributeValue(a, "line1");
    }
  }
  void EndElement(std::string_view name, std::uint64_t) override {
    if (in_advice_ && name == "MessagingAdvice") {
      w_.Write();
      in_advice_ = false;
    }
  }

 private:
  RowWriter& w_;
  bool in_advice_ = false;
};

// DDIC: element-based; a row per DDICAdvice from its children's text.
class DdicRows final : public parsers::xml::XmlSink {
 public:
  explicit DdicRows(RowWriter& w) : w_(w) {}
  void StartElement(std::string_view name, std::span<const Attribute>, std::uint64_t) override {
    text_.clear();
    if (name == "DDICAdvice") {
      w_.Clear(2, 7);
      in_advice_ = true;
    }
  }
  void Text(std::string_view t) override {
    if (text_.size() < 4096) text_ += t;
  }
  void EndElement(std::string_view name, std::uint64_t) override {
    const std::string_view v = TrimWhitespace(text_);
    if (name == "ServiceUserNumber") w_[0] = v;
    if (name == "DateOfDebit") w_[1] = v;
    if (in_advice_) {
      if (name == "ReasonCode") w_[2] = v;
      if (name == "ReasonCodeMeaning") w_[3] = v;
      if (name == "SUReference") w_[4] = v;
      if (name == "PayingBankReference") w_[5] = v;
      if (name == "TotalAmount") SetPence(w_[6], v);
      if (name == "DDICAdvice") {
        w_.Write();
        in_advice_ = false;
      }
    }
    text_.clear();
  }

 private:
  RowWriter& w_;
  std::string text_;
  bool in_advice_ = false;
};

// Findings nobody reads: the input report's rows reuse its validator's reading of the
// report, and the findings are the real validator's to make.
class IgnoredDiagnostics final : public parsers::DiagnosticSink {
 public:
  void Report(parsers::Diagnostic&&) override {}
  bool Saturated(const parsers::Rule&) const noexcept override { return true; }
};

// The input report: a row per user file, as the validator reads it (totals, error items).
class InputRows final : public parsers::xml::XmlSink {
 public:
  explicit InputRows(RowWriter& w) : w_(w) {}
  void StartElement(std::string_view name, std::span<const Attribute> a,
                    std::uint64_t line) override {
    reading_.StartElement(name, a, line);
  }
  void Text(std::string_view t) override { reading_.Text(t); }
  void EndElement(std::string_view name, std::uint64_t line) override {
    reading_.EndElement(name, line);
    if (name != "InputUserFile" || reading_.answers().empty()) return;
    const AnsweredUserFile& u = reading_.answers().back();
    w_[0] = u.report_type;
    w_[1] = u.report_date;
    w_[2] = u.submission_reference;
    w_[3] = u.serial;
    w_[4] = u.sun;
    w_[5] = u.user_file_number;
    w_[6] = u.processing_day;
    const std::uint64_t counts[] = {u.debit_count,  u.debit_value, u.credit_count,
                                    u.credit_value, u.error_items, u.error_value};
    for (std::size_t i = 0; i < std::size(counts); ++i) w_[7 + i] = std::to_string(counts[i]);
    w_.Write();
  }

 private:
  RowWriter& w_;
  IgnoredDiagnostics ignored_;
  InputReportValidator reading_{ignored_};
};

}  // namespace

RowShape ReturnsRows(bool credits) {
  return {kAruddColumns,
          credits
          ? [](RowWriter& w)
                -> std::unique_ptr<
                    parsers::xml::
                        XmlSink> { return std::make_unique<AruddRows>(w, "ReturnedCreditItem"); }
          : [](RowWriter& w) -> std::unique_ptr<parsers::xml::XmlSink> {
              return std::make_unique<AruddRows>(w, "ReturnedDebitItem");
            }};
}

RowShape MessagingRowShape() {
  return {kMessagingColumns, [](RowWriter& w) -> std::unique_ptr<parsers::xml::XmlSink> {
            return std::make_unique<MessagingRows>(w);
          }};
}

RowShape DdicRowShape() {
  return {kDdicColumns, [](RowWriter& w) -> std::unique_ptr<parsers::xml::XmlSink> {
            return std::make_unique<DdicRows>(w);
          }};
}

RowShape InputRowShape() {
  return {kInputColumns, [](RowWriter& w) -> std::unique_ptr<parsers::xml::XmlSink> {
            return std::make_unique<InputRows>(w);
          }};
}

}  // namespace rbgate::schemas::bacs_reports
