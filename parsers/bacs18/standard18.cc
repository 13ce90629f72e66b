// The Bacs Standard 18 grammars. All X3 lives in this one translation unit: X3 is heavy to
// compile, and keeping it here keeps the build fast.
//
// Data records, the hot path, are matched by one strict X3 grammar over the record's bytes.
// A record the strict grammar rejects is re-read field by field (the explain path) to say
// exactly which field broke which rule, at which column. Labels, a handful per file, always
// take the field-by-field path.
#include "parsers/bacs18/standard18.h"

#include <algorithm>
#include <array>
#include <boost/spirit/home/x3.hpp>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <fmt/format.h>

#include "parsers/bacs18/rules.h"
#include "parsers/windows.h"

namespace rbgate::parsers::bacs18 {
namespace {

namespace x3 = boost::spirit::x3;

// Fast X3 primitives for fixed-width fields. Each checks a whole field at once (eight
// bytes at a time for digits) instead of a character parser per byte, which is what keeps
// the strict record grammar at memory speed. They compose with >> like any X3 parser.
std::uint64_t Load8(const char* p) noexcept {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

// True when all 8 bytes of `v` are ASCII digits.
constexpr bool Digits8(std::uint64_t v) noexcept {
  constexpr std::uint64_t kHigh = 0xF0F0F0F0F0F0F0F0ULL, kThrees = 0x3030303030303030ULL,
                          kSixes = 0x0606060606060606ULL;
  return (v & kHigh) == kThrees && ((v + kSixes) & kHigh) == kThrees;
}

bool AllDigits(const char* p, std::size_t n) noexcept {
  if (n >= 8) {
    for (std::size_t i = 0; i + 8 <= n; i += 8) {
      if (!Digits8(Load8(p + i))) return false;
    }
    return n % 8 == 0 || Digits8(Load8(p + n - 8));  // overlapping tail
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (p[i] < '0' || p[i] > '9') return false;
  }
  return true;
}

// The value of 8 ASCII digits, by SWAR: pairs, then quads, then the whole.
std::uint64_t Value8(std::uint64_t v) noexcept {
  v -= 0x3030303030303030ULL;
  v = (v * 10 + (v >> 8)) & 0x00FF00FF00FF00FFULL;
  v = (v * 100 + (v >> 16)) & 0x0000FFFF0000FFFFULL;
  return (v * 10000 + (v >> 32)) & 0xFFFFFFFFULL;
}

// REQUIRES: p[0..n) are digits.
std::uint64_t DigitsValue(const char* p, std::size_t n) noexcept {
  std::uint64_t v = 0;
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) v = v * 100000000 + Value8(Load8(p + i));
  for (; i < n; ++i) v = v * 10 + static_cast<std::uint64_t>(p[i] - '0');
  return v;
}

constexpr auto kBacsTextTable = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 256; ++c) t[c] = IsBacsTextChar(static_cast<char>(c));
  return t;
}();

// N bytes that `Accept` takes as a whole (no attribute).
template <std::size_t N, bool (*Accept)(const char*, std::size_t) noexcept>
struct FixedWidth : x3::parser<FixedWidth<N, Accept>> {
  using attribute_type = x3::unused_type;
  static constexpr bool has_attribute = false;
  template <class It, class Ctx, class RCtx, class Attr>
  bool parse(It& first, const It& last, const Ctx&, RCtx&, Attr&) const {
    if (static_cast<std::size_t>(last - first) < N || !Accept(&*first, N)) return false;
    first += N;
    return true;
  }
};

template <std::size_t N>
using FixedDigits = FixedWidth<N, AllDigits>;

// N digits read as an unsigned number (the amount in pence).
template <std::size_t N>
struct FixedNumber : x3::parser<FixedNumber<N>> {
  using attribute_type = std::uint64_t;
  static constexpr bool has_attribute = true;
  template <class It, class Ctx, class RCtx, class Attr>
  bool parse(It& first, const It& last, const Ctx&, RCtx&, Attr& attr) const {
    if (static_cast<std::size_t>(last - first) < N || !AllDigits(&*first, N)) return false;
    x3::traits::move_to(DigitsValue(&*first, N), attr);
    first += N;
    return true;
  }
};

