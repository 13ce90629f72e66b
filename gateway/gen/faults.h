// Every generator's faults by the name of its `rbgate gen` subcommand: one table for the
// commands' help and for the rules' pages, whose examples name a generator and a fault.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "gateway/gen/bacs18.h"

namespace rbgate::gateway {

// The faults `rbgate gen <generator>` injects, or nothing for a generator with none.
std::optional<std::span<const GenFault>> FaultsOf(std::string_view generator) noexcept;

}  // namespace rbgate::gateway
