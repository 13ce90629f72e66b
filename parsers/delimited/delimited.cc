// The delimited scanner. Most records hold no quote: those are split from bit masks of the
// delimiters, line feeds, quotes and non-ASCII bytes of 64 bytes at a time (SSE2), one
// count-trailing-zeros a field, and a record found all ASCII needs no encoding check. Any
// other record is split field by field: an unquoted field ends at the first delimiter, line
// feed or quote, found sixteen bytes at a time; a quoted field ends at the first quote that
// is not doubled (memchr). Line ends inside quotes belong to the field. A record that does
// not end inside the window is presented again, whole, at the start of the next one.
#include "parsers/delimited/delimited.h"

#include <emmintrin.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "parsers/bytes.h"
#include "parsers/delimited/rules.h"
#include "parsers/windows.h"

namespace rbgate::parsers::delimited {
namespace {

// The first byte in [p, e) equal to a, b or c, or e.
const char* FindAny(const char* p, const char* e, char a, char b, char c) noexcept {
  const __m128i va = _mm_set1_epi8(a), vb = _mm_set1_epi8(b), vc = _mm_set1_epi8(c);
  for (; p + 16 <= e; p += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const int m = _mm_movemask_epi8(_mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(v, va), _mm_cmpeq_epi8(v, vb)), _mm_cmpeq_epi8(v, vc)));
    if (m != 0) return p + __builtin_ctz(static_cast<unsigned>(m));
  }
  for (; p < e; ++p) {
    if (*p == a || *p == b || *p == c) return p;
  }
  return e;
}

// Bit i of each mask: byte i of the 64 is a delimiter, a line feed, a quote, or >= 0x80.
struct Masks {
  std::uint64_t delimiter, newline, quote, high;
};

inline std::uint64_t Bits(__m128i a, __m128i b, __m128i c, __m128i d) noexcept {
  return std::uint64_t{static_cast<std::uint16_t>(_mm_movemask_epi8(a))} |
         std::uint64_t{static_cast<std::uint16_t>(_mm_movemask_epi8(b))} << 16 |
         std::uint64_t{static_cast<std::uint16_t>(_mm_movemask_epi8(c))} << 32 |
         std::uint64_t{static_cast<std::uint16_t>(_mm_movemask_epi8(d))} << 48;
}

inline Masks Classify(const char* p, char delimiter, char quote) noexcept {
  const auto load = [p](int k) {
    return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
  };
  const __m128i v0 = load(0), v1 = load(1), v2 = load(2), v3 = load(3);
  const auto eq = [&](char c) {
    const __m128i x = _mm_set1_epi8(c);
    return Bits(_mm_cmpeq_epi8(v0, x), _mm_cmpeq_epi8(v1, x), _mm_cmpeq_epi8(v2, x),
                _mm_cmpeq_epi8(v3, x));
  };
  return {eq(delimiter), eq('\n'), eq(quote), Bits(v0, v1, v2, v3)};
}

const char* FindByte(const char* p, const char* e, char c) noexcept {
  const void* hit = std::memchr(p, c, static_cast<std::size_t>(e - p));
  return hit == nullptr ? e : static_cast<const char*>(hit);
}

bool AllAscii(std::string_view s) noexcept {
  std::size_t i = 0;
  for (; i + 16 <= s.size(); i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
    if (_mm_movemask_epi8(v) != 0) return false;
  }
  for (; i < s.size(); ++i) {
    if (static_cast<unsigned char>(s[i]) >= 0x80) return false;
  }
  return true;
}

