// Every finding the Bacs Standard 18 parser and validator can make. Ids are stable: they
// are documented in schemas/bacs18/README.md, matched by operators' tooling, and pinned by
// golden tests. Add, never rename.
#pragma once

#include <span>

#include "parsers/diagnostic.h"

namespace rbgate::parsers::bacs18::rules {

using parsers::Rule;
using parsers::Severity;
constexpr Severity E = Severity::kError;
constexpr Severity W = Severity::kWarning;

// Framing: how the bytes divide into records.
inline constexpr Rule kFileEmpty{"bacs18.file.empty", E, "the file has no bytes",
                                 "check that the sender's transfer completed"};
inline constexpr Rule kRecordLength{
    "bacs18.record.length", E, "a record has the wrong length for its type",
    "labels are 80 bytes, data records 100 (106 in multi-day files), padded with spaces"};
inline constexpr Rule kRecordUnknown{
    "bacs18.record.unknown-type", E,
    "a record starts with neither a label identifier nor a sort code",
    "each record starts with VOL1, HDR1, HDR2, UHL1, EOF1, EOF2, UTL1 or a 6-digit sort code"};
inline constexpr Rule kMixedLineEndings{
    "bacs18.record.mixed-line-endings", W, "records end with a mix of CRLF and LF",
    "most bank software accepts this, but the sender's system is inconsistent"};
inline constexpr Rule kTrailingBytes{"bacs18.record.trailing-bytes", W,
                                     "blank lines or an end-of-file mark follow the last record",
                                     "usually harmless; some bureaux reject it"};

// Structure: the order of records.
inline constexpr Rule kUnexpectedRecord{"bacs18.structure.unexpected-record", E,
                                        "a record appears where another was expected",
                                        "the order is VOL1 HDR1 HDR2 UHL1 data... EOF1 EOF2 UTL1"};
inline constexpr Rule kMissingTrailer{
    "bacs18.structure.truncated", E, "the file ends before its trailer labels",
    "the file may have been cut short in transfer; ask for it again"};
inline constexpr Rule kLabelOrder{"bacs18.structure.label-order", W, "UTL1 comes before EOF1/EOF2",
                                  "accepted as some bank software writes it; the standard order "
                                  "is EOF1 EOF2 UTL1"};
inline constexpr Rule kNoData{"bacs18.structure.no-data", W, "a user file holds no data records",
                              "an empty submission is legal but rarely intended"};

// Labels: field formats.
inline constexpr Rule kLabelReserved{"bacs18.label.reserved", W,
                                     "a reserved (blank) position of a label holds data",
                                     "reserved positions should be spaces"};
inline constexpr Rule kVol1Serial{"bacs18.vol1.serial", E,
                                  "the submission serial number is blank, zero or not A-Z 0-9",
                                  "VOL1 positions 5-10 hold a 6-character serial, e.g. 000123"};
inline constexpr Rule kVol1Accessibility{"bacs18.vol1.accessibility", E,
                                         "VOL1 accessibility (position 11) is not blank or 0",
                                         "set position 11 to a space"};
inline constexpr Rule kVol1Sun{"bacs18.vol1.sun", E, "the VOL1 service user number is not 6 digits",
                               "VOL1 positions 42-47 hold the 6-digit SUN (or bureau number)"};
inline constexpr Rule kVol1LabelStandard{"bacs18.vol1.label-standard", E,
                                         "VOL1 label standard level (position 80) is not 1",
                                         "set position 80 to 1"};
inline constexpr Rule kHdr1Format{"bacs18.hdr1.format", E, "a fixed HDR1 field has the wrong value",
                                  "HDR1 holds A at 5, S at 12, 0001 at 28-31 and 32-35, 000000 at "
                                  "55-60"};
inline constexpr Rule kHdr1Sun{"bacs18.hdr1.sun", E, "the HDR1 service user number is not 6 digits",
                               "HDR1 positions 6-11 repeat the VOL1 SUN"};
inline constexpr Rule kHdr1SetId{"bacs18.hdr1.set-id", E,
                                 "the HDR1 file set identifier is malformed",
                                 "HDR1 positions 22-27 repeat the VOL1 serial number"};
inline constexpr Rule kHdr1CreationDate{"bacs18.hdr1.creation-date", E,
                                        "the HDR1 creation date is not a valid ' yyddd' date",
                                        "a space, two-digit year, day of year 001-366"};
inline constexpr Rule kHdr1ExpiryDate{"bacs18.hdr1.expiry-date", E,
                                      "the HDR1 expiry date is not a valid ' yyddd' date",
                                      "a space, two-digit year, day of year 001-366"};
inline constexpr Rule kHdr2Format{"bacs18.hdr2.format", E, "a fixed HDR2 field has the wrong value",
                                  "HDR2 holds F at 5 and 00 at 51-52"};
inline constexpr Rule kHdr2BlockLength{"bacs18.hdr2.block-length", E,
                                       "the HDR2 block length is not 5 digits",
                                       "HDR2 positions 6-10, e.g. 02000"};
inline constexpr Rule kHdr2RecordLength{"bacs18.hdr2.record-length", E,
                                        "the HDR2 record length is not 00100 or 00106",
                                        "00100 for single-day files, 00106 for multi-day"};
inline constexpr Rule kUhl1ProcessingDay{"bacs18.uhl1.processing-day", E,
                                         "the UHL1 processing day is not a ' yyddd' date",
                                         "UHL1 positions 5-10; blank only in multi-day files"};
inline constexpr Rule kUhl1ReceivingParty{
    "bacs18.uhl1.receiving-party", E, "the UHL1 receiving party id is not 6 digits and 4 blanks",
    "usually 999999 followed by four spaces"};
inline constexpr Rule kUhl1Currency{"bacs18.uhl1.currency", E, "the UHL1 currency code is not 00",
                                    "Bacs carries sterling only: 00"};
inline constexpr Rule kUhl1Country{"bacs18.uhl1.country", E, "the UHL1 country code is not 000000",
                                   "set positions 23-28 to 000000"};
inline constexpr Rule kUhl1WorkCode{"bacs18.uhl1.work-code", E,
                                    "the UHL1 work code is not '1 DAILY  ' or '4 MULTI  '",
                                    "positions 29-37"};
inline constexpr Rule kUhl1FileNumber{"bacs18.uhl1.file-number", E,
                                      "the UHL1 file number is not 001-999",
                                      "positions 38-40, counting user files in the submission"};
inline constexpr Rule kUtl1Format{"bacs18.utl1.format", E,
                                  "a UTL1 total or count is not all digits",
                                  "totals are 13 digits of pence, counts 7 digits"};

// Data records: field formats.
inline constexpr Rule kDestSort{"bacs18.data.dest-sort-code", E,
                                "the destination sort code is not 6 digits",
                                "positions 1-6, digits only, no hyphens"};
inline constexpr Rule kDestAccount{"bacs18.data.dest-account", E,
                                   "the destination account number is not 8 digits",
                                   "positions 7-14; standardise 6, 7, 9 and 10-digit accounts "
                                   "first"};
inline constexpr Rule kAccountType{"bacs18.data.account-type", E,
                                   "the account type (position 15) is not 0",
                                   "set position 15 to 0"};
inline constexpr Rule kTransactionCode{
    "bacs18.data.transaction-code", E, "the transaction code is not one Bacs accepts",
    "01 17 18 19 (debits), 99 (credits), 0N 0C 0S (AUDDIS instructions)"};
inline constexpr Rule kTransactionCodeUnusual{
    "bacs18.data.transaction-code-unusual", W, "Z4 or Z5 interest transaction code",
    "seen in the wild but not publicly described; confirm with the bank"};
inline constexpr Rule kOrigSort{"bacs18.data.orig-sort-code", E,
                                "the originating sort code is not 6 digits",
                                "positions 18-23: the service user's own sort code"};
inline constexpr Rule kOrigAccount{"bacs18.data.orig-account", E,
                                   "the originating account number is not 8 digits",
                                   "positions 24-31: the service user's own account"};
inline constexpr Rule kFreeFormat{"bacs18.data.free-format", E,
                                  "positions 32-35 are not blanks, 0000 or / plus 3 characters",
                                  "leave them blank unless the bank asked for an RTI"};
inline constexpr Rule kAmountFormat{"bacs18.data.amount", E, "the amount is not 11 digits of pence",
                                    "positions 36-46, zero-padded pence, e.g. 00000012345"};
inline constexpr Rule kCharset{"bacs18.data.charset", E,
                               "a text field holds a character outside A-Z 0-9 space . & / -",
                               "Bacs rejects other characters; replace or remove them"};
inline constexpr Rule kLowercase{"bacs18.data.lowercase", W,
                                 "a text field holds lower-case letters",
                                 "Bacs blanks lower-case letters; send upper case"};
inline constexpr Rule kDestNameBlank{"bacs18.data.dest-name", E,
                                     "the destination account name is blank",
                                     "positions 83-100 must name the account holder"};
inline constexpr Rule kDataProcessingDay{
    "bacs18.data.processing-day", E,
    "a multi-day record's processing day (positions 101-106) is not a ' yyddd' date",
    "every record of a multi-day file names its own processing day"};

// Cross-field and cross-record rules.
inline constexpr Rule kHdr1SunMismatch{"bacs18.hdr1.sun-mismatch", E,
                                       "the HDR1 service user number differs from VOL1's",
                                       "both labels carry the same SUN"};
inline constexpr Rule kHdr1SetIdMismatch{
    "bacs18.hdr1.set-id-mismatch", E, "the HDR1 file set identifier differs from the VOL1 serial",
    "HDR1 positions 22-27 repeat VOL1 positions 5-10"};
inline constexpr Rule kExpiryBeforeCreation{"bacs18.hdr1.expiry-before-creation", E,
                                            "the HDR1 expiry date is before the creation date",
                                            "the expiry date is usually the creation date"};
inline constexpr Rule kRecordLengthMismatch{
    "bacs18.hdr2.record-length-mismatch", E,
    "a data record's length differs from the HDR2 record length or the UHL1 work code",
    "single-day files (1 DAILY, 00100) have 100-byte records; multi-day (4 MULTI, 00106) 106"};
inline constexpr Rule kReceivingPartyUnusual{
    "bacs18.uhl1.receiving-party-unusual", W,
    "the UHL1 receiving party id is neither 999999 nor the SUN",
    "most banks expect 999999; some want the SUN"};
inline constexpr Rule kEof1Mismatch{"bacs18.eof1.mismatch", E,
                                    "EOF1 differs from HDR1 other than in its block count",
                                    "EOF1 is HDR1 with EOF in place of HDR"};
inline constexpr Rule kEof2Mismatch{"bacs18.eof2.mismatch", E, "EOF2 differs from HDR2",
                                    "EOF2 is HDR2 with EOF in place of HDR"};
inline constexpr Rule kUtl1DebitTotal{"bacs18.utl1.debit-total", E,
                                      "the UTL1 debit value total differs from the records",
                                      "the total includes the contra records"};
inline constexpr Rule kUtl1CreditTotal{"bacs18.utl1.credit-total", E,
                                       "the UTL1 credit value total differs from the records",
                                       "the total includes the contra records"};
inline constexpr Rule kUtl1DebitCount{"bacs18.utl1.debit-count", E,
                                      "the UTL1 debit item count differs from the records",
                                      "the count includes the contra records; instructions "
                                      "(0N 0C 0S) are not counted"};
inline constexpr Rule kUtl1CreditCount{"bacs18.utl1.credit-count", E,
                                       "the UTL1 credit item count differs from the records",
                                       "the count includes the contra records"};
inline constexpr Rule kAmountZero{"bacs18.data.amount-zero", E,
                                  "a payment or collection has a zero amount",
                                  "only instructions (0N 0C 0S) carry no value"};
inline constexpr Rule kAmountOnInstruction{"bacs18.data.amount-on-instruction", E,
                                           "an AUDDIS instruction (0N 0C 0S) carries an amount",
                                           "instructions carry 00000000000"};
inline constexpr Rule kContraMismatch{
    "bacs18.contra.mismatch", E, "a contra's amount differs from the items it balances",
    "per originating account and processing day, the 99 contra equals the debits and the 17 "
    "contra the credits"};
inline constexpr Rule kContraMissing{"bacs18.contra.missing", E,
                                     "items for an originating account have no contra",
                                     "add a contra record balancing them"};
inline constexpr Rule kContraOrphan{"bacs18.contra.orphan", E, "a contra balances no items",
                                    "remove it, or check its originating account and day"};
inline constexpr Rule kContraOverflow{"bacs18.contra.overflow", E,
                                      "a contra total exceeds 11 digits (99,999,999,999 pence)",
                                      "split the items across several contras or files"};
inline constexpr Rule kAuddisReference{
    "bacs18.auddis.reference", E, "an AUDDIS reference breaks the reference rules",
    "6 to 18 significant characters, not all the same, not starting with DDIC or a space"};
inline constexpr Rule kDateInvalid{"bacs18.date.invalid", E,
                                   "a ' yyddd' date names a day that does not exist",
                                   "day 366 exists only in leap years"};
inline constexpr Rule kProcessingDayMissing{
    "bacs18.uhl1.processing-day-missing", E, "a single-day file's UHL1 has no processing day",
    "UHL1 positions 5-10 carry the processing day unless the work code is 4 MULTI"};
inline constexpr Rule kWorkCodeMismatch{"bacs18.uhl1.work-code-mismatch", E,
                                        "the UHL1 work code disagrees with the HDR2 record length",
                                        "1 DAILY goes with 00100, 4 MULTI with 00106"};
inline constexpr Rule kNonProcessingDay{
    "bacs18.calendar.non-processing-day", E,
    "the processing day is a weekend or an England and Wales bank holiday",
    "move the processing day to the next Bacs working day"};
inline constexpr Rule kBeforeAsOf{"bacs18.calendar.before-as-of", E,
                                  "the processing day is before the file's creation (or --as-of) "
                                  "date",
                                  "a file cannot be processed in the past"};
inline constexpr Rule kTooFarAhead{"bacs18.calendar.too-far-ahead", E,
                                   "the processing day is more than 31 days after the creation "
                                   "(or --as-of) date",
                                   "Bacs accepts files up to 31 days ahead"};
inline constexpr Rule kCalendarOutOfRange{
    "bacs18.calendar.out-of-range", E,
    "the bank-holiday calendar does not reach the date being checked",
    "point --calendar at a newer copy of GOV.UK's bank-holidays.json"};
inline constexpr Rule kModulusFailed{"bacs18.modulus.failed", E,
                                     "the sort code and account number fail UK modulus checking",
                                     "the account number is probably mistyped; confirm it with "
                                     "the account holder"};
inline constexpr Rule kModulusUnchecked{
    "bacs18.modulus.unchecked", W, "the sort code is in no modulus range, so cannot be checked",
    "valid-but-unchecked; confirm the sort code exists in the EISCD"};
inline constexpr Rule kModulusTablesMissing{
    "bacs18.modulus.tables-missing", W, "no modulus tables were loaded; accounts were not checked",
    "run scripts/fetch-modulus-tables.sh or pass --modulus-dir"};
inline constexpr Rule kDuplicateItem{"bacs18.data.duplicate-item", W,
                                     "the same destination, amount and reference appear twice",
                                     "check the item is not being paid or collected twice"};
inline constexpr Rule kAmountOutlier{"bacs18.data.amount-outlier", W,
                                     "an amount is far above the file's median",
                                     "check the amount was not keyed in pence as pounds"};

// Every rule above, for documentation, `rbgate rules` and tests.
std::span<const Rule* const> All() noexcept;

}  // namespace rbgate::parsers::bacs18::rules
