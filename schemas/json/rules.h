// Findings of JSON feeds validated against a JSON Schema.
#pragma once

#include <span>

#include "parsers/diagnostic.h"

namespace rbgate::schemas::json::rules {

using parsers::Rule;
using parsers::Severity;
constexpr Severity E = Severity::kError;

inline constexpr Rule kMalformed{"json.malformed", E, "the record is not valid JSON",
                                 "the message says what the JSON parser met and where"};
inline constexpr Rule kDepth{"json.limit.depth", E, "values are nested deeper than the limit",
                             "no feed needs this depth; the file is hostile or broken"};
inline constexpr Rule kLineLength{"json.limit.line", E, "a JSON line is longer than the limit",
                                  "no record needs this much; the file is broken, or not JSON "
                                  "lines"};
inline constexpr Rule kSize{"json.limit.size", E, "a JSON array file is larger than the limit",
                            "send large feeds as JSON lines (one record a line), which rbgate "
                            "reads in bounded memory"};
inline constexpr Rule kEmpty{"json.empty", E, "the file is empty", "ask for the file again"};
inline constexpr Rule kType{"json.type", E, "a value is not of the type the schema wants",
                            "the message names the value (a JSON pointer) and the types allowed"};
inline constexpr Rule kRequired{"json.required", E, "a required property is missing",
                                "the sender must include it"};
inline constexpr Rule kAdditional{"json.additional", E, "a property the schema does not allow",
                                  "a misspelt name, or a layout change the schema must follow"};
inline constexpr Rule kNotAllowed{"json.false", E, "a value where the schema allows none",
                                  "the schema says false here"};
inline constexpr Rule kEnum{"json.enum", E, "a value is not one of those allowed",
                            "the allowed values are in the message"};
inline constexpr Rule kConst{"json.const", E, "a value is not the one the schema requires",
                             "the required value is in the message"};
inline constexpr Rule kPattern{"json.pattern", E, "a string does not match its pattern",
                               "JSON Schema patterns match anywhere in the string unless "
                               "anchored with ^ and $"};
inline constexpr Rule kMinLength{"json.min-length", E, "a string is shorter than its minimum",
                                 "the value may have been cut short"};
inline constexpr Rule kMaxLength{"json.max-length", E, "a string is longer than its maximum",
                                 "the receiving system would truncate it"};
inline constexpr Rule kMinimum{"json.minimum", E, "a number is below its minimum",
                               "check the sign and the units"};
inline constexpr Rule kMaximum{"json.maximum", E, "a number is above its maximum",
                               "check the units (pounds or pence) and the decimal point"};
inline constexpr Rule kMinItems{"json.min-items", E, "an array has fewer items than its minimum",
                                "items are missing"};
inline constexpr Rule kMaxItems{"json.max-items", E, "an array has more items than its maximum",
                                "the receiving system takes no more"};
inline constexpr Rule kFormat{"json.format", E, "a string is not in its format (date, date-time)",
                              "dates are YYYY-MM-DD; date-times RFC 3339 with Z or an offset"};

inline std::span<const Rule* const> All() noexcept {
  static constexpr const Rule* kAll[] = {
      &kMalformed,  &kDepth,      &kLineLength, &kSize,     &kEmpty,   &kType,      &kRequired,
      &kAdditional, &kNotAllowed, &kEnum,       &kConst,    &kPattern, &kMinLength, &kMaxLength,
      &kMinimum,    &kMaximum,    &kMinItems,   &kMaxItems, &kFormat};
  return kAll;
}

}  // namespace rbgate::schemas::json::rules