// The length of the UTF-8 sequence at s[i], or 0 when it is not a valid one (overlong
// forms, surrogates and code points past U+10FFFF are invalid).
std::size_t Utf8Sequence(std::string_view s, std::size_t i) noexcept {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const auto cont = [&](std::size_t k) { return i + k < s.size() && (b(k) & 0xC0) == 0x80; };
  const unsigned char c = b(0);
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    if (c == 0xE0 && b(1) < 0xA0) return 0;   // overlong
    if (c == 0xED && b(1) >= 0xA0) return 0;  // surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xF0 && b(1) < 0x90) return 0;   // overlong
    if (c == 0xF4 && b(1) >= 0x90) return 0;  // past U+10FFFF
    return 4;
  }
  return 0;
}

std::string DescribeByte(unsigned char c) { return fmt::format("0x{:02X}", c); }

}  // namespace

std::size_t FirstInvalidByte(std::string_view s, Encoding encoding) noexcept {
  if (AllAscii(s)) return std::string_view::npos;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    if (encoding == Encoding::kWindows1252) {
      // The five bytes Windows-1252 leaves undefined.
      if (c == 0x81 || c == 0x8D || c == 0x8F || c == 0x90 || c == 0x9D) return i;
      ++i;
      continue;
    }
    const std::size_t n = Utf8Sequence(s, i);
    if (n == 0) return i;
    i += n;
  }
  return std::string_view::npos;
}

std::string_view LineEndName(LineEnd e) noexcept {
  switch (e) {
    case LineEnd::kLf:
      return "lf";
    case LineEnd::kCrLf:
      return "crlf";
    case LineEnd::kMixed:
      return "mixed";
    case LineEnd::kNone:
      break;
  }
  return "none";
}

Position PositionIn(const Row& row, std::uint32_t pos) noexcept {
  const std::string_view before = row.raw.substr(0, pos);
  const std::size_t nl = before.rfind('\n');
  if (nl == std::string_view::npos) return {row.line, std::uint64_t{pos} + 1};
  return {row.line + CountByte(before, '\n'), pos - nl};
}

Parser::Parser(RowSink& rows, DiagnosticSink& diagnostics, ParseOptions options)
    : rows_(rows), diagnostics_(diagnostics), options_(std::move(options)) {
  // Unescaped text is never longer than its record, so views into this buffer stay valid
  // while a record is split.
  unescaped_.reserve(options_.max_record + 16);
  // Room for every field a record may have, once: a field is then one store.
  fields_.resize(std::max<std::size_t>(options_.max_fields, options_.slices.size()));
}

void Parser::Report(const Rule& rule, std::uint64_t offset, Position at, std::string_view raw,
                    std::uint32_t pos, std::uint32_t width, std::string message) {
  Diagnostic d;
  d.rule = &rule;
  if (!diagnostics_.Saturated(rule)) {
    d.offset = offset + pos;
    d.line = at.line;
    d.column = at.column;
    d.record = summary_.rows + 1;
    SetExcerpt(d, raw, pos, width);
    d.message = std::move(message);
  }
  diagnostics_.Report(std::move(d));
}

void ReportMixedLineEnds(DiagnosticSink& diagnostics, std::uint64_t line, bool crlf) {
  ReportAt(diagnostics, rules::kMixedLineEnds, line, 1, {},
           fmt::format("line {} ends in {} where earlier lines end in {}", line,
                       crlf ? "CRLF" : "LF", crlf ? "LF" : "CRLF"));
}

void Parser::NoteLineEnd(bool crlf) {
  bool& seen = crlf ? crlf_seen_ : lf_seen_;
  if (!seen) (crlf ? summary_.first_crlf_line : summary_.first_lf_line) = line_;
  seen = true;
  if (crlf_seen_ && lf_seen_ && !mixed_reported_) {
    mixed_reported_ = true;
    if (options_.report_mixed_line_ends) ReportMixedLineEnds(diagnostics_, line_, crlf);
  }
}

