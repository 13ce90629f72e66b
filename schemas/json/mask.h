// What of a line of a JSON feed's file may be shown: the values its schema marks personal
// (`"rbgate": {"personal": true}`, or a personal domain: a NI number, an account number, a
// postcode) masked, the rest as it is. For the console's file view of JSON lines (a record a
// line). A line that is not a whole JSON value (a document broken across lines, a damaged
// record) is masked whole, and so is a value the schema does not describe (a property it
// allows without naming), since nothing says it is not personal.
#pragma once

#include <string>
#include <string_view>

#include "schemas/json/json_schema.h"

namespace rbgate::schemas::json {

std::string MaskLine(const JsonSchema& schema, std::string_view line);

}  // namespace rbgate::schemas::json
