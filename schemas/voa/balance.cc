#include "schemas/voa/balance.h"

#include <fmt/format.h>

#include <algorithm>
#include <sstream>

#include "schemas/row_writer.h"
#include "schemas/table/rows.h"
#include "schemas/values.h"

namespace rbgate::schemas::voa {
namespace {

using table::Value;

// A key field's value: an integer field's number, or a uarn or uprn field's digits.
bool KeyOf(const table::FieldSpec& f, const Value& v, std::int64_t& key) {
  if (f.type == table::Type::kInteger) {
    key = v.n;
    return true;
  }
  if (v.text.empty() || v.text.size() > 18) return false;
  std::int64_t n = 0;
  for (const char c : v.text) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + (c - '0');
  }
  key = n;
  return true;
}

// A value field's: pounds, or a band letter as 0 for A.
bool ValueOf(const Binding& b, const Value& v, std::int64_t& value) {
  if (b.tax == Binding::Tax::kNdr) {
    value = v.n;
    return true;
  }
  if (v.text.size() != 1) return false;
  const char c = static_cast<char>(v.text[0] & ~0x20);  // bands in either case
  if (c < 'A' || c >= static_cast<char>('A' + kMaxBands)) return false;
  value = c - 'A';
  return true;
}

std::string Text(const table::TableSchema& schema, std::string_view s) {
  if (schema.encoding != parsers::delimited::Encoding::kWindows1252) return std::string(s);
  std::string out;
  AppendWindows1252AsUtf8(out, s);
  return out;
}

bool Has(std::span<const bool> present, int i) {
  return i >= 0 && static_cast<std::size_t>(i) < present.size() &&
         present[static_cast<std::size_t>(i)];
}

std::size_t BandsOf(const table::TableSchema& schema) {
  const auto& b = schema.voa;
  return b.value >= 0 && schema.fields[static_cast<std::size_t>(b.value)].wales ? 9 : 8;
}

char BandLetter(std::int64_t band) { return static_cast<char>('A' + band); }

// "£1,234,567", or with a sign for a change.
std::string Pounds(std::int64_t pounds, bool sign = false) {
  const std::string digits = fmt::format("{}", pounds < 0 ? -pounds : pounds);
  std::string grouped;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) grouped += ',';
    grouped += digits[i];
  }
  const char* s = pounds < 0 ? "-" : (sign && pounds > 0 ? "+" : "");
  return fmt::format("{}£{}", s, grouped);
}

std::string Count(std::int64_t n, bool sign = false) {
  return sign && n != 0 ? fmt::format("{:+}", n) : fmt::format("{}", n);
}

}  // namespace

Totals ListState::Sum() const {
  Totals t;
  t.entries = static_cast<std::int64_t>(entries.size());
  for (const auto& [key, value] : entries) {
    if (tax == Binding::Tax::kNdr) {
      t.total += value;
    } else if (value >= 0 && static_cast<std::size_t>(value) < kMaxBands) {
      ++t.bands[static_cast<std::size_t>(value)];
    }
  }
  return t;
}

ListReader::ListReader(const table::TableSchema& schema, std::set<std::string> authorities)
    : schema_(schema), binding_(schema.voa), only_(std::move(authorities)) {}

ListState& ListReader::StateOf(std::string_view ba) {
  auto it = states_.find(ba);
  if (it == states_.end()) {
    it = states_.emplace(std::string(ba), ListState{}).first;
    it->second.tax = binding_.tax;
    it->second.ba = std::string(ba);
    it->second.bands = BandsOf(schema_);
  }
  return it->second;
}

void ListReader::OnTypedRow(const parsers::delimited::Row& row, std::span<const Value> values,
                            std::span<const bool> present, bool row_valid) {
  if (!row_valid || !Has(present, binding_.ba) || !Has(present, binding_.key) ||
      !Has(present, binding_.value)) {
    return;  // the check reports it; an invalid list is not used
  }
  const std::string_view ba = values[static_cast<std::size_t>(binding_.ba)].text;
  if (authorities_.find(ba) == authorities_.end()) authorities_.emplace(ba);
  if (!only_.empty() && only_.count(std::string(ba)) == 0) return;
  if (Has(present, binding_.until)) return;  // no longer in the list
  std::int64_t key = 0, value = 0;
  if (!KeyOf(schema_.fields[static_cast<std::size_t>(binding_.key)],
             values[static_cast<std::size_t>(binding_.key)], key) ||
      !ValueOf(binding_, values[static_cast<std::size_t>(binding_.value)], value)) {
    return;
  }
  if (!StateOf(ba).entries.emplace(key, value).second) {
    if (repeated_++ == 0) first_repeat_line_ = row.line, first_repeat_key_ = key;
  }
}

