// The council's day is local: between midnight and 01:00 in summer the UTC day is still
// yesterday, and a processing-day check or a late-feed alert must not think so.
#include "gateway/daemon/clock.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <ctime>
#include <string>

namespace rbgate::gateway {
namespace {

// UK rules as a POSIX TZ string, so that the test needs no tzdata.
class UkTime {
 public:
  UkTime() {
    if (const char* tz = std::getenv("TZ")) saved_ = tz, had_ = true;
    ::setenv("TZ", "GMT0BST,M3.5.0/1,M10.5.0", 1);
    ::tzset();
  }
  ~UkTime() {
    if (had_) {
      ::setenv("TZ", saved_.c_str(), 1);
    } else {
      ::unsetenv("TZ");
    }
    ::tzset();
  }

 private:
  std::string saved_;
  bool had_ = false;
};

TEST_CASE("The local day: at 00:30 BST it is the new day, though in UTC it is not yet") {
  const UkTime uk;
  schemas::Day day = 0;
  int minutes = 0;
  // 2026-06-30T23:30:00Z is 00:30 on 1 July in London.
  LocalDayAndMinutes(1782862200, day, minutes);
  CHECK(schemas::FormatIsoDate(day) == "2026-07-01");
  CHECK(minutes == 30);
  // In winter, GMT: the same as UTC. 2026-12-06T23:30:00Z.
  LocalDayAndMinutes(1796599800, day, minutes);
  CHECK(schemas::FormatIsoDate(day) == "2026-12-06");
  CHECK(minutes == 23 * 60 + 30);
  // Today is the local day of now.
  schemas::Day now_day = 0;
  LocalDayAndMinutes(std::time(nullptr), now_day, minutes);
  CHECK(Today() == now_day);
}

}  // namespace
}  // namespace rbgate::gateway
