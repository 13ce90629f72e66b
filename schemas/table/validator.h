// Validates the rows of a delimited or fixed-width file against a compiled table schema:
// the header, each row's field count, then every field's type, constraints and domain rule;
// uniqueness and the primary key across rows. Every fault is reported, not only the first.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "parsers/delimited/delimited.h"
#include "parsers/diagnostic.h"
#include "schemas/modulus.h"
#include "schemas/table/schema.h"

namespace rbgate::schemas::table {

// Receives each data row's values once checked, for transforms (JSON lines, CSV).
class TypedRowSink {
 public:
  virtual ~TypedRowSink() = default;
  // `values[i]` is field i's value; `present[i]` is false for a missing value, or a value
  // that failed its type. `row_valid` says the row had no error.
  virtual void OnTypedRow(const parsers::delimited::Row& row, std::span<const Value> values,
                          std::span<const bool> present, bool row_valid) = 0;
  // A header's, trailer's or other record's values, once checked; `role` is "header",
  // "trailer" or "other". Most sinks want only the data.
  virtual void OnOtherRecord(const parsers::delimited::Row& /*row*/, std::string_view /*role*/,
                             std::span<const Value> /*values*/, std::span<const bool> /*present*/) {
  }
  // After the last record: findings that need every record (a check across them).
  virtual void Finish() {}
};

// The values a feed's file holds in a key field (a reference map), looked up by a field's
// text without copying it.
struct TextHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};
using ReferenceValues = std::unordered_set<std::string, TextHash, std::equal_to<>>;
// Reference maps by feed name.
using ReferenceSets = std::map<std::string, std::shared_ptr<const ReferenceValues>, std::less<>>;

struct ValidatorOptions {
  const ModulusChecker* modulus = nullptr;  // null: account numbers are not modulus checked
  TypedRowSink* typed = nullptr;
  // The files references point into; a reference whose feed has none here is reported once
  // as unchecked (a warning), never silently passed.
  const ReferenceSets* references = nullptr;
  // One block of a larger file, checked beside the others (BlockChecker): what needs the rows
  // before the block (uniqueness, the primary key, runs of empty rows) is kept for the
  // validator of the whole file to Absorb, in order. `starts_file`: the block holds the file's
  // first record, the header row if the schema has one.
  bool block = false;
  bool starts_file = true;
};

// Reads `path` as `schema`'s feed and collects the values of field `key` over its data
// records. Returns null (with `error` set) when the file cannot be read, `key` is no field,
// or the file has errors: a reference map must itself be valid.
std::shared_ptr<const ReferenceValues> LoadReferenceValues(const TableSchema& schema,
                                                           const std::string& key,
                                                           const std::string& path,
                                                           std::string& error);

// Reference maps read from files the spool keeps (the last accepted file of each referenced
// feed), cached while a file is unchanged. Thread-safe: the daemon's workers share it.
class ReferenceCache {
 public:
  // The values of `key` in `path` read as `schema`; null when the file is missing or invalid.
  std::shared_ptr<const ReferenceValues> Get(const TableSchema& schema, const std::string& key,
                                             const std::string& path);

 private:
  struct Entry {
    std::int64_t mtime_ns = 0;
    std::int64_t size = -1;
    std::shared_ptr<const ReferenceValues> values;
  };
  std::mutex mu_;
  std::map<std::string, Entry> entries_;
};

// `schema` and `diagnostics` must outlive the validator; findings name fields by views into
// `schema`, so it must also outlive the findings.
class Validator final : public parsers::delimited::RowSink {
 public:
  Validator(const TableSchema& schema, parsers::DiagnosticSink& diagnostics,
            ValidatorOptions options = {});

  void OnRow(const parsers::delimited::Row& row) override;
  // End-of-file checks: a header or trailer missing, control totals. Call once.
  void Finish();

  std::uint64_t data_rows() const noexcept { return data_rows_; }
  std::uint64_t records() const noexcept { return records_; }  // the header row not counted

  // True when a file of `schema` checked in blocks (ValidatorOptions::block), each block's
  // leftovers absorbed in order, gives exactly the findings one pass gives: no record types,
  // controls or foreign keys within the file, every reference map given, no typed rows.
  static bool ChecksInBlocks(const TableSchema& schema, const ValidatorOptions& options);
  // Takes in what the validator of the next block (options.block) left: its counts, its
  // values that must be unique, its runs of empty rows. The block's records and lines were
  // numbered from 1: `records_before` (the header row included) and `lines_before` are the
  // file's before it. The block's bytes must still be readable.
  void Absorb(const Validator& block, std::uint64_t records_before, std::uint64_t lines_before);

 private:
  // Open addressing, 64-bit fingerprints and the row each was first seen in; grows.
  class SeenSet {
   public:
    // The row `fp` was first seen in, or 0 (and records it now).
    std::uint64_t FirstOrInsert(std::uint64_t fp, std::uint64_t row);

   private:
    std::vector<std::pair<std::uint64_t, std::uint64_t>> slots_;
    std::size_t size_ = 0;
  };

  // One kind of record: the data records' (layouts_[0]), a header's, a trailer's or another's.
  struct Layout {
    const std::vector<FieldSpec>* fields;
    std::uint32_t line_width;
    const char* role;  // "data", "header", "trailer", "other"
    std::string code;
    std::vector<SeenSet> unique;  // per field with a unique constraint
  };
  // A control value read from the header or trailer, and where it was, for the finding.
  struct Carried {
    bool seen = false;
    bool present = false;
    std::int64_t value = 0;
    parsers::Diagnostic at;
  };
  struct Sum {
    std::int64_t total = 0;
    bool overflow = false;
  };

