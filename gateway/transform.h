// Transforms: a bank report becomes normalised rows for the R&B system to import, one row per
// advice item, carrying the report's header fields, amounts in pence and sort codes as six
// digits; written as CSV (RFC 4180, with a header) or as JSON lines. Columns per feed are
// documented in schemas/bacs_reports/README.md.
#pragma once

#include <ostream>
#include <span>
#include <string>
#include <string_view>

#include "spool/check.h"

namespace rbgate::gateway {

enum class RowFormat { kCsv, kJsonLines };

// The columns a feed's rows have, in order (empty for a feed with no transform).
std::span<const std::string_view> TransformColumns(std::string_view feed);

// Reads `path` as `feed` and writes its rows to `out`. Returns the number of rows, or -1 with
// `error` set when the file cannot be read or the feed has no transform. The file should be
// checked first: a malformed file yields the rows before the fault.
long long TransformFile(const std::string& path, std::string_view feed, RowFormat format,
                        std::ostream& out, std::string& error);

}  // namespace rbgate::gateway
