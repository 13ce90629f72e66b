// The council's day: local time (Europe/London on a council's server), the one clock every
// "today" in rbgate reads, so that processing days, late feeds and generated files agree
// between midnight and 01:00 in summer, when the UTC day is still yesterday.
#pragma once

#include <cstdint>

#include "schemas/dates.h"

namespace rbgate::gateway {

// The local day and minutes after midnight of Unix time `t` (seconds).
void LocalDayAndMinutes(std::int64_t t, schemas::Day& day, int& minutes);

// Today, locally.
schemas::Day Today();

}  // namespace rbgate::gateway
