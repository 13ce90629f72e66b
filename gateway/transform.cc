#include "gateway/transform.h"

#include <fmt/format.h>

#include <array>
#include <map>

#include "parsers/xml/xml_stream.h"
#include "schemas/detect.h"
#include "schemas/values.h"
#include "spool/mapped_input.h"
#include "spool/report.h"

namespace rbgate::gateway {
namespace {

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

std::string Digits(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c != '-' && c != ' ') out += c;
  }
  return out;
}

class RowWriter {
 public:
  RowWriter(std::ostream& out, RowFormat format, std::span<const std::string_view> columns)
      : out_(out), format_(format), columns_(columns) {
    if (format_ == RowFormat::kCsv) {
      for (std::size_t i = 0; i < columns_.size(); ++i) {
        out_ << (i ? "," : "") << columns_[i];
      }
      out_ << "\r\n";
    }
  }
  void Write(const std::map<std::string_view, std::string>& row) {
    ++rows_;
    if (format_ == RowFormat::kCsv) {
      for (std::size_t i = 0; i < columns_.size(); ++i) {
        auto it = row.find(columns_[i]);
        out_ << (i ? "," : "") << Csv(it == row.end() ? std::string() : it->second);
      }
      out_ << "\r\n";
      return;
    }
    out_ << '{';
    for (std::size_t i = 0; i < columns_.size(); ++i) {
      auto it = row.find(columns_[i]);
      const std::string value = it == row.end() ? std::string() : it->second;
      out_ << (i ? "," : "") << '"' << columns_[i] << "\":";
      if (columns_[i] == "amount_pence" && !value.empty()) {
        out_ << value;  // a number
      } else {
        out_ << spool::JsonQuoted(value);
      }
    }
    out_ << "}\n";
  }
  long long rows() const { return rows_; }

 private:
  static std::string Csv(const std::string& v) {
    if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
    std::string out = "\"";
    for (char c : v) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
  }
  std::ostream& out_;
  RowFormat format_;
  std::span<const std::string_view> columns_;
  long long rows_ = 0;
};

std::string Get(std::span<const parsers::xml::Attribute> attributes, std::string_view name) {
  return std::string(parsers::xml::AttributeValue(attributes, name));
}

// ARUDD: a row per ReturnedDebitItem, completed by its PayerAccount.
class AruddRows final : public parsers::xml::XmlSink {
 public:
  AruddRows(RowWriter& w, std::string_view item) : w_(w), item_(item) {}
  void StartElement(std::string_view name, std::span<const parsers::xml::Attribute> a,
                    std::uint64_t) override {
    if (name == "Header") {
      header_["report_type"] = Get(a, "reportType");
      header_["advice_number"] = Get(a, "adviceNumber");
      header_["processing_date"] = Get(a, "currentProcessingDate");
    } else if (name == "ServiceLicenseInformation") {
      header_["service_user_number"] = Get(a, "userNumber");
    } else if (name == "OriginatingAccount") {
      header_["orig_sort_code"] = Digits(Get(a, "sortCode"));
      header_["orig_account"] = Get(a, "number");
    } else if (name == item_) {
      row_ = header_;
      row_["reference"] = Get(a, "ref");
      row_["transaction_code"] = Get(a, "transCode");
      row_["return_code"] = Get(a, "returnCode");
      row_["return_description"] = Get(a, "returnDescription");
      row_["original_processing_date"] = Get(a, "originalProcessingDate");
      std::uint64_t pence = 0;
      row_["amount_pence"] =
          schemas::PoundsToPence(Get(a, "valueOf"), pence) ? std::to_string(pence) : std::string();
      row_["currency"] = Get(a, "currency");
      in_item_ = true;
    } else if (name == "PayerAccount" && in_item_) {
      row_["payer_sort_code"] = Digits(Get(a, "sortCode"));
      row_["payer_account"] = Get(a, "number");
      row_["payer_name"] = Get(a, "name");
      row_["payer_reference"] = Get(a, "ref");
    }
  }
  void EndElement(std::string_view name, std::uint64_t) override {
    if (name == item_ && in_item_) {
      w_.Write(row_);
      in_item_ = false;
    }
  }

 private:
  RowWriter& w_;
  std::string_view item_;  // ReturnedDebitItem (ARUDD) or ReturnedCreditItem (ARUCS)
  std::map<std::string_view, std::string> header_, row_;
  bool in_item_ = false;
};

