// Late-feed alerts: a route may expect a file by a time of day on the days it is due
// (expect_by = "07:00", expect_on = "working-days"). Once that time passes on such a day with
// no file claimed on the route since local midnight, the route is late: said once in the log,
// shown on the console's dashboard and as rbgate_route_late in /metrics, until a file
// arrives. Times are the server's local time (TZ; the unit file sets Europe/London);
// working days are the Bacs calendar's (no weekends, no bank holidays). Thread-safe.
#pragma once

#include <cstdint>
#include <ctime>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "schemas/calendar.h"

namespace rbgate::gateway {

struct Expectation {
  int by_minutes = 0;  // after local midnight
  enum class Days : std::uint8_t { kWorking, kEvery, kWeekdays } days = Days::kWorking;
  std::uint8_t weekdays = 0;     // kWeekdays: bit 0 Monday ... bit 6 Sunday
  std::string by_text, on_text;  // as configured, for messages
};

// "07:00" and "working-days", "every-day" or "mon,tue,...": false with `why` otherwise.
bool ParseExpectation(std::string_view by, std::string_view on, Expectation& out, std::string& why);

// Whether `e`'s days include the local day `day` (working days: the calendar's; beyond its
// reach, weekdays).
bool DueOn(const Expectation& e, const schemas::Calendar& calendar, schemas::Day day);

class LateFeeds {
 public:
  struct Status {
    std::string route;
    Expectation expect;
    bool late = false;
    std::int64_t last_arrival = 0;  // unix seconds; 0: none seen
  };

  // `calendar` must outlive this.
  LateFeeds(const std::map<std::string, Expectation>& expectations,
            const schemas::Calendar& calendar);

  // A file was claimed on `route` at `when` (unix seconds); it ends the route's lateness.
  // REQUIRES: `when` is not before the last Check (the daemon passes the time of the claim,
  // or, before its first Check, the ledger's record).
  void Arrived(const std::string& route, std::int64_t when);
  // Judges every route at `now`; returns the routes that became late at this call (to log).
  std::vector<Status> Check(std::int64_t now);
  std::vector<Status> Current() const;
  bool empty() const noexcept { return routes_.empty(); }

 private:
  const schemas::Calendar& calendar_;
  mutable std::mutex mu_;
  std::map<std::string, Status> routes_;
  std::map<std::string, schemas::Day> said_;  // the local day a route was last said late
};

}  // namespace rbgate::gateway
