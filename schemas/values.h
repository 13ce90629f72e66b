// Value helpers the feeds share: money in pounds and pence, and text trimming.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace rbgate::schemas {

// "65.00" (decimal pounds, exactly two places) to 6500 pence; false for anything else.
bool PoundsToPence(std::string_view text, std::uint64_t& pence);

// 6500 as "£65.00", for messages.
std::string FormatPounds(std::uint64_t pence);

// `s` as valid UTF-8, for JSON writers that require it: a byte that does not begin a UTF-8
// character is read as Latin-1 (as AppendJsonUtf8 writes it), so nothing is dropped.
std::string ValidUtf8(std::string_view s);
// Appends `s` to `out` as a JSON string literal: valid UTF-8 passes through (the XML layer
// hands over UTF-8); control characters (and DEL) are escaped, and any byte that is not part
// of valid UTF-8 is read as Latin-1 and escaped, so the result is always valid JSON. The one
// JSON string writer: check reports, ledger listings, reconciliation and rows all use it.
void AppendJsonUtf8(std::string& out, std::string_view s);

// A sort code as the reports write it (01-02-03, 010203) as `out`, hyphens and spaces
// removed; six digits when it was well formed.
void AssignSortCode(std::string& out, std::string_view s);

// A value as a finding's message quotes it, in UTF-8: in double quotes, on one line, at most 60
// characters (then "..."); a personal value as asterisks, so that messages never show it.
// `windows1252`: the bytes are Windows-1252 text (each byte a character), converted; else
// UTF-8, an invalid byte shown as U+FFFD.
std::string QuotedValue(std::string_view s, bool personal = false, bool windows1252 = false);

// `text`, Windows-1252, appended to `out` as UTF-8 (an undefined byte as U+FFFD).
void AppendWindows1252AsUtf8(std::string& out, std::string_view text);

// `utf8` as Windows-1252 bytes in `out`; false when it is not UTF-8 or holds a character
// Windows-1252 has no byte for.
bool Utf8ToWindows1252(std::string_view utf8, std::string& out);

// `s` without leading and trailing spaces, tabs and line ends.
std::string_view TrimWhitespace(std::string_view s);

}  // namespace rbgate::schemas
