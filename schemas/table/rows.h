// A table feed's transform: each data record as a row for the R&B system, written as the file
// is checked (CSV or JSON lines through RowWriter). Values are normalised: dates ISO 8601,
// date-times UTC with Z, money in pence (pence fields' columns are named <name>_pence),
// numbers with a point, booleans true or false, text in UTF-8 whatever the file's encoding; a
// missing value is empty (null in JSON lines).
#pragma once

#include "schemas/row_writer.h"
#include "schemas/table/validator.h"

namespace rbgate::schemas::table {

// `schema` and `rows` must outlive it; `rows` must have the schema's RowColumnViews().
class TableRows final : public TypedRowSink {
 public:
  TableRows(const TableSchema& schema, RowWriter& rows) : schema_(schema), rows_(rows) {}
  void OnTypedRow(const parsers::delimited::Row& row, std::span<const Value> values,
                  std::span<const bool> present, bool row_valid) override;

 private:
  const TableSchema& schema_;
  RowWriter& rows_;
};

// Windows-1252 text as UTF-8, appended to `out`.

}  // namespace rbgate::schemas::table