// True when p[0..n) are all in Bacs's text set: A-Z 0-9 space . & / -
bool AllBacsText(const char* p, std::size_t n) noexcept {
  std::size_t i = 0;
#if defined(__SSE2__)
  // Sixteen bytes at a time: '-' '.' '/' and 0-9 are one range (0x2D-0x39), A-Z another,
  // space and '&' single bytes. Signed compares also reject every byte >= 0x80.
  if (n >= 16) {
    const __m128i lo1 = _mm_set1_epi8(0x2D - 1), hi1 = _mm_set1_epi8(0x39 + 1);
    const __m128i lo2 = _mm_set1_epi8(0x41 - 1), hi2 = _mm_set1_epi8(0x5A + 1);
    const __m128i space = _mm_set1_epi8(0x20), amp = _mm_set1_epi8(0x26);
    auto ok16 = [&](const char* q) {
      const __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
      __m128i in = _mm_and_si128(_mm_cmpgt_epi8(c, lo1), _mm_cmplt_epi8(c, hi1));
      in = _mm_or_si128(in, _mm_and_si128(_mm_cmpgt_epi8(c, lo2), _mm_cmplt_epi8(c, hi2)));
      in = _mm_or_si128(in, _mm_or_si128(_mm_cmpeq_epi8(c, space), _mm_cmpeq_epi8(c, amp)));
      return _mm_movemask_epi8(in) == 0xFFFF;
    };
    for (; i + 16 <= n; i += 16) {
      if (!ok16(p + i)) return false;
    }
    return i == n || ok16(p + n - 16);  // overlapping tail
  }
#endif
  bool ok = true;
  for (; i < n; ++i) ok &= kBacsTextTable[static_cast<unsigned char>(p[i])];
  return ok;
}

// N characters of Bacs's text set.
template <std::size_t N>
using FixedText = FixedWidth<N, AllBacsText>;

// A transaction code Bacs accepts: 01 17 18 19 99 0N 0C 0S.
struct TransactionCode : x3::parser<TransactionCode> {
  using attribute_type = x3::unused_type;
  static constexpr bool has_attribute = false;
  template <class It, class Ctx, class RCtx, class Attr>
  bool parse(It& first, const It& last, const Ctx&, RCtx&, Attr&) const {
    if (last - first < 2) return false;
    const char a = first[0], b = first[1];
    const bool ok = (a == '0' && (b == '1' || b == 'N' || b == 'C' || b == 'S')) ||
                    (a == '1' && (b == '7' || b == '8' || b == '9')) || (a == '9' && b == '9');
    if (ok) first += 2;
    return ok;
  }
};

// Lexical pieces shared by the strict grammar and the explain path.
const auto kDigit = x3::char_('0', '9');
const auto kPrintable = x3::char_('\x20', '\x7e');
const auto kTxCode = TransactionCode();
const auto kFreeFormat = x3::lit("    ") | "0000" | ('/' >> x3::repeat(3)[kPrintable]);
const auto kAmount = FixedNumber<11>();
const auto kYyddd = ' ' >> FixedDigits<5>();

// A whole data record whose every field is well formed. The attribute is the amount.
//   dest sort+account, type 0, code, orig sort+account, free format, amount, 3 text fields
const auto kDataRecord = FixedDigits<14>() >> '0' >> kTxCode >>
                         FixedDigits<14>() >> x3::omit[kFreeFormat] >> kAmount >> FixedText<54>();
const auto kMultiDayTail = kYyddd;

template <class P>
bool Whole(std::string_view s, const P& p) {
  auto b = s.begin();
  return x3::parse(b, s.end(), p) && b == s.end();
}

bool AllSpaces(std::string_view s) { return s.find_first_not_of(' ') == std::string_view::npos; }

std::string Quoted(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f) {
      out += c;
    } else {
      out += fmt::format("\\x{:02X}", u);
    }
  }
  out += "'";
  return out;
}

// Calls f for each '|'-separated alternative of a kLiteral field until f returns true.
template <class F>
bool AnyAlternative(std::string_view literal, F&& f) {
  while (true) {
    auto bar = literal.find('|');
    if (f(literal.substr(0, bar))) return true;
    if (bar == std::string_view::npos) return false;
    literal.remove_prefix(bar + 1);
  }
}

// Alternatives of a kLiteral field, for messages: "'1 DAILY  ' or '4 MULTI  '".
std::string Alternatives(std::string_view literal) {
  std::string out;
  AnyAlternative(literal, [&](std::string_view a) {
    if (!out.empty()) out += ", ";
    out += Quoted(a);
    return false;
  });
  auto last = out.rfind(", ");
  if (last != std::string::npos) out.replace(last, 2, " or ");
  return out;
}

bool MatchesLiteral(std::string_view value, std::string_view literal) {
  return AnyAlternative(literal, [&](std::string_view a) { return a == value; });
}

