#include "schemas/calendar.h"

#include <doctest/doctest.h>

#include <stdexcept>

namespace rbgate::schemas {
namespace {

Day D(const char* iso) { return *ParseIsoDate(iso); }

TEST_CASE("the built-in calendar knows England and Wales' one-off days") {
  const Calendar& c = Calendar::Default();
  using K = Calendar::DayKind;
  CHECK(c.Classify(D("2022-09-19")) == K::kBankHoliday);  // state funeral
  CHECK(c.Classify(D("2023-05-08")) == K::kBankHoliday);  // coronation
  CHECK(c.Classify(D("2022-06-03")) == K::kBankHoliday);  // platinum jubilee
  CHECK(c.Classify(D("2022-05-30")) == K::kWorking);      // spring holiday moved to 2 June
  CHECK(c.Classify(D("2026-12-25")) == K::kBankHoliday);
  CHECK(c.Classify(D("2026-12-28")) == K::kBankHoliday);  // Boxing Day substitute
  CHECK(c.Classify(D("2026-11-28")) == K::kWeekend);
  CHECK(c.Classify(D("2026-11-25")) == K::kWorking);
  CHECK(c.HolidayName(D("2023-05-08")).find("oronation") != std::string_view::npos);
}

TEST_CASE("a calendar does not reach past its last year") {
  const Calendar& c = Calendar::Default();
  CHECK(c.first_day() == D("2018-01-01"));
  CHECK(c.last_day() == D("2027-12-31"));
  CHECK(c.Classify(D("2028-01-04")) == Calendar::DayKind::kOutOfRange);
  CHECK(c.Classify(D("2017-12-29")) == Calendar::DayKind::kOutOfRange);
}

TEST_CASE("calendars in GOV.UK's format load; bad ones say why") {
  auto c = Calendar::FromJson(
      R"({"england-and-wales":{"division":"england-and-wales","events":[
          {"title":"Made-up Day","date":"2030-06-03","notes":"","bunting":true}]}})",
      "test.json");
  CHECK(c.Classify(D("2030-06-03")) == Calendar::DayKind::kBankHoliday);
  CHECK(c.Classify(D("2030-06-04")) == Calendar::DayKind::kWorking);
  CHECK(c.last_day() == D("2030-12-31"));
  CHECK_THROWS_AS(Calendar::FromJson("{", "x"), std::runtime_error);
  CHECK_THROWS_AS(Calendar::FromJson(R"({"scotland":{"events":[]}})", "x"), std::runtime_error);
  CHECK_THROWS_AS(
      Calendar::FromJson(R"({"england-and-wales":{"events":[{"date":"2030-02-30"}]}})", "x"),
      std::runtime_error);
  CHECK_THROWS_AS(Calendar::FromFile("/nonexistent/calendar.json"), std::runtime_error);
}

TEST_CASE("next working day skips weekends and holidays") {
  const Calendar& c = Calendar::Default();
  CHECK(c.NextWorkingDay(D("2026-12-24")) == D("2026-12-24"));
  CHECK(c.NextWorkingDay(D("2026-12-25")) == D("2026-12-29"));
}

}  // namespace
}  // namespace rbgate::schemas