  Layout* Discriminate(const parsers::delimited::Row& row);
  void CheckOrder(const parsers::delimited::Row& row, const Layout& layout);
  void CheckHeader(const parsers::delimited::Row& row);
  // The commonest values, decided inline without a call: a missing value that may be missing,
  // a plain string within its maximum length, a value its quick cast accepts with no bound to
  // check. True when settled (never with a finding); false leaves the field to CheckField.
  bool Settled(const FieldSpec& f, std::string_view text, std::size_t i, Value& v,
               bool& present) noexcept {
    if (!f.only_empty_missing || f.quick == nullptr) return false;
    if (text.empty()) {
      if (f.constraints.required) return false;
      missing_[i] = true;
      present = false;
      return true;
    }
    v = Value{};
    const Constraints& c = f.constraints;
    switch (f.quick_bound) {
      case QuickBound::kMaxLength:
        if (static_cast<std::int64_t>(text.size()) > c.max_length) return false;
        v.text = text;
        break;
      case QuickBound::kNone:
        if (!f.quick(f, text, v)) return false;
        break;
      case QuickBound::kIntegral:
        if (!f.quick(f, text, v) || (c.has_minimum && v.n < c.minimum.n) ||
            (c.has_maximum && v.n > c.maximum.n)) {
          return false;
        }
        break;
      case QuickBound::kOther:
        return false;
    }
    missing_[i] = false;
    present = true;
    return true;
  }
  // Returns false when the field has an error.
  [[gnu::noinline]] bool CheckField(const parsers::delimited::Row& row, std::size_t i, Value& v,
                                    bool& present);
  void CheckRules(const parsers::delimited::Row& row);
  void Carry(const parsers::delimited::Row& row, const Layout& layout);
  // A finding at field `field` of the current record (past the last field: its end).
  parsers::Diagnostic Build(const parsers::delimited::Row& row, std::size_t field,
                            const parsers::Rule& rule, std::string message) const;
  void Report(const parsers::delimited::Row& row, std::size_t field, const parsers::Rule& rule,
              std::string message);

  // The record's fields: the parser's, or its line sliced by the layout (fixed width).
  void SetFields(const parsers::delimited::Row& row, const Layout& layout);
  // A unique field's value, or the primary key, that repeats row `first`.
  void ReportRepeat(const parsers::delimited::Row& row, std::size_t field, std::uint64_t first);
  void ReportKeyRepeat(const parsers::delimited::Row& row, std::uint64_t first);
  // Block mode: a value that must be unique (field, or kKey for the primary key), left for
  // Absorb with what it needs to find the row again.
  static constexpr std::uint32_t kKey = ~std::uint32_t{0};
  struct Deferred {
    std::uint64_t fingerprint, number, offset, line;
    std::string_view raw;
    std::uint32_t field;
  };
  void Defer(const parsers::delimited::Row& row, std::uint32_t field, std::uint64_t fp) {
    deferred_.push_back({fp, row.number, row.offset, row.line, row.raw, field});
  }
  // Re-splits a deferred value's row (its bytes are still mapped) and reports it.
  void ReportDeferred(const Deferred& d, std::uint64_t number, std::uint64_t line,
                      std::uint64_t first);
  struct PaddingRun {
    parsers::Diagnostic at;
    std::uint64_t first = 0, last = 0, rows = 0;
    bool at_start = false;  // the block's first record starts it
  };

  const TableSchema& schema_;
  parsers::DiagnosticSink& diagnostics_;
  ValidatorOptions options_;
  std::vector<Layout> layouts_;
  // The record being checked: its layout and fields (the parser's, or sliced_).
  Layout* layout_ = nullptr;
  std::span<const parsers::delimited::Field> fields_;
  std::vector<parsers::delimited::Field> sliced_;
  std::vector<Value> values_;
  std::unique_ptr<bool[]> present_;  // a valid value
  std::unique_ptr<bool[]> missing_;  // a missing value
  std::uint64_t data_rows_ = 0;
  std::uint64_t records_ = 0;
  // A run of rows with every field empty (table.row.padding), reported when it ends.
  void FlushPadding();
  bool any_required_ = false;
  parsers::Diagnostic padding_;
  std::uint64_t padding_rows_ = 0, padding_first_ = 0, padding_last_ = 0;
  bool padding_at_start_ = false;
  std::vector<PaddingRun> padding_runs_;  // block mode: the runs ended within the block
  std::vector<Deferred> deferred_;        // block mode
  bool header_seen_ = false, trailer_seen_ = false;
  std::uint64_t trailer_line_ = 0;
  std::uint64_t last_line_ = 1;   // of the last record seen
  std::vector<Carried> carried_;  // per control
  // Per schema reference: the values it must be among, or null (unchecked, said once).
  // Foreign keys within the file: the keys seen, and references not (yet) resolved, each
  // with its first record's finding and how many records more. At most kMaxPendingForeign
  // values wait at once, so memory stays bounded whatever the file.
  static constexpr std::size_t kMaxPendingForeign = 100000;
  struct Foreign {
    struct Pending {
      parsers::Diagnostic at;
      std::uint64_t more = 0;
    };
    std::unordered_set<std::string, TextHash, std::equal_to<>> keys;
    std::unordered_map<std::string, Pending, TextHash, std::equal_to<>> pending;
    bool overflowed = false;
  };
  void ForeignKeyRow(const parsers::delimited::Row& row, std::size_t k, std::size_t checked);
  std::vector<Foreign> foreign_;
  std::vector<const ReferenceValues*> reference_sets_;
  std::vector<bool> reference_warned_;
  std::vector<Sum> sums_;        // per control
  bool modulus_fields_ = false;  // some data field is an account number with a sort code
  SeenSet primary_;
};

}  // namespace rbgate::schemas::table