// What is wrong with one field, if anything.
struct Verdict {
  const Rule* rule = nullptr;  // null: the field is fine
  std::uint32_t at = 0;        // index within the field of the first bad byte
  std::uint32_t width = 0;     // bytes covered; 0 = the whole field
  std::string message;
};

Verdict Judge(const Field& f, std::string_view v) {
  Verdict out;
  auto fail = [&](const Rule& rule, std::string message, std::uint32_t at = 0,
                  std::uint32_t width = 0) {
    out.rule = &rule;
    out.at = at;
    out.width = width;
    out.message = std::move(message);
    return out;
  };
  switch (f.kind) {
    case FieldKind::kAny:
      return out;
    case FieldKind::kLiteral:
      if (MatchesLiteral(v, f.literal)) return out;
      return fail(*f.rule, fmt::format("{} is {}; expected {}", f.description, Quoted(v),
                                       Alternatives(f.literal)));
    case FieldKind::kBlank:
      if (AllSpaces(v)) return out;
      return fail(*f.rule, fmt::format("{} should be blank but holds {}", f.description, Quoted(v)),
                  static_cast<std::uint32_t>(v.find_first_not_of(' ')));
    case FieldKind::kDigits: {
      if (Whole(v, *kDigit)) return out;
      // Name the first bad byte, not the whole value: the field may be personal.
      auto at = static_cast<std::uint32_t>(
          std::find_if(v.begin(), v.end(), [](char c) { return c < '0' || c > '9'; }) - v.begin());
      return fail(*f.rule,
                  fmt::format("{} must be {} digits; position {} holds {}", f.description, v.size(),
                              f.start + at, Quoted(v.substr(at, 1))),
                  at, 1);
    }
    case FieldKind::kSerial:
      if (!Whole(v, *x3::char_("A-Z0-9"))) {
        return fail(*f.rule, fmt::format("{} must be {} characters A-Z 0-9; found {}",
                                         f.description, v.size(), Quoted(v)));
      }
      if (v.find_first_not_of('0') == std::string_view::npos) {
        return fail(*f.rule, fmt::format("{} must not be all zeros", f.description));
      }
      return out;
    case FieldKind::kYydddOrBlank:
      if (AllSpaces(v)) return out;
      [[fallthrough]];
    case FieldKind::kYyddd:
      if (Whole(v, kYyddd)) return out;
      return fail(*f.rule, fmt::format("{} must be a space, a 2-digit year and a 3-digit day of "
                                       "the year (' yyddd'); found {}",
                                       f.description, Quoted(v)));
    case FieldKind::kText:
    case FieldKind::kTextNotBlank: {
      for (std::uint32_t i = 0; i < v.size(); ++i) {
        char c = v[i];
        if (IsBacsTextChar(c)) continue;
        if (c >= 'a' && c <= 'z') {
          // Lower case is only a warning; keep looking for a worse character.
          bool worse = false;
          std::uint32_t j = i + 1;
          for (; j < v.size(); ++j) {
            if (!IsBacsTextChar(v[j]) && !(v[j] >= 'a' && v[j] <= 'z')) {
              worse = true;
              break;
            }
          }
          if (!worse) {
            return fail(
                rules::kLowercase,
                fmt::format("{} holds lower-case letters, which Bacs blanks", f.description), i, 1);
          }
          i = j;
        }
        return fail(
            *f.rule,
            fmt::format("{} holds {} (byte 0x{:02X}), outside A-Z 0-9 space . & / -", f.description,
                        Quoted(v.substr(i, 1)), static_cast<unsigned char>(v[i])),
            i, 1);
      }
      if (f.kind == FieldKind::kTextNotBlank && AllSpaces(v)) {
        return fail(rules::kDestNameBlank, fmt::format("{} is blank", f.description));
      }
      return out;
    }
    case FieldKind::kFreeFormat:
      if (Whole(v, kFreeFormat)) return out;
      return fail(*f.rule, fmt::format("{} is {}; expected 4 blanks, 0000, or / and 3 characters",
                                       f.description, Quoted(v)));
    case FieldKind::kTransactionCode:
      if (Whole(v, kTxCode)) return out;
      if (v == "Z4" || v == "Z5") {
        return fail(rules::kTransactionCodeUnusual,
                    fmt::format("transaction code {} (interest) is not publicly described", v));
      }
      return fail(*f.rule, fmt::format("transaction code {} is not one Bacs accepts", Quoted(v)));
    case FieldKind::kReceivingParty:
      if (Whole(v, x3::repeat(6)[kDigit] >> x3::repeat(4)[x3::lit(' ')])) return out;
      return fail(*f.rule, fmt::format("{} must be 6 digits and 4 spaces; found {}", f.description,
                                       Quoted(v)));
    case FieldKind::kFileNumber:
      if (Whole(v, x3::repeat(3)[kDigit]) && v != "000") return out;
      return fail(*f.rule,
                  fmt::format("{} must be 001 to 999; found {}", f.description, Quoted(v)));
  }
  return out;
}