std::map<std::string, ListState> ListReader::TakeAll(std::string& error) {
  error.clear();
  if (repeated_ > 0) {
    error = fmt::format(
        "the list has {} current entr{} whose key appears earlier (first: {} on line {}); a "
        "list holds each hereditament or dwelling once",
        repeated_, repeated_ == 1 ? "y" : "ies", first_repeat_key_, first_repeat_line_);
  }
  std::map<std::string, ListState> out;
  for (auto& [ba, state] : states_) out.emplace(ba, std::move(state));
  return out;
}

ListState ListReader::Take(std::string& error) {
  auto all = TakeAll(error);
  if (!error.empty()) return {};
  if (all.size() > 1) {
    error =
        fmt::format("the list holds entries for {} billing authorities ({}, ...); say which one",
                    all.size(), all.begin()->first);
    return {};
  }
  if (all.empty()) {
    error = fmt::format("the list has no current entries for billing authority {}",
                        only_.size() == 1 ? *only_.begin() : std::string("(none)"));
    return {};
  }
  return std::move(all.begin()->second);
}

ScheduleReader::ScheduleReader(const table::TableSchema& schema)
    : schema_(schema), binding_(schema.voa) {
  schedule_.tax = binding_.tax;
  schedule_.bands = BandsOf(schema);
}

void ScheduleReader::OnTypedRow(const parsers::delimited::Row& row, std::span<const Value> values,
                                std::span<const bool> present, bool row_valid) {
  if (!row_valid || !Has(present, binding_.key) || !Has(present, binding_.heading)) return;
  ScheduleRecord r;
  r.line = row.line;
  const std::string_view heading = values[static_cast<std::size_t>(binding_.heading)].text;
  const auto h = std::find_if(binding_.headings.begin(), binding_.headings.end(),
                              [&](const Binding::Heading& x) { return x.code == heading; });
  if (h == binding_.headings.end()) return;  // the schema's enum says so
  r.heading = static_cast<std::size_t>(h - binding_.headings.begin());
  if (!KeyOf(schema_.fields[static_cast<std::size_t>(binding_.key)],
             values[static_cast<std::size_t>(binding_.key)], r.key)) {
    return;
  }
  if (Has(present, binding_.value)) {
    r.has_value = ValueOf(binding_, values[static_cast<std::size_t>(binding_.value)], r.value);
  }
  if (Has(present, binding_.reference)) {
    r.reference = Text(schema_, values[static_cast<std::size_t>(binding_.reference)].text);
  }
  if (Has(present, binding_.ba)) {
    const std::string_view ba = values[static_cast<std::size_t>(binding_.ba)].text;
    authorities_.emplace(ba);
    if (schedule_.ba.empty()) schedule_.ba = std::string(ba);
  }
  schedule_.records.push_back(std::move(r));
}

void ScheduleReader::OnOtherRecord(const parsers::delimited::Row& row, std::string_view role,
                                   std::span<const Value> values, std::span<const bool> present) {
  const auto text = [&](int i) {
    return Has(present, i) ? Text(schema_, values[static_cast<std::size_t>(i)].text)
                           : std::string();
  };
  if (role == "header") {
    // The header's fields are text as written (a number, a date in the file's notation).
    const auto raw = [&](int i) -> std::string {
      if (i < 0) return {};
      const auto& f = schema_.records.header->fields[static_cast<std::size_t>(i)];
      if (!Has(present, i)) return {};
      if (f.type == table::Type::kString) return text(i);
      const auto& fields = row.fields;
      return static_cast<std::size_t>(i) < fields.size()
                 ? Text(schema_, fields[static_cast<std::size_t>(i)].text)
                 : std::string();
    };
    schedule_.number = raw(binding_.number);
    schedule_.date = raw(binding_.date);
    return;
  }
  if (role != "trailer") return;
  schedule_.trailer_line = row.line;
  bool all = Has(present, binding_.stated_entries);
  if (all) schedule_.stated.entries = values[static_cast<std::size_t>(binding_.stated_entries)].n;
  if (binding_.stated_total >= 0) {
    all = all && Has(present, binding_.stated_total);
    if (all) schedule_.stated.total = values[static_cast<std::size_t>(binding_.stated_total)].n;
  }
  for (std::size_t b = 0; b < binding_.stated_bands.size(); ++b) {
    all = all && Has(present, binding_.stated_bands[b]);
    if (all) {
      schedule_.stated.bands[b] = values[static_cast<std::size_t>(binding_.stated_bands[b])].n;
    }
  }
  schedule_.has_stated = all;
}

