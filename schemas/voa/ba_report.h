// Billing authority reports (council to VOA, the GovTalk "Valuebill" XML): the rules beyond
// rbgate's XSD (schemas/voa/ba_report.xsd, validated in the same pass by the hardened XML
// layer), so that a report is right before it leaves: which council tax reasons need the
// existing entries, the proposed ones, or both; a band only on council tax reports and a
// rateable value only on NNDR ones; the trailer's counts equal to the reports. Element-based:
// values come as text.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "parsers/diagnostic.h"
#include "schemas/xml_feed.h"

namespace rbgate::schemas::voa {

namespace ba_rules {
using parsers::Rule;
using parsers::Severity;
inline constexpr Rule kEntries{"voa.ba.entries", Severity::kError,
                               "a report lacks the existing or proposed entries its reason needs",
                               "CR01 and CR02 need ExistingEntries, CR03 and CR04 "
                               "ProposedEntries, CR05 and CR12 both; the VOA rejects the report "
                               "without them"};
inline constexpr Rule kTax{"voa.ba.tax", Severity::kError,
                           "a council tax report with a rateable value, or an NNDR report with a "
                           "band",
                           "a band belongs to council tax reports, a rateable value to NNDR ones"};
inline constexpr Rule kTrailer{"voa.ba.trailer", Severity::kError,
                               "the trailer's counts do not equal the reports",
                               "reports were added or removed after the trailer was written; "
                               "make the file again before it is sent"};
}  // namespace ba_rules

std::span<const parsers::Rule* const> AllBaReportRules() noexcept;

class BaReportValidator final : public XmlFeedValidator {
 public:
  explicit BaReportValidator(parsers::DiagnosticSink& diagnostics)
      : XmlFeedValidator(diagnostics) {}
  void StartElement(std::string_view name, std::span<const parsers::xml::Attribute>,
                    std::uint64_t line) override;
  void EndElement(std::string_view name, std::uint64_t line) override;
  void Text(std::string_view text) override;

  std::uint64_t records() const override { return reports_; }

 private:
  void CheckReport(std::uint64_t line);
  void CheckTrailer(std::uint64_t line);

  std::string text_;
  // The report being read.
  std::string reference_, reason_;
  bool ctax_ = false, nndr_ = false, existing_ = false, proposed_ = false;
  std::uint64_t report_line_ = 0;
  std::uint64_t bands_ = 0, values_ = 0, band_line_ = 0, value_line_ = 0;
  // Counted over the file.
  std::uint64_t reports_ = 0, ctax_reports_ = 0, nndr_reports_ = 0;
  bool in_trailer_ = false;
  std::string record_count_, nndr_count_, ctax_count_;
};

}  // namespace rbgate::schemas::voa
