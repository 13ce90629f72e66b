#include "schemas/table/cast.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

#include "schemas/dates.h"
#include "schemas/table/rules.h"

namespace rbgate::schemas::table {
namespace {

bool IsDigit(char c) noexcept { return c >= '0' && c <= '9'; }

bool AllDigits(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (const char c : s) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

bool IsUpper(char c) noexcept { return c >= 'A' && c <= 'Z'; }

char Upper(char c) noexcept { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; }

bool EqualsIgnoringCase(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (Upper(a[i]) != Upper(b[i])) return false;
  }
  return true;
}

// `n` digits at s[i..) as a number; false if they are not all digits.
bool Digits(std::string_view s, std::size_t i, std::size_t n, int& out) noexcept {
  if (i + n > s.size()) return false;
  int v = 0;
  for (std::size_t k = i; k < i + n; ++k) {
    if (!IsDigit(s[k])) return false;
    v = v * 10 + (s[k] - '0');
  }
  out = v;
  return true;
}

bool ParseInt64(std::string_view s, std::int64_t& out) noexcept {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  const bool negative = !s.empty() && s[0] == '-';
  const std::string_view digits = negative ? s.substr(1) : s;
  if (!AllDigits(digits)) return false;
  if (digits.size() <= 18) {  // cannot overflow: accumulate directly
    std::int64_t v = 0;
    for (const char c : digits) v = v * 10 + (c - '0');
    out = negative ? -v : v;
    return true;
  }
  return std::from_chars(s.data(), s.data() + s.size(), out).ec == std::errc();
}

// With bareNumber false: the number without the text around it ("£12.50" -> "12.50").
std::string_view StripNonNumeric(std::string_view s) noexcept {
  const auto numeric = [](char c) { return IsDigit(c) || c == '-' || c == '+'; };
  while (!s.empty() && !numeric(s.front())) s.remove_prefix(1);
  while (!s.empty() && !IsDigit(s.back())) s.remove_suffix(1);
  return s;
}

// The common case, exactly: an optional minus, up to 15 digits with at most one '.'. The
// digits as an integer are exact in a double, as is 10^k for k <= 22, and one IEEE division
// of exact operands is correctly rounded (Clinger's fast path): the same double from_chars
// gives, for a fraction of the work. False: not this shape; the general path decides.
bool FastDecimal(std::string_view s, double& out) noexcept {
  static constexpr double kPow10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  const char* p = s.data();
  const char* const e = p + s.size();
  const bool negative = p < e && *p == '-';
  p += negative;
  if (e - p > 16) return false;  // more than 15 digits and a point
  const auto digit = [](char c) { return static_cast<unsigned char>(c - '0') < 10; };
  std::uint64_t mantissa = 0;
  const char* const whole = p;
  while (p < e && digit(*p)) mantissa = mantissa * 10 + static_cast<std::uint64_t>(*p++ - '0');
  std::size_t digits = static_cast<std::size_t>(p - whole), scale = 0;
  if (p < e) {
    if (*p++ != '.') return false;
    const char* const fraction = p;
    while (p < e && digit(*p)) mantissa = mantissa * 10 + static_cast<std::uint64_t>(*p++ - '0');
    scale = static_cast<std::size_t>(p - fraction);
    // "5." and "." go the general way, as does anything after the digits.
    if (p != e || scale == 0) return false;
    digits += scale;
  }
  if (digits == 0 || digits > 15) return false;
  const double x = static_cast<double>(mantissa) / kPow10[scale];
  out = negative ? -x : x;
  return true;
}

bool ParseNumber(const FieldSpec& f, std::string_view s, double& out) noexcept {
  if (f.bare_number && f.decimal_char == '.' && f.group_char == '\0' && FastDecimal(s, out)) {
    return true;
  }
  if (s == "NaN") return out = std::numeric_limits<double>::quiet_NaN(), true;
  if (s == "INF") return out = std::numeric_limits<double>::infinity(), true;
  if (s == "-INF") return out = -std::numeric_limits<double>::infinity(), true;
  if (!f.bare_number) s = StripNonNumeric(s);
  // Normalise group and decimal characters into a bounded buffer: no allocation.
  std::array<char, 128> buf;
  std::size_t n = 0;
  bool digits = false, point = false, exponent = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (f.group_char != '\0' && c == f.group_char) continue;
    if (n + 1 >= buf.size()) return false;
    if (IsDigit(c)) {
      digits = true;
    } else if (c == f.decimal_char && !point && !exponent) {
      point = true;
      c = '.';
    } else if ((c == '+' || c == '-') &&
               (n == 0 || (exponent && (buf[n - 1] == 'e' || buf[n - 1] == 'E')))) {
      if (c == '+') continue;
    } else if ((c == 'e' || c == 'E') && digits && !exponent) {
      exponent = true;
    } else {
      return false;
    }
    buf[n++] = c;
  }
  if (!digits || (n > 0 && (buf[n - 1] == 'e' || buf[n - 1] == 'E' || buf[n - 1] == '-'))) {
    return false;
  }
  return std::from_chars(buf.data(), buf.data() + n, out).ec == std::errc();
}

constexpr std::array<std::string_view, 12> kMonths = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};

