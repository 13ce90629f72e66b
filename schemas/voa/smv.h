// The VOA's summary valuations (SMV): each hereditament's valuation as a run of records, 01
// (the assessment) first, then its line items (02), other additions (03), plant and machinery
// (04, once), car parking (05), adjustments (06), and its totals (07) last. The table schema
// checks each record's fields (schemas/voa/ndr-smv.json); this checks what spans records, as
// the validator hands them over: the order within a valuation, each line's value against its
// area and price, and the totals against the lines, to the pound. No I/O.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "parsers/diagnostic.h"
#include "schemas/table/schema.h"
#include "schemas/table/validator.h"

namespace rbgate::schemas::voa {

class ValuationChecker final : public table::TypedRowSink {
 public:
  // `schema`: a table schema with rbgate.voa role "valuations". Both must outlive it.
  ValuationChecker(const table::TableSchema& schema, parsers::DiagnosticSink& findings);

  void OnTypedRow(const parsers::delimited::Row& row, std::span<const table::Value> values,
                  std::span<const bool> present, bool row_valid) override;
  void OnOtherRecord(const parsers::delimited::Row& row, std::string_view role,
                     std::span<const table::Value> values, std::span<const bool> present) override;
  // End of file: a valuation left without its totals. Call once.
  void Finish() override;

  std::uint64_t valuations() const noexcept { return valuations_; }

 private:
  // A field of record type `code` (01-07) by name: its index, or -1 (said once, at the start).
  int Field(int code, std::string_view name);
  void Record(const parsers::delimited::Row& row, int code, std::span<const table::Value> values,
              std::span<const bool> present);
  void Close(std::uint64_t line, std::string_view why);  // a valuation ends
  void Report(const parsers::Rule& rule, const parsers::delimited::Row& row, int field,
              std::string message);

  const table::TableSchema& schema_;
  parsers::DiagnosticSink& findings_;
  std::array<const std::vector<table::FieldSpec>*, 8> layouts_{};  // by code, 1-7
  bool usable_ = true;

  // Field indices, resolved once.
  int line_area_, line_price_, line_value_, addition_value_, plant_value_, parking_value_, percent_,
      total_before_, total_after_, total_area_, total_value_, adopted_rv_;

  // The valuation being read.
  bool open_ = false;
  bool known_ = true;  // every figure it needs was read (a field with an error makes it not)
  int last_code_ = 0;
  std::uint64_t start_line_ = 0;
  std::uint64_t lines_ = 0, plants_ = 0;
  std::int64_t lines_pence_ = 0;  // 02-05 values added up
  double area_ = 0;               // 02 areas added up
  long double factor_ = 1;        // 06 adjustments multiplied
  bool totalled_ = false;
  bool disordered_ = false;  // out of order already said
  std::int64_t total_value_value_ = -1, adopted_rv_value_ = -1;
  double total_area_value_ = -1;
  std::uint64_t valuations_ = 0;
  std::uint64_t end_offset_ = 0;  // just past the valuation's last record read
};

}  // namespace rbgate::schemas::voa
