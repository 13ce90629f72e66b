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

Day DaysFromCivil(Civil c) noexcept;
Civil CivilFromDays(Day d) noexcept;
bool IsLeapYear(int year) noexcept;
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
