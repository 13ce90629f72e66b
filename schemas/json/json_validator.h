// Validates JSON records against a compiled JsonSchema with simdjson On Demand: a JSON array
// (each element a record) held in memory, or JSON lines fed window by window in bounded
// memory. Every fault is reported with its JSON pointer, line and column, and the record's
// number; personal values are masked in every excerpt of their record.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/diagnostic.h"
#include "schemas/json/json_schema.h"
#include "schemas/row_writer.h"

namespace rbgate::schemas::json {

// Longest JSON line accepted, and the largest JSON array held whole.
inline constexpr std::size_t kMaxLine = std::size_t{8} << 20;
inline constexpr std::size_t kMaxArray = std::size_t{512} << 20;

// `schema` and `diagnostics` must outlive the validator and its findings.
class JsonValidator {
 public:
  JsonValidator(const JsonSchema& schema, parsers::DiagnosticSink& diagnostics);
  ~JsonValidator();

  // JSON lines: consecutive windows, as the spool maps a file; returns what was consumed
  // (whole lines). REQUIRES: a window holds kMaxLine + 1 bytes.
  [[nodiscard]] std::size_t FeedLines(std::span<const char> chunk, std::uint64_t offset, bool last);
  // A JSON array: the whole document. REQUIRES: simdjson::SIMDJSON_PADDING readable bytes
  // after `document`.
  void ValidateArray(std::string_view document);
  // Reports end-of-input findings (an empty file). Call once.
  void Finish();
  // The transform: each record's top-level properties as a row (the schema's row_columns;
  // strings as they are, numbers and booleans as written, objects, arrays and null empty).
  // `rows` must have those columns and outlive the validator.
  void SetRows(RowWriter* rows);

  std::uint64_t records() const noexcept { return records_; }
  std::uint64_t bytes() const noexcept { return bytes_; }

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
  std::uint64_t records_ = 0;
  std::uint64_t bytes_ = 0;
  std::uint64_t line_ = 0;
  bool skipping_ = false;     // inside an over-long JSON line
  std::vector<char> padded_;  // the line being validated, with simdjson's padding
};

// Whether a file whose first bytes are `head` is a JSON array (else JSON lines), by its first
// byte that is not white space (a UTF-8 byte-order mark skipped).
bool StartsAsArray(std::string_view head) noexcept;

}  // namespace rbgate::schemas::json
