// Transforms: a bank report becomes normalised rows for the R&B system to import, one row per
// advice item (per user file for the input report), carrying the report's header fields,
// amounts in pence and sort codes as six digits; written as CSV (RFC 4180, with a header) or
// as JSON lines. The rows come from the same XML events the validator sees, so a report is
// validated and transformed in one pass. Columns per feed: schemas/bacs_reports/README.md.
#pragma once

#include <memory>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/xml/xml_stream.h"

namespace rbgate::schemas::bacs_reports {

enum class RowFormat { kCsv, kJsonLines };
// "csv" is CSV; anything else ("jsonl") JSON lines: the names configuration and options use.
constexpr RowFormat RowFormatNamed(std::string_view name) {
  return name == "csv" ? RowFormat::kCsv : RowFormat::kJsonLines;
}

// The columns a feed's rows have, in order (empty for a feed with no transform).
std::span<const std::string_view> TransformColumns(std::string_view feed);

// Writes rows of fixed columns, buffered; the values persist from row to row until set again,
// so a report's header fields are set once.
class RowWriter {
 public:
  RowWriter(std::ostream& out, RowFormat format, std::span<const std::string_view> columns);
  ~RowWriter() { Flush(); }
  RowWriter(const RowWriter&) = delete;
  RowWriter& operator=(const RowWriter&) = delete;

  std::string& operator[](std::size_t column) { return values_[column]; }
  void Clear(std::size_t from, std::size_t to);  // columns [from, to) to empty
  void Write();
  void Flush();
  std::uint64_t rows() const { return rows_; }

 private:
  void WriteCsv();
  void AppendCsv(std::string_view v);  // quoted

  std::ostream& out_;
  RowFormat format_;
  std::span<const std::string_view> columns_;
  std::vector<std::string> values_;
  std::vector<bool> numeric_;  // JSON numbers (amounts, counts) rather than strings
  std::string buffer_;
  std::uint64_t rows_ = 0;
};

// A sink turning `feed`'s XML events into rows on `writer` (null for a feed with no
// transform). `writer` must have the feed's columns and outlive the sink.
std::unique_ptr<parsers::xml::XmlSink> MakeRowSink(std::string_view feed, RowWriter& writer);

}  // namespace rbgate::schemas::bacs_reports
