// Transforms: a bank report becomes normalised rows for the R&B system to import, one row per
// advice item (per user file for the input report), carrying the report's header fields,
// amounts in pence and sort codes as six digits; written as CSV (RFC 4180, with a header) or
// as JSON lines. The rows come from the same XML events the validator sees, so a report is
// validated and transformed in one pass. Columns per feed: schemas/bacs_reports/README.md.
#pragma once

#include <memory>
#include <span>
#include <string_view>

#include "parsers/xml/xml_stream.h"
#include "schemas/row_writer.h"

namespace rbgate::schemas::bacs_reports {

using schemas::RowFormat;
using schemas::RowWriter;

// The columns a feed's rows have, in order (empty for a feed with no transform).
std::span<const std::string_view> TransformColumns(std::string_view feed);

// A sink turning `feed`'s XML events into rows on `writer` (null for a feed with no
// transform). `writer` must have the feed's columns and outlive the sink.
std::unique_ptr<parsers::xml::XmlSink> MakeRowSink(std::string_view feed, RowWriter& writer);

}  // namespace rbgate::schemas::bacs_reports
