#include "schemas/values.h"

#include <fmt/format.h>

#include <charconv>

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

std::string QuotedValue(std::string_view s, bool personal) {
  std::string out = "\"";
  for (const char c : s.substr(0, 60)) {
    out.push_back(personal ? '*' : c == '\n' || c == '\r' ? ' ' : c);
  }
  if (s.size() > 60 && !personal) out += "...";
  return out + '"';
}

std::string_view TrimWhitespace(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

namespace {

// The length of the valid UTF-8 sequence at the start of `s` (0 if none).
std::size_t Utf8Length(std::string_view s) {
  const auto b = static_cast<unsigned char>(s[0]);
  std::size_t n = b < 0x80           ? 1
                  : (b >> 5) == 0x6  ? 2
                  : (b >> 4) == 0xE  ? 3
                  : (b >> 3) == 0x1E ? 4
                                     : 0;
  if (n == 0 || n > s.size()) return 0;
  for (std::size_t i = 1; i < n; ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) return 0;
  }
  if (n == 2 && b < 0xC2) return 0;  // overlong
  if (n == 3) {
    const auto c = static_cast<unsigned char>(s[1]);
    if ((b == 0xE0 && c < 0xA0) || (b == 0xED && c >= 0xA0)) return 0;  // overlong, surrogate
  }
  if (n == 4) {
    const auto c = static_cast<unsigned char>(s[1]);
    if ((b == 0xF0 && c < 0x90) || b > 0xF4 || (b == 0xF4 && c >= 0x90)) return 0;
  }
  return n;
}

}  // namespace

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
    } else if ((n = Utf8Length(s)) > 0) {
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