Schedule ScheduleReader::Take(std::string& error) {
  error.clear();
  if (authorities_.size() > 1) {
    error = fmt::format(
        "the schedule holds records for {} billing authorities; one schedule "
        "alters one authority's list",
        authorities_.size());
  } else if (!schedule_.has_stated) {
    error = "the schedule has no trailer with the VOA's figures for the list after it";
  }
  return std::move(schedule_);
}

std::string_view LineName(Line line) noexcept {
  switch (line) {
    case Line::kNew:
      return "new";
    case Line::kDeleted:
      return "deleted";
    case Line::kAmended:
      return "amended";
    case Line::kReinstated:
      return "reinstated";
    case Line::kMinorAddress:
      return "minor address change";
    case Line::kHistoric:
      return "historic";
  }
  return "?";
}

Totals BalanceReport::Difference() const {
  Totals d;
  d.entries = after.entries - stated.entries;
  d.total = after.total - stated.total;
  for (std::size_t b = 0; b < kMaxBands; ++b) d.bands[b] = after.bands[b] - stated.bands[b];
  return d;
}

BalanceReport Balance(ListState& state, const Schedule& schedule, const Binding& binding) {
  BalanceReport report;
  report.tax = schedule.tax;
  report.bands = schedule.bands;
  report.ba = schedule.ba.empty() ? state.ba : schedule.ba;
  report.number = schedule.number;
  report.date = schedule.date;
  report.before_source = state.source;
  report.before = state.Sum();
  report.stated = schedule.stated;
  const bool ndr = schedule.tax == Binding::Tax::kNdr;
  // What one entry of `value` adds to the totals (or takes away, with sign -1).
  const auto move = [&](Totals& t, std::int64_t value, std::int64_t sign) {
    t.entries += sign;
    if (ndr) {
      t.total += sign * value;
    } else if (value >= 0 && static_cast<std::size_t>(value) < kMaxBands) {
      t.bands[static_cast<std::size_t>(value)] += sign;
    }
  };
  const auto describe = [&](std::int64_t value) {
    return ndr ? Pounds(value) : fmt::format("band {}", BandLetter(value));
  };
  for (const ScheduleRecord& r : schedule.records) {
    const Binding::Heading& h = binding.headings[r.heading];
    const auto listed = state.entries.find(r.key);
    const bool in_list = listed != state.entries.end();
    const std::int64_t listed_value = in_list ? listed->second : 0;
    const auto except = [&](std::string problem) {
      report.exceptions.push_back({r, h.code, in_list, listed_value, std::move(problem)});
    };
    if (h.historic) {
      HeadingTotals& line = report.lines[static_cast<std::size_t>(Line::kHistoric)];
      ++line.records;
      if (ndr && r.has_value) line.historic_total += r.value;
      continue;
    }
    const Line which = static_cast<Line>(h.change);
    HeadingTotals& line = report.lines[static_cast<std::size_t>(which)];
    ++line.records;
    switch (h.change) {
      case Binding::Change::kNew:
      case Binding::Change::kReinstated:
        if (in_list) {
          except(
              fmt::format("is already in the list ({}); not added again", describe(listed_value)));
        } else if (!r.has_value) {
          except("has no value to add; not added");
        } else {
          state.entries.emplace(r.key, r.value);
          move(line.change, r.value, +1);
        }
        break;
      case Binding::Change::kDeleted:
        if (!in_list) {
          except("is not in the list; nothing to delete");
          break;
        }
        if (r.has_value && r.value != listed_value) {
          except(fmt::format("is deleted at {}, but the list has {}; deleted as listed",
                             describe(r.value), describe(listed_value)));
        }
        move(line.change, listed_value, -1);
        state.entries.erase(listed);
        break;
      case Binding::Change::kAmended:
        if (!in_list) {
          except("is not in the list; nothing to amend (not added)");
        } else if (!r.has_value) {
          except("has no new value; left as listed");
        } else {
          move(line.change, listed_value, -1);
          move(line.change, r.value, +1);
          listed->second = r.value;
        }
        break;
      case Binding::Change::kMinorAddress:
        if (!in_list) {
          except("is not in the list; an address change needs an entry");
        } else if (r.has_value && r.value != listed_value) {
          except(
              fmt::format("changes only the address, but gives {} where the list has {}; "
                          "left as listed",
                          describe(r.value), describe(listed_value)));
        }
        break;
    }
  }
  report.after = state.Sum();
  const Totals d = report.Difference();
  report.balanced = d.entries == 0 && d.total == 0 &&
                    std::all_of(d.bands.begin(), d.bands.end(), [](auto x) { return x == 0; });
  return report;
}

