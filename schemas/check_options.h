// What every check may rely on, whatever the feed (schemas/feed.h), and what a feed's own
// validator takes besides (schemas/bacs18/validator.h: ValidatorOptions adds its item sink).
#pragma once

#include <cstddef>
#include <optional>

#include "schemas/calendar.h"
#include "schemas/dates.h"
#include "schemas/modulus.h"

namespace rbgate::schemas {

// What every check may rely on, whatever the feed: the processing calendar, the modulus
// tables and the day files are judged against.
struct CheckOptions {
  const Calendar* calendar = &Calendar::Default();
  // Null when no tables were loaded: accounts go unchecked, with a warning.
  const ModulusChecker* modulus = nullptr;
  // Days are judged against this one; default: the file's own creation date.
  std::optional<Day> as_of;
  // Items remembered for duplicate-item warnings (8 bytes each); later ones are not compared,
  // which keeps memory bounded on the largest files.
  std::size_t duplicate_window = 1'000'000;
  // Payments may be sent at most this many days ahead of their processing day.
  int max_days_ahead = 31;
};

}  // namespace rbgate::schemas
