// Every rule the Bacs XML reports can break: the XML layer's and each feed's own.
#pragma once

#include <span>

#include "parsers/diagnostic.h"

namespace rbgate::schemas::bacs_reports {

std::span<const parsers::Rule* const> AllReportRules() noexcept;

}  // namespace rbgate::schemas::bacs_reports
