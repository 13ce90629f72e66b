#include "schemas/table/validator.h"

#include <fmt/format.h>
#include <re2/re2.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>

#include "parsers/delimited/rules.h"
#include "schemas/table/cast.h"
#include "schemas/table/rules.h"

namespace rbgate::schemas::table {
namespace {

using parsers::delimited::Row;

std::uint64_t Mix(std::uint64_t x) noexcept {
  x ^= x >> 33;
  x *= 0xFF51AFD7ED558CCDULL;
  x ^= x >> 33;
  x *= 0xC4CEB9FE1A85EC53ULL;
  return x ^ (x >> 33);
}

// A fingerprint of a cast value: equal values (1 and +1, 2026-01-02 in two notations) match.
std::uint64_t Fingerprint(const FieldSpec& f, const Value& v) noexcept {
  if (f.domain != Domain::kPence && (f.type == Type::kString || f.type == Type::kAny)) {
    return Mix(std::hash<std::string_view>{}(v.text));
  }
  if (f.type == Type::kNumber && f.domain != Domain::kPence) {
    const double x = v.x == 0 ? 0.0 : v.x;  // -0 equals 0
    std::uint64_t bits;
    std::memcpy(&bits, &x, sizeof bits);
    return Mix(bits ^ 0x5555);
  }
  return Mix(static_cast<std::uint64_t>(v.n) ^ 0xAAAA);
}

// A value quoted for a message: short, on one line.
std::string Quoted(std::string_view s) {
  std::string out = "\"";
  for (const char c : s.substr(0, 60)) out.push_back(c == '\n' || c == '\r' ? ' ' : c);
  if (s.size() > 60) out += "...";
  return out + '"';
}

// A field's value for a message: quoted, or masked when the field holds personal data
// (messages never show it; excerpts mask it unless the operator asks).
std::string Shown(const FieldSpec& f, std::string_view text) {
  return f.personal ? Quoted(std::string(std::min<std::size_t>(text.size(), 60), '*'))
                    : Quoted(text);
}

std::string EnumList(const Constraints& c) {
  std::string out;
  for (std::size_t i = 0; i < c.enum_texts.size() && i < 12; ++i) {
    if (i > 0) out += ", ";
    out += c.enum_texts[i];
  }
  if (c.enum_texts.size() > 12) out += fmt::format(" (and {} more)", c.enum_texts.size() - 12);
  return out;
}

}  // namespace

std::uint64_t Validator::SeenSet::FirstOrInsert(std::uint64_t fp, std::uint64_t row) {
  if (fp == 0) fp = 1;  // 0 marks an empty slot
  if ((size_ + 1) * 2 > slots_.size()) {
    std::vector<std::pair<std::uint64_t, std::uint64_t>> old(
        std::max<std::size_t>(1024, slots_.size() * 2));
    old.swap(slots_);
    const std::size_t mask = slots_.size() - 1;
    for (const auto& slot : old) {
      if (slot.first == 0) continue;
      std::size_t i = slot.first & mask;
      while (slots_[i].first != 0) i = (i + 1) & mask;
      slots_[i] = slot;
    }
  }
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = fp & mask;; i = (i + 1) & mask) {
    if (slots_[i].first == fp) return slots_[i].second;
    if (slots_[i].first == 0) {
      slots_[i] = {fp, row};
      ++size_;
      return 0;
    }
  }
}

Validator::Validator(const TableSchema& schema, parsers::DiagnosticSink& diagnostics,
                     ValidatorOptions options)
    : schema_(schema),
      diagnostics_(diagnostics),
      options_(options),
      values_(schema.fields.size()),
      present_(new bool[schema.fields.size()]()),
      unique_(schema.fields.size()) {}

void Validator::Report(const Row& row, std::size_t field, const parsers::Rule& rule,
                       std::string message) {
  parsers::Diagnostic d;
  d.rule = &rule;
  if (!diagnostics_.Saturated(rule)) {
    const bool has_field = field < row.fields.size();
    const auto& f = has_field ? row.fields[field] : parsers::delimited::Field{};
    const std::uint32_t pos = has_field ? f.pos : static_cast<std::uint32_t>(row.raw.size());
    const auto at = parsers::delimited::PositionIn(row, pos);
    d.offset = row.offset + pos;
    d.line = at.line;
    d.column = at.column;
    d.record = row.number;
    if (field < schema_.fields.size()) {
      const FieldSpec& spec = schema_.fields[field];
      d.field = spec.name;
      if (has_field) {
        d.bytes = std::string(f.text.substr(0, 256));
        d.bytes_personal = spec.personal;
      }
    }
    const std::uint32_t start = parsers::SetExcerpt(d, row.raw, pos, has_field ? f.width : 1);
    // Mask every personal field the excerpt shows, not only the one at fault.
    for (std::size_t i = 0; i < row.fields.size() && i < schema_.fields.size(); ++i) {
      if (!schema_.fields[i].personal) continue;
      const std::uint32_t b = std::max(row.fields[i].pos, start);
      const std::uint32_t e =
          std::min<std::uint32_t>(row.fields[i].pos + row.fields[i].width,
                                  start + static_cast<std::uint32_t>(d.excerpt.size()));
      if (b < e) {
        d.personal.push_back(
            {static_cast<std::uint16_t>(b - start), static_cast<std::uint16_t>(e - start)});
      }
    }
    d.message = std::move(message);
  }
  diagnostics_.Report(std::move(d));
}