struct Parts {
  int year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0;
  int offset_minutes = 0;
};

bool ValidDate(const Parts& p) noexcept {
  if (p.month < 1 || p.month > 12 || p.day < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const int days = p.month == 2 && IsLeapYear(p.year) ? 29 : kDays[p.month - 1];
  return p.day <= days;
}

bool ValidTime(const Parts& p) noexcept {
  // XML Schema's 24:00:00, the end of a day, is a time too.
  if (p.hour == 24 && p.minute == 0 && p.second == 0) return true;
  return p.hour >= 0 && p.hour <= 23 && p.minute >= 0 && p.minute <= 59 && p.second >= 0 &&
         p.second <= 59;
}

// One or two digits (strptime's %d, %m, %H, %M, %S).
bool OneOrTwo(std::string_view s, std::size_t& i, int& out) noexcept {
  if (i >= s.size() || !IsDigit(s[i])) return false;
  out = s[i++] - '0';
  if (i < s.size() && IsDigit(s[i])) out = out * 10 + (s[i++] - '0');
  return true;
}

bool MatchPattern(const TimePattern& pattern, std::string_view s, Parts& p) noexcept {
  std::size_t i = 0;
  for (const TimePattern::Piece& piece : pattern.pieces) {
    switch (piece.directive) {
      case 0:
        if (i >= s.size() || s[i] != piece.literal) return false;
        ++i;
        break;
      case 'd':
        if (!OneOrTwo(s, i, p.day)) return false;
        break;
      case 'm':
        if (!OneOrTwo(s, i, p.month)) return false;
        break;
      case 'H':
        if (!OneOrTwo(s, i, p.hour)) return false;
        break;
      case 'M':
        if (!OneOrTwo(s, i, p.minute)) return false;
        break;
      case 'S':
        if (!OneOrTwo(s, i, p.second)) return false;
        break;
      case 'Y':
        if (!Digits(s, i, 4, p.year)) return false;
        i += 4;
        break;
      case 'y': {
        int yy = 0;
        if (!Digits(s, i, 2, yy)) return false;
        i += 2;
        p.year = yy < 69 ? 2000 + yy : 1900 + yy;  // POSIX's pivot
        break;
      }
      case 'b':
      case 'B': {
        bool found = false;
        for (std::size_t m = 0; m < kMonths.size() && !found; ++m) {
          const std::string_view full = kMonths[m];
          const std::string_view name = piece.directive == 'b' ? full.substr(0, 3) : full;
          if (EqualsIgnoringCase(s.substr(i, name.size()), name)) {
            p.month = static_cast<int>(m) + 1;
            i += name.size();
            found = true;
          }
        }
        if (!found) return false;
        break;
      }
      default:
        return false;
    }
  }
  return i == s.size();
}

// YYYY-MM-DD
bool IsoDate(std::string_view s, Parts& p) noexcept {
  return s.size() == 10 && s[4] == '-' && s[7] == '-' && Digits(s, 0, 4, p.year) &&
         Digits(s, 5, 2, p.month) && Digits(s, 8, 2, p.day) && ValidDate(p);
}

// hh:mm:ss
bool IsoTime(std::string_view s, Parts& p) noexcept {
  return s.size() == 8 && s[2] == ':' && s[5] == ':' && Digits(s, 0, 2, p.hour) &&
         Digits(s, 3, 2, p.minute) && Digits(s, 6, 2, p.second) && ValidTime(p);
}

// YYYY-MM-DDThh:mm:ss, then optional fractional seconds, then Z or +hh:mm / -hh:mm (RFC 3339).
bool IsoDateTime(std::string_view s, Parts& p) noexcept {
  if (s.size() < 19 || s[10] != 'T' || !IsoDate(s.substr(0, 10), p) ||
      !IsoTime(s.substr(11, 8), p)) {
    return false;
  }
  std::size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    ++i;
    const std::size_t start = i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    if (i == start) return false;
  }
  if (i == s.size()) return false;  // a date-time without a zone names no instant
  if (s[i] == 'Z') return i + 1 == s.size();
  if (s[i] != '+' && s[i] != '-') return false;
  int hh = 0, mm = 0;
  if (s.size() != i + 6 || s[i + 3] != ':' || !Digits(s, i + 1, 2, hh) ||
      !Digits(s, i + 4, 2, mm) || hh > 23 || mm > 59) {
    return false;
  }
  p.offset_minutes = (s[i] == '-' ? -1 : 1) * (hh * 60 + mm);
  return true;
}

