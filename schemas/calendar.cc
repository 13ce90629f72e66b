#include "schemas/calendar.h"

#include <simdjson.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace rbgate::schemas {

extern const std::string_view kDefaultBankHolidaysJson;  // generated from data/

Calendar Calendar::FromJson(std::string_view json, std::string source) {
  auto bad = [&](std::string_view why) {
    return std::runtime_error(source +
                              ": not a GOV.UK bank-holidays.json calendar: " + std::string(why));
  };
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  simdjson::dom::element doc;
  if (auto error = parser.parse(padded).get(doc); error) {
    throw bad(simdjson::error_message(error));
  }
  simdjson::dom::array events;
  if (doc["england-and-wales"]["events"].get(events)) {
    throw bad("no \"england-and-wales\".events array");
  }
  Calendar c;
  c.source_ = std::move(source);
  for (simdjson::dom::element e : events) {
    std::string_view date, title;
    if (e["date"].get(date)) throw bad("an event has no \"date\" string");
    if (e["title"].get(title)) title = "bank holiday";
    auto day = ParseIsoDate(date);
    if (!day) throw bad("event date \"" + std::string(date) + "\" is not YYYY-MM-DD");
    c.holidays_.push_back({*day, std::string(title)});
  }
  if (c.holidays_.empty()) throw bad("no events");
  std::sort(c.holidays_.begin(), c.holidays_.end(),
            [](const Holiday& a, const Holiday& b) { return a.day < b.day; });
  c.first_ = DaysFromCivil({CivilFromDays(c.holidays_.front().day).year, 1, 1});
  c.last_ = DaysFromCivil({CivilFromDays(c.holidays_.back().day).year, 12, 31});
  return c;
}

Calendar Calendar::FromFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot read calendar");
  std::ostringstream text;
  text << in.rdbuf();
  return FromJson(text.str(), path);
}

const Calendar& Calendar::Default() {
  static const Calendar c = FromJson(kDefaultBankHolidaysJson, "built-in calendar");
  return c;
}

Calendar::DayKind Calendar::Classify(Day d) const noexcept {
  if (d < first_ || d > last_) return DayKind::kOutOfRange;
  if (IsWeekend(d)) return DayKind::kWeekend;
  if (!HolidayName(d).empty()) return DayKind::kBankHoliday;
  return DayKind::kWorking;
}

std::string_view Calendar::HolidayName(Day d) const noexcept {
  auto it = std::lower_bound(holidays_.begin(), holidays_.end(), d,
                             [](const Holiday& h, Day day) { return h.day < day; });
  return (it != holidays_.end() && it->day == d) ? std::string_view(it->title) : "";
}

Day Calendar::NextWorkingDay(Day d) const noexcept {
  while (d <= last_ && Classify(d) != DayKind::kWorking) ++d;
  return d;
}

}  // namespace rbgate::schemas
