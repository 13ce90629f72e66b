#include "schemas/values.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "parsers/utf8.h"

namespace rbgate::schemas {

bool PoundsToPence(std::string_view text, std::uint64_t& pence) {
  auto dot = text.find('.');
  if (dot == std::string_view::npos || dot == 0 || text.size() - dot != 3 || dot > 11) return false;
  std::uint64_t pounds = 0, pennies = 0;
  auto a = std::from_chars(text.data(), text.data() + dot, pounds);
  auto b = std::from_chars(text.data() + dot + 1, text.data() + text.size(), pennies);
  if (a.ec != std::errc() || a.ptr != text.data() + dot || b.ec != std::errc() ||
      b.ptr != text.data() + text.size() || text[dot + 1] == '-' || text[0] == '-') {
    return false;
  }
  pence = pounds * 100 + pennies;
  return true;
}

std::string FormatPounds(std::uint64_t pence) {
  return fmt::format("£{}.{:02}", pence / 100, pence % 100);
}

void AssignSortCode(std::string& out, std::string_view s) {
  out.clear();
  for (char c : s) {
    if (c != '-' && c != ' ') out += c;
  }
}

std::string_view TrimWhitespace(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

namespace {

// Windows-1252's 0x80-0x9F (0 where undefined; those bytes never pass the encoding check).
constexpr char16_t kHigh[32] = {0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
                                0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
                                0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                                0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

void AppendCodePoint(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

}  // namespace

void AppendWindows1252AsUtf8(std::string& out, std::string_view text) {
  for (const char ch : text) {
    const auto b = static_cast<unsigned char>(ch);
    if (b < 0x80) {
      out += ch;
    } else if (b < 0xA0) {
      AppendCodePoint(out, kHigh[b - 0x80] ? kHigh[b - 0x80] : 0xFFFD);
    } else {
      AppendCodePoint(out, b);
    }
  }
}

bool Utf8ToWindows1252(std::string_view utf8, std::string& out) {
  out.clear();
  while (!utf8.empty()) {
    const auto u = static_cast<unsigned char>(utf8[0]);
    if (u < 0x80) {
      out += static_cast<char>(u);
      utf8.remove_prefix(1);
      continue;
    }
    const std::size_t n = parsers::Utf8Length(utf8);
    if (n == 0) return false;
    char32_t cp = u & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
    for (std::size_t i = 1; i < n; ++i)
      cp = (cp << 6) | (static_cast<unsigned char>(utf8[i]) & 0x3F);
    utf8.remove_prefix(n);
    if (cp >= 0xA0 && cp <= 0xFF) {
      out += static_cast<char>(cp);
      continue;
    }
    const auto* high = std::find(std::begin(kHigh), std::end(kHigh), static_cast<char16_t>(cp));
    if (cp > 0xFFFF || cp == 0 || high == std::end(kHigh)) return false;
    out += static_cast<char>(0x80 + (high - std::begin(kHigh)));
  }
  return true;
}

std::string QuotedValue(std::string_view s, bool personal, bool windows1252) {
  std::string out = "\"";
  std::size_t chars = 0;
  while (!s.empty() && chars < 60) {
    const auto u = static_cast<unsigned char>(s[0]);
    // One character: a Windows-1252 byte, else a UTF-8 sequence (an invalid byte is U+FFFD).
    const std::size_t n =
        windows1252 || u < 0x80 ? 1 : std::max<std::size_t>(parsers::Utf8Length(s), 1);
    if (personal) {
      out += '*';
    } else if (u == '\n' || u == '\r') {
      out += ' ';
    } else if (u < 0x80) {
      out += static_cast<char>(u);
    } else if (windows1252) {
      AppendWindows1252AsUtf8(out, s.substr(0, 1));
    } else if (parsers::Utf8Length(s) > 0) {
      out.append(s.data(), n);
    } else {
      out += "\xEF\xBF\xBD";
    }
    s.remove_prefix(n);
    ++chars;
  }
  if (!s.empty() && !personal) out += "...";
  return out + '"';
}

std::string ValidUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  while (!s.empty()) {
    const auto u = static_cast<unsigned char>(s[0]);
    std::size_t n = 1;
    if (u < 0x80) {
      out += s[0];
    } else if ((n = parsers::Utf8Length(s)) > 0) {
      out.append(s.data(), n);
    } else {
      n = 1;
      out += static_cast<char>(0xC0 | (u >> 6));
      out += static_cast<char>(0x80 | (u & 0x3F));
    }
    s.remove_prefix(n);
  }
  return out;
}

void AppendJsonUtf8(std::string& out, std::string_view s) {
  out += '"';
  while (!s.empty()) {
    const char c = s[0];
    const auto u = static_cast<unsigned char>(c);
    std::size_t n = 1;
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      out += fmt::format("\\u{:04x}", u);
    } else if (u < 0x80) {
      out += c;
    } else if ((n = parsers::Utf8Length(s)) > 0) {
      out.append(s.data(), n);
    } else {
      n = 1;
      out += fmt::format("\\u{:04x}", u);
    }
    s.remove_prefix(n);
  }
  out += '"';
}

}  // namespace rbgate::schemas