std::int64_t DayOf(const Parts& p) noexcept {
  return DaysFromCivil({p.year, static_cast<unsigned>(p.month), static_cast<unsigned>(p.day)});
}

std::int64_t SecondsOfDay(const Parts& p) noexcept {
  return p.hour * 3600 + p.minute * 60 + p.second;
}

std::int64_t InstantOf(const Parts& p) noexcept {
  return DayOf(p) * 86400 + SecondsOfDay(p) - std::int64_t{p.offset_minutes} * 60;
}

// Format "any": after ISO 8601, the forms UK files use, tried in order.
const std::vector<TimePattern>& AnyForms(Type type) {
  const auto compile = [](Type t, std::initializer_list<const char*> texts) {
    std::vector<TimePattern> out;
    for (const char* text : texts) {
      TimePattern p;
      std::string why;
      CompileTimePattern(text, t, p, why);
      out.push_back(std::move(p));
    }
    return out;
  };
  static const std::vector<TimePattern> kDate = compile(Type::kDate, {"%d/%m/%Y", "%d-%b-%Y"});
  static const std::vector<TimePattern> kTime = compile(Type::kTime, {"%H:%M"});
  static const std::vector<TimePattern> kDateTime =
      compile(Type::kDateTime, {"%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M",
                                "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M"});
  return type == Type::kDate ? kDate : type == Type::kTime ? kTime : kDateTime;
}

bool Valid(Type type, const Parts& p) noexcept {
  return (type == Type::kTime || ValidDate(p)) && (type == Type::kDate || ValidTime(p));
}

bool CastTemporal(const FieldSpec& f, std::string_view s, Value& v) noexcept {
  Parts p;
  const bool pattern = !f.pattern.pieces.empty();
  bool ok = pattern                     ? MatchPattern(f.pattern, s, p) && Valid(f.type, p)
            : f.type == Type::kDate     ? IsoDate(s, p)
            : f.type == Type::kTime     ? IsoTime(s, p)
            : f.type == Type::kDateTime ? IsoDateTime(s, p)
                                        : false;
  if (!ok && f.any_format) {
    for (const TimePattern& form : AnyForms(f.type)) {
      p = {};
      if ((ok = MatchPattern(form, s, p) && Valid(f.type, p))) break;
    }
  }
  if (!ok) return false;
  v.n = f.type == Type::kDate ? DayOf(p) : f.type == Type::kTime ? SecondsOfDay(p) : InstantOf(p);
  return true;
}

bool IsHex(char c) noexcept {
  return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool HasStringFormat(const FieldSpec& f, std::string_view s) noexcept {
  const StringFormat fmt = f.string_format;
  if (fmt == StringFormat::kDefault) return true;
  if (fmt == StringFormat::kEmail) {
    const std::size_t at = s.find('@');
    if (at == 0 || at == std::string_view::npos || s.find('@', at + 1) != std::string_view::npos) {
      return false;
    }
    const std::string_view domain = s.substr(at + 1);
    const std::size_t dot = domain.find('.');
    return dot != std::string_view::npos && dot > 0 && dot + 1 < domain.size() &&
           std::none_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t'; });
  }
  if (fmt == StringFormat::kUri) {
    const std::size_t colon = s.find(':');
    if (colon == 0 || colon == std::string_view::npos || !IsUpper(Upper(s[0]))) return false;
    for (std::size_t i = 1; i < colon; ++i) {
      const char c = s[i];
      if (!(IsUpper(Upper(c)) || IsDigit(c) || c == '+' || c == '-' || c == '.')) return false;
    }
    return colon + 1 < s.size() && s.find(' ') == std::string_view::npos;
  }
  if (fmt == StringFormat::kUuid) {
    if (s.size() != 36) return false;
    for (std::size_t i = 0; i < 36; ++i) {
      const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
      if (dash ? s[i] != '-' : !IsHex(s[i])) return false;
    }
    return true;
  }
  if (fmt == StringFormat::kBinary) {  // base64
    if (s.size() % 4 != 0) return false;
    std::size_t pad = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
      const char c = s[i];
      if (c == '=') {
        if (++pad > 2 || i + 3 < s.size()) return false;
        continue;
      }
      if (pad > 0) return false;
      if (!(IsUpper(Upper(c)) || IsDigit(c) || c == '+' || c == '/')) return false;
    }
    return true;
  }
  return true;
}

}  // namespace