// Identifies a record by its first bytes.
enum class Kind : std::uint8_t { kLabel, kData, kUnknown };

bool IsLabelId(const char* p, RecordKind& kind) { return LabelKind({p, 4}, kind); }

bool IsTrailingFiller(std::string_view s) { return s.empty() || s == "\x1a" || AllSpaces(s); }

}  // namespace

std::string_view SeparatorName(Separator s) noexcept {
  switch (s) {
    case Separator::kCrLf:
      return "CRLF";
    case Separator::kLf:
      return "LF";
    case Separator::kNone:
      return "none";
    case Separator::kUnknown:
      break;
  }
  return "unknown";
}

bool LooksLikeStandard18(std::string_view head) noexcept {
  return head.size() >= 4 && head.substr(0, 4) == "VOL1";
}

Parser::Parser(RecordSink& records, DiagnosticSink& diagnostics, ParseOptions options) noexcept
    : records_(records), diagnostics_(diagnostics), options_(options) {}

void Parser::DetectSeparator(std::span<const char> chunk, bool last) {
  std::size_t look = std::min<std::size_t>(chunk.size(), options_.max_line + 2);
  const void* nl = look == 0 ? nullptr : std::memchr(chunk.data(), '\n', look);
  if (nl != nullptr) {
    auto at = static_cast<const char*>(nl) - chunk.data();
    summary_.separator = (at > 0 && chunk[at - 1] == '\r') ? Separator::kCrLf : Separator::kLf;
  } else if (last || chunk.size() > options_.max_line + 1) {
    summary_.separator = Separator::kNone;
  }
}

std::size_t Parser::Feed(std::span<const char> chunk, std::uint64_t offset, bool last) {
  if (summary_.separator == Separator::kUnknown) {
    DetectSeparator(chunk, last);
    if (summary_.separator == Separator::kUnknown) return 0;
  }
  summary_.bytes = offset + chunk.size();
  const char* const base = chunk.data();
  const std::size_t size = chunk.size();
  std::size_t pos = 0;

  if (summary_.separator == Separator::kNone) {
    while (pos < size) {
      std::size_t avail = size - pos;
      if (avail < 4 && !last) break;
      RecordKind kind;
      std::size_t need = (avail >= 4 && IsLabelId(base + pos, kind)) ? kLabelLength : data_length_;
      if (avail < need) {
        if (!last) break;
        need = avail;  // a short last record: Emit reports its length
      }
      Emit(std::string_view(base + pos, need), offset + pos);
      pos += need;
    }
    return pos;
  }

  while (pos < size) {
    const char* start = base + pos;
    std::size_t avail = size - pos;
    if (skipping_line_) {
      const void* nl = std::memchr(start, '\n', avail);
      if (nl == nullptr) return size;
      pos += static_cast<const char*>(nl) - start + 1;
      ++line_;
      skipping_line_ = false;
      continue;
    }
    // Fast path: a well-formed data record followed by the separator seen so far. The
    // strict grammar admits no control characters, so a record it accepts holds no earlier
    // '\n', and the framing is exactly what the search below would find.
    const std::size_t sep = summary_.separator == Separator::kCrLf ? 2 : 1;
    if (avail >= data_length_ + sep && start[data_length_ + sep - 1] == '\n' &&
        (sep == 1 || start[data_length_] == '\r') &&
        EmitWellFormedData(std::string_view(start, data_length_), offset + pos)) {
      (sep == 2 ? crlf_lines_ : lf_lines_) += 1;
      pos += data_length_ + sep;
      ++line_;
      continue;
    }
    std::size_t look = std::min<std::size_t>(avail, options_.max_line + 2);
    const void* nl = std::memchr(start, '\n', look);
    if (nl == nullptr) {
      if (avail <= options_.max_line + 1) {
        if (!last) break;
        // The last line has no terminator: fine.
        std::size_t len = avail;
        if (len > 0 && start[len - 1] == '\r') --len;
        Emit(std::string_view(start, len), offset + pos);
        pos = size;
        break;
      }
      ReportRecord(rules::kRecordLength, std::string_view(start, 120), offset + pos,
                   ++summary_.records,
                   fmt::format("line {} is longer than {} bytes; no Standard 18 record is", line_,
                               options_.max_line));
      skipping_line_ = true;
      pos += look;
      continue;
    }
    std::size_t len = static_cast<const char*>(nl) - start;
    bool cr = len > 0 && start[len - 1] == '\r';
    (cr ? crlf_lines_ : lf_lines_) += 1;
    if (crlf_lines_ > 0 && lf_lines_ > 0 && (crlf_lines_ == 1 || lf_lines_ == 1) &&
        (cr != (summary_.separator == Separator::kCrLf))) {
      ReportRecord(rules::kMixedLineEndings, std::string_view(start, cr ? len - 1 : len),
                   offset + pos, summary_.records + 1,
                   fmt::format("line {} ends with {} but earlier lines end with {}", line_,
                               cr ? "CRLF" : "LF", cr ? "LF" : "CRLF"));
    }
    Emit(std::string_view(start, cr ? len - 1 : len), offset + pos);
    pos += len + 1;
    ++line_;
  }
  return pos;
}

