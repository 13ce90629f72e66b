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

std::string_view TrimWhitespace(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

}  // namespace rbgate::schemas
