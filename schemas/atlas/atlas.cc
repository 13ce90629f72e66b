#include "schemas/atlas/atlas.h"

#include <fmt/format.h>

#include "schemas/dates.h"
#include "schemas/table/cast.h"
#include "schemas/table/rules.h"
#include "schemas/values.h"

namespace rbgate::schemas::atlas {

std::span<const parsers::Rule* const> AllAtlasRules() noexcept {
  static constexpr const parsers::Rule* kAll[] = {&rules::kNino, &rules::kNinoAdministrative,
                                                  &rules::kPartner, &rules::kDates,
                                                  &rules::kDuplicate};
  return kAll;
}

void AtlasValidator::StartElement(std::string_view name, std::span<const parsers::xml::Attribute>,
                                  std::uint64_t line) {
  text_.clear();
  if (name == "Notification") {
    id_.clear(), kind_.clear(), claimant_.clear(), partner_.clear();
    start_.clear(), effective_.clear(), end_.clear();
    notification_line_ = line;
  } else if (name == "Claimant" || name == "Partner") {
    person_ = name;
  }
}

void AtlasValidator::Text(std::string_view text) {
  if (text_.size() < 256) text_ += text.substr(0, 256);  // no value here is longer
}

void AtlasValidator::EndElement(std::string_view name, std::uint64_t line) {
  const std::string value(TrimWhitespace(text_));
  text_.clear();
  if (name == "NotificationId") {
    id_ = value;
  } else if (name == "Kind") {
    kind_ = value;
  } else if (name == "NINO") {
    (person_ == "Partner" ? partner_ : claimant_) = value;
    CheckNino(value, person_ == "Partner" ? "Partner/NINO" : "Claimant/NINO", line);
  } else if (name == "Claimant" || name == "Partner") {
    person_.clear();
  } else if (name == "StartDate") {
    start_ = value;
  } else if (name == "EffectiveDate") {
    effective_ = value;
  } else if (name == "EndDate") {
    end_ = value;
  } else if (name == "Notification") {
    ++notifications_;
    CheckNotification(line);
  }
}

// The XSD has checked the shape (two letters, six digits, A-D); the prefixes are the rule here.
void AtlasValidator::CheckNino(const std::string& nino, std::string_view field,
                               std::uint64_t line) {
  if (table::NormaliseNino(nino).empty()) return;  // the XSD reports the shape
  table::FieldSpec spec;
  spec.domain = table::Domain::kNino;
  table::Value v;
  std::string why;
  const parsers::Rule* broken = table::CheckDomain(spec, nino, v, why);
  if (broken == nullptr) return;
  const parsers::Rule& rule =
      broken->severity == parsers::Severity::kWarning ? rules::kNinoAdministrative : rules::kNino;
  Report(rule, line, field, fmt::format("notification {}: {} ({})", id_, why, field));
}

void AtlasValidator::CheckNotification(std::uint64_t line) {
  const auto start = ParseIsoDate(start_), effective = ParseIsoDate(effective_),
             end = ParseIsoDate(end_);
  if (end && start && *start > *end) {
    Report(rules::kDates, line, "StartDate",
           fmt::format("notification {} starts on {} but ends on {}", id_, start_, end_));
  }
  if (end && effective && *effective > *end) {
    Report(rules::kDates, line, "EffectiveDate",
           fmt::format("notification {} takes effect on {} but ends on {}", id_, effective_, end_));
  }
  if (!partner_.empty() && partner_ == claimant_) {
    Report(rules::kPartner, line, "Partner/NINO",
           fmt::format("notification {}: the partner's NINO is the claimant's", id_));
  }
  if (claimant_.empty() || kind_.empty() || effective_.empty()) return;  // the XSD says
  const std::string key = claimant_ + '|' + kind_ + '|' + effective_;
  const auto [it, inserted] = seen_.try_emplace(key, notification_line_, id_);
  if (!inserted) {
    Report(rules::kDuplicate, line, "EffectiveDate",
           fmt::format("notification {} is a second {} for the same claimant effective {}; the "
                       "first is {} (line {})",
                       id_, kind_, effective_, it->second.second, it->second.first));
  }
}

}  // namespace rbgate::schemas::atlas
