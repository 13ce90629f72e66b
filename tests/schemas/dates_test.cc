#include "schemas/dates.h"

#include <doctest/doctest.h>

namespace rbgate::schemas {
namespace {

TEST_CASE("civil dates round-trip and weekdays are right") {
  for (Day d = -800000; d < 800000; d += 997) {
    CHECK(DaysFromCivil(CivilFromDays(d)) == d);
  }
  CHECK(DaysFromCivil({1970, 1, 1}) == 0);
  CHECK(Weekday(*ParseIsoDate("2026-11-23")) == 0);  // a Monday
  CHECK(IsWeekend(*ParseIsoDate("2026-11-28")));
  CHECK_FALSE(IsWeekend(*ParseIsoDate("2026-11-27")));
}

TEST_CASE("ISO dates") {
  CHECK(FormatIsoDate(*ParseIsoDate("2024-02-29")) == "2024-02-29");
  CHECK_FALSE(ParseIsoDate("2023-02-29"));
  CHECK_FALSE(ParseIsoDate("2023-13-01"));
  CHECK_FALSE(ParseIsoDate("2023-1-01"));
  CHECK_FALSE(ParseIsoDate("yesterday"));
}

TEST_CASE("yyddd dates, with the pivot at 80") {
  CHECK(FormatIsoDate(*ParseYyddd(" 26327")) == "2026-11-23");
  CHECK(FormatIsoDate(*ParseYyddd(" 24366")) == "2024-12-31");
  CHECK_FALSE(ParseYyddd(" 23366"));  // 2023 is not a leap year
  CHECK_FALSE(ParseYyddd(" 26000"));
  CHECK_FALSE(ParseYyddd("026327"));
  CHECK_FALSE(ParseYyddd(" 2632"));
  CHECK(FormatIsoDate(*ParseYyddd(" 79001")) == "2079-01-01");
  CHECK(FormatIsoDate(*ParseYyddd(" 80001")) == "1980-01-01");
  CHECK(FormatYyddd(*ParseIsoDate("2026-11-23")) == " 26327");
}

}  // namespace
}  // namespace rbgate::schemas
