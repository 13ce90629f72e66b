// Table schemas: a Frictionless Table Schema (v1) with its CSV Dialect, plus rbgate's own
// additions under "rbgate" keys, compiled once into the form the validator runs. The file
// format is documented in schemas/README.md.
//
// A schema file is either a Table Schema (an object with "fields") or a Tabular Data
// Resource (an object with "schema", and optionally "dialect", "encoding", "name"), so a
// descriptor written for any Frictionless tool loads as it is. Loading is strict where a
// typo would silently weaken a check (an unknown constraint, an unknown rbgate key) and
// lenient where the specification allows other keys (titles, descriptions, rdfType).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/delimited/delimited.h"
#include "schemas/table/fixed_pattern.h"

namespace re2 {
class RE2;
}

namespace rbgate::schemas::table {

enum class Type : std::uint8_t {
  kString,
  kInteger,
  kNumber,
  kBoolean,
  kDate,
  kDateTime,
  kTime,
  kYear,
  kYearMonth,
  kAny,
};
std::string_view TypeName(Type t) noexcept;

// Why `pattern`, a Table Schema pattern (an XML Schema regular expression), uses syntax rbgate's
// regular expressions (RE2) do not read as XML Schema does: class subtraction, \i \c, and
// \p{Is...} blocks. Empty when it uses none.
std::string XsdOnly(std::string_view pattern);

// rbgate's domain types: identifiers and amounts with rules of their own (identifiers.md).
enum class Domain : std::uint8_t {
  kNone,
  kNino,
  kSortCode,
  kAccountNumber,
  kPostcode,
  kUprn,
  kUarn,
  kBillingAuthority,
  kBand,
  kPayeReference,
  kPence,  // pounds and pence, exactly two decimal places; typed as pence
};
std::string_view DomainName(Domain d) noexcept;
// The domain type named `name` (as schema files write it: "nino", "sort_code"...), if any.
std::optional<Domain> DomainNamed(std::string_view name) noexcept;
// Domain types that hold personal data whether or not a schema says so.
constexpr bool IsPersonalDomain(Domain d) noexcept {
  return d == Domain::kNino || d == Domain::kAccountNumber || d == Domain::kPostcode;
}
// What the loader says when a domain type is misnamed, listing the names.
inline constexpr std::string_view kDomainNamesHint =
    "nino, sort_code, account_number, postcode, uprn, uarn, billing_authority, band, "
    "paye_reference, pence";

// A value cast to its field's type. Integers, years, year-months (months since year 0),
// dates (days since 1970), times (seconds since midnight), date-times (seconds since 1970,
// UTC) and pence are `n`; numbers are `x`; booleans are n = 0 or 1; strings are `text`.
struct Value {
  std::int64_t n = 0;
  double x = 0;
  std::string_view text;
};

struct FieldSpec;
// A field's common case decided at speed: true when the text casts and passes the domain
// type's rule with nothing to report, `v` then set exactly as the general path sets it.
// False says nothing: the general path decides and explains. Chosen once per field
// (cast.h's ChooseQuickCast).
using QuickCast = bool (*)(const FieldSpec& f, std::string_view text, Value& v);

// The bounds a value the quick cast accepted must still be held to, in the forms the
// validator checks inline (cast.h's ChooseQuickBound): none; a plain string's maximum length
// (a value no longer in bytes passes whatever the encoding, a character being at least a
// byte); a minimum and maximum compared as `Value::n` (integers, dates, times, pence);
// anything else (patterns, enums, lengths of other types), checked by the general path.
enum class QuickBound : std::uint8_t { kNone, kMaxLength, kIntegral, kOther };

// A date, time or date-time pattern in strftime's notation (%d/%m/%Y), compiled.
struct TimePattern {
  std::string text;  // as written, for messages
  struct Piece {
    char directive;  // 0: a literal byte
    char literal;
  };
  std::vector<Piece> pieces;
};

struct Constraints {
  bool required = false;
  bool unique = false;
  std::int64_t min_length = -1, max_length = -1;
  bool has_minimum = false, has_maximum = false;
  Value minimum, maximum;
  std::string minimum_text, maximum_text;  // as written, for messages
  std::shared_ptr<const re2::RE2> pattern;
  std::optional<FixedPattern> fixed_pattern;  // the same pattern, when it has that shape
  std::string pattern_text;
  std::vector<std::string> enum_texts;  // as written
  std::vector<Value> enum_values;       // cast; string enums point into enum_texts

