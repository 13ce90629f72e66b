// What of a line of a table feed's file may be shown: every field its schema marks personal
// (or whose domain type is personal: a NI number, an account number, a postcode) masked, the
// rest as it is. For the console's file view, where an officer reads a file without asking for
// its personal data. A line the schema cannot split (a quoted field broken across lines, a
// record of no known type) is masked whole, as a file of no known layout is.
#pragma once

#include <string>
#include <string_view>

#include "schemas/table/schema.h"

namespace rbgate::schemas::table {

// `first`: the file's first line, which with a header is the column names, shown as they are.
std::string MaskLine(const TableSchema& schema, std::string_view line, bool first);

}  // namespace rbgate::schemas::table
