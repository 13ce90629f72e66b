// Rows of fixed columns for other systems to import: CSV (RFC 4180, CRLF, a header line, a
// field quoted only when it holds a comma, quote or line end) or JSON lines (columns named
// *_pence, *_count and error_items are numbers, the rest strings). Used by the Bacs
// reports' transforms and by reconciliation.
#pragma once

#include <cstdint>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rbgate::schemas {

enum class RowFormat { kCsv, kJsonLines };
// "csv" is CSV; anything else ("jsonl") JSON lines: the names configuration and options use.
constexpr RowFormat RowFormatNamed(std::string_view name) {
  return name == "csv" ? RowFormat::kCsv : RowFormat::kJsonLines;
}

// Writes rows of fixed columns, buffered; the values persist from row to row until set again,
// so a report's header fields are set once.
class RowWriter {
 public:
  RowWriter(std::ostream& out, RowFormat format, std::span<const std::string_view> columns);
  // With the columns written as JSON numbers (or true/false) said explicitly.
  RowWriter(std::ostream& out, RowFormat format, std::span<const std::string_view> columns,
            std::vector<bool> numeric);
  // A writer of `like`'s columns and format into `out`, without the CSV header line: a part
  // of `like`'s rows made apart (a block of a file checked on another thread), taken in with
  // Append.
  RowWriter(std::ostream& out, const RowWriter& like);
  // Takes in the `rows` rows a part wrote (`bytes`), after those written so far.
  void Append(std::string_view bytes, std::uint64_t rows);
  std::size_t columns() const noexcept { return values_.size(); }
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

}  // namespace rbgate::schemas
