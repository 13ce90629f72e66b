// Bacs messaging advices (ADDACS, AUDDIS as AUDACC/AUDREJ, AWACS): the rules beyond the XSD,
// which depend on the advice type: which record types it carries, which reason codes are
// Bacs's for it, and which attributes a record needs.
#pragma once

#include <cstdint>
#include <string>

#include "parsers/diagnostic.h"
#include "parsers/xml/xml_stream.h"
#include "schemas/bacs_reports/report_rules.h"

namespace rbgate::schemas::bacs_reports {

namespace rules {
using parsers::Rule;
constexpr parsers::Severity kE = parsers::Severity::kError;
inline constexpr Rule kRecordType{"messaging.record-type", kE,
                                  "a record type the advice type does not carry",
                                  "ADDACS carries A, AUDDIS V R N D, AWACS W"};
inline constexpr Rule kReasonCode{"messaging.reason-code", kE,
                                  "a reason code Bacs does not define for this advice type",
                                  "ADDACS: 0 1 2 3 B C D E R; AUDDIS: 1 2 3 5 6 7 B C F G H I K L "
                                  "M N O P Q"};
inline constexpr Rule kMissingAttribute{"messaging.missing", kE,
                                        "a record lacks an attribute its type needs",
                                        "the message names the attribute"};
inline constexpr Rule kReportType{"messaging.report-type", kE,
                                  "the header's report-type does not match its advice-type",
                                  "ADDACS 7001, AUDACC 7003, AUDREJ 7004"};
}  // namespace rules

class MessagingValidator final : public XmlFeedValidator {
 public:
  explicit MessagingValidator(parsers::DiagnosticSink& diagnostics)
      : XmlFeedValidator(diagnostics) {}
  void StartElement(std::string_view name, std::span<const parsers::xml::Attribute> attributes,
                    std::uint64_t line) override;
  void EndElement(std::string_view, std::uint64_t) override {}

  std::uint64_t advices() const { return advices_; }
  const std::string& advice_type() const { return advice_type_; }

  std::uint64_t records() const override { return advices_; }

 private:
  std::string advice_type_;
  std::uint64_t advices_ = 0;
};

}  // namespace rbgate::schemas::bacs_reports
