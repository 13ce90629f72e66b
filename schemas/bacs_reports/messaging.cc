#include "schemas/bacs_reports/messaging.h"

#include <fmt/format.h>

#include <memory>

namespace rbgate::schemas::bacs_reports {

namespace {

bool OneOf(std::string_view value, std::string_view set) {
  return value.size() == 1 && set.find(value[0]) != std::string_view::npos;
}

}  // namespace

void MessagingValidator::StartElement(std::string_view name,
                                      std::span<const parsers::xml::Attribute> attributes,
                                      std::uint64_t line) {
  if (name == "MessagingHeader") {
    advice_type_.assign(parsers::xml::AttributeValue(attributes, "advice-type"));
    const std::string_view report = parsers::xml::AttributeValue(attributes, "report-type");
    const std::string_view expected = advice_type_ == "ADDACS"   ? "7001"
                                      : advice_type_ == "AUDACC" ? "7003"
                                      : advice_type_ == "AUDREJ" ? "7004"
                                                                 : "";
    if (!report.empty() && !expected.empty() && report != expected) {
      Report(rules::kReportType, line, "report-type",
             fmt::format("report-type {} with advice-type {}; expected {}", report, advice_type_,
                         expected));
    }
    return;
  }
  if (name != "MessagingAdvice") return;
  ++advices_;
  const std::string_view type = parsers::xml::AttributeValue(attributes, "record-type");
  const std::string_view reason = parsers::xml::AttributeValue(attributes, "reason-code");
  auto need = [&](std::string_view attribute) {
    if (parsers::xml::AttributeValue(attributes, attribute).empty()) {
      Report(
          rules::kMissingAttribute, line, attribute,
          fmt::format("{} {} record of type {} has no {}",
                      advice_type_.starts_with('A') ? "an" : "a", advice_type_, type, attribute));
    }
  };
  if (advice_type_ == "ADDACS") {
    if (type != "A") {
      Report(rules::kRecordType, line, "record-type",
             fmt::format("record type {} in an ADDACS report, which carries A", type));
      return;
    }
    need("reference");
    if (!OneOf(reason, "0123BCDER")) {
      Report(rules::kReasonCode, line, "reason-code",
             fmt::format("ADDACS reason code '{}' is not one of 0 1 2 3 B C D E R", reason));
    }
    if (reason == "3" || reason == "C") {
      need("payer-new-sort-code");
      need("payer-new-account-number");
    }
  } else if (advice_type_ == "AUDACC" || advice_type_ == "AUDREJ") {
    if (!OneOf(type, "VRND")) {
      Report(rules::kRecordType, line, "record-type",
             fmt::format("record type {} in an AUDDIS report, which carries V R N D", type));
      return;
    }
    if (type == "N" || type == "D") {
      need("reference");
      if (!OneOf(reason, "12357BCFGHIKLMNOPQ")) {
        Report(rules::kReasonCode, line, "reason-code",
               fmt::format("AUDDIS reason code '{}' is not one Bacs defines", reason));
      }
    }
  } else if (advice_type_ == "AWACS") {
    if (type != "W") {
      Report(rules::kRecordType, line, "record-type",
             fmt::format("record type {} in an AWACS report, which carries W", type));
      return;
    }
    need("reference");
    need("payer-new-sort-code");
    need("payer-new-account-number");
  }
}

}  // namespace rbgate::schemas::bacs_reports
