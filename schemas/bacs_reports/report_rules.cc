#include "schemas/bacs_reports/report_rules.h"

#include "parsers/xml/rules.h"
#include "schemas/bacs_reports/arudd.h"
#include "schemas/bacs_reports/ddic.h"
#include "schemas/bacs_reports/input.h"
#include "schemas/bacs_reports/messaging.h"

namespace rbgate::schemas::bacs_reports {

std::span<const parsers::Rule* const> AllReportRules() noexcept {
  static constexpr const parsers::Rule* kAll[] = {
      &parsers::xml::rules::kDoctype,
      &parsers::xml::rules::kMalformed,
      &parsers::xml::rules::kTruncated,
      &parsers::xml::rules::kEncoding,
      &parsers::xml::rules::kSchema,
      &parsers::xml::rules::kDepth,
      &parsers::xml::rules::kNameLength,
      &parsers::xml::rules::kAttributeLength,
      &parsers::xml::rules::kTextLength,
      &parsers::xml::rules::kMarkupLength,
      &parsers::xml::rules::kSize,
      &rules::kTotalsCount,
      &rules::kTotalsValue,
      &rules::kOriginalDate,
      &rules::kArucsTotalsCount,
      &rules::kArucsTotalsValue,
      &rules::kArucsOriginalDate,
      &rules::kUnmatched,
      &rules::kReturnedTwice,
      &rules::kArucsUnmatched,
      &rules::kArucsReturnedTwice,
      &rules::kRecordType,
      &rules::kReasonCode,
      &rules::kMissingAttribute,
      &rules::kReportType,
      &rules::kDdicTotal,
      &rules::kInputContra,
      &rules::kInputItemError,
      &rules::kInputDayMissing,
      &rules::kInputUnknownSubmission,
      &rules::kInputDay,
      &rules::kInputTotals,
  };
  return kAll;
}

}  // namespace rbgate::schemas::bacs_reports
