// Delimited text (CSV and its kin): bytes to rows of fields and framing findings, fed
// window by window, as the spool maps a file.
//
// RFC 4180 with the CSV Dialect's choices: any one-byte delimiter and quote character,
// quotes doubled or escaped, CRLF or LF line ends (mixed is a warning), a UTF-8 byte-order
// mark skipped, and each row's bytes checked against the declared encoding (UTF-8 or
// Windows-1252). Fields are views into the input except where a quote was doubled or
// escaped; those are unescaped into the parser's own buffer. A fixed-width layout slices
// lines at given positions instead. The parser knows nothing of what a field means: the
// schema's validator judges that. No I/O, no clock; no allocation per row once warm.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/diagnostic.h"

namespace rbgate::parsers::delimited {

enum class Encoding : std::uint8_t { kUtf8, kWindows1252 };

// How fields are separated and quoted (the Frictionless CSV Dialect's settings).
struct Dialect {
  char delimiter = ',';
  char quote = '"';  // '\0': no quoting at all
  bool double_quote = true;
  char escape = '\0';  // with double_quote false: the byte that escapes a quote
  bool skip_initial_space = false;
};

// A fixed-width column: bytes [start, start + width) of the line (0-based).
struct Slice {
  std::uint32_t start = 0;
  std::uint32_t width = 0;
};

struct ParseOptions {
  Dialect dialect;
  Encoding encoding = Encoding::kUtf8;
  // Non-empty: the lines are fixed-width and sliced at these positions (no delimiter, no
  // quoting); a short line gives the fields it reaches.
  std::vector<Slice> slices;
  std::uint32_t max_record = 1u << 20;  // bytes, quoted line breaks included
  std::uint32_t max_fields = 4096;
  // Records without a quote are split 64 bytes at a time from bit masks; false sends every
  // record through the general scanner (the tests compare the two).
  bool fast_path = true;
  // False: lines that end unlike earlier ones are noted in the summary (first_crlf_line,
  // first_lf_line) but not reported; whoever joins the blocks of a file reports them.
  bool report_mixed_line_ends = true;
};

struct Field {
  std::string_view text;    // the value: quotes removed, doubled quotes made single
  std::uint32_t pos = 0;    // of the field's first byte (its opening quote, if any) in Row::raw
  std::uint32_t width = 0;  // of the field in Row::raw, quotes included
  bool quoted = false;
};

struct Row {
  std::string_view raw;  // the record's bytes without its line end (may hold quoted ones)
  std::uint64_t offset;  // of raw[0] in the input
  std::uint64_t line;    // 1-based line of raw[0]
  std::uint64_t number;  // 1-based record number, the header included
  std::span<const Field> fields;
};

// 1-based line and column of byte `pos` of `row.raw` (a quoted field may hold line ends).
struct Position {
  std::uint64_t line;
  std::uint64_t column;
};
Position PositionIn(const Row& row, std::uint32_t pos) noexcept;

// Receives rows in order. Views in `Row` are valid only during the call.
class RowSink {
 public:
  virtual ~RowSink() = default;
  virtual void OnRow(const Row& row) = 0;
};

enum class LineEnd : std::uint8_t { kNone, kLf, kCrLf, kMixed };
std::string_view LineEndName(LineEnd e) noexcept;

struct ParseSummary {
  std::uint64_t rows = 0;
  std::uint64_t bytes = 0;
  LineEnd line_end = LineEnd::kNone;
  bool bom = false;
  // The line of the first record ending in CRLF, and in LF (0: none).
  std::uint64_t first_crlf_line = 0, first_lf_line = 0;
};

// The finding for line `line`, ending in CRLF (`crlf`) or LF, where earlier lines end in the
// other: made once per file, at the first line that mixes them.
void ReportMixedLineEnds(DiagnosticSink& diagnostics, std::uint64_t line, bool crlf);

// A streaming parser. Call Feed with consecutive windows of the input; each returns how many
// bytes it consumed, and the caller presents the rest again at the start of the next window.
// REQUIRES: a window can hold 2 * max_record + 4 bytes. Never throws on bad input.
// `rows` and `diagnostics` must outlive the parser.
class Parser {
 public:
  Parser(RowSink& rows, DiagnosticSink& diagnostics, ParseOptions options);

  // REQUIRES: `offset` is the absolute input offset of chunk[0], and equals the previous
  // call's offset plus what it consumed.
  [[nodiscard]] std::size_t Feed(std::span<const char> chunk, std::uint64_t offset, bool last);

  // Reports end-of-input findings. Call once, after the last Feed.
  void Finish();

  const ParseSummary& summary() const noexcept { return summary_; }
  // The line the next record starts on.
  std::uint64_t line() const noexcept { return line_; }
  // False while the rest of an over-long line is being skipped: the next bytes are not the
  // start of a record.
  bool at_record_start() const noexcept { return !skipping_ && !skip_rest_of_line_; }

 private:
  enum class Scan : std::uint8_t { kRow, kIncomplete, kTooLong };
  // Splits the record starting at `begin` into fields_; sets `end` to its line end.
  Scan SplitRecord(const char* begin, const char* limit, bool last, const char*& end,
                   std::uint32_t& consumed);
  Scan SliceRecord(const char* begin, const char* limit, bool last, const char*& end,
                   std::uint32_t& consumed);
  // The common case, quickly: a whole record without a quote, within the limits. False
  // (having split nothing that matters) leaves the record to SplitRecord.
  bool SplitPlain(const char* begin, const char* limit, const char*& end, std::uint32_t& consumed);
  void EmitRow(const char* begin, const char* end, std::uint64_t offset);
  void CheckEncoding(const Row& row);
  void NoteLineEnd(bool crlf);
  void Report(const Rule& rule, std::uint64_t offset, Position at, std::string_view raw,
              std::uint32_t pos, std::uint32_t width, std::string message);

  RowSink& rows_;
  DiagnosticSink& diagnostics_;
  ParseOptions options_;
  ParseSummary summary_;
  std::uint64_t line_ = 1;
  bool skipping_ = false;           // inside an over-long line, looking for its end
  bool skip_rest_of_line_ = false;  // a too-long record ends mid-line: skip to the line end
  bool crlf_seen_ = false, lf_seen_ = false, mixed_reported_ = false;
  std::vector<Field> fields_;  // sized once; the record's fields are the first field_count_
  std::size_t field_count_ = 0;
  std::string unescaped_;  // doubled or escaped quotes, made single
  // Quote faults found while splitting, reported once the row is framed.
  struct Fault {
    const Rule* rule;
    std::uint32_t pos;
  };
  std::vector<Fault> faults_;
  std::uint32_t record_lines_ = 0;  // line ends inside the record being split
  bool ascii_ = false;              // the record just split is known to be all ASCII
};

// End-of-input findings (an empty file, one without records) and the summary's line end, for a
// file parsed whole (Parser::Finish) or in blocks. `skipping`: the input ended inside an
// over-long line.
void FinishInput(ParseSummary& summary, DiagnosticSink& diagnostics, bool skipping);

// Feeds `bytes`, held in memory, to `parser` in windows of `window` bytes (0: all at once),
// each starting where the parser stopped; then calls Finish. Windows grow when one is too
// small to hold a whole record.
void ParseBuffer(Parser& parser, std::string_view bytes, std::size_t window = 0);

// Where the first byte of `s` that is not valid in `encoding` sits, or npos.
std::size_t FirstInvalidByte(std::string_view s, Encoding encoding) noexcept;

}  // namespace rbgate::parsers::delimited
