// Bacs Standard 18 parser: bytes to records and lexical findings, fed window by window.
//
// The parser frames records (CRLF, LF, or none at all), identifies each record's type and
// checks every field's lexical rule (digits, literals, character set, date shape). It does
// not judge meaning across fields or records: that is schemas/bacs18's validator, which
// consumes the records this parser emits. No I/O, no clock, no allocation per good record.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "parsers/bacs18/layout.h"
#include "parsers/diagnostic.h"

namespace rbgate::parsers::bacs18 {

enum class Separator : std::uint8_t { kUnknown, kCrLf, kLf, kNone };
std::string_view SeparatorName(Separator s) noexcept;

// A data record's fields, as views into its bytes (positions as in layout.h).
struct DataRecord {
  std::string_view bytes;    // 100 bytes, or 106 in multi-day files
  std::uint64_t amount = 0;  // pence; valid when amount_ok
  bool amount_ok = false;    // the amount field is 11 digits

  std::string_view dest_sort() const noexcept { return At(0, 6); }
  std::string_view dest_account() const noexcept { return At(6, 8); }
  std::string_view account_type() const noexcept { return At(14, 1); }
  std::string_view transaction_code() const noexcept { return At(15, 2); }
  std::string_view orig_sort() const noexcept { return At(17, 6); }
  std::string_view orig_account() const noexcept { return At(23, 8); }
  std::string_view free_format() const noexcept { return At(31, 4); }
  std::string_view amount_text() const noexcept { return At(35, 11); }
  std::string_view user_name() const noexcept { return At(46, 18); }
  std::string_view reference() const noexcept { return At(64, 18); }
  std::string_view dest_name() const noexcept { return At(82, 18); }
  // Empty unless multi-day.
  std::string_view processing_day() const noexcept {
    return bytes.size() >= kMultiDayDataLength ? At(100, 6) : std::string_view{};
  }

 private:
  // REQUIRES: bytes.size() >= kDataLength (the parser only makes such records).
  std::string_view At(std::size_t begin, std::size_t length) const noexcept {
    return {bytes.data() + begin, length};
  }
};

struct Record {
  RecordKind kind;
  std::string_view bytes;  // the record without its separator
  std::uint64_t offset;    // of the record's first byte in the input
  std::uint64_t line;      // 1-based
  std::uint64_t column;    // 1-based column of the record's first byte (1 unless unseparated)
  std::uint64_t number;    // 1-based record number
  bool well_formed;        // every field passed its lexical rule
  const DataRecord* data;  // kData only, else null
};

// Receives records in order. Views in `Record` are valid only during the call.
class RecordSink {
 public:
  virtual ~RecordSink() = default;
  virtual void OnRecord(const Record& r) = 0;
};

struct ParseOptions {
  // Longest line accepted before the parser gives up looking for its end.
  std::uint32_t max_line = 4096;
};

struct ParseSummary {
  Separator separator = Separator::kUnknown;
  std::uint64_t records = 0;
  std::uint64_t bytes = 0;
};

// A streaming parser. Call Feed with consecutive windows of the input; each call returns
// how many bytes it consumed, and the caller presents the rest again at the start of the
// next window. `last` says no bytes follow this window. Never throws on bad input.
//
//   Parser p(records, diagnostics);
//   p.Feed(bytes, 0, /*last=*/true);
//   p.Finish();
//
// `records` and `diagnostics` must outlive the parser.
class Parser {
 public:
  Parser(RecordSink& records, DiagnosticSink& diagnostics, ParseOptions options = {}) noexcept;

  // REQUIRES: `offset` is the absolute input offset of chunk[0], and equals the previous
  // call's offset plus what it consumed.
  [[nodiscard]] std::size_t Feed(std::span<const char> chunk, std::uint64_t offset, bool last);

  // Reports end-of-input findings. Call once, after the last Feed.
  void Finish();

  const ParseSummary& summary() const noexcept { return summary_; }

 private:
  void DetectSeparator(std::span<const char> chunk, bool last);
  void Emit(std::string_view bytes, std::uint64_t offset);
  // Emits `bytes` if it is a well-formed data record; else emits nothing and returns false.
  bool EmitWellFormedData(std::string_view bytes, std::uint64_t offset);
  void CheckFields(const Record& r, std::span<const Field> fields, bool& ok);
  bool ParseDataFast(std::string_view bytes, DataRecord& d) const noexcept;
  void ParseDataSlow(std::string_view bytes, DataRecord& d) const noexcept;
  void ReportRecord(const Rule& rule, std::string_view bytes, std::uint64_t offset,
                    std::uint64_t record, std::string message);

  RecordSink& records_;
  DiagnosticSink& diagnostics_;
  ParseOptions options_;
  ParseSummary summary_;
  std::uint64_t line_ = 1;
  std::uint64_t crlf_lines_ = 0;
  std::uint64_t lf_lines_ = 0;
  bool skipping_line_ = false;  // inside an over-long line, looking for its end
  bool multi_day_ = false;      // from HDR2's record length
  bool trailing_reported_ = false;
  std::uint32_t data_length_ = kDataLength;
  DataRecord data_;  // scratch for the record being emitted
};

// Feeds `bytes`, held in memory, to `parser` in windows of `window` bytes (0: all at once),
// each starting where the parser stopped, as the mapped reader does; then calls Finish.
// Windows grow when one is too small to hold a whole record.
void ParseBuffer(Parser& parser, std::string_view bytes, std::size_t window = 0);

// A finding about field `f` of record `r` (positions, excerpt, personal-data spans).
Diagnostic FieldDiagnostic(const Record& r, const Field& f, const Rule& rule, std::string message);

// True when `bytes` looks like a Standard 18 file (for feed detection).
bool LooksLikeStandard18(std::string_view head) noexcept;

}  // namespace rbgate::parsers::bacs18