namespace {

std::string Title(const BalanceReport& r) {
  return fmt::format("{} schedule{}{} for billing authority {}",
                     r.tax == Binding::Tax::kNdr ? "NDR" : "Council tax",
                     r.number.empty() ? "" : " " + r.number, r.date.empty() ? "" : " of " + r.date,
                     r.ba);
}

// The figure columns: rateable value for NDR, dwellings by band for council tax.
std::vector<std::string> Figures(const BalanceReport& r, const Totals& t, bool sign) {
  std::vector<std::string> out{Count(t.entries, sign)};
  if (r.tax == Binding::Tax::kNdr) {
    out.push_back(Pounds(t.total, sign));
  } else {
    for (std::size_t b = 0; b < r.bands; ++b) out.push_back(Count(t.bands[b], sign));
  }
  return out;
}

std::vector<std::string> FigureNames(const BalanceReport& r) {
  std::vector<std::string> out{"entries"};
  if (r.tax == Binding::Tax::kNdr) {
    out.push_back("rateable value");
  } else {
    for (std::size_t b = 0; b < r.bands; ++b) out.push_back(fmt::format("band {}", BandLetter(b)));
  }
  return out;
}

}  // namespace

std::string RenderText(const BalanceReport& r) {
  const bool ndr = r.tax == Binding::Tax::kNdr;
  std::string out = fmt::format("{}\nbefore: {}\n\n", Title(r), r.before_source);
  const std::size_t width = ndr ? 16 : 8;
  const auto row = [&](std::string_view name, std::string_view records,
                       const std::vector<std::string>& figures) {
    out += fmt::format("  {:<26}{:>8}", name, records);
    for (const auto& f : figures) out += fmt::format("{:>{}}", f, width);
    out += '\n';
  };
  row("", "records", FigureNames(r));
  row("before", "", Figures(r, r.before, false));
  for (std::size_t i = 0; i < kLines; ++i) {
    const HeadingTotals& h = r.lines[i];
    const Line line = static_cast<Line>(i);
    if (line == Line::kHistoric) {
      std::vector<std::string> figures{"0"};
      if (ndr) figures.push_back(h.records ? fmt::format("({})", Pounds(h.historic_total)) : "£0");
      for (std::size_t b = 0; !ndr && b < r.bands; ++b) figures.push_back("0");
      row("historic (no change now)", Count(h.records), figures);
      continue;
    }
    row(LineName(line), Count(h.records), Figures(r, h.change, true));
  }
  row("after", "", Figures(r, r.after, false));
  row("VOA's figure", "", Figures(r, r.stated, false));
  row("difference", "", Figures(r, r.Difference(), true));
  out += '\n';
  if (r.balanced) {
    out += "BALANCED: the list after this schedule agrees with the VOA's figures.\n";
  } else {
    out += "NOT BALANCED: the list after this schedule differs from the VOA's figures";
    out += r.exceptions.empty() ? ".\n" : "; the records below explain it.\n";
  }
  if (!r.exceptions.empty()) {
    out += fmt::format("\n{} record{} not applied as {} heading says:\n", r.exceptions.size(),
                       r.exceptions.size() == 1 ? "" : "s",
                       r.exceptions.size() == 1 ? "its" : "their");
    for (const Exception& e : r.exceptions) {
      out +=
          fmt::format("  line {}: {} UARN {}{}: {}\n", e.record.line, e.heading, e.record.key,
                      e.record.reference.empty() ? "" : " (" + e.record.reference + ")", e.problem);
    }
  }
  if (!r.balanced && r.exceptions.empty()) {
    out +=
        "No record of the schedule explains the difference: the list it was applied to is not "
        "the one the VOA altered (a schedule missed or applied twice, or a list file of another "
        "date). Apply the missing schedules, or load the current list, and balance again.\n";
  }
  return out;
}