bool CompileTimePattern(std::string_view text, Type type, TimePattern& out, std::string& why) {
  out.text = std::string(text);
  out.pieces.clear();
  if (text.substr(0, 4) == "fmt:") text.remove_prefix(4);  // Table Schema v1's older form
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.pieces.push_back({0, text[i]});
      continue;
    }
    if (++i == text.size()) {
      why = "the pattern ends with a lone '%'";
      return false;
    }
    const char d = text[i];
    if (d == '%') {
      out.pieces.push_back({0, '%'});
      continue;
    }
    const bool date_part = d == 'd' || d == 'm' || d == 'Y' || d == 'y' || d == 'b' || d == 'B';
    const bool time_part = d == 'H' || d == 'M' || d == 'S';
    if (!date_part && !time_part) {
      why = fmt::format(
          "'%{}' is not a directive rbgate reads (it reads %d %m %Y %y %b %B %H "
          "%M %S and %%)",
          d);
      return false;
    }
    if ((type == Type::kDate && time_part) || (type == Type::kTime && date_part)) {
      why = fmt::format("'%{}' does not belong in a {} pattern", d, TypeName(type));
      return false;
    }
    out.pieces.push_back({d, 0});
  }
  return true;
}

bool Cast(const FieldSpec& f, std::string_view s, Value& v) noexcept {
  switch (f.type) {
    case Type::kString:
      v.text = s;
      return HasStringFormat(f, s);
    case Type::kAny:
      v.text = s;
      return true;
    case Type::kInteger:
      return ParseInt64(f.bare_number ? s : StripNonNumeric(s), v.n);
    case Type::kNumber:
      return ParseNumber(f, s, v.x);
    case Type::kBoolean:
      for (const auto& t : f.true_values) {
        if (s == t) return v.n = 1, true;
      }
      for (const auto& t : f.false_values) {
        if (s == t) return v.n = 0, true;
      }
      return false;
    case Type::kYear: {
      int y = 0;
      if (s.size() != 4 || !Digits(s, 0, 4, y)) return false;
      v.n = y;
      return true;
    }
    case Type::kYearMonth: {
      int y = 0, m = 0;
      if (s.size() != 7 || s[4] != '-' || !Digits(s, 0, 4, y) || !Digits(s, 5, 2, m) || m < 1 ||
          m > 12) {
        return false;
      }
      v.n = std::int64_t{y} * 12 + (m - 1);
      return true;
    }
    case Type::kDate:
    case Type::kTime:
    case Type::kDateTime:
      return CastTemporal(f, s, v);
  }
  return false;
}

int Compare(const FieldSpec& f, const Value& a, const Value& b) noexcept {
  if (f.domain == Domain::kPence ||
      (f.type != Type::kNumber && f.type != Type::kString && f.type != Type::kAny)) {
    return a.n < b.n ? -1 : a.n > b.n ? 1 : 0;
  }
  if (f.type == Type::kNumber) return a.x < b.x ? -1 : a.x > b.x ? 1 : 0;
  return a.text.compare(b.text);
}