  // Any constraint beyond `required` and `unique`: a value must be compared or matched.
  bool Bounding() const noexcept {
    return min_length >= 0 || max_length >= 0 || has_minimum || has_maximum || pattern ||
           !enum_values.empty();
  }
};

// A string field's format, resolved at load so that no row compares format names.
enum class StringFormat : std::uint8_t { kDefault, kEmail, kUri, kUuid, kBinary };

struct FieldSpec {
  std::string name;
  Type type = Type::kString;
  std::string format = "default";
  StringFormat string_format = StringFormat::kDefault;
  bool any_format = false;  // a date, time or datetime field with format "any"
  // The texts that mean "no value": the field's own (Table Schema v2's field missingValues),
  // else the schema's, set at load.
  std::vector<std::string> missing_values{""};
  bool own_missing_values = false;
  bool only_empty_missing = true;  // missing_values is [""], the common case
  // Casting options (Table Schema v1).
  bool bare_number = true;
  char decimal_char = '.';
  char group_char = '\0';
  std::vector<std::string> true_values{"true", "True", "TRUE", "1"};
  std::vector<std::string> false_values{"false", "False", "FALSE", "0"};
  TimePattern pattern;  // date/time/datetime with a pattern format
  Constraints constraints;
  // rbgate additions.
  Domain domain = Domain::kNone;
  bool wales = false;               // band: A-I, not A-H
  int sort_code_field = -1;         // account number: the field holding its sort code
  bool personal = false;            // masked in findings unless asked
  bool windows1252 = false;         // its text is Windows-1252 (the schema's encoding)
  parsers::delimited::Slice slice;  // fixed-width position (when the layout is fixed-width)
  QuickCast quick = nullptr;        // null: every value takes the general path
  QuickBound quick_bound = QuickBound::kNone;  // kNone: constraints.Bounding() is false
};

// A kind of record other than the data records, in a multi-record file.
struct RecordLayout {
  std::string code;  // the discriminator's value
  std::vector<FieldSpec> fields;
  std::uint32_t line_width = 0;  // fixed-width
};

// How a multi-record file tells its records apart.
struct RecordTypes {
  bool enabled = false;
  int column = -1;                      // delimited: the discriminator's column (0-based)
  parsers::delimited::Slice slice;      // fixed-width: its position
  std::string data_code;                // the data records' code
  std::optional<RecordLayout> header;   // first record, exactly once
  std::optional<RecordLayout> trailer;  // last record, exactly once
  std::vector<RecordLayout> others;     // anywhere between
};

enum class CompareOp : std::uint8_t { kLt, kLe, kEq, kNe, kGe, kGt };

// A rule across one data record's fields.
struct CrossRule {
  enum class Kind : std::uint8_t { kCompare, kRequiredWhen };
  Kind kind = Kind::kCompare;
  int left = -1;   // kRequiredWhen: the field required...
  int right = -1;  // ...when this one has a value
  CompareOp op = CompareOp::kLe;
  std::string text;  // as written, for messages
};

// A control total the header or trailer carries: the number of data records, or the sum of
// one of their fields.
struct Control {
  bool in_header = false;
  int field = -1;  // in the header's or trailer's fields
  enum class What : std::uint8_t { kCount, kSum };
  What what = What::kCount;
  int sum_field = -1;  // a data field (integer or pence)
  std::string text;
};

// A data field whose every value must appear in another feed's file: a reference map.
struct Reference {
  int field = -1;
  std::string feed;  // the other feed (a table-schema feed)
  std::string key;   // its field that holds the values
};

// A foreign key within the file (a Table Schema foreignKey whose reference names no other
// resource): every value of `field` must be a value of `key` in some data record.
struct SelfReference {
  int field = -1;
  int key = -1;
  std::string text;  // as written, for messages
};

// Another resource of the same Data Package that a foreign key points into: the check reads
// its data file for the key's values (a Reference names it as its feed).
struct PackageResource {
  std::string name;
  std::shared_ptr<const struct TableSchema> schema;
  std::string path;  // its data file, resolved against the package's folder; may be empty
};

// rbgate.voa: what a VOA list or schedule of alterations means, so that a schedule can be
// balanced against the list it alters (schemas/voa/balance.h). Field indices are into the
// data fields unless said otherwise; -1 when not given.
struct VoaBinding {
  // kValuations: summary valuations (schemas/voa/smv.h), checked valuation by valuation.
  enum class Role : std::uint8_t { kNone, kList, kSchedule, kValuations };
  enum class Tax : std::uint8_t { kNdr, kCouncilTax };
  // What a schedule's heading does to the list. Historic variants alter a past period and
  // leave the list as it stands now unchanged.
  enum class Change : std::uint8_t { kNew, kDeleted, kAmended, kReinstated, kMinorAddress };
  struct Heading {
    std::string code;  // as the schedule writes it
    Change change = Change::kNew;
    bool historic = false;
  };
  Role role = Role::kNone;
  Tax tax = Tax::kNdr;
  int ba = -1;         // billing authority code
  int key = -1;        // the entry's key (a UARN): digits
  int value = -1;      // rateable value (an integer), or band (a band domain field)
  int reference = -1;  // the billing authority's reference, for messages
  int until = -1;      // a list's: an entry with a value here is no longer in the list
  int heading = -1;    // a schedule's: what each record does (`headings`)
  std::vector<Heading> headings;
  // A schedule's trailer fields: the VOA's figures for the list after the schedule.
  int stated_entries = -1;
  int stated_total = -1;          // NDR: the rateable value total
  std::vector<int> stated_bands;  // council tax: dwellings in band A, B... in order
  // A schedule's header fields, for reports and the ledger.
  int number = -1;
  int date = -1;
};
std::string_view ChangeName(VoaBinding::Change c) noexcept;

// One thing wrong in a schema file (or, as a warning, worth a look): where (a JSON path
// such as $.fields[3].constraints.minimum; "$" with a line and column for JSON syntax) and
// what.
struct SchemaIssue {
  std::string path;
  std::string problem;
  std::uint32_t line = 0, column = 0;  // 1-based; 0 when only the path says where
};

struct TableSchema {
  std::string name;  // the feed's name, e.g. "rsl-rents"
  std::string title;
  std::string version;  // as the descriptor gives it, or empty
  std::string source;   // the file it was loaded from
  std::vector<FieldSpec> fields;
  std::vector<std::string> missing_values{""};
  bool only_empty_missing = true;  // every field's missing values are [""]
  std::vector<int> primary_key;    // field indices
  // The CSV Dialect.
  parsers::delimited::Dialect dialect;
  bool header = true;
  bool case_insensitive_header = false;  // dialect caseSensitiveHeader: false
  std::string line_terminator = "\r\n";  // informative: CRLF and LF are both read
  parsers::delimited::Encoding encoding = parsers::delimited::Encoding::kUtf8;
  bool fixed_width = false;           // fields are sliced at their rbgate.start/width
  std::uint32_t line_width = 0;       // fixed-width: the data line's length
  RecordTypes records;                // rbgate.records: header, trailer and other record types
  std::vector<CrossRule> rules;       // rbgate.rules, over data records
  std::vector<Control> controls;      // rbgate.controls
  std::vector<Reference> references;  // rbgate.references, and foreign keys to other resources
  std::vector<SelfReference> self_references;      // foreign keys within the file
  std::vector<PackageResource> package_resources;  // what foreign keys to other resources read
  // The resource's bytes and hash (Data Resource), which the file checked must have.
  std::optional<std::uint64_t> bytes;
  std::string hash_algorithm;  // md5 (the default), sha1, sha256, sha512
  std::string hash_hex;        // lower case
  VoaBinding voa;              // rbgate.voa
  // Keys the descriptor has that no specification rbgate reads defines, and not so close to
  // one that they are taken for a typo (those are errors): kept as custom properties, which
  // the specification permits, and not checked. `rbgate schema check --strict` refuses them.
  std::vector<SchemaIssue> warnings;

