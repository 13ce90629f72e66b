#include "schemas/dates.h"

#include <fmt/format.h>

#include <charconv>

namespace rbgate::schemas {

// Howard Hinnant's civil_from_days.
Civil CivilFromDays(Day z) noexcept {
  z += 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int y = static_cast<int>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return Civil{y + (m <= 2 ? 1 : 0), m, d};
}

unsigned Weekday(Day d) noexcept {
  // 1970-01-01 was a Thursday (3 when Monday is 0).
  int w = (d + 3) % 7;
  return static_cast<unsigned>(w < 0 ? w + 7 : w);
}

bool IsWeekend(Day d) noexcept { return Weekday(d) >= 5; }

namespace {
template <class T>
bool Number(std::string_view s, T& out) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}
}  // namespace

std::optional<Day> ParseIsoDate(std::string_view s) noexcept {
  int y;
  unsigned m, d;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  if (!Number(s.substr(0, 4), y) || !Number(s.substr(5, 2), m) || !Number(s.substr(8, 2), d)) {
    return std::nullopt;
  }
  if (m < 1 || m > 12 || d < 1) return std::nullopt;
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  unsigned max = kDays[m - 1] + (m == 2 && IsLeapYear(y) ? 1 : 0);
  if (d > max) return std::nullopt;
  return DaysFromCivil({y, m, d});
}

std::string FormatIsoDate(Day d) {
  Civil c = CivilFromDays(d);
  return fmt::format("{:04}-{:02}-{:02}", c.year, c.month, c.day);
}

std::optional<Day> ParseYyddd(std::string_view s) noexcept {
  int yy;
  int ddd;
  if (s.size() != 6 || s[0] != ' ') return std::nullopt;
  if (!Number(s.substr(1, 2), yy) || !Number(s.substr(3, 3), ddd)) return std::nullopt;
  int year = yy < kYydddPivot ? 2000 + yy : 1900 + yy;
  int length = IsLeapYear(year) ? 366 : 365;
  if (ddd < 1 || ddd > length) return std::nullopt;
  return DaysFromCivil({year, 1, 1}) + ddd - 1;
}

std::string FormatYyddd(Day d) {
  Civil c = CivilFromDays(d);
  int doy = d - DaysFromCivil({c.year, 1, 1}) + 1;
  return fmt::format(" {:02}{:03}", c.year % 100, doy);
}

}  // namespace rbgate::schemas
