// The Bacs processing calendar: weekends and England and Wales bank holidays, read from a
// file in GOV.UK's bank-holidays.json format. A date beyond the calendar's reach is out of
// range, never a silent pass.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "schemas/dates.h"

namespace rbgate::schemas {

class Calendar {
 public:
  enum class DayKind { kWorking, kWeekend, kBankHoliday, kOutOfRange };

  // Parses GOV.UK's format, division `england-and-wales`. `source` names the file in
  // messages. Throws std::runtime_error with a clear reason on a bad file (start-up only).
  static Calendar FromJson(std::string_view json, std::string source);
  // Reads and parses a file. Throws std::runtime_error.
  static Calendar FromFile(const std::string& path);
  // The calendar compiled into rbgate (England and Wales, 2018-2027).
  static const Calendar& Default();

  DayKind Classify(Day d) const noexcept;
  // The holiday's title, or empty.
  std::string_view HolidayName(Day d) const noexcept;
  // The first and last days the calendar covers: 1 January of its first year to
  // 31 December of its last.
  Day first_day() const noexcept { return first_; }
  Day last_day() const noexcept { return last_; }
  const std::string& source() const noexcept { return source_; }
  // The next working day on or after `d` (within range), for the generator.
  Day NextWorkingDay(Day d) const noexcept;

 private:
  struct Holiday {
    Day day;
    std::string title;
  };
  std::vector<Holiday> holidays_;  // sorted by day
  Day first_ = 0;
  Day last_ = -1;
  std::string source_;
};

}  // namespace rbgate::schemas
