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
inline constexpr Rule kWork{"json.limit.work", E,
                            "a record needs more re-reading under anyOf, oneOf and the other "
                            "applicators than the limit",
                            "a deeply nested record against a recursive schema with anyOf at "
                            "each level; simplify the schema, or the sender's file is hostile"};
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
inline constexpr Rule kFormat{"json.format", E,
                              "a string is not in its format (date, date-time, time, email, uuid)",
                              "dates are YYYY-MM-DD; times and date-times RFC 3339 with Z or an "
                              "offset"};

inline constexpr Rule kMultipleOf{"json.multiple-of", E,
                                  "a number is not a multiple of what the schema says",
                                  "amounts in pence are whole numbers; in pounds, at most two "
                                  "decimal places"};
inline constexpr Rule kMinProperties{"json.min-properties", E,
                                     "an object has fewer properties than its minimum",
                                     "properties are missing"};
inline constexpr Rule kMaxProperties{"json.max-properties", E,
                                     "an object has more properties than its maximum",
                                     "the receiving system takes no more"};
inline constexpr Rule kDependentRequired{"json.dependent-required", E,
                                         "a property required by another that is present is "
                                         "missing",
                                         "the message names both; send them together"};
inline constexpr Rule kPropertyNames{"json.property-names", E,
                                     "a property's name is not one the schema allows",
                                     "a misspelt name, or names the schema's propertyNames "
                                     "excludes"};
inline constexpr Rule kContains{"json.contains", E,
                                "an array has too few (or too many) items of a kind",
                                "the message says how many items meet contains and how many "
                                "must"};
inline constexpr Rule kUniqueItems{"json.unique-items", E, "an array holds the same item twice",
                                   "a repeated entry; the message names both"};
inline constexpr Rule kAnyOf{"json.any-of", E, "a value meets none of the schemas anyOf lists",
                             "the message gives the nearest schema's first fault"};
inline constexpr Rule kOneOf{"json.one-of", E,
                             "a value does not meet exactly one of the schemas oneOf lists",
                             "the message says how many it meets; with none, the nearest "
                             "schema's first fault"};
inline constexpr Rule kNot{"json.not", E, "a value meets the schema it must not",
                           "the schema under not describes what is refused"};

inline std::span<const Rule* const> All() noexcept {
  static constexpr const Rule* kAll[] = {&kMalformed,
                                         &kDepth,
                                         &kLineLength,
                                         &kSize,
                                         &kEmpty,
                                         &kType,
                                         &kRequired,
                                         &kAdditional,
                                         &kNotAllowed,
                                         &kEnum,
                                         &kConst,
                                         &kPattern,
                                         &kMinLength,
                                         &kMaxLength,
                                         &kMinimum,
                                         &kMaximum,
                                         &kMinItems,
                                         &kMaxItems,
                                         &kFormat,
                                         &kMultipleOf,
                                         &kMinProperties,
                                         &kMaxProperties,
                                         &kDependentRequired,
                                         &kPropertyNames,
                                         &kContains,
                                         &kUniqueItems,
                                         &kAnyOf,
                                         &kOneOf,
                                         &kNot,
                                         &kWork};
  return kAll;
}

}  // namespace rbgate::schemas::json::rules
