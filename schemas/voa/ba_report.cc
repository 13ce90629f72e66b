#include "schemas/voa/ba_report.h"

#include <fmt/format.h>

#include "schemas/values.h"

namespace rbgate::schemas::voa {

std::span<const parsers::Rule* const> AllBaReportRules() noexcept {
  static constexpr const parsers::Rule* kAll[] = {&ba_rules::kEntries, &ba_rules::kTax,
                                                  &ba_rules::kTrailer};
  return kAll;
}

void BaReportValidator::StartElement(std::string_view name,
                                     std::span<const parsers::xml::Attribute>, std::uint64_t line) {
  text_.clear();
  if (name == "BApropertyReport") {
    reference_.clear(), reason_.clear();
    ctax_ = nndr_ = existing_ = proposed_ = false;
    bands_ = values_ = 0;
    report_line_ = line;
  } else if (name == "CtaxReasonForReport") {
    ctax_ = true;
  } else if (name == "NNDRreasonForReport") {
    nndr_ = true;
  } else if (name == "ExistingEntries") {
    existing_ = true;
  } else if (name == "ProposedEntries") {
    proposed_ = true;
  } else if (name == "BAreportTrailer") {
    in_trailer_ = true;
  }
}

void BaReportValidator::Text(std::string_view text) {
  if (text_.size() < 256) text_ += text.substr(0, 256);  // no value checked here is longer
}

void BaReportValidator::EndElement(std::string_view name, std::uint64_t line) {
  const std::string value(TrimWhitespace(text_));
  text_.clear();
  if (name == "TransactionIdentityBA") {
    reference_ = value;
  } else if (name == "ReasonForReportCode") {
    reason_ = value;
  } else if (name == "CouncilTaxBand") {
    if (bands_++ == 0) band_line_ = line;
  } else if (name == "RateableValue") {
    if (values_++ == 0) value_line_ = line;
  } else if (name == "BApropertyReport") {
    ++reports_;
    if (ctax_) ++ctax_reports_;
    if (nndr_) ++nndr_reports_;
    CheckReport(line);
  } else if (in_trailer_ && name == "RecordCount") {
    record_count_ = value;
  } else if (in_trailer_ && name == "TotalNNDRreportCount") {
    nndr_count_ = value;
  } else if (in_trailer_ && name == "TotalCtaxReportCount") {
    ctax_count_ = value;
  } else if (name == "BAreportTrailer") {
    in_trailer_ = false;
    CheckTrailer(line);
  }
}

void BaReportValidator::CheckReport(std::uint64_t line) {
  const std::string which = reference_.empty() ? fmt::format("the report on line {}", report_line_)
                                               : "report " + reference_;
  if (ctax_ && bands_ == 0 && values_ > 0) {
    Report(
        ba_rules::kTax, value_line_, "RateableValue",
        fmt::format("{} is a council tax report ({}) but gives a rateable value", which, reason_));
  }
  if (nndr_ && bands_ > 0) {
    Report(ba_rules::kTax, band_line_, "CouncilTaxBand",
           fmt::format("{} is an NNDR report ({}) but gives a council tax band", which, reason_));
  }
  if (!ctax_) return;
  const bool needs_existing =
      reason_ == "CR01" || reason_ == "CR02" || reason_ == "CR05" || reason_ == "CR12";
  const bool needs_proposed =
      reason_ == "CR03" || reason_ == "CR04" || reason_ == "CR05" || reason_ == "CR12";
  const auto lack = [&](const char* what) {
    Report(ba_rules::kEntries, line, what,
           fmt::format("{} gives reason {}, which needs {}; it has none", which, reason_, what));
  };
  if (needs_existing && !existing_) lack("ExistingEntries");
  if (needs_proposed && !proposed_) lack("ProposedEntries");
}

void BaReportValidator::CheckTrailer(std::uint64_t line) {
  // The XSD has checked each is a whole number; a count it refused is not compared again.
  const auto compare = [&](const std::string& text, std::uint64_t actual, const char* field,
                           const char* what) {
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos ||
        text.size() > 18) {
      return;
    }
    const std::uint64_t stated = std::stoull(text);
    if (stated != actual) {
      Report(ba_rules::kTrailer, line, field,
             fmt::format("{} says {}, but the file holds {} {}", field, stated, actual, what));
    }
  };
  compare(record_count_, reports_, "RecordCount", "reports");
  compare(nndr_count_, nndr_reports_, "TotalNNDRreportCount", "NNDR reports");
  compare(ctax_count_, ctax_reports_, "TotalCtaxReportCount", "council tax reports");
}

}  // namespace rbgate::schemas::voa