std::string RenderJson(const BalanceReport& r) {
  const bool ndr = r.tax == Binding::Tax::kNdr;
  const auto totals = [&](const Totals& t) {
    std::string o = fmt::format("{{\"entries\":{}", t.entries);
    if (ndr) {
      o += fmt::format(",\"rateable_value\":{}", t.total);
    } else {
      o += ",\"bands\":{";
      for (std::size_t b = 0; b < r.bands; ++b) {
        o += fmt::format("{}\"{}\":{}", b ? "," : "", BandLetter(static_cast<std::int64_t>(b)),
                         t.bands[b]);
      }
      o += "}";
    }
    return o + "}";
  };
  std::string out = "{\"tax\":";
  out += ndr ? "\"ndr\"" : "\"council-tax\"";
  out += ",\"billing_authority\":";
  AppendJsonUtf8(out, r.ba);
  out += ",\"schedule\":";
  AppendJsonUtf8(out, r.number);
  out += ",\"schedule_date\":";
  AppendJsonUtf8(out, r.date);
  out += ",\"before_source\":";
  AppendJsonUtf8(out, r.before_source);
  out += ",\"before\":" + totals(r.before) + ",\"changes\":[";
  for (std::size_t i = 0; i < kLines; ++i) {
    const HeadingTotals& h = r.lines[i];
    out += fmt::format("{}{{\"heading\":\"{}\",\"records\":{},\"change\":{}", i ? "," : "",
                       LineName(static_cast<Line>(i)), h.records, totals(h.change));
    if (static_cast<Line>(i) == Line::kHistoric && ndr) {
      out += fmt::format(",\"historic_rateable_value\":{}", h.historic_total);
    }
    out += "}";
  }
  out += "],\"after\":" + totals(r.after) + ",\"stated\":" + totals(r.stated) +
         ",\"difference\":" + totals(r.Difference());
  out += fmt::format(",\"balanced\":{},\"exceptions\":[", r.balanced ? "true" : "false");
  for (std::size_t i = 0; i < r.exceptions.size(); ++i) {
    const Exception& e = r.exceptions[i];
    out += fmt::format("{}{{\"line\":{},\"heading\":", i ? "," : "", e.record.line);
    AppendJsonUtf8(out, e.heading);
    out += fmt::format(",\"uarn\":{},\"reference\":", e.record.key);
    AppendJsonUtf8(out, e.record.reference);
    if (e.record.has_value) out += fmt::format(",\"value\":{}", e.record.value);
    if (e.listed) out += fmt::format(",\"listed_value\":{}", e.listed_value);
    out += ",\"problem\":";
    AppendJsonUtf8(out, e.problem);
    out += "}";
  }
  return out + "]}\n";
}

std::string RenderCsv(const BalanceReport& r) {
  const bool ndr = r.tax == Binding::Tax::kNdr;
  std::vector<std::string> names = {"row", "records", "entries"};
  if (ndr) {
    names.push_back("rateable_value");
  } else {
    for (std::size_t b = 0; b < r.bands; ++b) {
      names.push_back(fmt::format("band_{}", static_cast<char>('a' + b)));
    }
  }
  for (const char* n : {"line", "heading", "uarn", "reference", "problem"}) names.push_back(n);
  std::vector<std::string_view> columns(names.begin(), names.end());
  std::ostringstream s;
  {
    RowWriter w(s, RowFormat::kCsv, columns);
    const std::size_t figures = 2 + (ndr ? 1 : r.bands);
    const auto totals = [&](std::string_view name, std::string records, const Totals& t) {
      w.Clear(0, w.columns());
      w[0] = std::string(name);
      w[1] = std::move(records);
      w[2] = std::to_string(t.entries);
      if (ndr) {
        w[3] = std::to_string(t.total);
      } else {
        for (std::size_t b = 0; b < r.bands; ++b) w[3 + b] = std::to_string(t.bands[b]);
      }
      w.Write();
    };
    totals("before", "", r.before);
    for (std::size_t i = 0; i < kLines; ++i) {
      totals(LineName(static_cast<Line>(i)), std::to_string(r.lines[i].records), r.lines[i].change);
    }
    totals("after", "", r.after);
    totals("voa", "", r.stated);
    totals("difference", "", r.Difference());
    for (const Exception& e : r.exceptions) {
      w.Clear(0, w.columns());
      w[0] = "exception";
      w[figures + 1] = std::to_string(e.record.line);
      w[figures + 2] = e.heading;
      w[figures + 3] = std::to_string(e.record.key);
      w[figures + 4] = e.record.reference;
      w[figures + 5] = e.problem;
      w.Write();
    }
  }
  return s.str();
}

}  // namespace rbgate::schemas::voa
