// ATLAS notifications (DWP to council, XML): the rules beyond the XSD (schemas/atlas/atlas.xsd,
// validated in the same pass by the hardened XML layer): each NINO a real one (prefixes), a
// partner's not the claimant's, dates in order, and one notification per claimant per kind per
// effective date. Element-based: values come as text.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>

#include "parsers/diagnostic.h"
#include "schemas/xml_feed.h"

namespace rbgate::schemas::atlas {

namespace rules {
using parsers::Rule;
using parsers::Severity;
inline constexpr Rule kNino{"atlas.nino", Severity::kError,
                            "a NINO the DWP would never have issued",
                            "the prefix is one never issued or not allowed; the notification "
                            "cannot be matched to a claim"};
inline constexpr Rule kNinoAdministrative{
    "atlas.nino.administrative", Severity::kWarning,
    "an administrative or example NINO, not a person's",
    "OO, CR, FY, MW, NC, PP, PY, PZ prefixes and QQ123456C are not real NINOs"};
inline constexpr Rule kPartner{"atlas.partner", Severity::kError,
                               "the partner's NINO is the claimant's",
                               "one of the two is wrong; ask the DWP before the claim is changed"};
inline constexpr Rule kDates{"atlas.dates", Severity::kError,
                             "a notification's dates are out of order",
                             "a start or effective date after the end date cannot be applied"};
inline constexpr Rule kDuplicate{"atlas.duplicate", Severity::kError,
                                 "a second notification for the same claimant, kind and "
                                 "effective date",
                                 "applying both would change the claim twice; the message names "
                                 "the first"};
}  // namespace rules

std::span<const parsers::Rule* const> AllAtlasRules() noexcept;

class AtlasValidator final : public XmlFeedValidator {
 public:
  explicit AtlasValidator(parsers::DiagnosticSink& diagnostics) : XmlFeedValidator(diagnostics) {}
  void StartElement(std::string_view name, std::span<const parsers::xml::Attribute>,
                    std::uint64_t line) override;
  void EndElement(std::string_view name, std::uint64_t line) override;
  void Text(std::string_view text) override;

  std::uint64_t records() const override { return notifications_; }

 private:
  void CheckNotification(std::uint64_t line);
  void CheckNino(const std::string& nino, std::string_view field, std::uint64_t line);

  std::string text_;
  std::string person_;  // "Claimant", "Partner" or empty
  std::string id_, kind_, claimant_, partner_, start_, effective_, end_;
  std::uint64_t notification_line_ = 0;
  std::uint64_t notifications_ = 0;
  std::unordered_map<std::string, std::pair<std::uint64_t, std::string>> seen_;  // key: line, id
};

}  // namespace rbgate::schemas::atlas
