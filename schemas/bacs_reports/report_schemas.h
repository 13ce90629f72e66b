// The compiled XSD of each Bacs report feed (embedded in the binary, compiled once on first
// use). Null for a feed that is not a Bacs report, or if its XSD failed to compile.
#pragma once

#include <string_view>

#include "parsers/xml/xml_stream.h"

namespace rbgate::schemas::bacs_reports {

const parsers::xml::XmlSchema* ReportSchema(std::string_view feed);

}  // namespace rbgate::schemas::bacs_reports
