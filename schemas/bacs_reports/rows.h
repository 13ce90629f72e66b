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

// A report's transform: its columns, in order, and a sink turning its XML events into rows
// on a writer that has those columns (and outlives the sink).
struct RowShape {
  std::span<const std::string_view> columns;
  std::unique_ptr<parsers::xml::XmlSink> (*sink)(RowWriter& writer);
};
RowShape ReturnsRows(bool credits);  // ARUDD (debits) or ARUCS (credits)
RowShape MessagingRowShape();        // ADDACS, AUDDIS, AWACS
RowShape DdicRowShape();
RowShape InputRowShape();

}  // namespace rbgate::schemas::bacs_reports
