// Late-feed alerts in the council's local time (Europe/London, with BST), on working days by
// the Bacs calendar, on named weekdays or every day.
#include "gateway/daemon/late_feeds.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <ctime>

namespace rbgate::gateway {
namespace {

// Unix seconds of a UTC date and time.
std::int64_t Utc(int y, int mo, int d, int h, int mi) {
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  return static_cast<std::int64_t>(::timegm(&tm));
}

struct London {
  London() {
    ::setenv("TZ", "Europe/London", 1);
    ::tzset();
  }
  ~London() {
    ::unsetenv("TZ");
    ::tzset();
  }
};

Expectation Expect(const char* by, const char* on) {
  Expectation e;
  std::string why;
  REQUIRE_MESSAGE(ParseExpectation(by, on, e, why), why);
  return e;
}

TEST_CASE("expectations are read, and a mistake says what is wrong") {
  Expectation e;
  std::string why;
  CHECK(ParseExpectation("07:00", "working-days", e, why));
  CHECK(e.by_minutes == 420);
  CHECK(ParseExpectation("23:59", "mon,wed,fri", e, why));
  CHECK(e.weekdays == 0b10101);
  for (const char* by : {"7:00", "24:00", "07:60", "0700", "ab:cd"}) {
    CAPTURE(by);
    CHECK_FALSE(ParseExpectation(by, "every-day", e, why));
    CHECK(why.find("expect_by") != std::string::npos);
  }
  for (const char* on : {"weekdays", "mon,", "monday", ""}) {
    CAPTURE(on);
    CHECK_FALSE(ParseExpectation("07:00", on, e, why));
    CHECK(why.find("expect_on") != std::string::npos);
  }
}

TEST_CASE("a route is late after its time on a due day until a file arrives; said once a day") {
  London tz;
  LateFeeds late({{"rents", Expect("07:00", "every-day")}}, schemas::Calendar::Default());
  // 2026-12-01 is in GMT: local time is UTC.
  CHECK(late.Check(Utc(2026, 12, 1, 6, 59)).empty());
  CHECK_FALSE(late.Current()[0].late);
  auto became = late.Check(Utc(2026, 12, 1, 7, 0));
  REQUIRE(became.size() == 1);
  CHECK(became[0].route == "rents");
  CHECK(late.Current()[0].late);
  CHECK(late.Check(Utc(2026, 12, 1, 9, 0)).empty());  // still late, not said again
  CHECK(late.Current()[0].late);
  late.Arrived("rents", Utc(2026, 12, 1, 9, 30));
  late.Arrived("other", Utc(2026, 12, 1, 9, 30));  // not a route that expects files: ignored
  CHECK(late.Check(Utc(2026, 12, 1, 10, 0)).empty());
  CHECK_FALSE(late.Current()[0].late);
  CHECK(late.Current()[0].last_arrival == Utc(2026, 12, 1, 9, 30));
  // The next day, yesterday's file does not count.
  CHECK(late.Check(Utc(2026, 12, 2, 7, 1)).size() == 1);
  // A file that arrived early in the morning of the day counts.
  late.Arrived("rents", Utc(2026, 12, 3, 0, 5));
  CHECK(late.Check(Utc(2026, 12, 3, 8, 0)).empty());
}

TEST_CASE("local time follows British Summer Time") {
  London tz;
  LateFeeds late({{"dwp", Expect("07:00", "every-day")}}, schemas::Calendar::Default());
  // 1 July: BST, UTC+1. 05:59 UTC is 06:59 local; 06:00 UTC is 07:00 local.
  CHECK(late.Check(Utc(2026, 7, 1, 5, 59)).empty());
  CHECK(late.Check(Utc(2026, 7, 1, 6, 0)).size() == 1);
  // A file at 23:30 UTC on 30 June arrived at 00:30 local on 1 July.
  LateFeeds again({{"dwp", Expect("07:00", "every-day")}}, schemas::Calendar::Default());
  again.Arrived("dwp", Utc(2026, 6, 30, 23, 30));
  CHECK(again.Check(Utc(2026, 7, 1, 8, 0)).empty());
}

TEST_CASE("working days skip weekends and bank holidays; named weekdays are just those") {
  London tz;
  LateFeeds late({{"bank", Expect("07:00", "working-days")}, {"voa", Expect("07:00", "mon,wed")}},
                 schemas::Calendar::Default());
  const auto late_routes = [&](std::int64_t t) {
    late.Check(t);
    std::string out;
    for (const auto& s : late.Current()) {
      if (s.late) out += s.route + " ";
    }
    return out;
  };
  CHECK(late_routes(Utc(2026, 12, 25, 8, 0)) == "");  // Friday, Christmas Day
  CHECK(late_routes(Utc(2026, 12, 26, 8, 0)) == "");  // Saturday
  // Monday, the Boxing Day substitute: not a working day; voa's days are Mondays, as named.
  CHECK(late_routes(Utc(2026, 12, 28, 8, 0)) == "voa ");
  CHECK(late_routes(Utc(2026, 12, 29, 8, 0)) == "bank ");      // Tuesday
  CHECK(late_routes(Utc(2026, 12, 30, 8, 0)) == "bank voa ");  // Wednesday
}

}  // namespace
}  // namespace rbgate::gateway
