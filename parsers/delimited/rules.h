// Findings of the delimited (CSV and kin) parser: framing and encoding, before any schema.
#pragma once

#include "parsers/diagnostic.h"

namespace rbgate::parsers::delimited::rules {

using parsers::Rule;
using parsers::Severity;
constexpr Severity E = Severity::kError;
constexpr Severity W = Severity::kWarning;

inline constexpr Rule kStrayQuote{
    "csv.quote.stray", E, "a quote character appears inside a field that does not start with one",
    "a field holding a quote must be quoted as a whole, with the quote doubled (\"5\"\" pipe\")"};
inline constexpr Rule kAfterQuote{
    "csv.quote.trailing", E, "characters follow a quoted field's closing quote",
    "a closing quote must be followed by the delimiter or the end of the line; a quote inside "
    "the field is written twice"};
inline constexpr Rule kUnclosedQuote{
    "csv.quote.unclosed", E, "a quoted field is never closed",
    "the rest of the line was read as part of one field; look for a missing closing quote"};
inline constexpr Rule kRecordLength{
    "csv.limit.record", E, "a record is longer than the limit",
    "no feed needs records this long; the file is broken, or not the feed it was taken for"};
inline constexpr Rule kFieldCount{"csv.limit.fields", E, "a record has more fields than the limit",
                                  "no feed needs this many columns; check the delimiter"};
inline constexpr Rule kEncoding{
    "csv.encoding", E, "bytes that are not valid in the file's declared encoding",
    "the schema's dialect says the encoding (utf-8 or windows-1252); the sender's export must "
    "match it"};
inline constexpr Rule kBom{"csv.bom", W, "a UTF-8 byte-order mark in a file declared windows-1252",
                           "the schema's encoding is probably wrong: the file says it is UTF-8"};
inline constexpr Rule kEmpty{"csv.empty", E, "the file is empty",
                             "the sender's export produced nothing; ask for it again"};
inline constexpr Rule kMixedLineEnds{
    "csv.line-end.mixed", W, "lines end in CRLF and in LF in the same file",
    "the file was probably edited or joined by hand; check it is complete"};

}  // namespace rbgate::parsers::delimited::rules
