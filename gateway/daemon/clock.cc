#include "gateway/daemon/clock.h"

#include <ctime>

namespace rbgate::gateway {

void LocalDayAndMinutes(std::int64_t t, schemas::Day& day, int& minutes) {
  const auto tt = static_cast<std::time_t>(t);
  std::tm tm{};
  localtime_r(&tt, &tm);
  day = schemas::DaysFromCivil(
      {tm.tm_year + 1900, static_cast<unsigned>(tm.tm_mon + 1), static_cast<unsigned>(tm.tm_mday)});
  minutes = tm.tm_hour * 60 + tm.tm_min;
}

schemas::Day Today() {
  schemas::Day day = 0;
  int ignored = 0;
  LocalDayAndMinutes(std::time(nullptr), day, ignored);
  return day;
}

}  // namespace rbgate::gateway