void Parser::ReportRecord(const Rule& rule, std::string_view bytes, std::uint64_t offset,
                          std::uint64_t record, std::string message) {
  if (diagnostics_.Saturated(rule)) {
    diagnostics_.Report(Diagnostic{.rule = &rule});
    return;
  }
  Diagnostic d;
  d.rule = &rule;
  d.offset = offset;
  d.line = summary_.separator == Separator::kNone ? 1 : line_;
  d.column = summary_.separator == Separator::kNone ? offset + 1 : 1;
  d.record = record;
  d.excerpt.assign(bytes.substr(0, 160));
  d.width = static_cast<std::uint32_t>(d.excerpt.size());
  d.message = std::move(message);
  diagnostics_.Report(std::move(d));
}

Diagnostic FieldDiagnostic(const Record& r, const Field& f, const Rule& rule, std::string message) {
  Diagnostic d;
  d.rule = &rule;
  d.offset = r.offset + f.begin();
  d.line = r.line;
  d.column = r.column + f.begin();
  d.record = r.number;
  d.field = f.name;
  d.excerpt_pos = f.begin();
  d.width = f.length;
  d.bytes.assign(r.bytes.substr(std::min<std::size_t>(f.begin(), r.bytes.size()), f.length));
  d.bytes_personal = f.personal;
  d.message = std::move(message);
  d.excerpt.assign(r.bytes);
  for (const Field& pf : FieldsOf(r.kind, r.bytes.size() >= kMultiDayDataLength)) {
    if (pf.personal) d.personal.push_back(Span{pf.begin(), pf.end()});
  }
  return d;
}

void Parser::CheckFields(const Record& r, std::span<const Field> fields, bool& ok) {
  for (const Field& f : fields) {
    if (f.kind == FieldKind::kAny) continue;
    Verdict v = Judge(f, r.bytes.substr(f.begin(), f.length));
    if (v.rule == nullptr) continue;
    if (v.rule->severity == Severity::kError) ok = false;
    if (diagnostics_.Saturated(*v.rule)) {
      diagnostics_.Report(Diagnostic{.rule = v.rule});
      continue;
    }
    Field at = f;
    if (v.width != 0) {
      at.start = static_cast<std::uint16_t>(f.start + v.at);
      at.length = static_cast<std::uint16_t>(v.width);
    } else if (v.at != 0) {
      at.start = static_cast<std::uint16_t>(f.start + v.at);
      at.length = static_cast<std::uint16_t>(f.length - v.at);
    }
    diagnostics_.Report(FieldDiagnostic(r, at, *v.rule, std::move(v.message)));
  }
}

bool Parser::ParseDataFast(std::string_view b, DataRecord& d) const noexcept {
  auto it = b.begin();
  std::uint64_t amount = 0;
  if (!x3::parse(it, b.end(), kDataRecord, amount)) return false;
  if (b.size() == kMultiDayDataLength && !x3::parse(it, b.end(), kMultiDayTail)) return false;
  if (it != b.end()) return false;
  d.bytes = b;
  if (AllSpaces(d.dest_name())) return false;
  d.amount = amount;
  d.amount_ok = true;
  return true;
}

