// Balancing a VOA schedule of alterations to the list it alters. Every council tax and
// business rates bill is computed from the VOA's lists; after each schedule the council's
// list must hold the entries, rateable value and bands the VOA says its own list holds, or
// bills are wrong. Given the list as it stood before the schedule (read from a list file, or
// the state recorded when the last schedule was applied), Balance applies each record by its
// heading, totals the changes by heading, and compares the result with the VOA's figures in
// the schedule's trailer; the records that could not be applied as their heading says (a new
// entry already listed, a deletion of one that is not) are the ones that explain a
// difference.
//
// What a list's or schedule's fields mean comes from the schema (rbgate.voa, TableBinding),
// so a council adapts the layout in a schema file. No I/O: readers are TypedRowSinks fed by
// the table validator as it checks the file.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "schemas/table/schema.h"
#include "schemas/table/validator.h"

namespace rbgate::schemas::voa {

using Binding = table::VoaBinding;

constexpr std::size_t kMaxBands = 9;  // A-I (Wales); England has A-H

// Entries, rateable value and dwellings by band.
struct Totals {
  std::int64_t entries = 0;
  std::int64_t total = 0;  // NDR: rateable value, pounds
  std::array<std::int64_t, kMaxBands> bands{};
};

// A list as it stands: each current entry's key (UARN) and value (rateable value in pounds,
// or a band as 0 for A, 1 for B...).
struct ListState {
  Binding::Tax tax = Binding::Tax::kNdr;
  std::string ba;         // billing authority code
  std::size_t bands = 8;  // council tax: 8 (England) or 9 (Wales)
  std::unordered_map<std::int64_t, std::int64_t> entries;
  std::string source;  // where it came from, in words: "list file X", "the ledger: ..."

  Totals Sum() const;
};

// Reads a list file's current entries, by billing authority, as the file is checked.
class ListReader final : public table::TypedRowSink {
 public:
  // Only the entries of `authorities` (empty: every authority's).
  ListReader(const table::TableSchema& schema, std::set<std::string> authorities);
  void OnTypedRow(const parsers::delimited::Row& row, std::span<const table::Value> values,
                  std::span<const bool> present, bool row_valid) override;

  // The one authority's entries read. Empty `error` when usable; else why not (no entries,
  // several authorities, an entry listed twice).
  ListState Take(std::string& error);
  // Every authority's, by code. Empty `error` when usable (no entry listed twice).
  std::map<std::string, ListState> TakeAll(std::string& error);

 private:
  ListState& StateOf(std::string_view ba);

  const table::TableSchema& schema_;
  const Binding& binding_;
  std::set<std::string> only_;
  std::map<std::string, ListState, std::less<>> states_;
  std::set<std::string, std::less<>> authorities_;  // seen in the file, chosen or not
  std::uint64_t repeated_ = 0, first_repeat_line_ = 0;
  std::int64_t first_repeat_key_ = 0;
};

// One record of a schedule.
struct ScheduleRecord {
  std::uint64_t line = 0;
  std::size_t heading = 0;  // into Binding::headings
  std::int64_t key = 0;
  std::int64_t value = 0;  // pounds, or a band
  bool has_value = false;
  std::string reference;  // the billing authority's, if the schema names it
};

struct Schedule {
  Binding::Tax tax = Binding::Tax::kNdr;
  std::size_t bands = 8;
  std::string ba;
  std::string number, date;  // as the header writes them
  std::vector<ScheduleRecord> records;
  bool has_stated = false;  // a trailer with every stated figure was read
  std::uint64_t trailer_line = 0;
  Totals stated;  // the VOA's figures for the list after the schedule
};

// Reads a schedule's records, header and trailer as the file is checked.
class ScheduleReader final : public table::TypedRowSink {
 public:
  explicit ScheduleReader(const table::TableSchema& schema);
  void OnTypedRow(const parsers::delimited::Row& row, std::span<const table::Value> values,
                  std::span<const bool> present, bool row_valid) override;
  void OnOtherRecord(const parsers::delimited::Row& row, std::string_view role,
                     std::span<const table::Value> values, std::span<const bool> present) override;
  // Empty `error` when usable; else why not (records for several billing authorities).
  Schedule Take(std::string& error);

 private:
  const table::TableSchema& schema_;
  const Binding& binding_;
  Schedule schedule_;
  std::set<std::string> authorities_;
};

// Changes by heading, as the report shows them.
enum class Line : std::uint8_t {
  kNew,
  kDeleted,
  kAmended,
  kReinstated,
  kMinorAddress,
  kHistoric,
};
inline constexpr std::size_t kLines = 6;

struct HeadingTotals {
  std::int64_t records = 0;
  Totals change;  // what the heading did to the list (historic: nothing; see `historic_total`)
  std::int64_t historic_total = 0;  // historic records' rateable values, for information
};

// A record that could not be applied as its heading says, or that disagrees with the list.
struct Exception {
  ScheduleRecord record;
  std::string heading;  // its code
  bool listed = false;  // the key was in the list when the record was applied
  std::int64_t listed_value = 0;
  std::string problem;  // plain English
};

struct BalanceReport {
  Binding::Tax tax = Binding::Tax::kNdr;
  std::size_t bands = 8;
  std::string ba, number, date, before_source;
  Totals before, after, stated;
  std::array<HeadingTotals, kLines> lines{};
  std::vector<Exception> exceptions;
  bool balanced = false;

  Totals Difference() const;  // after minus stated
};

// Applies `schedule` to `state` (which becomes the list after it) and compares the result
// with the schedule's stated figures. REQUIRES: `schedule.has_stated`; `binding` is the
// schedule schema's.
BalanceReport Balance(ListState& state, const Schedule& schedule, const Binding& binding);

// The reconciliation in words, and as JSON and CSV. Money in whole pounds.
std::string RenderText(const BalanceReport& report);
std::string RenderJson(const BalanceReport& report);
std::string RenderCsv(const BalanceReport& report);

std::string_view LineName(Line line) noexcept;

}  // namespace rbgate::schemas::voa