  // The transform's columns (a route's rows): one per data field, pence fields named
  // <name>_pence; and which are numbers (integers, numbers, years, pence) or booleans.
  std::vector<std::string> row_columns;
  // The row columns as views into row_columns (made on each call, so that a copy of the schema
  // gives views into itself).
  std::vector<std::string_view> RowColumnViews() const {
    return {row_columns.begin(), row_columns.end()};
  }
  std::vector<bool> row_numeric;

  parsers::delimited::ParseOptions ParseOptions() const;
};

// A schema that cannot be used: says which file, where in it and what is wrong; every problem
// the loader found in one pass (issues()), the first also as path() and problem().
class SchemaError : public std::runtime_error {
 public:
  SchemaError(std::string file, std::string path, std::string what);
  // REQUIRES: `issues` is not empty.
  SchemaError(std::string file, std::vector<SchemaIssue> issues);
  const std::string& file() const noexcept { return file_; }
  const std::string& path() const noexcept { return issues_.front().path; }
  const std::string& problem() const noexcept { return issues_.front().problem; }
  const std::vector<SchemaIssue>& issues() const noexcept { return issues_; }

 private:
  std::string file_;
  std::vector<SchemaIssue> issues_;
};

// Which resource of a Data Package to compile: the one named, else the one whose "path" is the
// data file's (its name or its path relative to the package), else the package's only
// tabular resource.
struct ResourceChoice {
  std::string name;
  std::string data_file;
};

// The names of a Data Package's tabular resources (those with a "schema"), in order; empty
// when `json` is not a Data Package (or not JSON).
std::vector<std::string> PackageResourceNames(std::string_view json);

// Compiles the descriptor `json` (from `file`, named in errors; a relative "schema" or
// "dialect" path is read beside it): a Table Schema, a Data Resource or a Data Package (one
// resource of it, by `choice`). Throws SchemaError.
std::shared_ptr<const TableSchema> CompileSchema(std::string_view json, const std::string& file,
                                                 const ResourceChoice& choice = {});

}  // namespace rbgate::schemas::table
