// Civil dates as day numbers, and the date notations the feeds use.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rbgate::schemas {

// Days since 1970-01-01 (proleptic Gregorian).
using Day = std::int32_t;

struct Civil {
  int year;
  unsigned month;  // 1-12
  unsigned day;    // 1-31
};

// Howard Hinnant's days_from_civil. Inline, with IsLeapYear: the table validator calls
// them for every date it reads.
inline Day DaysFromCivil(Civil c) noexcept {
  int y = c.year - (c.month <= 2 ? 1 : 0);
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned mp = c.month > 2 ? c.month - 3 : c.month + 9;
  const unsigned doy = (153 * mp + 2) / 5 + c.day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int>(doe) - 719468;
}
inline bool IsLeapYear(int y) noexcept { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
Civil CivilFromDays(Day z) noexcept;
// 0 = Monday ... 6 = Sunday.
unsigned Weekday(Day d) noexcept;
bool IsWeekend(Day d) noexcept;

// `YYYY-MM-DD`, a real date.
std::optional<Day> ParseIsoDate(std::string_view s) noexcept;
std::string FormatIsoDate(Day d);

// Bacs's ` yyddd`: a space, two-digit year, day of the year. The century pivot is
// kYydddPivot: years 00-79 are 2000-2079, 80-99 are 1980-1999.
constexpr int kYydddPivot = 80;
// Returns nullopt when the shape is wrong or the day does not exist in that year.
std::optional<Day> ParseYyddd(std::string_view s) noexcept;
std::string FormatYyddd(Day d);

}  // namespace rbgate::schemas
