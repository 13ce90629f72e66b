#include "gateway/daemon/late_feeds.h"

#include <fmt/format.h>

#include "gateway/daemon/clock.h"

namespace rbgate::gateway {

bool ParseExpectation(std::string_view by, std::string_view on, Expectation& out,
                      std::string& why) {
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (by.size() != 5 || by[2] != ':' || !digit(by[0]) || !digit(by[1]) || !digit(by[3]) ||
      !digit(by[4])) {
    why = fmt::format("expect_by \"{}\" is not a time HH:MM", by);
    return false;
  }
  const int hh = (by[0] - '0') * 10 + (by[1] - '0'), mm = (by[3] - '0') * 10 + (by[4] - '0');
  if (hh > 23 || mm > 59) {
    why = fmt::format("expect_by \"{}\" is not a time of day", by);
    return false;
  }
  out.by_minutes = hh * 60 + mm;
  out.by_text = std::string(by);
  out.on_text = std::string(on);
  if (on == "working-days") {
    out.days = Expectation::Days::kWorking;
    return true;
  }
  if (on == "every-day") {
    out.days = Expectation::Days::kEvery;
    return true;
  }
  static constexpr std::string_view kNames[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  out.days = Expectation::Days::kWeekdays;
  out.weekdays = 0;
  std::size_t pos = 0;
  while (pos <= on.size()) {
    std::size_t comma = on.find(',', pos);
    if (comma == std::string_view::npos) comma = on.size();
    const std::string_view name = on.substr(pos, comma - pos);
    std::size_t i = 0;
    while (i < 7 && kNames[i] != name) ++i;
    if (i == 7) {
      why = fmt::format(
          "expect_on \"{}\" is not working-days, every-day or days such as \"mon,wed,fri\"", on);
      return false;
    }
    out.weekdays |= static_cast<std::uint8_t>(1u << i);
    pos = comma + 1;
  }
  return true;
}

LateFeeds::LateFeeds(const std::map<std::string, Expectation>& expectations,
                     const schemas::Calendar& calendar)
    : calendar_(calendar) {
  for (const auto& [route, e] : expectations) routes_[route] = Status{route, e, false, 0};
}

bool DueOn(const Expectation& e, const schemas::Calendar& calendar, schemas::Day day) {
  switch (e.days) {
    case Expectation::Days::kEvery:
      return true;
    case Expectation::Days::kWeekdays:
      return (e.weekdays >> schemas::Weekday(day)) & 1;
    case Expectation::Days::kWorking:
      break;
  }
  // Beyond the calendar's reach, weekdays stand in for working days.
  const auto kind = calendar.Classify(day);
  return kind == schemas::Calendar::DayKind::kWorking ||
         (kind == schemas::Calendar::DayKind::kOutOfRange && !schemas::IsWeekend(day));
}

void LateFeeds::Arrived(const std::string& route, std::int64_t when) {
  std::lock_guard lock(mu_);
  auto it = routes_.find(route);
  if (it == routes_.end()) return;
  it->second.last_arrival = std::max(it->second.last_arrival, when);
  // A route is late only from its time on the day a Check says so; any file after that ends
  // the wait at once (Check judges the next day afresh).
  it->second.late = false;
}

std::vector<LateFeeds::Status> LateFeeds::Check(std::int64_t now) {
  schemas::Day today = 0;
  int minutes = 0;
  LocalDayAndMinutes(now, today, minutes);
  std::vector<Status> became;
  std::lock_guard lock(mu_);
  for (auto& [route, s] : routes_) {
    schemas::Day arrival_day = 0;
    int ignored = 0;
    if (s.last_arrival > 0) LocalDayAndMinutes(s.last_arrival, arrival_day, ignored);
    const bool arrived_today = s.last_arrival > 0 && arrival_day == today;
    s.late = DueOn(s.expect, calendar_, today) && minutes >= s.expect.by_minutes && !arrived_today;
    if (s.late) {
      auto said = said_.find(route);
      if (said == said_.end() || said->second != today) {
        said_[route] = today;
        became.push_back(s);
      }
    }
  }
  return became;
}

std::vector<LateFeeds::Status> LateFeeds::Current() const {
  std::lock_guard lock(mu_);
  std::vector<Status> out;
  for (const auto& [route, s] : routes_) out.push_back(s);
  return out;
}

}  // namespace rbgate::gateway