Parser::Scan Parser::SplitRecord(const char* begin, const char* limit, bool last, const char*& end,
                                 std::uint32_t& consumed) {
  field_count_ = 0;
  unescaped_.clear();
  faults_.clear();
  record_lines_ = 0;
  const Dialect& d = options_.dialect;
  const bool too_long = static_cast<std::size_t>(limit - begin) > options_.max_record + 2;
  const char* stop = too_long ? begin + options_.max_record + 2 : limit;
  // Where the input runs out for this record: more may follow (incomplete) or not.
  const bool more = !last && stop == limit;
  const char quote = d.quote;
  const char stray = quote != '\0' ? quote : d.delimiter;
  bool counted = false;  // the field-count fault is reported once
  const char* p = begin;
  while (true) {
    const char* field_start = p;
    if (d.skip_initial_space) {
      while (p < stop && *p == ' ') ++p;
    }
    std::string_view text;
    bool quoted = false;
    if (quote != '\0' && p < stop && *p == quote) {
      quoted = true;
      const char* open = p;
      const char* seg = p + 1;
      bool escaped = false;
      const std::size_t first = unescaped_.size();
      const char* q = seg;
      while (true) {
        const char* r = d.escape != '\0' && d.escape != quote
                            ? FindAny(q, stop, quote, d.escape, quote)
                            : FindByte(q, stop, quote);
        if (r == stop) {
          if (more) return Scan::kIncomplete;
          if (stop != limit) {
            // Not closed within the record limit. If a quote closes it within as much again,
            // the record is too long and is skipped to the end of that quote's line; the
            // lines inside it are not mistaken for rows. (A fixed horizon, not the window's
            // end, so that the verdict never depends on where a window falls.)
            const std::size_t horizon = 2 * std::size_t{options_.max_record} + 2;
            const bool within = static_cast<std::size_t>(limit - begin) > horizon;
            if (!within && !last) return Scan::kIncomplete;
            const char* reach = within ? begin + horizon : limit;
            const char* close = FindByte(stop, reach, quote);
            if (close != reach) {
              consumed = static_cast<std::uint32_t>(close + 1 - begin);
              record_lines_ = static_cast<std::uint32_t>(
                  CountByte({begin, static_cast<std::size_t>(consumed)}, '\n'));
              skip_rest_of_line_ = true;
              return Scan::kTooLong;
            }
          }
          // Never closed: the field runs to the end of the line it opened on.
          faults_.push_back({&rules::kUnclosedQuote, static_cast<std::uint32_t>(open - begin)});
          const char* nl = FindByte(open, limit, '\n');
          if (nl == limit && !last) {
            return static_cast<std::size_t>(limit - begin) > options_.max_record
                       ? Scan::kTooLong
                       : Scan::kIncomplete;
          }
          if (static_cast<std::size_t>(nl - begin) > options_.max_record) return Scan::kTooLong;
          const char* text_end = nl > seg && nl[-1] == '\r' && nl < limit ? nl - 1 : nl;
          text = {seg, static_cast<std::size_t>(std::max(seg, text_end) - seg)};
          escaped = false;
          p = nl;
          break;
        }
        if (*r != quote) {  // the escape character: the next byte is taken as it is
          if (r + 1 >= stop) {
            if (more) return Scan::kIncomplete;
            q = stop;
            continue;
          }
          unescaped_.append(seg, r);
          unescaped_.push_back(r[1]);
          escaped = true;
          q = seg = r + 2;
          continue;
        }
        if (r + 1 == stop && more) return Scan::kIncomplete;
        if (d.double_quote && r + 1 < stop && r[1] == quote) {
          unescaped_.append(seg, r + 1);
          escaped = true;
          q = seg = r + 2;
          continue;
        }
        // The closing quote.
        if (escaped) {
          unescaped_.append(seg, r);
          text = std::string_view(unescaped_).substr(first);
        } else {
          text = {open + 1, static_cast<std::size_t>(r - open - 1)};
        }
        record_lines_ +=
            static_cast<std::uint32_t>(CountByte({open, static_cast<std::size_t>(r - open)}, '\n'));
        p = r + 1;
        if (p < stop && *p == '\r' && p + 1 < stop && p[1] == '\n') ++p;
        if (p < stop && *p != d.delimiter && *p != '\n') {
          faults_.push_back({&rules::kAfterQuote, static_cast<std::uint32_t>(p - begin)});
          p = FindAny(p, stop, d.delimiter, '\n', '\n');
        }
        break;
      }
    } else {
      const char* r = FindAny(p, stop, d.delimiter, '\n', stray);
      if (r < stop && *r == stray && stray != d.delimiter) {
        faults_.push_back({&rules::kStrayQuote, static_cast<std::uint32_t>(r - begin)});
        r = FindAny(r, stop, d.delimiter, '\n', d.delimiter);
      }
      text = {p, static_cast<std::size_t>(r - p)};
      p = r;
    }
    if (p == stop) {
      if (more) return Scan::kIncomplete;
      if (stop != limit) return Scan::kTooLong;
    }
    // The line end's CR, or a CR that ends the input, is not part of the last field.
    const bool at_line_end = p == stop || *p == '\n';
    if (at_line_end && !quoted && !text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (field_count_ < options_.max_fields) {
      const auto pos = static_cast<std::uint32_t>(field_start - begin);
      const auto width = static_cast<std::uint32_t>(
          (at_line_end && p > field_start && p[-1] == '\r' ? p - 1 : p) - field_start);
      fields_[field_count_++] = {text, pos, width, quoted};
    } else if (!counted) {
      counted = true;
      faults_.push_back({&rules::kFieldCount, static_cast<std::uint32_t>(field_start - begin)});
    }
    if (at_line_end) {
      end = p;
      if (p > begin && p[-1] == '\r') --end;
      consumed = static_cast<std::uint32_t>(p - begin) + (p == stop ? 0 : 1);
      // Too long, but its end is known: the whole record is skipped, quoted lines and all.
      if (static_cast<std::size_t>(end - begin) > options_.max_record) return Scan::kTooLong;
      if (p != stop) NoteLineEnd(end != p);
      return Scan::kRow;
    }
    ++p;  // the delimiter
  }
}

bool Parser::SplitPlain(const char* begin, const char* limit, const char*& end,
                        std::uint32_t& consumed) {
  const Dialect& d = options_.dialect;
  if (d.skip_initial_space || options_.max_fields == 0) return false;
  field_count_ = 0;
  faults_.clear();
  record_lines_ = 0;
  // A record longer than this is too long wherever its line ends: the general path says so.
  const std::size_t reach =
      std::min<std::size_t>(static_cast<std::size_t>(limit - begin), options_.max_record + 2);
  // Without quoting, any NUL byte stands in for the quote: it sends the record the general
  // way, which is always right, only slower.
  const char quote = d.quote;
  const char* field = begin;
  bool high = false;
  alignas(16) char tail[64];
  for (std::size_t off = 0; off < reach; off += 64) {
    const std::size_t n = std::min<std::size_t>(64, reach - off);
    const char* block = begin + off;
    Masks m;
    if (n == 64) {
      m = Classify(block, d.delimiter, quote);
    } else {  // never read past the window
      std::memcpy(tail, block, n);
      std::memset(tail + n, 0, 64 - n);
      m = Classify(tail, d.delimiter, quote);
      const std::uint64_t valid = (std::uint64_t{1} << n) - 1;
      m.delimiter &= valid;
      m.newline &= valid;
      m.quote &= valid;
      m.high &= valid;
    }
    // The bytes before the record's line feed, if it is in this block.
    const std::uint64_t before = m.newline != 0 ? (m.newline & -m.newline) - 1 : ~std::uint64_t{0};
    if ((m.quote & before) != 0) return false;
    high |= (m.high & before) != 0;
    for (std::uint64_t ds = m.delimiter & before; ds != 0; ds &= ds - 1) {
      if (field_count_ + 1 >= options_.max_fields) return false;
      const char* at = block + __builtin_ctzll(ds);
      const auto pos = static_cast<std::uint32_t>(field - begin);
      const auto width = static_cast<std::uint32_t>(at - field);
      fields_[field_count_++] = {{field, width}, pos, width, false};
      field = at + 1;
    }
    if (m.newline == 0) continue;
    const char* nl = block + __builtin_ctzll(m.newline);
    end = nl > begin && nl[-1] == '\r' ? nl - 1 : nl;
    if (static_cast<std::size_t>(end - begin) > options_.max_record) return false;
    // The line end's CR is not part of the last field.
    const char* text_end = std::max(field, end);
    const auto pos = static_cast<std::uint32_t>(field - begin);
    const auto width = static_cast<std::uint32_t>(text_end - field);
    fields_[field_count_++] = {{field, width}, pos, width, false};
    consumed = static_cast<std::uint32_t>(nl - begin) + 1;
    NoteLineEnd(end != nl);
    ascii_ = !high;
    return true;
  }
  return false;
}

Parser::Scan Parser::SliceRecord(const char* begin, const char* limit, bool last, const char*& end,
                                 std::uint32_t& consumed) {
  field_count_ = 0;
  faults_.clear();
  record_lines_ = 0;
  const std::size_t reach = std::min<std::size_t>(limit - begin, options_.max_record + 2);
  const char* nl = FindByte(begin, begin + reach, '\n');
  if (nl == begin + reach) {
    if (reach == static_cast<std::size_t>(limit - begin)) {
      if (!last) return Scan::kIncomplete;
    } else {
      return Scan::kTooLong;
    }
  }
  end = nl > begin && nl[-1] == '\r' ? nl - 1 : nl;
  consumed = static_cast<std::uint32_t>(nl - begin) + (nl == limit ? 0 : 1);
  if (static_cast<std::size_t>(end - begin) > options_.max_record) return Scan::kTooLong;
  if (nl != limit) NoteLineEnd(end != nl);
  const auto length = static_cast<std::uint32_t>(end - begin);
  for (const Slice& s : options_.slices) {
    if (s.start >= length) break;
    const std::uint32_t width = std::min(s.width, length - s.start);
    fields_[field_count_++] = {{begin + s.start, width}, s.start, width, false};
  }
  return Scan::kRow;
}

void Parser::CheckEncoding(const Row& row) {
  if (ascii_) return;
  const std::size_t bad = FirstInvalidByte(row.raw, options_.encoding);
  if (bad == std::string_view::npos) return;
  const auto pos = static_cast<std::uint32_t>(bad);
  const bool utf8 = options_.encoding == Encoding::kUtf8;
  Report(rules::kEncoding, row.offset, PositionIn(row, pos), row.raw, pos, 1,
         fmt::format("byte {} at column {} is not valid {}{}",
                     DescribeByte(static_cast<unsigned char>(row.raw[bad])),
                     PositionIn(row, pos).column, utf8 ? "UTF-8" : "Windows-1252",
                     utf8 ? " (is the file Windows-1252? the schema's dialect must say so)" : ""));
}

void Parser::EmitRow(const char* begin, const char* end, std::uint64_t offset) {
  const Row row{{begin, static_cast<std::size_t>(end - begin)},
                offset,
                line_,
                summary_.rows + 1,
                {fields_.data(), field_count_}};
  for (const Fault& f : faults_) {
    const Position at = PositionIn(row, f.pos);
    std::string message;
    if (f.rule == &rules::kStrayQuote) {
      message = fmt::format("a quote at column {} inside an unquoted field", at.column);
    } else if (f.rule == &rules::kAfterQuote) {
      message = fmt::format("'{}' follows a closing quote at column {}", row.raw[f.pos], at.column);
    } else if (f.rule == &rules::kUnclosedQuote) {
      message = fmt::format(
          "the quote at column {} opens a field that is never closed; the field was read to the "
          "end of the line",
          at.column);
    } else {
      message = fmt::format("more than {} fields; the rest of the record is not checked",
                            options_.max_fields);
    }
    Report(*f.rule, offset, at, row.raw, f.pos, 1, std::move(message));
  }
  CheckEncoding(row);
  ++summary_.rows;
  rows_.OnRow(row);
}

std::size_t Parser::Feed(std::span<const char> chunk, std::uint64_t offset, bool last) {
  const char* base = chunk.data();
  const char* limit = base + chunk.size();
  const char* p = base;
  if (offset == 0 && summary_.rows == 0 && !summary_.bom && !skipping_) {
    static constexpr char kBom[] = "\xEF\xBB\xBF";
    const std::size_t n = std::min<std::size_t>(chunk.size(), 3);
    if (std::memcmp(base, kBom, n) == 0) {
      if (n < 3 && !last) return 0;
      if (n == 3) {
        summary_.bom = true;
        p += 3;
        if (options_.encoding == Encoding::kWindows1252) {
          ReportAt(diagnostics_, rules::kBom, 1, 1, {},
                   "the file starts with a UTF-8 byte-order mark but the schema says windows-1252");
        }
      }
    }
  }
  while (p < limit) {
    if (skipping_) {
      const char* nl = FindByte(p, limit, '\n');
      if (nl == limit) {
        p = limit;
        break;
      }
      p = nl + 1;
      ++line_;
      skipping_ = false;
      continue;
    }
    const char* end = nullptr;
    std::uint32_t consumed = 0;  // stays 0 when a record's end is not known
    ascii_ = false;
    const Scan s = !options_.slices.empty() ? SliceRecord(p, limit, last, end, consumed)
                   : options_.fast_path && SplitPlain(p, limit, end, consumed)
                       ? Scan::kRow
                       : SplitRecord(p, limit, last, end, consumed);
    if (s == Scan::kIncomplete) break;
    const std::uint64_t at = offset + static_cast<std::uint64_t>(p - base);
    if (s == Scan::kTooLong) {
      const std::string_view head(p, std::min<std::size_t>(limit - p, 80));
      Report(rules::kRecordLength, at, {line_, 1}, head, 0, 1,
             fmt::format("the record is longer than {} bytes; {} skipped", options_.max_record,
                         consumed > 0 ? "it is" : "the rest of its line is"));
      ++summary_.rows;
      if (consumed > 0) {  // its end was found: skip exactly the record
        line_ += (skip_rest_of_line_ ? 0 : 1) + record_lines_;
        p += consumed;
        skipping_ = skip_rest_of_line_;
        skip_rest_of_line_ = false;
      } else {
        skipping_ = true;
      }
      continue;
    }
    EmitRow(p, end, at);
    line_ += 1 + record_lines_;
    p += consumed;
  }
  const auto used = static_cast<std::size_t>(p - base);
  summary_.bytes = offset + used;
  if (last) summary_.bytes = offset + chunk.size();
  return used;
}

void FinishInput(ParseSummary& summary, DiagnosticSink& diagnostics, bool skipping) {
  if (summary.bytes == 0 || (summary.rows == 0 && !skipping)) {
    ReportAt(diagnostics, rules::kEmpty, 1, 1, {},
             summary.bytes == 0 ? "the file is empty" : "the file holds no records");
  }
  const bool crlf = summary.first_crlf_line > 0, lf = summary.first_lf_line > 0;
  summary.line_end = crlf && lf ? LineEnd::kMixed
                     : crlf     ? LineEnd::kCrLf
                     : lf       ? LineEnd::kLf
                                : LineEnd::kNone;
}

void Parser::Finish() { FinishInput(summary_, diagnostics_, skipping_); }

void ParseBuffer(Parser& parser, std::string_view bytes, std::size_t window) {
  FeedInWindows(parser, bytes, window);
}

}  // namespace rbgate::parsers::delimited
