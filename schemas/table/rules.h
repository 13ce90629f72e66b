// Findings of table schemas (delimited and fixed-width feeds) and of rbgate's domain types.
#pragma once

#include <span>

#include "parsers/diagnostic.h"

namespace rbgate::schemas::table::rules {

using parsers::Rule;
using parsers::Severity;
constexpr Severity E = Severity::kError;
constexpr Severity W = Severity::kWarning;

inline constexpr Rule kHeader{"table.header", E,
                              "the header row does not name the schema's fields in order",
                              "the sender's export has columns added, removed or moved; the "
                              "schema or the export must change"};
inline constexpr Rule kRagged{"table.row.fields", E,
                              "a row has more or fewer fields than the schema",
                              "a delimiter inside an unquoted value, or a missing one, usually "
                              "does this"};
inline constexpr Rule kBlank{"table.row.blank", E, "a blank line where a row was expected",
                             "remove blank lines from the export"};
inline constexpr Rule kPadding{"table.row.padding", E,
                               "rows with every field empty, where fields are required",
                               "spreadsheet exports pad a file with empty rows below the data: "
                               "remove them (or export only the used range)"};
inline constexpr Rule kWidth{"table.row.width", E, "a fixed-width line is not the layout's length",
                             "trailing spaces trimmed by an editor, or a field overflowing, "
                             "usually does this"};
inline constexpr Rule kType{"table.type", E, "a value is not of its field's type or format",
                            "the message says what was expected; the sender's export must "
                            "write the value that way"};
inline constexpr Rule kRequired{"table.required", E, "a required field has no value",
                                "the sender must fill the field in"};
inline constexpr Rule kUnique{"table.unique", E, "a value that must be unique appears again",
                              "the message names the row where it first appeared"};
inline constexpr Rule kPrimaryKey{"table.primary-key", E, "a row's primary key appears again",
                                  "two rows describe the same thing; the message names the "
                                  "first"};
inline constexpr Rule kMinLength{"table.min-length", E, "a value is shorter than its minimum",
                                 "the value may have been cut short"};
inline constexpr Rule kMaxLength{"table.max-length", E, "a value is longer than its maximum",
                                 "the receiving system would truncate it"};
inline constexpr Rule kMinimum{"table.minimum", E, "a value is below its minimum",
                               "check the sign and the units"};
inline constexpr Rule kMaximum{"table.maximum", E, "a value is above its maximum",
                               "check the units (pounds or pence) and the decimal point"};
inline constexpr Rule kPattern{"table.pattern", E, "a value does not match its field's pattern",
                               "the schema's pattern is in the message"};
inline constexpr Rule kEnum{"table.enum", E, "a value is not one of those allowed",
                            "the allowed values are in the message"};

inline constexpr Rule kRecordType{"table.record-type", E,
                                  "a record's type is none the schema knows",
                                  "the discriminator column holds an unexpected code; the "
                                  "schema's rbgate.records lists the known ones"};
inline constexpr Rule kRecordOrder{"table.record-order", E,
                                   "a header or trailer record is missing or out of place",
                                   "a missing trailer usually means the file was cut short; ask "
                                   "for it again"};
inline constexpr Rule kControl{"table.control", E,
                               "a control total in the header or trailer does not match the "
                               "data records",
                               "records were lost, added or changed after the totals were "
                               "made; do not process the file"};
inline constexpr Rule kRule{"table.rule", E, "a record breaks a rule across its fields",
                            "the message names the rule and the fields' values"};

inline constexpr Rule kForeignKey{"table.foreign-key", E,
                                  "a value refers to a record the file does not have",
                                  "the schema's foreignKeys says each value must be a key of "
                                  "some record in the same file: a record is missing, or the "
                                  "value is mistyped"};
inline constexpr Rule kResourceBytes{"table.resource.bytes", E,
                                     "the file's size is not the bytes its descriptor states",
                                     "the file was cut short, added to, or is another file"};
inline constexpr Rule kResourceHash{"table.resource.hash", E,
                                    "the file's hash is not the one its descriptor states",
                                    "the file changed after the descriptor was written, or is "
                                    "another file"};
inline constexpr Rule kReference{"table.reference", E,
                                 "a value is not in the file it must refer to",
                                 "the record names something the reference map does not have: "
                                 "ask the sender which file is out of date"};
inline constexpr Rule kReferenceUnchecked{
    "table.reference.unchecked", W, "a reference could not be checked: no file to check it in",
    "give the reference map (rbgate check --reference FEED=FILE)"};

inline constexpr Rule kNino{"domain.nino", E, "not a valid National Insurance number",
                            "two letters, six digits, a suffix A-D; some prefixes are never "
                            "issued (identifiers.md)"};
inline constexpr Rule kNinoAdministrative{
    "domain.nino.administrative", W, "an administrative or example NINO, not a person's",
    "OO, CR, FY, MW, NC, PP, PY, PZ prefixes and QQ123456C are not real NINOs"};
inline constexpr Rule kSortCode{"domain.sort-code", E, "not a sort code",
                                "six digits, written 12-34-56 or 123456"};
inline constexpr Rule kAccountNumber{"domain.account-number", E, "not an account number",
                                     "eight digits"};
inline constexpr Rule kModulus{"domain.account-number.modulus", E,
                               "the sort code and account number fail the modulus check",
                               "a digit is wrong in one of them; ask the customer again"};
inline constexpr Rule kPostcode{"domain.postcode", E, "not a UK postcode",
                                "outward code, a space, inward code (SW1A 1AA)"};
inline constexpr Rule kUprn{"domain.uprn", E, "not a UPRN",
                            "a whole number from 1 to 999999999999"};
inline constexpr Rule kUarn{"domain.uarn", E, "not a VOA UARN",
                            "a whole number of up to 11 digits"};
inline constexpr Rule kBillingAuthority{"domain.ba-code", E, "not a billing authority code",
                                        "four digits with the leading zero kept (0114)"};
inline constexpr Rule kBand{"domain.band", E, "not a council tax band",
                            "A to H in England, A to I in Wales"};
inline constexpr Rule kPaye{"domain.paye", E, "not an employer PAYE reference",
                            "a three-digit tax office number, a slash, and up to ten letters "
                            "and digits (123/A246)"};
inline constexpr Rule kPence{"domain.pence", E, "not an amount in pounds and pence",
                             "digits, a point and exactly two decimal places (65.00)"};

// Every rule a table feed can break: the delimited parser's, the schema's and the domains'.
std::span<const Rule* const> All() noexcept;

}  // namespace rbgate::schemas::table::rules