void Validator::CheckHeader(const Row& row) {
  const auto& fields = schema_.fields;
  for (std::size_t i = 0; i < std::max(fields.size(), row.fields.size()); ++i) {
    const std::string_view want = i < fields.size() ? std::string_view(fields[i].name) : "";
    const std::string_view got = i < row.fields.size() ? row.fields[i].text : "";
    if (want == got) continue;
    std::string message;
    if (i >= fields.size()) {
      message = fmt::format("column {} is headed {}, but the schema has {} fields", i + 1,
                            Quoted(got), fields.size());
    } else if (i >= row.fields.size()) {
      message = fmt::format("the header stops after {} columns; the schema's field {} is {}",
                            row.fields.size(), i + 1, Quoted(want));
    } else {
      message = fmt::format("column {} is headed {} where the schema's field is {}", i + 1,
                            Quoted(got), Quoted(want));
    }
    Report(row, i, rules::kHeader, std::move(message));
    return;  // one header finding says it; the rest follow from it
  }
}

bool Validator::CheckField(const Row& row, std::size_t i, Value& v, bool& present) {
  const FieldSpec& f = schema_.fields[i];
  const std::string_view text = row.fields[i].text;
  const Constraints& c = f.constraints;
  present = false;
  const bool missing = schema_.only_empty_missing
                           ? text.empty()
                           : std::find(schema_.missing_values.begin(), schema_.missing_values.end(),
                                       text) != schema_.missing_values.end();
  if (missing) {
    if (!c.required) return true;
    Report(row, i, rules::kRequired, fmt::format("{} is required and has no value", f.name));
    return false;
  }
  v = Value{};
  if (!Cast(f, text, v)) {
    Report(row, i, rules::kType,
           fmt::format("{} in {} is not {}", Shown(f, text), f.name, DescribeType(f)));
    return false;
  }
  std::string why;
  if (const parsers::Rule* broken = CheckDomain(f, text, v, why)) {
    Report(row, i, *broken, fmt::format("{} in {}: {}", Shown(f, text), f.name, why));
    if (broken->severity == parsers::Severity::kError) return false;
  }
  present = true;
  bool ok = true;
  if (c.min_length >= 0 || c.max_length >= 0) {
    const auto n = static_cast<std::int64_t>(
        CharacterCount(text, schema_.encoding == parsers::delimited::Encoding::kUtf8));
    if (c.min_length >= 0 && n < c.min_length) {
      Report(row, i, rules::kMinLength,
             fmt::format("{} in {} is {} characters; the minimum is {}", Shown(f, text), f.name, n,
                         c.min_length));
      ok = false;
    }
    if (c.max_length >= 0 && n > c.max_length) {
      Report(row, i, rules::kMaxLength,
             fmt::format("{} in {} is {} characters; the maximum is {}", Shown(f, text), f.name, n,
                         c.max_length));
      ok = false;
    }
  }
  const bool nan = f.type == Type::kNumber && f.domain != Domain::kPence && std::isnan(v.x);
  if (c.has_minimum && (nan || Compare(f, v, c.minimum) < 0)) {
    Report(row, i, rules::kMinimum,
           fmt::format("{} in {} is below the minimum {}", Shown(f, text), f.name, c.minimum_text));
    ok = false;
  }
  if (c.has_maximum && (nan || Compare(f, v, c.maximum) > 0)) {
    Report(row, i, rules::kMaximum,
           fmt::format("{} in {} is above the maximum {}", Shown(f, text), f.name, c.maximum_text));
    ok = false;
  }
  if (c.pattern && !RE2::FullMatch(re2::StringPiece(text.data(), text.size()), *c.pattern)) {
    Report(row, i, rules::kPattern,
           fmt::format("{} in {} does not match the pattern {}", Shown(f, text), f.name,
                       c.pattern_text));
    ok = false;
  }
  if (!c.enum_values.empty()) {
    bool found = false;
    for (const Value& e : c.enum_values) {
      if (Compare(f, v, e) == 0) {
        found = true;
        break;
      }
    }
    if (!found) {
      Report(row, i, rules::kEnum,
             fmt::format("{} in {} is not one of: {}", Shown(f, text), f.name, EnumList(c)));
      ok = false;
    }
  }
  if (c.unique) {
    if (const std::uint64_t first = unique_[i].FirstOrInsert(Fingerprint(f, v), row.number)) {
      Report(row, i, rules::kUnique,
             fmt::format("{} in {} must be unique; it first appears in row {}", Shown(f, text),
                         f.name, first));
      ok = false;
    }
  }
  return ok;
}

