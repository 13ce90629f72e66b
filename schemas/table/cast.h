// From a field's text to its typed value: the Table Schema types with their formats and
// casting options, and rbgate's domain types. Pure functions; no allocation.
#pragma once

#include <string>
#include <string_view>

#include "parsers/diagnostic.h"
#include "schemas/table/schema.h"

namespace rbgate::schemas::table {

// Casts `s` to `f`'s type and format; false when it is not one. A string's value points
// into `s`.
bool Cast(const FieldSpec& f, std::string_view s, Value& v) noexcept;

// The quickest way to decide `f`'s common case (see QuickCast), or null.
QuickCast ChooseQuickCast(const FieldSpec& f) noexcept;
// Which of `f`'s bounds the validator checks inline after a quick cast (see QuickBound).
QuickBound ChooseQuickBound(const FieldSpec& f) noexcept;

// Orders two values of `f`'s type: negative, zero or positive.
int Compare(const FieldSpec& f, const Value& a, const Value& b) noexcept;

// "a date (YYYY-MM-DD)", "an integer", for messages.
std::string DescribeType(const FieldSpec& f);

// A compiled strftime-style pattern; false (with `why`) when it holds a directive rbgate
// does not read.
bool CompileTimePattern(std::string_view text, Type type, TimePattern& out, std::string& why);

// The number of characters in `text` (UTF-8 code points; bytes for Windows-1252).
std::size_t CharacterCount(std::string_view text, bool utf8) noexcept;

// The domain type's own rule: nullptr when `s` passes; otherwise the rule broken and, in
// `why`, what is wrong in plain English. May refine `v` (pence for pounds and pence).
const parsers::Rule* CheckDomain(const FieldSpec& f, std::string_view s, Value& v,
                                 std::string& why);

// A NINO written with or without spaces, as nine upper-case characters; empty when the
// shape is wrong.
std::string NormaliseNino(std::string_view text);

// A postcode in upper case with one space before the inward code; empty when it is not one.
std::string NormalisePostcode(std::string_view text);

}  // namespace rbgate::schemas::table