// ADDACS, AUDDIS, AWACS: a row per MessagingAdvice, with its first error line if any.
class MessagingRows final : public parsers::xml::XmlSink {
 public:
  explicit MessagingRows(RowWriter& w) : w_(w) {}
  void StartElement(std::string_view name, std::span<const parsers::xml::Attribute> a,
                    std::uint64_t) override {
    if (name == "MessagingHeader") {
      header_["advice_type"] = Get(a, "advice-type");
      header_["report_type"] = Get(a, "report-type");
      header_["service_user_number"] = Get(a, "user-number");
      header_["report_date"] = Get(a, "report-generation-date");
    } else if (name == "MessagingAdvice") {
      row_ = header_;
      row_["record_type"] = Get(a, "record-type");
      row_["effective_date"] = Get(a, "effective-date");
      row_["reference"] = Get(a, "reference");
      row_["payer_name"] = Get(a, "payer-name");
      row_["payer_sort_code"] = Digits(Get(a, "payer-sort-code"));
      row_["payer_account"] = Get(a, "payer-account-number");
      row_["reason_code"] = Get(a, "reason-code");
      row_["new_sort_code"] = Digits(Get(a, "payer-new-sort-code"));
      row_["new_account"] = Get(a, "payer-new-account-number");
      row_["processing_date"] = Get(a, "processing-date");
      in_advice_ = true;
    } else if (name == "MessagingError" && in_advice_ && row_["error"].empty()) {
      row_["error"] = Get(a, "line1");
    }
  }
  void EndElement(std::string_view name, std::uint64_t) override {
    if (name == "MessagingAdvice" && in_advice_) {
      w_.Write(row_);
      in_advice_ = false;
    }
  }

 private:
  RowWriter& w_;
  std::map<std::string_view, std::string> header_, row_;
  bool in_advice_ = false;
};

// DDIC: element-based; a row per DDICAdvice from its children's text.
class DdicRows final : public parsers::xml::XmlSink {
 public:
  explicit DdicRows(RowWriter& w) : w_(w) {}
  void StartElement(std::string_view name, std::span<const parsers::xml::Attribute>,
                    std::uint64_t) override {
    text_.clear();
    if (name == "DDICAdvice") {
      row_ = header_;
      in_advice_ = true;
    }
  }
  void Text(std::string_view t) override { text_ += t; }
  void EndElement(std::string_view name, std::uint64_t) override {
    std::string v(schemas::TrimWhitespace(text_));
    text_.clear();
    if (name == "ServiceUserNumber") header_["service_user_number"] = v;
    if (name == "DateOfDebit") header_["date_of_debit"] = v;
    if (!in_advice_) return;
    if (name == "ReasonCode") row_["reason_code"] = v;
    if (name == "ReasonCodeMeaning") row_["reason_meaning"] = v;
    if (name == "SUReference") row_["reference"] = v;
    if (name == "PayingBankReference") row_["paying_bank_reference"] = v;
    if (name == "TotalAmount") {
      std::uint64_t pence = 0;
      row_["amount_pence"] =
          schemas::PoundsToPence(v, pence) ? std::to_string(pence) : std::string();
    }
    if (name == "DDICAdvice") {
      w_.Write(row_);
      in_advice_ = false;
    }
  }

 private:
  RowWriter& w_;
  std::string text_;
  std::map<std::string_view, std::string> header_, row_;
  bool in_advice_ = false;
};

}  // namespace

std::span<const std::string_view> TransformColumns(std::string_view feed) {
  if (feed == schemas::kFeedDdic) return kDdicColumns;
  if (feed == schemas::kFeedArudd || feed == schemas::kFeedArucs) return kAruddColumns;
  if (schemas::IsMessagingFeed(feed)) return kMessagingColumns;
  return {};
}

long long TransformFile(const std::string& path, std::string_view feed, RowFormat format,
                        std::ostream& out, std::string& error) {
  const auto columns = TransformColumns(feed);
  if (columns.empty()) {
    error = "no transform for feed '" + std::string(feed) + "'";
    return -1;
  }
  RowWriter writer(out, format, columns);
  AruddRows arudd(writer, feed == schemas::kFeedArucs ? "ReturnedCreditItem" : "ReturnedDebitItem");
  MessagingRows messaging(writer);
  DdicRows claims(writer);
  parsers::xml::XmlSink& sink =
      feed == schemas::kFeedDdic       ? static_cast<parsers::xml::XmlSink&>(claims)
      : schemas::IsMessagingFeed(feed) ? static_cast<parsers::xml::XmlSink&>(messaging)
                                       : static_cast<parsers::xml::XmlSink&>(arudd);
  parsers::DiagnosticCollector ignored(1);  // the check reports findings; this only reads
  parsers::xml::XmlStreamParser parser(sink, ignored);
  spool::InputError e;
  if (!spool::ForEachWindow(
          path, std::size_t{16} << 20,
          [&](std::span<const char> w, std::uint64_t, bool last) {
            parser.Feed(w, last);
            return w.size();
          },
          e)) {
    error = e.message;
    return -1;
  }
  return writer.rows();
}

}  // namespace rbgate::gateway
