#include "schemas/voa/smv.h"

#include <fmt/format.h>

#include <cmath>

#include "schemas/voa/rules.h"

namespace rbgate::schemas::voa {
namespace {

using table::Value;

// A record type's code as a number: "01" -> 1; 0 for anything else.
int CodeOf(std::string_view code) {
  if (code.size() != 2 || code[0] != '0' || code[1] < '1' || code[1] > '7') return 0;
  return code[1] - '0';
}

std::string Pence(std::int64_t p) {
  return fmt::format("{}{}.{:02}", p < 0 ? "-" : "", std::llabs(p) / 100, std::llabs(p) % 100);
}

// To the nearest pound, halves up, as the list rounds.
std::int64_t RoundPounds(long double pounds) {
  return static_cast<std::int64_t>(std::floor(pounds + 0.5L));
}

}  // namespace

ValuationChecker::ValuationChecker(const table::TableSchema& schema,
                                   parsers::DiagnosticSink& findings)
    : schema_(schema), findings_(findings) {
  layouts_[2] = &schema.fields;
  if (CodeOf(schema.records.data_code) != 2) usable_ = false;
  for (const auto& o : schema.records.others) {
    if (const int code = CodeOf(o.code)) layouts_[static_cast<std::size_t>(code)] = &o.fields;
  }
  line_area_ = Field(2, "area");
  line_price_ = Field(2, "price");
  line_value_ = Field(2, "value");
  addition_value_ = Field(3, "addition_value");
  plant_value_ = Field(4, "plant_value");
  parking_value_ = Field(5, "parking_value");
  percent_ = Field(6, "percent");
  total_before_ = Field(7, "total_before");
  total_after_ = Field(7, "total_after");
  total_area_ = Field(1, "total_area");
  total_value_ = Field(1, "total_value");
  adopted_rv_ = Field(1, "adopted_rv");
}

int ValuationChecker::Field(int code, std::string_view name) {
  const auto* fields = layouts_[static_cast<std::size_t>(code)];
  if (fields != nullptr) {
    for (std::size_t i = 0; i < fields->size(); ++i) {
      if ((*fields)[i].name == name) return static_cast<int>(i);
    }
  }
  if (usable_) {
    parsers::ReportAt(findings_, rules::kSmvSchema, 1, 1, {},
                      fmt::format("the schema has no record type {:02} with a field {}; "
                                  "valuations are not checked across records",
                                  code, name));
  }
  usable_ = false;
  return -1;
}

void ValuationChecker::Report(const parsers::Rule& rule, const parsers::delimited::Row& row,
                              int field, std::string message) {
  std::uint64_t column = 1;
  std::string_view name;
  if (field >= 0 && static_cast<std::size_t>(field) < row.fields.size()) {
    column =
        parsers::delimited::PositionIn(row, row.fields[static_cast<std::size_t>(field)].pos).column;
  }
  const int code = CodeOf(row.fields.empty() ? std::string_view() : row.fields[0].text);
  if (field >= 0 && code > 0 && layouts_[static_cast<std::size_t>(code)] != nullptr &&
      static_cast<std::size_t>(field) < layouts_[static_cast<std::size_t>(code)]->size()) {
    name = (*layouts_[static_cast<std::size_t>(code)])[static_cast<std::size_t>(field)].name;
  }
  if (findings_.Saturated(rule)) return;
  parsers::Diagnostic d;
  d.rule = &rule;
  const std::uint32_t pos = field >= 0 && static_cast<std::size_t>(field) < row.fields.size()
                                ? row.fields[static_cast<std::size_t>(field)].pos
                                : 0;
  const std::uint32_t width =
      field >= 0 && static_cast<std::size_t>(field) < row.fields.size()
          ? std::max<std::uint32_t>(row.fields[static_cast<std::size_t>(field)].width, 1)
          : 1;
  d.offset = row.offset + pos;
  d.line = row.line;
  d.column = column;
  d.record = row.number;
  d.field = name;
  d.message = std::move(message);
  parsers::SetExcerpt(d, row.raw, pos, width);
  findings_.Report(std::move(d));
}

void ValuationChecker::OnTypedRow(const parsers::delimited::Row& row, std::span<const Value> values,
                                  std::span<const bool> present, bool) {
  Record(row, 2, values, present);
}

void ValuationChecker::OnOtherRecord(const parsers::delimited::Row& row, std::string_view,
                                     std::span<const Value> values, std::span<const bool> present) {
  const std::size_t column = static_cast<std::size_t>(std::max(schema_.records.column, 0));
  if (column < row.fields.size()) Record(row, CodeOf(row.fields[column].text), values, present);
}

void ValuationChecker::Close(std::uint64_t line, std::string_view why) {
  if (open_ && !totalled_ && !findings_.Saturated(rules::kSmvOrder)) {
    parsers::Diagnostic d;
    d.rule = &rules::kSmvOrder;
    d.offset = end_offset_;  // where the totals should have been
    d.line = line;
    d.column = 1;
    d.message = fmt::format("the valuation that starts on line {} {} without its totals (07)",
                            start_line_, why);
    findings_.Report(std::move(d));
  }
  open_ = false;
}

void ValuationChecker::Record(const parsers::delimited::Row& row, int code,
                              std::span<const Value> values, std::span<const bool> present) {
  if (!usable_ || code == 0) return;
  if (code == 1) end_offset_ = row.offset;  // a valuation left open ends before this one
  const auto has = [&](int i) {
    return i >= 0 && static_cast<std::size_t>(i) < present.size() &&
           present[static_cast<std::size_t>(i)];
  };
  const auto n = [&](int i) { return values[static_cast<std::size_t>(i)].n; };
  const auto x = [&](int i) { return values[static_cast<std::size_t>(i)].x; };
  if (code == 1) {
    Close(row.line, "ends");
    end_offset_ = row.offset + row.raw.size();
    open_ = true;
    known_ = has(total_area_) && has(total_value_) && has(adopted_rv_);
    last_code_ = 1;
    start_line_ = row.line;
    lines_ = plants_ = 0;
    lines_pence_ = 0;
    area_ = 0;
    factor_ = 1;
    totalled_ = false;
    disordered_ = false;
    ++valuations_;
    total_area_value_ = known_ ? x(total_area_) : -1;
    total_value_value_ = known_ ? n(total_value_) : -1;
    adopted_rv_value_ = known_ ? n(adopted_rv_) : -1;
    if (known_ && adopted_rv_value_ > total_value_value_) {
      Report(rules::kSmvTotal, row, adopted_rv_,
             fmt::format("the adopted rateable value {} is above the total value {}",
                         adopted_rv_value_, total_value_value_));
    }
    return;
  }
  if (!open_) {
    Report(rules::kSmvOrder, row, 0,
           fmt::format("a {:02} record outside a valuation: each starts with its 01 record", code));
    return;
  }
  if (totalled_) {
    Report(rules::kSmvOrder, row, 0,
           fmt::format("a {:02} record after the valuation's totals (07, line {}); the next "
                       "valuation starts with 01",
                       code, start_line_));
    return;
  }
  if (code < last_code_ || (code == 4 && plants_ > 0)) {
    // Said once a valuation: one record out of place puts every later one out too.
    if (!disordered_) {
      Report(rules::kSmvOrder, row, 0,
             fmt::format("a {:02} record after a {:02} record in the valuation starting on line "
                         "{}; they come in the order 01, 02, 03, 04 (once), 05, 06, 07",
                         code, last_code_, start_line_));
    }
    disordered_ = true;
    known_ = false;  // the totals cannot be judged
  }
  last_code_ = std::max(last_code_, code);
  end_offset_ = row.offset + row.raw.size();
  switch (code) {
    case 2: {
      ++lines_;
      if (!has(line_area_) || !has(line_price_) || !has(line_value_)) {
        known_ = false;
        break;
      }
      const long double expected = static_cast<long double>(x(line_area_)) * n(line_price_);
      const std::int64_t value = n(line_value_);
      if (std::fabs(expected - static_cast<long double>(value)) >= 100) {
        Report(rules::kSmvLine, row, line_value_,
               fmt::format("value {} is not area {} times price {} ({}), to the pound",
                           Pence(value), x(line_area_), Pence(n(line_price_)),
                           Pence(static_cast<std::int64_t>(std::llround(expected)))));
      }
      lines_pence_ += value;
      area_ += x(line_area_);
      break;
    }
    case 3:
    case 4:
    case 5: {
      if (code == 4) ++plants_;
      const int field = code == 3 ? addition_value_ : code == 4 ? plant_value_ : parking_value_;
      if (has(field)) {
        lines_pence_ += n(field);
      } else {
        known_ = false;
      }
      break;
    }
    case 6:
      if (has(percent_)) {
        factor_ *= 1 + static_cast<long double>(x(percent_)) / 100;
      } else {
        known_ = false;
      }
      break;
    case 7: {
      totalled_ = true;
      if (lines_ == 0) {
        Report(
            rules::kSmvOrder, row, 0,
            fmt::format("the valuation starting on line {} has no line items (02)", start_line_));
      }
      if (!known_ || !has(total_before_) || !has(total_after_)) break;
      const std::int64_t before = RoundPounds(static_cast<long double>(lines_pence_) / 100);
      if (n(total_before_) != before) {
        Report(rules::kSmvTotal, row, total_before_,
               fmt::format("total before adjustment {} is not its lines added up ({}, £{})",
                           n(total_before_), Pence(lines_pence_), before));
      }
      const std::int64_t after = RoundPounds(static_cast<long double>(n(total_before_)) * factor_);
      if (n(total_after_) != after) {
        Report(rules::kSmvTotal, row, total_after_,
               fmt::format("total after adjustment {} is not the total before ({}) with the "
                           "adjustments applied ({})",
                           n(total_after_), n(total_before_), after));
      }
      if (n(total_after_) != total_value_value_) {
        Report(rules::kSmvTotal, row, total_after_,
               fmt::format("total after adjustment {} is not the valuation's total value {} "
                           "(line {})",
                           n(total_after_), total_value_value_, start_line_));
      }
      if (std::fabs(area_ - total_area_value_) > 0.005 * static_cast<double>(lines_ + 1)) {
        Report(rules::kSmvTotal, row, 0,
               fmt::format("the line items' areas add up to {:.2f}; the valuation's total area "
                           "(line {}) is {:.2f}",
                           area_, start_line_, total_area_value_));
      }
      break;
    }
    default:
      break;
  }
}

void ValuationChecker::Finish() {
  if (usable_) Close(0, "ends the file");
}

}  // namespace rbgate::schemas::voa