std::string DescribeType(const FieldSpec& f) {
  const bool pattern = !f.pattern.pieces.empty();
  switch (f.type) {
    case Type::kString:
      return f.format == "default" ? "a string" : fmt::format("a string in {} format", f.format);
    case Type::kAny:
      return "any value";
    case Type::kInteger:
      return "a whole number";
    case Type::kNumber:
      return f.decimal_char == '.' && f.group_char == '\0'
                 ? "a number"
                 : fmt::format("a number (decimal '{}'{})", f.decimal_char,
                               f.group_char ? fmt::format(", groups '{}'", f.group_char) : "");
    case Type::kBoolean:
      return fmt::format("true or false ({} / {})", fmt::join(f.true_values, ", "),
                         fmt::join(f.false_values, ", "));
    case Type::kYear:
      return "a year (YYYY)";
    case Type::kYearMonth:
      return "a year and month (YYYY-MM)";
    case Type::kDate:
      if (pattern) return fmt::format("a date in the form {}", f.pattern.text);
      return f.format == "any" ? "a date (YYYY-MM-DD, DD/MM/YYYY or DD-Mon-YYYY)"
                               : "a date (YYYY-MM-DD)";
    case Type::kTime:
      if (pattern) return fmt::format("a time in the form {}", f.pattern.text);
      return f.format == "any" ? "a time (hh:mm:ss or hh:mm)" : "a time (hh:mm:ss)";
    case Type::kDateTime:
      if (pattern) return fmt::format("a date and time in the form {}", f.pattern.text);
      return f.format == "any"
                 ? "a date and time (YYYY-MM-DDThh:mm:ss with Z or an offset or neither, a "
                   "space for the T, or DD/MM/YYYY hh:mm[:ss])"
                 : "a date and time (YYYY-MM-DDThh:mm:ssZ, or an offset for Z)";
  }
  return "a value";
}