void Parser::ParseDataSlow(std::string_view b, DataRecord& d) const noexcept {
  d.bytes = b;
  const std::string_view amount = d.amount_text();
  auto it = amount.begin();
  d.amount_ok = x3::parse(it, amount.end(), kAmount, d.amount);
}

bool Parser::EmitWellFormedData(std::string_view bytes, std::uint64_t offset) {
  if (bytes[0] < '0' || bytes[0] > '9' || !ParseDataFast(bytes, data_)) return false;
  Record r;
  r.kind = RecordKind::kData;
  r.bytes = bytes;
  r.offset = offset;
  r.line = summary_.separator == Separator::kNone ? 1 : line_;
  r.column = summary_.separator == Separator::kNone ? offset + 1 : 1;
  r.number = ++summary_.records;
  r.well_formed = true;
  r.data = &data_;
  records_.OnRecord(r);
  return true;
}

void Parser::Emit(std::string_view bytes, std::uint64_t offset) {
  if ((bytes.size() == kDataLength || bytes.size() == kMultiDayDataLength) &&
      EmitWellFormedData(bytes, offset)) {
    return;
  }
  if (IsTrailingFiller(bytes) && bytes.size() != kLabelLength) {
    if (!trailing_reported_) {
      trailing_reported_ = true;
      ReportRecord(rules::kTrailingBytes, bytes, offset, 0,
                   bytes.empty() ? "blank line between or after records"
                                 : "end-of-file mark or spaces after the records");
    }
    return;
  }
  Record r{};
  r.bytes = bytes;
  r.offset = offset;
  r.line = summary_.separator == Separator::kNone ? 1 : line_;
  r.column = summary_.separator == Separator::kNone ? offset + 1 : 1;
  r.well_formed = true;

  // A data record starts with a sort code. One of data length whose sort code holds any
  // digit is taken as a data record with a bad sort code, which explains it better.
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  bool label = bytes.size() >= 4 && !digit(bytes[0]) && IsLabelId(bytes.data(), r.kind);
  bool data =
      !label && !bytes.empty() &&
      (digit(bytes[0]) || ((bytes.size() == kDataLength || bytes.size() == kMultiDayDataLength) &&
                           std::any_of(bytes.begin(), bytes.begin() + 6, digit)));
  if (!label && !data) {
    ReportRecord(rules::kRecordUnknown, bytes, offset, ++summary_.records,
                 fmt::format("record starts {}, which is neither a label identifier nor a sort "
                             "code",
                             Quoted(bytes.substr(0, 4))));
    return;
  }
  r.number = ++summary_.records;
  if (data) r.kind = RecordKind::kData;

  if (label) {
    if (bytes.size() != kLabelLength) {
      ReportRecord(
          rules::kRecordLength, bytes, offset, r.number,
          fmt::format("{} label is {} bytes; labels are 80", RecordKindName(r.kind), bytes.size()));
      r.well_formed = false;
      records_.OnRecord(r);
      return;
    }
    if (r.kind == RecordKind::kHdr2) {
      auto length = bytes.substr(10, 5);
      if (length == "00106") data_length_ = kMultiDayDataLength;
      if (length == "00100") data_length_ = kDataLength;
    }
    bool ok = true;
    CheckFields(r, FieldsOf(r.kind), ok);
    r.well_formed = ok;
    records_.OnRecord(r);
    return;
  }

  DataRecord& d = data_;  // reused: every field is set below, and zeroing it costs
  r.data = &d;
  if (bytes.size() != kDataLength && bytes.size() != kMultiDayDataLength) {
    ReportRecord(rules::kRecordLength, bytes, offset, r.number,
                 fmt::format("data record is {} bytes; data records are 100 (106 in multi-day "
                             "files)",
                             bytes.size()));
    r.well_formed = false;
    r.data = nullptr;
    records_.OnRecord(r);
    return;
  }
  // Not well formed (EmitWellFormedData said so): find out which fields broke which rules.
  ParseDataSlow(bytes, d);
  bool ok = true;
  CheckFields(r, FieldsOf(RecordKind::kData, bytes.size() == kMultiDayDataLength), ok);
  r.well_formed = ok;
  records_.OnRecord(r);
}

void ParseBuffer(Parser& parser, std::string_view bytes, std::size_t window) {
  FeedInWindows(parser, bytes, window);
}

void Parser::Finish() {
  if (summary_.bytes == 0 && summary_.records == 0) {
    ReportRecord(rules::kFileEmpty, {}, 0, 0, "the file is empty");
  }
}

}  // namespace rbgate::parsers::bacs18
