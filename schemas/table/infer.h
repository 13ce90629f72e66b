// Drafting a Table Schema from a file, as `frictionless describe` does, for an officer to
// adapt: `rbgate schema infer DATA`. Pure: bytes in, a descriptor's text out.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace rbgate::schemas::table {

struct InferOptions {
  std::string name;            // the feed's name (default: "draft")
  std::size_t rows = 10000;    // rows read after the header
  std::size_t enum_max = 8;    // at most this many distinct values make an enum...
  std::size_t enum_rows = 20;  // ...when at least this many rows were read
};

// A Data Resource (JSON, two-space indented) for delimited `data` whose first line is its
// header: the delimiter (',', tab, ';', '|' or '*', by the header), the encoding (UTF-8 when
// the bytes are, else Windows-1252), and per column the narrowest type every value fits
// (integer; number, or pounds and pence when every value has two decimals; boolean; dates
// ISO, DD/MM/YYYY or DD-MON-YYYY; date-times; NINO, postcode and sort code), "required" when
// no value is empty, and an enum for few distinct text values. Columns whose header is empty
// are named column_N.
std::string InferSchema(std::string_view data, const InferOptions& options);

}  // namespace rbgate::schemas::table