void Validator::OnRow(const Row& row) {
  if (schema_.header && row.number == 1) {
    CheckHeader(row);
    return;
  }
  ++data_rows_;
  const std::size_t n = schema_.fields.size();
  const auto& fields = row.fields;
  if (fields.size() == 1 && fields[0].text.empty() && !fields[0].quoted && n > 1) {
    Report(row, n, rules::kBlank, fmt::format("line {} is blank", row.line));
    return;
  }
  bool row_ok = true;
  if (schema_.fixed_width) {
    if (row.raw.size() != schema_.line_width) {
      Report(row, std::min(fields.size(), n), rules::kWidth,
             fmt::format("the line is {} bytes long; the layout is {}", row.raw.size(),
                         schema_.line_width));
      row_ok = false;
    }
  } else if (fields.size() != n) {
    Report(row, std::min(fields.size(), n), rules::kRagged,
           fmt::format("the row has {} field{}; the schema has {}", fields.size(),
                       fields.size() == 1 ? "" : "s", n));
    row_ok = false;
  }
  const std::size_t checked = std::min(fields.size(), n);
  for (std::size_t i = 0; i < checked; ++i) {
    bool present = false;
    row_ok &= CheckField(row, i, values_[i], present);
    present_[i] = present;
  }
  for (std::size_t i = checked; i < n; ++i) present_[i] = false;
  if (options_.modulus != nullptr) {
    for (std::size_t i = 0; i < checked; ++i) {
      const FieldSpec& f = schema_.fields[i];
      if (f.domain != Domain::kAccountNumber || f.sort_code_field < 0 || !present_[i]) continue;
      const auto s = static_cast<std::size_t>(f.sort_code_field);
      if (s >= checked || !present_[s]) continue;
      std::string sort;
      for (const char c : fields[s].text) {
        if (c != '-') sort.push_back(c);
      }
      if (options_.modulus->Check(sort, fields[i].text) == ModulusResult::kInvalid) {
        Report(row, i, rules::kModulus,
               fmt::format("sort code {} with account {} fails the modulus check ({})",
                           fields[s].text, f.name, options_.modulus->version()));
        row_ok = false;
      }
    }
  }
  if (!schema_.primary_key.empty()) {
    std::uint64_t fp = 0x9E3779B97F4A7C15ULL;
    bool complete = true;
    for (const int k : schema_.primary_key) {
      const auto i = static_cast<std::size_t>(k);
      if (!present_[i]) {
        complete = false;
        break;
      }
      fp = Mix(fp ^ Fingerprint(schema_.fields[i], values_[i]));
    }
    if (complete) {
      if (const std::uint64_t first = primary_.FirstOrInsert(fp, row.number)) {
        std::string names;
        for (const int k : schema_.primary_key) {
          names += (names.empty() ? "" : ", ") + schema_.fields[static_cast<std::size_t>(k)].name;
        }
        Report(row, static_cast<std::size_t>(schema_.primary_key[0]), rules::kPrimaryKey,
               fmt::format("the primary key ({}) repeats row {}", names, first));
        row_ok = false;
      }
    }
  }
  if (options_.typed != nullptr) {
    options_.typed->OnTypedRow(row, values_, {present_.get(), n}, row_ok);
  }
}

}  // namespace rbgate::schemas::table

namespace rbgate::schemas::table::rules {

std::span<const Rule* const> All() noexcept {
  namespace d = parsers::delimited::rules;
  static constexpr const Rule* kAll[] = {&d::kStrayQuote,
                                         &d::kAfterQuote,
                                         &d::kUnclosedQuote,
                                         &d::kRecordLength,
                                         &d::kFieldCount,
                                         &d::kEncoding,
                                         &d::kBom,
                                         &d::kEmpty,
                                         &d::kMixedLineEnds,
                                         &kHeader,
                                         &kRagged,
                                         &kBlank,
                                         &kWidth,
                                         &kType,
                                         &kRequired,
                                         &kUnique,
                                         &kPrimaryKey,
                                         &kMinLength,
                                         &kMaxLength,
                                         &kMinimum,
                                         &kMaximum,
                                         &kPattern,
                                         &kEnum,
                                         &kNino,
                                         &kNinoAdministrative,
                                         &kSortCode,
                                         &kAccountNumber,
                                         &kModulus,
                                         &kPostcode,
                                         &kUprn,
                                         &kUarn,
                                         &kBillingAuthority,
                                         &kBand,
                                         &kPaye,
                                         &kPence};
  return kAll;
}

}  // namespace rbgate::schemas::table::rules
