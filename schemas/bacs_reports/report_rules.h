// Every rule the Bacs XML reports can break: the XML
// layer's and each feed's own.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "parsers/diagnostic.h"
#include "parsers/xml/xml_stream.h"
#include "schemas/xml_feed.h"

namespace rbgate::schemas::bacs_reports {

std::span<const parsers::Rule* const> AllReportRules() noexcept;

}  // namespace rbgate::schemas::bacs_reports
