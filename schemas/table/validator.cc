#include "schemas/table/validator.h"

#include <fmt/format.h>
#include <re2/re2.h>
#include <sys/stat.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>

#include "parsers/delimited/rules.h"
#include "schemas/table/cast.h"
#include "schemas/table/rules.h"
#include "schemas/values.h"

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

std::string Quoted(std::string_view s) { return QuotedValue(s); }

// A field's value for a message: quoted, or masked when the field holds personal data.
std::string Shown(const FieldSpec& f, std::string_view text) {
  return QuotedValue(text, f.personal, f.windows1252);
}

// An integer field's text that is a whole number, but past what 64 bits hold.
bool TooLarge(const FieldSpec& f, std::string_view text) {
  if (f.type != Type::kInteger || f.domain != Domain::kNone) return false;
  std::string_view digits = TrimWhitespace(text);
  if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) digits.remove_prefix(1);
  if (digits.size() < 19 || digits.find_first_not_of("0123456789") != std::string_view::npos)
    return false;
  std::int64_t ignored = 0;
  return std::from_chars(digits.data(), digits.data() + digits.size(), ignored).ec ==
         std::errc::result_out_of_range;
}

std::string EnumList(const FieldSpec& f) {
  const Constraints& c = f.constraints;
  std::string out;
  for (std::size_t i = 0; i < c.enum_texts.size() && i < 12; ++i) {
    if (i > 0) out += ", ";
    if (f.windows1252) {
      AppendWindows1252AsUtf8(out, c.enum_texts[i]);
    } else {
      out += c.enum_texts[i];
    }
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
    : schema_(schema), diagnostics_(diagnostics), options_(options) {
  const auto& r = schema.records;
  layouts_.push_back({&schema.fields, schema.line_width, "data", r.data_code, {}});
  if (r.header)
    layouts_.push_back({&r.header->fields, r.header->line_width, "header", r.header->code, {}});
  if (r.trailer)
    layouts_.push_back({&r.trailer->fields, r.trailer->line_width, "trailer", r.trailer->code, {}});
  for (const auto& o : r.others) layouts_.push_back({&o.fields, o.line_width, "other", o.code, {}});
  for (const FieldSpec& f : schema.fields) any_required_ |= f.constraints.required;
  std::size_t widest = 0;
  for (auto& l : layouts_) {
    l.unique.resize(l.fields->size());
    widest = std::max(widest, l.fields->size());
  }
  values_.resize(widest);
  present_.reset(new bool[widest]());
  missing_.reset(new bool[widest]());
  sliced_.reserve(widest);
  carried_.resize(schema.controls.size());
  sums_.resize(schema.controls.size());
  modulus_fields_ = std::any_of(schema.fields.begin(), schema.fields.end(), [](const FieldSpec& f) {
    return f.domain == Domain::kAccountNumber && f.sort_code_field >= 0;
  });
  for (const Reference& r : schema.references) {
    const ReferenceValues* set = nullptr;
    if (options.references != nullptr) {
      if (const auto it = options.references->find(r.feed); it != options.references->end()) {
        set = it->second.get();
      }
    }
    reference_sets_.push_back(set);
  }
  reference_warned_.assign(schema.references.size(), false);
  foreign_.resize(schema.self_references.size());
}

parsers::Diagnostic Validator::Build(const Row& row, std::size_t field, const parsers::Rule& rule,
                                     std::string message) const {
  parsers::Diagnostic d;
  d.rule = &rule;
  if (diagnostics_.Saturated(rule)) return d;
  const auto& specs = *layout_->fields;
  const bool has_field = field < fields_.size();
  const auto& f = has_field ? fields_[field] : parsers::delimited::Field{};
  const std::uint32_t pos = has_field ? f.pos : static_cast<std::uint32_t>(row.raw.size());
  const auto at = parsers::delimited::PositionIn(row, pos);
  d.offset = row.offset + pos;
  d.line = at.line;
  d.column = at.column;
  d.record = row.number;
  if (field < specs.size()) {
    const FieldSpec& spec = specs[field];
    d.field = spec.name;
    if (has_field) {
      d.bytes = std::string(f.text.substr(0, 256));
      d.bytes_personal = spec.personal;
    }
  }
  const std::uint32_t start = parsers::SetExcerpt(d, row.raw, pos, has_field ? f.width : 1);
  // Mask every personal field the excerpt shows, not only the one at fault.
  for (std::size_t i = 0; i < fields_.size() && i < specs.size(); ++i) {
    if (!specs[i].personal) continue;
    const std::uint32_t b = std::max(fields_[i].pos, start);
    const std::uint32_t e = std::min<std::uint32_t>(
        fields_[i].pos + fields_[i].width, start + static_cast<std::uint32_t>(d.excerpt.size()));
    if (b < e) {
      d.personal.push_back(
          {static_cast<std::uint16_t>(b - start), static_cast<std::uint16_t>(e - start)});
    }
  }
  d.message = std::move(message);
  return d;
}

void Validator::Report(const Row& row, std::size_t field, const parsers::Rule& rule,
                       std::string message) {
  diagnostics_.Report(Build(row, field, rule, std::move(message)));
}

void Validator::CheckHeader(const Row& row) {
  const auto& fields = schema_.fields;
  const std::size_t n = row.fields.size();
  // The header's names as UTF-8, as the schema writes them.
  std::vector<std::string> converted;
  std::vector<std::string_view> heads;
  if (schema_.encoding == parsers::delimited::Encoding::kWindows1252) {
    converted.resize(n);
    for (std::size_t i = 0; i < n; ++i) AppendWindows1252AsUtf8(converted[i], row.fields[i].text);
    heads.assign(converted.begin(), converted.end());
  } else {
    for (std::size_t i = 0; i < n; ++i) heads.push_back(row.fields[i].text);
  }
  bool same = n == fields.size();
  for (std::size_t i = 0; same && i < n; ++i) same = heads[i] == fields[i].name;
  if (same) return;
  // Every difference by name, in one run: a field missing, in another column, or headed in
  // other letter case; a column the schema does not have.
  const auto lower = [](std::string_view v) {
    std::string out(v);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  std::vector<bool> matched(n, false);
  std::vector<std::pair<std::size_t, std::string>> found;  // (column, message)
  std::vector<std::size_t> missing;                        // fields no column heads
  for (std::size_t k = 0; k < fields.size(); ++k) {
    const std::string& want = fields[k].name;
    std::size_t at = n;
    for (std::size_t i = 0; i < n && at == n; ++i) {
      if (!matched[i] && heads[i] == want) at = i;
    }
    bool case_only = false;
    for (std::size_t i = 0; i < n && at == n; ++i) {
      if (!matched[i] && lower(heads[i]) == lower(want)) {
        at = i;
        case_only = true;
      }
    }
    if (at == n) {
      missing.push_back(k);
      continue;
    }
    matched[at] = true;
    if (case_only && schema_.case_insensitive_header) case_only = false;
    if (case_only) {
      found.emplace_back(
          at, fmt::format("column {} is headed {} where the schema's field is {} "
                          "(letter case differs{})",
                          at + 1, Quoted(heads[at]), Quoted(want),
                          at == k ? "" : fmt::format("; it is the schema's field {}", k + 1)));
    } else if (at != k) {
      found.emplace_back(at, fmt::format("column {} is headed {}, the schema's field {}: the "
                                         "columns are in another order",
                                         at + 1, Quoted(want), k + 1));
    }
  }
  // A field missing where a column no field names stands: headed otherwise (renamed).
  for (const std::size_t k : missing) {
    if (k < n && !matched[k]) {
      matched[k] = true;
      found.emplace_back(k, fmt::format("column {} is headed {} where the schema's field is {}",
                                        k + 1, Quoted(heads[k]), Quoted(fields[k].name)));
    } else {
      found.emplace_back(std::min(k, n), fmt::format("the schema's field {} ({}) is missing "
                                                     "from the header",
                                                     Quoted(fields[k].name), k + 1));
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (!matched[i]) {
      found.emplace_back(i, fmt::format("column {} is headed {}, which is no field of the "
                                        "schema's ({} fields)",
                                        i + 1, Quoted(heads[i]), fields.size()));
    }
  }
  std::sort(found.begin(), found.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [column, message] : found) Report(row, column, rules::kHeader, std::move(message));
}

namespace {

// The constraints, as predicates the quick path and the general path share.
bool IsNan(const FieldSpec& f, const Value& v) noexcept {
  return f.type == Type::kNumber && f.domain != Domain::kPence && std::isnan(v.x);
}

bool BelowMinimum(const FieldSpec& f, const Value& v) noexcept {
  return f.constraints.has_minimum && (IsNan(f, v) || Compare(f, v, f.constraints.minimum) < 0);
}

bool AboveMaximum(const FieldSpec& f, const Value& v) noexcept {
  return f.constraints.has_maximum && (IsNan(f, v) || Compare(f, v, f.constraints.maximum) > 0);
}

bool MatchesPattern(const Constraints& c, std::string_view text) {
  if (!c.pattern) return true;
  return c.fixed_pattern ? c.fixed_pattern->Matches(text)
                         : RE2::FullMatch(re2::StringPiece(text.data(), text.size()), *c.pattern);
}

bool InEnum(const FieldSpec& f, const Value& v) noexcept {
  const Constraints& c = f.constraints;
  if (c.enum_values.empty()) return true;
  const bool textual =
      f.domain != Domain::kPence && (f.type == Type::kString || f.type == Type::kAny);
  for (const Value& e : c.enum_values) {
    if (textual ? v.text == e.text : Compare(f, v, e) == 0) return true;
  }
  return false;
}

bool HasLengthLimit(const Constraints& c) noexcept {
  return c.min_length >= 0 || c.max_length >= 0;
}

bool LengthWithin(const Constraints& c, std::int64_t n) noexcept {
  return (c.min_length < 0 || n >= c.min_length) && (c.max_length < 0 || n <= c.max_length);
}

}  // namespace

bool Validator::CheckField(const Row& row, std::size_t i, Value& v, bool& present) {
  const FieldSpec& f = (*layout_->fields)[i];
  const std::string_view text = fields_[i].text;
  const Constraints& c = f.constraints;
  const bool utf8 = schema_.encoding == parsers::delimited::Encoding::kUtf8;
  // The quick path: a value with nothing to report is decided without building a finding.
  if (f.quick != nullptr && f.only_empty_missing && !text.empty()) {
    v = Value{};
    if (f.quick(f, text, v) &&
        (f.quick_bound == QuickBound::kNone ||
         (!BelowMinimum(f, v) && !AboveMaximum(f, v) &&
          (!HasLengthLimit(c) ||
           LengthWithin(c, static_cast<std::int64_t>(CharacterCount(text, utf8)))) &&
          MatchesPattern(c, text) && InEnum(f, v)))) {
      missing_[i] = false;
      present = true;
      return true;
    }
  }
  present = false;
  missing_[i] = f.only_empty_missing ? text.empty()
                                     : std::find(f.missing_values.begin(), f.missing_values.end(),
                                                 text) != f.missing_values.end();
  if (missing_[i]) {
    if (!c.required) return true;
    Report(row, i, rules::kRequired, fmt::format("{} is required and has no value", f.name));
    return false;
  }
  v = Value{};
  if (!Cast(f, text, v)) {
    Report(row, i, rules::kType,
           TooLarge(f, text)
               ? fmt::format("{} in {} is a whole number too large to hold (from "
                             "-9223372036854775808 to 9223372036854775807)",
                             Shown(f, text), f.name)
               : fmt::format("{} in {} is not {}", Shown(f, text), f.name, DescribeType(f)));
    return false;
  }
  std::string why;
  if (const parsers::Rule* broken = CheckDomain(f, text, v, why)) {
    Report(row, i, *broken, fmt::format("{} in {}: {}", Shown(f, text), f.name, why));
    if (broken->severity == parsers::Severity::kError) return false;
  }
  present = true;
  bool ok = true;
  if (HasLengthLimit(c)) {
    const auto n = static_cast<std::int64_t>(CharacterCount(text, utf8));
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
  if (BelowMinimum(f, v)) {
    Report(row, i, rules::kMinimum,
           fmt::format("{} in {} is below the minimum {}", Shown(f, text), f.name, c.minimum_text));
    ok = false;
  }
  if (AboveMaximum(f, v)) {
    Report(row, i, rules::kMaximum,
           fmt::format("{} in {} is above the maximum {}", Shown(f, text), f.name, c.maximum_text));
    ok = false;
  }
  if (!MatchesPattern(c, text)) {
    Report(row, i, rules::kPattern,
           fmt::format("{} in {} does not match the pattern {}", Shown(f, text), f.name,
                       c.pattern_text));
    ok = false;
  }
  if (!InEnum(f, v)) {
    Report(row, i, rules::kEnum,
           fmt::format("{} in {} is not one of: {}", Shown(f, text), f.name, EnumList(f)));
    ok = false;
  }
  if (c.unique) {
    const std::uint64_t fp = Fingerprint(f, v);
    if (options_.block) {
      Defer(row, static_cast<std::uint32_t>(i), fp);
    } else if (const std::uint64_t first = layout_->unique[i].FirstOrInsert(fp, row.number)) {
      ReportRepeat(row, i, first);
      ok = false;
    }
  }
  return ok;
}

void Validator::ReportRepeat(const Row& row, std::size_t field, std::uint64_t first) {
  const FieldSpec& f = (*layout_->fields)[field];
  const std::string_view text = field < fields_.size() ? fields_[field].text : std::string_view();
  Report(row, field, rules::kUnique,
         fmt::format("{} in {} must be unique; it first appears in row {}", Shown(f, text), f.name,
                     first));
}

void Validator::ReportKeyRepeat(const Row& row, std::uint64_t first) {
  const auto& specs = *layout_->fields;
  std::string names;
  for (const int k : schema_.primary_key) {
    names += (names.empty() ? "" : ", ") + specs[static_cast<std::size_t>(k)].name;
  }
  Report(row, static_cast<std::size_t>(schema_.primary_key[0]), rules::kPrimaryKey,
         fmt::format("the primary key ({}) repeats row {}", names, first));
}

// Which layout a record has, by its discriminator; null (with a finding) when none.
Validator::Layout* Validator::Discriminate(const Row& row) {
  const auto& r = schema_.records;
  if (!r.enabled) return &layouts_[0];
  std::string_view code;
  std::uint32_t pos = 0, width = 1;
  if (r.column >= 0) {
    const auto c = static_cast<std::size_t>(r.column);
    if (c < row.fields.size()) {
      code = row.fields[c].text;
      pos = row.fields[c].pos;
      width = std::max<std::uint32_t>(row.fields[c].width, 1);
    }
  } else if (r.slice.start < row.raw.size()) {
    code = row.raw.substr(r.slice.start, r.slice.width);
    pos = r.slice.start;
    width = r.slice.width;
  }
  for (Layout& l : layouts_) {
    if (l.code == code) return &l;
  }
  std::string codes;
  for (const Layout& l : layouts_) codes += (codes.empty() ? "" : ", ") + Quoted(l.code);
  parsers::Diagnostic d;
  d.rule = &rules::kRecordType;
  if (!diagnostics_.Saturated(rules::kRecordType)) {
    const auto at = parsers::delimited::PositionIn(row, pos);
    d.offset = row.offset + pos;
    d.line = at.line;
    d.column = at.column;
    d.record = row.number;
    parsers::SetExcerpt(d, row.raw, pos, width);
    d.personal.push_back({0, static_cast<std::uint16_t>(d.excerpt.size())});
    d.message = fmt::format("record type {} is none the schema knows ({})", Quoted(code), codes);
  }
  diagnostics_.Report(std::move(d));
  return nullptr;
}

void Validator::CheckOrder(const Row& row, const Layout& layout) {
  const auto& r = schema_.records;
  const auto order = [&](std::string message) {
    Report(row, fields_.size() + 1, rules::kRecordOrder, std::move(message));
  };
  if (trailer_seen_) {
    order(fmt::format("a {} record after the trailer (line {}): the trailer must be last",
                      layout.role, trailer_line_));
  }
  if (layout.role == std::string_view("header")) {
    if (records_ > 1) order("the header record is not the first record");
    if (header_seen_) order("a second header record");
    header_seen_ = true;
  } else if (records_ == 1 && r.header) {
    order(fmt::format("the file starts with a {} record; the first must be the header ({})",
                      layout.role, Quoted(r.header->code)));
  }
  if (layout.role == std::string_view("trailer")) {
    trailer_seen_ = true;
    trailer_line_ = row.line;
  }
}

void Validator::CheckRules(const Row& row) {
  const auto& specs = *layout_->fields;
  for (const CrossRule& rule : schema_.rules) {
    const auto l = static_cast<std::size_t>(rule.left), r = static_cast<std::size_t>(rule.right);
    if (l >= fields_.size() || r >= fields_.size()) continue;
    if (rule.kind == CrossRule::Kind::kRequiredWhen) {
      if (missing_[l] && !missing_[r]) {
        Report(row, l, rules::kRule,
               fmt::format("{} has no value, but {} has one: {}", specs[l].name, specs[r].name,
                           rule.text));
      }
      continue;
    }
    if (!present_[l] || !present_[r]) continue;
    int cmp = 0;
    if (specs[l].type == specs[r].type) {
      cmp = Compare(specs[l], values_[l], values_[r]);
    } else {  // an integer beside a number
      const auto real = [](const FieldSpec& f, const Value& v) {
        return f.type == Type::kNumber ? v.x : static_cast<double>(v.n);
      };
      const double a = real(specs[l], values_[l]), b = real(specs[r], values_[r]);
      cmp = a < b ? -1 : a > b ? 1 : 0;
    }
    bool holds = false;
    switch (rule.op) {
      case CompareOp::kLt:
        holds = cmp < 0;
        break;
      case CompareOp::kLe:
        holds = cmp <= 0;
        break;
      case CompareOp::kEq:
        holds = cmp == 0;
        break;
      case CompareOp::kNe:
        holds = cmp != 0;
        break;
      case CompareOp::kGe:
        holds = cmp >= 0;
        break;
      case CompareOp::kGt:
        holds = cmp > 0;
        break;
    }
    if (!holds) {
      Report(row, l, rules::kRule,
             fmt::format("{} {} and {} {} break the rule {}", specs[l].name,
                         Shown(specs[l], fields_[l].text), specs[r].name,
                         Shown(specs[r], fields_[r].text), rule.text));
    }
  }
}

// The header's or trailer's control values, kept with where they are for the finding.
void Validator::Carry(const Row& row, const Layout& layout) {
  for (std::size_t k = 0; k < schema_.controls.size(); ++k) {
    const Control& c = schema_.controls[k];
    if (layout.role != std::string_view(c.in_header ? "header" : "trailer")) continue;
    const auto i = static_cast<std::size_t>(c.field);
    Carried& carried = carried_[k];
    carried.seen = true;
    carried.present = i < fields_.size() && present_[i];
    carried.value = carried.present ? values_[i].n : 0;
    carried.at = Build(row, i, rules::kControl, {});
  }
}

void Validator::SetFields(const Row& row, const Layout& layout) {
  // Fixed-width lines arrive whole and are sliced by their layout.
  if (!schema_.fixed_width) {
    fields_ = row.fields;
    return;
  }
  sliced_.clear();
  const auto length = static_cast<std::uint32_t>(row.raw.size());
  for (const FieldSpec& f : *layout.fields) {
    if (f.slice.start >= length) break;
    const std::uint32_t width = std::min(f.slice.width, length - f.slice.start);
    sliced_.push_back({row.raw.substr(f.slice.start, width), f.slice.start, width, false});
  }
  fields_ = sliced_;
}

void Validator::OnRow(const Row& row) {
  if (schema_.header && row.number == 1 && options_.starts_file) {
    layout_ = &layouts_[0];
    fields_ = row.fields;
    CheckHeader(row);
    return;
  }
  ++records_;
  last_line_ = row.line;
  Layout* layout = Discriminate(row);
  if (layout == nullptr) return;
  layout_ = layout;
  const auto& specs = *layout->fields;
  const std::size_t n = specs.size();
  SetFields(row, *layout);
  if (schema_.records.enabled) CheckOrder(row, *layout);
  const bool is_data = layout == &layouts_[0];
  if (is_data) ++data_rows_;
  const bool blank = schema_.fixed_width
                         ? row.raw.empty()
                         : fields_.size() == 1 && fields_[0].text.empty() && !fields_[0].quoted;
  if (blank && n > 1) {
    FlushPadding();
    Report(row, n, rules::kBlank, "the line is blank");
    return;
  }
  // Rows of nothing but delimiters where fields are required: one finding for each run of
  // them, with its range, instead of one per field and row.
  if (is_data && any_required_ && !schema_.fixed_width && fields_.size() == n && n > 1 &&
      std::all_of(fields_.begin(), fields_.end(),
                  [](const auto& f) { return f.text.empty() && !f.quoted; })) {
    if (padding_rows_++ == 0) {
      padding_ = Build(row, 0, rules::kPadding, "");
      padding_first_ = row.line;
      padding_at_start_ = records_ == 1;
    }
    padding_last_ = row.line;
    return;
  }
  FlushPadding();
  bool row_ok = true;
  const std::string_view kind = schema_.records.enabled ? layout->role : "";
  if (schema_.fixed_width) {
    if (row.raw.size() != layout->line_width) {
      Report(row, std::min(fields_.size(), n), rules::kWidth,
             fmt::format("the {}line is {} bytes long; the layout is {}",
                         kind.empty() ? "" : std::string(kind) + " ", row.raw.size(),
                         layout->line_width));
      row_ok = false;
    }
  } else if (fields_.size() != n) {
    Report(row, std::min(fields_.size(), n), rules::kRagged,
           fmt::format("the {}row has {} field{}; the schema has {}",
                       kind.empty() ? "" : std::string(kind) + " ", fields_.size(),
                       fields_.size() == 1 ? "" : "s", n));
    row_ok = false;
  }
  const std::size_t checked = std::min(fields_.size(), n);
  for (std::size_t i = 0; i < checked; ++i) {
    bool present = false;
    if (!Settled(specs[i], fields_[i].text, i, values_[i], present)) {
      row_ok &= CheckField(row, i, values_[i], present);
    }
    present_[i] = present;
  }
  for (std::size_t i = checked; i < n; ++i) {
    present_[i] = false;
    missing_[i] = false;
  }
  if (!is_data) {
    Carry(row, *layout);
    if (options_.typed != nullptr) {
      options_.typed->OnOtherRecord(row, layout->role, {values_.data(), n}, {present_.get(), n});
    }
    return;
  }
  if (options_.modulus != nullptr && modulus_fields_) {
    for (std::size_t i = 0; i < checked; ++i) {
      const FieldSpec& f = specs[i];
      if (f.domain != Domain::kAccountNumber || f.sort_code_field < 0 || !present_[i]) continue;
      const auto s = static_cast<std::size_t>(f.sort_code_field);
      if (s >= checked || !present_[s]) continue;
      std::string sort;
      for (const char c : fields_[s].text) {
        if (c != '-') sort.push_back(c);
      }
      if (options_.modulus->Check(sort, fields_[i].text) == ModulusResult::kInvalid) {
        Report(row, i, rules::kModulus,
               fmt::format("sort code {} with account {} fails the modulus check ({})",
                           fields_[s].text, f.name, options_.modulus->version()));
        row_ok = false;
      }
    }
  }
  if (!schema_.rules.empty()) CheckRules(row);
  for (std::size_t k = 0; k < schema_.references.size(); ++k) {
    const Reference& ref = schema_.references[k];
    const auto i = static_cast<std::size_t>(ref.field);
    if (i >= checked || !present_[i]) continue;
    if (reference_sets_[k] == nullptr) {
      if (!reference_warned_[k]) {
        reference_warned_[k] = true;
        Report(row, i, rules::kReferenceUnchecked,
               fmt::format("{} must be a {} of a {} file, and none was given: no record's {} is "
                           "checked against it",
                           specs[i].name, ref.key, ref.feed, specs[i].name));
      }
      continue;
    }
    if (reference_sets_[k]->find(fields_[i].text) == reference_sets_[k]->end()) {
      Report(row, i, rules::kReference,
             fmt::format("{} {} is not a {} in the {} file", specs[i].name,
                         Shown(specs[i], fields_[i].text), ref.key, ref.feed));
      row_ok = false;
    }
  }
  for (std::size_t k = 0; k < schema_.self_references.size(); ++k) {
    ForeignKeyRow(row, k, checked);
  }
  for (std::size_t k = 0; k < schema_.controls.size(); ++k) {
    const Control& c = schema_.controls[k];
    if (c.what != Control::What::kSum) continue;
    const auto i = static_cast<std::size_t>(c.sum_field);
    if (i < checked && present_[i] &&
        __builtin_add_overflow(sums_[k].total, values_[i].n, &sums_[k].total)) {
      sums_[k].overflow = true;
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
      fp = Mix(fp ^ Fingerprint(specs[i], values_[i]));
    }
    if (complete && options_.block) {
      Defer(row, kKey, fp);
    } else if (complete) {
      if (const std::uint64_t first = primary_.FirstOrInsert(fp, row.number)) {
        ReportKeyRepeat(row, first);
        row_ok = false;
      }
    }
  }
  if (options_.typed != nullptr) {
    options_.typed->OnTypedRow(row, {values_.data(), n}, {present_.get(), n}, row_ok);
  }
}

void Validator::FlushPadding() {
  if (padding_rows_ == 0) return;
  if (options_.block) {  // the whole file's validator reports it, joined to its neighbours
    padding_runs_.push_back(
        {std::move(padding_), padding_first_, padding_last_, padding_rows_, padding_at_start_});
    padding_ = {};
    padding_rows_ = 0;
    return;
  }
  padding_.message = padding_rows_ == 1
                         ? fmt::format("row {} has every field empty", padding_first_)
                         : fmt::format("rows {} to {} ({} rows) have every field empty",
                                       padding_first_, padding_last_, padding_rows_);
  diagnostics_.Report(std::move(padding_));
  padding_ = {};
  padding_rows_ = 0;
}

// A foreign key within the file: the record's key value first (a record may refer to
// itself), then its reference, resolved now or held until a later record has the key.
void Validator::ForeignKeyRow(const Row& row, std::size_t k, std::size_t checked) {
  const SelfReference& ref = schema_.self_references[k];
  Foreign& state = foreign_[k];
  const auto key = static_cast<std::size_t>(ref.key);
  const auto field = static_cast<std::size_t>(ref.field);
  if (key < checked && present_[key]) {
    auto [it, added] = state.keys.emplace(fields_[key].text);
    if (added) state.pending.erase(*it);
  }
  if (field >= checked || !present_[field]) return;
  const std::string_view value = fields_[field].text;
  if (state.keys.find(value) != state.keys.end()) return;
  if (const auto it = state.pending.find(value); it != state.pending.end()) {
    ++it->second.more;
    return;
  }
  if (state.pending.size() >= kMaxPendingForeign) {
    if (!state.overflowed) {
      state.overflowed = true;
      Report(row, field, rules::kReferenceUnchecked,
             fmt::format("more than {} values of {} wait for a record with that {}; from this "
                         "record on, values not seen as keys so far are not checked",
                         kMaxPendingForeign, ref.text, (*layout_->fields)[key].name));
    }
    return;
  }
  state.pending.emplace(std::string(value),
                        Foreign::Pending{Build(row, field, rules::kForeignKey, {}), 0});
}

bool Validator::ChecksInBlocks(const TableSchema& schema, const ValidatorOptions& options) {
  if (options.typed != nullptr || schema.records.enabled || !schema.controls.empty() ||
      !schema.self_references.empty()) {
    return false;
  }
  return std::all_of(schema.references.begin(), schema.references.end(), [&](const Reference& r) {
    return options.references != nullptr && options.references->count(r.feed) > 0 &&
           options.references->find(r.feed)->second != nullptr;
  });
}

void Validator::Absorb(const Validator& block, std::uint64_t records_before,
                       std::uint64_t lines_before) {
  if (block.records_ == 0) return;
  records_ += block.records_;
  data_rows_ += block.data_rows_;
  last_line_ = block.last_line_ + lines_before;
  // Runs of empty rows: the block's first joins the run this file ended on, if it starts
  // the block; every run but one still open at the block's end is finished.
  const bool joins = !block.padding_runs_.empty()
                         ? block.padding_runs_.front().at_start
                         : block.padding_rows_ > 0 && block.padding_at_start_;
  if (!joins) FlushPadding();
  const auto take = [&](const PaddingRun& run) {
    if (run.at_start && padding_rows_ > 0) {
      padding_rows_ += run.rows;
      padding_last_ = run.last + lines_before;
      return;
    }
    FlushPadding();
    padding_ = run.at;
    padding_.record += records_before;
    padding_.line += lines_before;
    padding_first_ = run.first + lines_before;
    padding_last_ = run.last + lines_before;
    padding_rows_ = run.rows;
  };
  for (const PaddingRun& run : block.padding_runs_) {
    take(run);
    FlushPadding();
  }
  if (block.padding_rows_ > 0) {
    take({block.padding_, block.padding_first_, block.padding_last_, block.padding_rows_,
          block.padding_at_start_});
  }
  for (const Deferred& d : block.deferred_) {
    const std::uint64_t number = d.number + records_before;
    SeenSet& seen = d.field == kKey ? primary_ : layouts_[0].unique[d.field];
    if (const std::uint64_t first = seen.FirstOrInsert(d.fingerprint, number)) {
      ReportDeferred(d, number, d.line + lines_before, first);
    }
  }
}

// A repeat found when a block was absorbed: its row split again to say where.
void Validator::ReportDeferred(const Deferred& d, std::uint64_t number, std::uint64_t line,
                               std::uint64_t first) {
  const parsers::Rule& rule = d.field == kKey ? rules::kPrimaryKey : rules::kUnique;
  if (diagnostics_.Saturated(rule)) {  // counted, not kept: no need to find the row
    parsers::Diagnostic counted;
    counted.rule = &rule;
    diagnostics_.Report(std::move(counted));
    return;
  }
  struct Again final : parsers::delimited::RowSink {
    Validator* v;
    const Deferred* d;
    std::uint64_t number, line, first;
    void OnRow(const Row& split) override {
      const Row row{d->raw, d->offset, line, number, split.fields};
      v->layout_ = &v->layouts_[0];
      v->SetFields(row, *v->layout_);
      if (d->field == kKey) {
        v->ReportKeyRepeat(row, first);
      } else {
        v->ReportRepeat(row, d->field, first);
      }
    }
  } again;
  again.v = this;
  again.d = &d;
  again.number = number;
  again.line = line;
  again.first = first;
  parsers::DiagnosticCollector framing(0);  // reported when the block was checked
  parsers::delimited::Parser parser(again, framing, schema_.ParseOptions());
  (void)parser.Feed({d.raw.data(), d.raw.size()}, /*not the file's start=*/1, /*last=*/true);
}

void Validator::Finish() {
  FlushPadding();
  for (std::size_t k = 0; k < foreign_.size(); ++k) {
    const SelfReference& ref = schema_.self_references[k];
    const FieldSpec& f = schema_.fields[static_cast<std::size_t>(ref.field)];
    const std::string& key = schema_.fields[static_cast<std::size_t>(ref.key)].name;
    std::vector<std::pair<const std::string*, Foreign::Pending*>> left;
    for (auto& [value, p] : foreign_[k].pending) left.emplace_back(&value, &p);
    std::sort(left.begin(), left.end(), [](const auto& a, const auto& b) {
      return a.second->at.offset < b.second->at.offset;
    });
    for (auto& [value, p] : left) {
      parsers::Diagnostic d = std::move(p->at);
      d.message =
          fmt::format("{} {} is not the {} of any record in the file{} (foreign key {})", f.name,
                      Shown(f, *value), key,
                      p->more == 0   ? std::string()
                      : p->more == 1 ? std::string("; 1 more record refers to it")
                                     : fmt::format("; {} more records refer to it", p->more),
                      ref.text);
      diagnostics_.Report(std::move(d));
    }
    foreign_[k].pending.clear();
  }
  const auto& r = schema_.records;
  if (r.enabled && records_ > 0) {
    const auto missing = [&](std::string_view role, const std::optional<RecordLayout>& l,
                             bool seen) {
      if (!l || seen) return;
      // A missing header is missed at the start, a missing trailer at the end.
      parsers::ReportAt(diagnostics_, rules::kRecordOrder, role == "trailer" ? last_line_ : 1, 1,
                        {},
                        fmt::format("the file has no {} record ({}){}", role, Quoted(l->code),
                                    role == "trailer" ? ": it may have been cut short" : ""));
    };
    missing("header", r.header, header_seen_);
    missing("trailer", r.trailer, trailer_seen_);
  }
  for (std::size_t k = 0; k < schema_.controls.size(); ++k) {
    const Control& c = schema_.controls[k];
    const Carried& carried = carried_[k];
    if (!carried.seen || !carried.present) continue;  // reported as it was read
    const bool pence = r.trailer || r.header ? (c.in_header ? r.header : r.trailer)
                                                       ->fields[static_cast<std::size_t>(c.field)]
                                                       .domain == Domain::kPence
                                             : false;
    const std::int64_t actual =
        c.what == Control::What::kCount ? static_cast<std::int64_t>(data_rows_) : sums_[k].total;
    if (!sums_[k].overflow && actual == carried.value) continue;
    parsers::Diagnostic d = carried.at;
    if (!diagnostics_.Saturated(rules::kControl)) {
      const auto money = [&](std::int64_t v) {
        return pence ? fmt::format("{}{}.{:02}", v < 0 ? "-" : "", (v < 0 ? -v : v) / 100,
                                   (v < 0 ? -v : v) % 100)
                     : std::to_string(v);
      };
      d.message = sums_[k].overflow
                      ? fmt::format("the data records' total is beyond 64 bits ({})", c.text)
                      : fmt::format("{} says {}, but {} {}: {}", d.field, money(carried.value),
                                    c.what == Control::What::kCount ? "the data records number"
                                                                    : "they add up to",
                                    money(actual), c.text);
    }
    diagnostics_.Report(std::move(d));
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
                                         &kPadding,
                                         &kWidth,
                                         &kType,
                                         &kRequired,
                                         &kUnique,
                                         &kPrimaryKey,
                                         &kRecordType,
                                         &kRecordOrder,
                                         &kControl,
                                         &kRule,
                                         &kReference,
                                         &kReferenceUnchecked,
                                         &kForeignKey,
                                         &kResourceBytes,
                                         &kResourceHash,
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

namespace rbgate::schemas::table {

std::shared_ptr<const ReferenceValues> LoadReferenceValues(const TableSchema& schema,
                                                           const std::string& key,
                                                           const std::string& path,
                                                           std::string& error) {
  int index = -1;
  for (std::size_t i = 0; i < schema.fields.size(); ++i) {
    if (schema.fields[i].name == key) index = static_cast<int>(i);
  }
  if (index < 0) {
    error = fmt::format("{} has no field {}", schema.name, key);
    return nullptr;
  }
  const Type type = schema.fields[static_cast<std::size_t>(index)].type;
  if (type != Type::kString && type != Type::kAny) {
    error = fmt::format("{}'s {} is not a string field; references compare text", schema.name, key);
    return nullptr;
  }
  struct Collect final : TypedRowSink {
    std::size_t index;
    ReferenceValues values;
    void OnTypedRow(const parsers::delimited::Row&, std::span<const Value> v,
                    std::span<const bool> present, bool) override {
      if (present[index]) values.emplace(v[index].text);
    }
  } collect;
  collect.index = static_cast<std::size_t>(index);
  parsers::DiagnosticCollector diagnostics(1);
  Validator validator(schema, diagnostics, {nullptr, &collect, nullptr});
  parsers::delimited::Parser parser(validator, diagnostics, schema.ParseOptions());
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = path + ": cannot read";
    return nullptr;
  }
  std::stringstream text;
  text << in.rdbuf();
  parsers::delimited::ParseBuffer(parser, text.str());
  validator.Finish();
  if (diagnostics.errors() > 0) {
    error = fmt::format("{} is not a valid {} file ({} errors; rbgate check --feed {} says which)",
                        path, schema.name, diagnostics.errors(), schema.name);
    return nullptr;
  }
  return std::make_shared<const ReferenceValues>(std::move(collect.values));
}

std::shared_ptr<const ReferenceValues> ReferenceCache::Get(const TableSchema& schema,
                                                           const std::string& key,
                                                           const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return nullptr;
  const std::int64_t mtime = std::int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec;
  std::lock_guard lock(mu_);
  Entry& e = entries_[path + '\n' + key];
  if (e.mtime_ns != mtime || e.size != st.st_size) {
    std::string error;
    e = {mtime, st.st_size, LoadReferenceValues(schema, key, path, error)};
  }
  return e.values;
}

}  // namespace rbgate::schemas::table