std::size_t CharacterCount(std::string_view text, bool utf8) noexcept {
  if (!utf8) return text.size();
  std::size_t n = 0;
  for (const char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

namespace {

// A NINO's nine characters, spaces removed, into `out`; false when the shape is wrong.
bool NinoShape(std::string_view text, std::array<char, 9>& out) noexcept {
  std::size_t n = 0;
  for (const char c : text) {
    if (c == ' ') continue;
    if (n == 9) return false;
    out[n++] = c;
  }
  if (n != 9 || !IsUpper(out[0]) || !IsUpper(out[1]) || out[8] < 'A' || out[8] > 'D') {
    return false;
  }
  return AllDigits({out.data() + 2, 6});
}

}  // namespace

std::string NormaliseNino(std::string_view text) {
  std::array<char, 9> nino;
  return NinoShape(text, nino) ? std::string(nino.data(), nino.size()) : std::string();
}

namespace {

// A postcode's characters, spaces removed and in upper case, into `out`; its length, or 0
// when it is not a postcode.
std::size_t PostcodeShape(std::string_view text, std::array<char, 7>& out) noexcept {
  std::size_t n = 0;
  for (const char c : text) {
    if (c == ' ') continue;
    if (n == out.size()) return 0;
    out[n++] = Upper(c);
  }
  const std::string_view compact(out.data(), n);
  if (compact == "GIR0AA") return n;
  if (n < 5) return 0;
  const std::string_view outward = compact.substr(0, n - 3), inward = compact.substr(n - 3);
  // Outward: [A-Z]{1,2}[0-9R][0-9A-Z]?
  std::size_t i = 0;
  while (i < outward.size() && i < 2 && IsUpper(outward[i])) ++i;
  if (i == 0 || i == outward.size()) return 0;
  // One letter then R is covered above; two letters then a letter is not a postcode.
  if (!IsDigit(outward[i]) && outward[i] != 'R') return 0;
  ++i;
  if (i < outward.size()) {
    if (!(IsDigit(outward[i]) || IsUpper(outward[i]))) return 0;
    ++i;
  }
  if (i != outward.size()) return 0;
  // Inward: [0-9][ABD-HJLNP-UW-Z]{2}
  constexpr std::string_view kInward = "ABDEFGHJLNPQRSTUWXYZ";
  if (!IsDigit(inward[0]) || kInward.find(inward[1]) == std::string_view::npos ||
      kInward.find(inward[2]) == std::string_view::npos) {
    return 0;
  }
  return n;
}

}  // namespace

std::string NormalisePostcode(std::string_view text) {
  std::array<char, 7> compact;
  const std::size_t n = PostcodeShape(text, compact);
  if (n == 0) return {};
  std::string out(compact.data(), n - 3);
  out += ' ';
  out.append(compact.data() + n - 3, 3);
  return out;
}

const parsers::Rule* CheckDomain(const FieldSpec& f, std::string_view s, Value& v,
                                 std::string& why) {
  switch (f.domain) {
    case Domain::kNone:
      return nullptr;
    case Domain::kNino: {
      std::array<char, 9> shape;
      if (!NinoShape(s, shape)) {
        why = "a NINO is two letters, six digits and a suffix A, B, C or D";
        return &rules::kNino;
      }
      const std::string_view nino(shape.data(), shape.size());
      if (nino == "QQ123456C") {
        why = "QQ123456C is the conventional example number, not a person's";
        return &rules::kNinoAdministrative;
      }
      const std::string_view prefix = nino.substr(0, 2);
      static constexpr std::string_view kAdministrative[] = {"OO", "CR", "FY", "MW",
                                                             "NC", "PP", "PY", "PZ"};
      for (const std::string_view admin : kAdministrative) {
        if (prefix == admin) {
          why = fmt::format("the prefix {} is administrative, not a person's NINO", prefix);
          return &rules::kNinoAdministrative;
        }
      }
      constexpr std::string_view kNeverFirst = "DFIQUV", kNeverSecond = "DFIQUVO";
      if (kNeverFirst.find(nino[0]) != std::string_view::npos ||
          kNeverSecond.find(nino[1]) != std::string_view::npos) {
        why = fmt::format("no NINO has the prefix {}", prefix);
        return &rules::kNino;
      }
      static constexpr std::string_view kNeverIssued[] = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"};
      for (const std::string_view never : kNeverIssued) {
        if (prefix == never) {
          why = fmt::format("the prefix {} is never issued", prefix);
          return &rules::kNino;
        }
      }
      return nullptr;
    }
    case Domain::kSortCode: {
      const bool hyphens = s.size() == 8 && s[2] == '-' && s[5] == '-';
      const bool plain = s.size() == 6;
      if ((hyphens && AllDigits(s.substr(0, 2)) && AllDigits(s.substr(3, 2)) &&
           AllDigits(s.substr(6, 2))) ||
          (plain && AllDigits(s))) {
        return nullptr;
      }
      why = "a sort code is six digits, written 12-34-56 or 123456";
      return &rules::kSortCode;
    }
    case Domain::kAccountNumber:
      if (s.size() == 8 && AllDigits(s)) return nullptr;
      why = AllDigits(s) ? fmt::format(
                               "{} digits; an account number is 8 (a bank's "
                               "non-standard length must be converted as it says)",
                               s.size())
                         : "an account number is 8 digits";
      return &rules::kAccountNumber;
    case Domain::kPostcode:
      if (std::array<char, 7> compact; PostcodeShape(s, compact) != 0) return nullptr;
      why = "a postcode is an outward code, a space and an inward code (SW1A 1AA)";
      return &rules::kPostcode;
    case Domain::kUprn:
    case Domain::kUarn: {
      const std::size_t max = f.domain == Domain::kUprn ? 12 : 11;
      if (AllDigits(s) && s.size() <= max && s.find_first_not_of('0') != std::string_view::npos) {
        return nullptr;
      }
      why = fmt::format("a {} is a whole number of 1 to {} digits, not zero",
                        f.domain == Domain::kUprn ? "UPRN" : "UARN", max);
      return f.domain == Domain::kUprn ? &rules::kUprn : &rules::kUarn;
    }
    case Domain::kBillingAuthority:
      if (s.size() == 4 && AllDigits(s) && s != "0000") return nullptr;
      why = "a billing authority code is four digits, 0001 to 9999, leading zeros kept";
      return &rules::kBillingAuthority;
    case Domain::kBand:
      if (s.size() == 1 && s[0] >= 'A' && s[0] <= (f.wales ? 'I' : 'H')) return nullptr;
      why = f.wales ? "bands in Wales are A to I" : "bands in England are A to H";
      return &rules::kBand;
    case Domain::kPayeReference: {
      const std::size_t slash = s.find('/');
      const std::string_view ref = slash == 3 ? s.substr(4) : std::string_view();
      if (slash == 3 && AllDigits(s.substr(0, 3)) && !ref.empty() && ref.size() <= 10 &&
          std::all_of(ref.begin(), ref.end(), [](char c) { return IsDigit(c) || IsUpper(c); })) {
        return nullptr;
      }
      why = "a PAYE reference is three digits, a slash and up to ten capitals and digits";
      return &rules::kPaye;
    }
    case Domain::kPence: {
      std::string_view t = s;
      const bool negative = !t.empty() && t[0] == '-';
      if (negative) t.remove_prefix(1);
      const std::size_t point = t.find('.');
      std::int64_t pounds = 0;
      if (point == std::string_view::npos || point == 0 || t.size() != point + 3 ||
          !AllDigits(t.substr(0, point)) || !AllDigits(t.substr(point + 1)) || point > 15) {
        why = "an amount is pounds, a point and exactly two digits of pence (65.00)";
        return &rules::kPence;
      }
      for (const char c : t.substr(0, point)) pounds = pounds * 10 + (c - '0');  // < 10^15
      v.n = (pounds * 100 + (t[point + 1] - '0') * 10 + (t[point + 2] - '0')) * (negative ? -1 : 1);
      return nullptr;
    }
  }
  return nullptr;
}

namespace {

// The quick casts. Each accepts only what the general path accepts without a finding, and
// sets `v` as it does; anything else (other spellings, faults) goes the general way.

bool QuickText(const FieldSpec&, std::string_view s, Value& v) {
  v.text = s;
  return true;
}

bool QuickGeneral(const FieldSpec& f, std::string_view s, Value& v) {
  if (!Cast(f, s, v)) return false;
  std::string why;
  return CheckDomain(f, s, v, why) == nullptr;
}

bool QuickDecimal(const FieldSpec&, std::string_view s, Value& v) { return FastDecimal(s, v.x); }

// Pounds and pence as a number: FastDecimal's double (so at most 15 digits), and the pence.
bool QuickPence(const FieldSpec&, std::string_view s, Value& v) {
  const std::size_t sign = !s.empty() && s[0] == '-';
  if (s.size() < sign + 4 || s[s.size() - 3] != '.' || !FastDecimal(s, v.x)) return false;
  std::int64_t pence = 0;
  for (const char c : s.substr(sign)) {
    if (c != '.') pence = pence * 10 + (c - '0');
  }
  v.n = sign ? -pence : pence;
  return true;
}

// A domain type over a plain string: the string is the value; the domain's rule decides.
bool QuickStringDomain(const FieldSpec& f, std::string_view s, Value& v) {
  v.text = s;
  std::string why;
  return CheckDomain(f, s, v, why) == nullptr;
}

// Up to 18 digits, no sign: one pass, and no overflow possible.
bool QuickInteger(const FieldSpec&, std::string_view s, Value& v) {
  if (s.empty() || s.size() > 18) return false;
  std::int64_t n = 0;
  for (const char c : s) {
    const auto digit = static_cast<unsigned>(static_cast<unsigned char>(c)) - '0';
    if (digit > 9) return false;
    n = n * 10 + digit;
  }
  v.n = n;
  return true;
}

bool QuickIsoDate(const FieldSpec&, std::string_view s, Value& v) {
  Parts p;
  if (!IsoDate(s, p)) return false;
  v.n = DayOf(p);
  return true;
}

// %d/%m/%Y written with two-digit days and months, as nearly every file writes it.
bool QuickDayMonthYear(const FieldSpec&, std::string_view s, Value& v) {
  Parts p;
  if (s.size() != 10 || s[2] != '/' || s[5] != '/' || !Digits(s, 0, 2, p.day) ||
      !Digits(s, 3, 2, p.month) || !Digits(s, 6, 4, p.year) || !ValidDate(p)) {
    return false;
  }
  v.n = DayOf(p);
  return true;
}

// %d-%b-%Y with a two-digit day, as the VOA writes it (01-APR-2023): the month's three letters
// in any case, found by one 24-bit lookup in a table built from kMonths (one source of truth).
bool QuickDayMonYear(const FieldSpec&, std::string_view s, Value& v) {
  static const std::array<std::uint32_t, 12> kKeys = [] {
    std::array<std::uint32_t, 12> keys{};
    for (std::size_t m = 0; m < 12; ++m) {
      for (std::size_t k = 0; k < 3; ++k) {
        keys[m] = keys[m] << 8 | static_cast<std::uint8_t>(kMonths[m][k] | 0x20);
      }
    }
    return keys;
  }();
  Parts p;
  if (s.size() != 11 || s[2] != '-' || s[6] != '-' || !Digits(s, 0, 2, p.day) ||
      !Digits(s, 7, 4, p.year)) {
    return false;
  }
  std::uint32_t key = 0;
  for (std::size_t k = 3; k < 6; ++k) {
    if (!IsUpper(Upper(s[k]))) return false;
    key = key << 8 | static_cast<std::uint8_t>(s[k] | 0x20);
  }
  const auto month = std::find(kKeys.begin(), kKeys.end(), key);
  if (month == kKeys.end()) return false;
  p.month = static_cast<int>(month - kKeys.begin()) + 1;
  if (!ValidDate(p)) return false;
  v.n = DayOf(p);
  return true;
}

bool QuickIsoDateTime(const FieldSpec&, std::string_view s, Value& v) {
  Parts p;
  if (!IsoDateTime(s, p)) return false;
  v.n = InstantOf(p);
  return true;
}

// Nine characters without spaces, a prefix a person may have: the prefixes are judged once,
// by CheckDomain itself, so that the rules live in one place.
bool QuickNino(const FieldSpec& f, std::string_view s, Value& v) {
  static const std::array<bool, 26 * 26> kPersonal = [&f] {
    std::array<bool, 26 * 26> out{};
    for (char a = 'A'; a <= 'Z'; ++a) {
      for (char b = 'A'; b <= 'Z'; ++b) {
        const std::string nino = std::string{a, b} + "123456A";
        std::string why;
        Value ignored;
        out[static_cast<std::size_t>(a - 'A') * 26 + static_cast<std::size_t>(b - 'A')] =
            CheckDomain(f, nino, ignored, why) == nullptr;
      }
    }
    return out;
  }();
  if (s.size() != 9 || !IsUpper(s[0]) || !IsUpper(s[1]) || s[8] < 'A' || s[8] > 'D' ||
      !AllDigits(s.substr(2, 6)) ||
      !kPersonal[static_cast<std::size_t>(s[0] - 'A') * 26 +
                 static_cast<std::size_t>(s[1] - 'A')]) {
    return false;
  }
  v.text = s;
  return true;
}

bool QuickPostcode(const FieldSpec&, std::string_view s, Value& v) {
  std::array<char, 7> compact;
  v.text = s;
  return PostcodeShape(s, compact) != 0;
}

}  // namespace

QuickBound ChooseQuickBound(const FieldSpec& f) noexcept {
  const Constraints& c = f.constraints;
  if (!c.Bounding()) return QuickBound::kNone;
  if (c.pattern || !c.enum_values.empty()) return QuickBound::kOther;
  const bool lengths = c.min_length >= 0 || c.max_length >= 0;
  const bool limits = c.has_minimum || c.has_maximum;
  if (f.domain == Domain::kNone && f.type == Type::kString &&
      f.string_format == StringFormat::kDefault && c.min_length < 0 && !limits) {
    return QuickBound::kMaxLength;
  }
  // Compare's integral case: Value::n is the value.
  const bool integral =
      f.domain == Domain::kPence || (f.type != Type::kNumber && f.type != Type::kString &&
                                     f.type != Type::kAny && f.type != Type::kBoolean);
  return integral && !lengths ? QuickBound::kIntegral : QuickBound::kOther;
}

QuickCast ChooseQuickCast(const FieldSpec& f) noexcept {
  if (f.constraints.unique) return nullptr;  // every value must be remembered: general path
  const bool plain_number = f.bare_number && f.decimal_char == '.' && f.group_char == '\0';
  if (f.domain == Domain::kNino) return QuickNino;
  if (f.domain == Domain::kPostcode) return QuickPostcode;
  if (f.domain == Domain::kPence) {
    return f.type == Type::kNumber && plain_number ? QuickPence : QuickGeneral;
  }
  if (f.domain != Domain::kNone) {
    return f.type == Type::kString && f.string_format == StringFormat::kDefault ? QuickStringDomain
                                                                                : QuickGeneral;
  }
  const bool pattern = !f.pattern.pieces.empty();
  switch (f.type) {
    case Type::kString:
      return f.string_format == StringFormat::kDefault ? QuickText : QuickGeneral;
    case Type::kAny:
      return QuickText;
    case Type::kNumber:
      return plain_number ? QuickDecimal : QuickGeneral;
    case Type::kInteger:
      return f.bare_number ? QuickInteger : QuickGeneral;
    case Type::kDate:
      if (!pattern) return f.any_format ? QuickGeneral : QuickIsoDate;
      if (f.pattern.text == "%d/%m/%Y") return QuickDayMonthYear;
      return f.pattern.text == "%d-%b-%Y" ? QuickDayMonYear : QuickGeneral;
    case Type::kDateTime:
      return pattern ? QuickGeneral : QuickIsoDateTime;
    default:
      return QuickGeneral;
  }
}

}  // namespace rbgate::schemas::table
