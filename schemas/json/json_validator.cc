#include "schemas/json/json_validator.h"

#include <fmt/format.h>
#include <re2/re2.h>
#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <optional>
#include <unordered_map>

#include "parsers/json/syntax.h"
#include "schemas/json/rules.h"
#include "schemas/table/cast.h"
#include "schemas/values.h"

namespace rbgate::schemas::json {
namespace {

namespace od = simdjson::ondemand;

// Deepest nesting accepted. Checked before a record is read, so that neither simdjson nor
// the validator's recursion (a schema may recurse through $ref) ever goes deeper.
constexpr std::size_t kMaxDepth = 64;

std::string TypeNames(std::uint8_t types) {
  std::string out;
  const std::pair<std::uint8_t, std::string_view> names[] = {
      {kString, "a string"},  {kInteger, "an integer"},
      {kNumber, "a number"},  {kBoolean, "true or false"},
      {kObject, "an object"}, {kArray, "an array"},
      {kNull, "null"}};
  for (const auto& [bit, name] : names) {
    if (!(types & bit) || (bit == kInteger && (types & kNumber))) continue;
    if (!out.empty()) out += " or ";
    out += name;
  }
  return out;
}

std::string_view Kind(std::uint8_t type) {
  switch (type) {
    case kString:
      return "a string";
    case kNumber:
      return "a number";
    case kInteger:
      return "an integer";
    case kBoolean:
      return "a boolean";
    case kObject:
      return "an object";
    case kArray:
      return "an array";
    default:
      return "null";
  }
}

// JSON pointer escaping of one reference token.
void AppendToken(std::string& path, std::string_view key) {
  path += '/';
  for (const char c : key) {
    if (c == '~') {
      path += "~0";
    } else if (c == '/') {
      path += "~1";
    } else {
      path += c;
    }
  }
}

// How deeply `s` nests arrays and objects (strings skipped), stopping once past `limit`.
std::size_t NestingDepth(std::string_view s, std::size_t limit) noexcept {
  std::size_t depth = 0, deepest = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
      if (deepest > limit) return deepest;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

// Where the JSON value that starts at `pos` of `buf` ends: after its token for a scalar
// (`token` as simdjson gives it), after the matching bracket for an object or array.
std::size_t ValueEnd(std::string_view buf, std::size_t pos, std::size_t token) noexcept {
  if (pos >= buf.size()) return buf.size();
  if (buf[pos] != '{' && buf[pos] != '[') return std::min(buf.size(), pos + token);
  return std::min(parsers::json::ClosingBracket(buf, pos), buf.size());
}

// A JSON number as written: its digits (up to 18 significant) and power of ten.
struct Decimal {
  std::uint64_t digits = 0;
  int exponent = 0;
};

std::optional<Decimal> ReadDecimal(std::string_view s) {
  Decimal d;
  std::size_t i = 0, significant = 0;
  if (i < s.size() && s[i] == '-') ++i;
  bool point = false, any = false;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '.') {
      point = true;
      continue;
    }
    if (c < '0' || c > '9') break;
    any = true;
    if (d.digits == 0 && c == '0') {
      if (point) --d.exponent;
      continue;
    }
    if (++significant > 18) return std::nullopt;
    d.digits = d.digits * 10 + static_cast<unsigned>(c - '0');
    if (point) --d.exponent;
  }
  if (!any) return std::nullopt;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    int e = 0, sign = 1;
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) sign = s[i++] == '-' ? -1 : 1;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
      if ((e = e * 10 + (s[i] - '0')) > 400) return std::nullopt;
    }
    d.exponent += sign * e;
  }
  return d;
}

// Whether the number written `x` is a whole multiple of the one written `m`, in decimal (so
// that 19.99 is a multiple of 0.01, which it is not in binary floating point); nullopt when
// the numbers are beyond exact arithmetic here.
std::optional<bool> DecimalMultiple(std::string_view x, std::string_view m) {
  const auto a = ReadDecimal(x), b = ReadDecimal(m);
  if (!a || !b || b->digits == 0) return std::nullopt;
  if (a->digits == 0) return true;
  std::uint64_t num = a->digits, den = b->digits;
  for (int shift = a->exponent - b->exponent; shift != 0; shift += shift > 0 ? -1 : 1) {
    std::uint64_t& grow = shift > 0 ? num : den;
    if (grow > UINT64_MAX / 10) return std::nullopt;
    grow *= 10;
  }
  return num % den == 0;
}

// RFC 3339 full-time: HH:MM:SS[.frac] with Z or an offset; a leap second only at 23:59 UTC.
bool IsTime(std::string_view s) {
  static const RE2 re(R"(([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9]|60)(?:\.[0-9]+)?)"
                      R"((Z|[+-]([01][0-9]|2[0-3]):([0-5][0-9])))");
  int hour = 0, minute = 0, second = 0;
  std::string zone, offset_hour, offset_minute;  // empty for Z
  if (!RE2::FullMatch(re2::StringPiece(s.data(), s.size()), re, &hour, &minute, &second, &zone,
                      &offset_hour, &offset_minute)) {
    return false;
  }
  if (second < 60) return true;
  int utc = hour * 60 + minute;
  if (zone != "Z") {
    const int offset = std::stoi(offset_hour) * 60 + std::stoi(offset_minute);
    utc -= zone[0] == '-' ? -offset : offset;
  }
  return ((utc % 1440) + 1440) % 1440 == 23 * 60 + 59;  // a leap second ends a UTC day
}

bool IsEmail(std::string_view s) {  // ajv-formats' "full" email, which the oracle runs
  static const RE2 re(R"((?i)[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@)"
                      R"((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)");
  return RE2::FullMatch(re2::StringPiece(s.data(), s.size()), re);
}

bool IsUuid(std::string_view s) {
  static const RE2 re(R"((?i)(?:urn:uuid:)?[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12})");
  return RE2::FullMatch(re2::StringPiece(s.data(), s.size()), re);
}

// Applicators nested deeper than this (anyOf within anyOf ...) are refused for the record, and
// so is a record that needs more re-readings than the second bound: a recursive schema with
// anyOf at each level could otherwise take time exponential in the record's depth.
constexpr std::size_t kMaxAgain = 32;
constexpr std::size_t kMaxAgainPerRecord = 100000;

}  // namespace

// One record at a time: the findings wait until the record is done, so that every personal
// value the record holds is masked in each of them.
class JsonValidator::Impl {
 public:
  Impl(const JsonSchema& schema, parsers::DiagnosticSink& diagnostics)
      : schema_(schema), diagnostics_(diagnostics) {
    for (const Node& n : schema.nodes) {
      auto spec = std::make_shared<table::FieldSpec>();
      spec->domain = n.domain;
      spec->wales = n.wales;
      domain_specs_.push_back(std::move(spec));
    }
    // Depth is bounded here; capacity grows with the largest record.
    if (parser_.allocate(1 << 16, kMaxDepth + 2) != simdjson::SUCCESS) throw std::bad_alloc();
  }

  // Validates one record `v` (a document's root or an array's element) found in `text`
  // (the buffer the record lies in, for positions); `base_pointer` is "" for JSON lines and
  // "/N" for an array's element.
  // Starts record number `record` (findings made now belong to it).
  void Begin(std::uint64_t record) {
    record_ = record;
    again_count_ = 0;
    pending_.clear();
    personal_.clear();
    path_.clear();
    nesting_ = 0;
    capture_ = nullptr;
    if (rows_ != nullptr) rows_->Clear(0, rows_->columns());
  }
  void SetRows(RowWriter* rows) { rows_ = rows; }
  // A record read: its row, if rows are asked for (an invalid file's rows are never delivered).
  void EndRecord() {
    if (rows_ != nullptr) rows_->Write();
  }

  template <class V>
  void Record(V& v, std::uint64_t record, const std::string& base_pointer) {
    Begin(record);
    path_ = base_pointer;
    Value(v, 0);
  }

  // Findings of the record, masked and handed over.
  void FlushRecord() {
    for (auto& d : pending_) {
      if (!d.excerpt.empty()) {
        for (const auto& [b, e] : personal_) {
          // Personal ranges are buffer offsets; the excerpt starts at excerpt_start_.
          if (e <= d.offset - d.excerpt_pos || b >= d.offset - d.excerpt_pos + d.excerpt.size()) {
            continue;
          }
          const std::uint64_t start = d.offset - d.excerpt_pos;
          d.personal.push_back({static_cast<std::uint16_t>(std::max(b, start) - start),
                                static_cast<std::uint16_t>(
                                    std::min<std::uint64_t>(e, start + d.excerpt.size()) - start)});
        }
      }
      diagnostics_.Report(std::move(d));
    }
    pending_.clear();
  }

  // Where the record's bytes are, for positions: `buffer` begins at file offset `offset`, on
  // line `line` (1-based).
  void SetBuffer(std::string_view buffer, std::uint64_t offset, std::uint64_t line) {
    buffer_ = buffer;
    buffer_offset_ = offset;
    buffer_line_ = line;
    cursor_ = 0;
    cursor_line_ = line;
    cursor_line_start_ = 0;
  }

  // A finding at byte `pos` of the buffer.
  void Report(const parsers::Rule& rule, std::size_t pos, std::size_t width, std::string_view field,
              std::string message, bool personal_bytes = false, std::string_view bytes = {}) {
    // Past the record's budget of re-readings nothing more is said of it but that.
    if (again_count_ > kMaxAgainPerRecord && &rule != &rules::kWork) return;
    if (probing_ > 0) {  // a trial (anyOf, oneOf, not, if, contains): counted, not reported
      if (probe_faults_++ == 0) probe_first_ = std::move(message);
      return;
    }
    parsers::Diagnostic d;
    d.rule = &rule;
    if (!diagnostics_.Saturated(rule)) {
      pos = std::min(pos, buffer_.size());
      // Line and column: counted forward from the last position asked for.
      if (pos < cursor_) {
        cursor_ = 0;
        cursor_line_ = buffer_line_;
        cursor_line_start_ = 0;
      }
      for (; cursor_ < pos; ++cursor_) {
        if (buffer_[cursor_] == '\n') {
          ++cursor_line_;
          cursor_line_start_ = cursor_ + 1;
        }
      }
      d.offset = buffer_offset_ + pos;
      d.line = cursor_line_;
      d.column = pos - cursor_line_start_ + 1;
      d.record = record_;
      d.field = field;
      d.pointer = path_;
      std::size_t line_end = buffer_.find('\n', cursor_line_start_);
      if (line_end == std::string_view::npos) line_end = buffer_.size();
      const std::string_view line =
          buffer_.substr(cursor_line_start_, line_end - cursor_line_start_);
      parsers::SetExcerpt(d, line, static_cast<std::uint32_t>(pos - cursor_line_start_),
                          static_cast<std::uint32_t>(width));
      d.offset = buffer_offset_ + pos;
      // SetExcerpt's excerpt_pos is relative to its start: keep offsets consistent for masking.
      d.bytes = std::string(bytes.substr(0, 256));
      d.bytes_personal = personal_bytes;
      d.message = std::move(message);
    }
    pending_.push_back(std::move(d));
  }

  std::size_t PosOf(std::string_view token) const {
    if (token.data() < buffer_.data() || token.data() > buffer_.data() + buffer_.size()) {
      return buffer_.size();
    }
    return static_cast<std::size_t>(token.data() - buffer_.data());
  }

  void Malformed(simdjson::error_code error, std::size_t pos) {
    Report(error == simdjson::DEPTH_ERROR ? rules::kDepth : rules::kMalformed, pos, 1, {},
           error == simdjson::DEPTH_ERROR
               ? fmt::format("values are nested deeper than {}", kMaxDepth)
               : fmt::format("not valid JSON: {}", simdjson::error_message(error)));
    failed_ = true;
  }

  bool failed() const noexcept { return failed_; }
  void ResetFailed() noexcept { failed_ = false; }
  od::parser& parser() noexcept { return parser_; }
  std::string_view buffer() const noexcept { return buffer_; }

 private:
  std::string_view FieldName(const Node& n) const {
    // The property's name from the schema (stable), for the finding's field.
    const auto slash = n.pointer.rfind('/');
    return slash == std::string::npos ? std::string_view()
                                      : std::string_view(n.pointer).substr(slash + 1);
  }

  // Inside an object or array of the record: nothing read there goes to a row column.
  struct Nested {
    explicit Nested(Impl& impl) : impl_(impl) {
      impl_.capture_ = nullptr;
      ++impl_.nesting_;
    }
    ~Nested() { --impl_.nesting_; }
    Impl& impl_;
  };

  template <class V>
  void Value(V& v, int index) {
    if (failed_) return;
    // A node that is only a $ref stands for its target (a cycle of bare $refs is refused at
    // load, so this ends).
    while (schema_.nodes[static_cast<std::size_t>(index)].ref >= 0) {
      index = schema_.nodes[static_cast<std::size_t>(index)].ref;
    }
    const Node& n = schema_.nodes[static_cast<std::size_t>(index)];
    od::json_type type;
    std::string_view token;
    if (auto error = v.type().get(type)) return Malformed(error, buffer_.size());
    simdjson::simdjson_result<std::string_view> raw = v.raw_json_token();
    if (auto error = std::move(raw).get(token)) return Malformed(error, buffer_.size());
    const std::size_t pos = PosOf(token);
    const std::string_view field = FieldName(n);
    if (n.never) {
      Report(rules::kNotAllowed, pos, 1, field,
             fmt::format("{}: the schema ({}) allows no value here", path_, n.pointer));
      return;
    }
    if (n.again) Applicators(n, pos, ValueEnd(buffer_, pos, token.size()), field);
    switch (type) {
      case od::json_type::object: {
        od::object o;
        if (auto error = v.get_object().get(o)) return Malformed(error, pos);
        if (!Allowed(n, kObject, pos, field)) return SkipObject(o, pos);
        if (!n.enum_values.empty()) Enum(Scalar{kObject}, n, pos, {}, field);  // never listed
        Object(o, n, pos, field);
        break;
      }
      case od::json_type::array: {
        od::array a;
        if (auto error = v.get_array().get(a)) return Malformed(error, pos);
        if (!Allowed(n, kArray, pos, field)) return SkipArray(a, pos);
        if (!n.enum_values.empty()) Enum(Scalar{kArray}, n, pos, {}, field);
        Array(a, n, pos, field);
        break;
      }
      case od::json_type::string: {
        std::string_view s;
        if (auto error = v.get_string().get(s)) return Malformed(error, pos);
        if (n.personal)
          personal_.push_back({buffer_offset_ + pos, buffer_offset_ + pos + token.size()});
        if (capture_ != nullptr) capture_->assign(s);
        if (!Allowed(n, kString, pos, field)) return;
        String(s, n, pos, token, field);
        break;
      }
      case od::json_type::number: {
        double x = 0;
        bool integer = false;
        od::number num;
        if (v.get_number().get(num) == simdjson::SUCCESS) {
          integer = num.is_int64() || num.is_uint64();
          x = num.as_double();
          if (!integer) integer = std::isfinite(x) && x == std::floor(x);
        } else {
          // Beyond 64 bits: read the token as a double.
          const std::string copy(token.substr(0, std::min<std::size_t>(token.size(), 400)));
          char* end = nullptr;
          x = std::strtod(copy.c_str(), &end);
          integer = std::isfinite(x) && x == std::floor(x);
        }
        if (n.personal)
          personal_.push_back({buffer_offset_ + pos, buffer_offset_ + pos + token.size()});
        if (capture_ != nullptr) capture_->assign(token);
        if (!Allowed(n, integer ? kInteger : kNumber, pos, field, token.size())) return;
        Number(x, n, pos, token, field);
        break;
      }
      case od::json_type::boolean: {
        bool b = false;
        if (auto error = v.get_bool().get(b)) return Malformed(error, pos);
        if (capture_ != nullptr) capture_->assign(b ? "true" : "false");
        if (!Allowed(n, kBoolean, pos, field, token.size())) return;
        Scalar s;
        s.type = kBoolean;
        s.boolean = b;
        Enum(s, n, pos, token, field);
        break;
      }
      case od::json_type::null: {
        bool is_null = false;
        if (auto error = v.is_null().get(is_null)) return Malformed(error, pos);
        if (!is_null) return Malformed(simdjson::INCORRECT_TYPE, pos);
        if (!Allowed(n, kNull, pos, field, token.size())) return;
        Scalar s;
        Enum(s, n, pos, token, field);
        break;
      }
    }
  }

  std::string Where() const { return path_.empty() ? std::string("the record") : path_; }

  // Checks the value at [begin, end) of the buffer against node `index` once more, with a
  // parser of its own, since On Demand reads a value once; positions stay the buffer's. A
  // trial (`probe`) counts its faults and reports none, the first one's message kept in
  // `first`. Returns the faults found.
  std::size_t Again(std::size_t begin, std::size_t end, int index, bool probe,
                    std::string* first = nullptr) {
    if (++again_count_ > kMaxAgainPerRecord) {
      if (again_count_ == kMaxAgainPerRecord + 1) {
        const int saved = probing_;
        probing_ = 0;  // said once, whatever trial is under way
        Report(rules::kWork, begin, 1, {},
               fmt::format("the record needs more than {} readings under the schema's "
                           "applicators (anyOf, oneOf, not, if, contains, ...); it is refused "
                           "rather than read on",
                           kMaxAgainPerRecord));
        probing_ = saved;
      }
      failed_ = true;
      return 1;
    }
    if (again_ >= kMaxAgain) {
      Report(rules::kDepth, begin, 1, {},
             fmt::format("{}: the schema's anyOf, oneOf, allOf, not and if reach deeper than {} "
                         "within one value",
                         Where(), kMaxAgain));
      return 1;
    }
    if (parsers_.size() <= again_) parsers_.push_back(std::make_unique<od::parser>());
    od::parser& parser = *parsers_[again_];
    const std::size_t saved_faults = probe_faults_;
    std::string saved_first;
    if (probe) {
      saved_first = std::move(probe_first_);
      probe_faults_ = 0;
      probe_first_.clear();
      ++probing_;
    }
    const std::size_t before = probing_ > 0 ? probe_faults_ : pending_.size();
    const bool saved_failed = failed_;
    std::string* const saved_capture = capture_;
    const std::size_t depth = path_.size();
    failed_ = false;
    capture_ = nullptr;
    ++nesting_;  // nothing read again goes to a row
    ++again_;
    od::document doc;
    // The buffer has simdjson's padding after its end, so after `end` too.
    const std::size_t capacity = buffer_.size() - begin + simdjson::SIMDJSON_PADDING;
    if (auto error = parser.iterate(buffer_.data() + begin, end - begin, capacity).get(doc)) {
      Malformed(error, begin);
    } else {
      Value(doc, index);
    }
    --again_;
    --nesting_;
    path_.resize(depth);
    capture_ = saved_capture;
    failed_ = saved_failed || again_count_ > kMaxAgainPerRecord;
    const std::size_t found = (probing_ > 0 ? probe_faults_ : pending_.size()) - before;
    if (probe) {
      if (first != nullptr) *first = std::move(probe_first_);
      --probing_;
      probe_faults_ = saved_faults;
      probe_first_ = std::move(saved_first);
    }
    return found;
  }

  // allOf, anyOf, oneOf, not and if/then/else (and a $ref beside other keywords, in allOf).
  void Applicators(const Node& n, std::size_t begin, std::size_t end, std::string_view field) {
    const std::size_t width = std::min<std::size_t>(end - begin, 1);
    for (const int sub : n.all_of) Again(begin, end, sub, false);
    // anyOf and oneOf: each schema tried; with none met, the nearest one's first fault.
    const auto trials = [&](const std::vector<int>& list, std::string_view keyword, bool all,
                            std::vector<std::size_t>& met, std::string& nearest) {
      std::size_t fewest = SIZE_MAX;
      for (std::size_t i = 0; i < list.size(); ++i) {
        std::string first;
        const std::size_t faults = Again(begin, end, list[i], true, &first);
        if (faults == 0) {
          met.push_back(i);
          if (!all) return;
        } else if (faults < fewest) {
          fewest = faults;
          nearest = fmt::format("{}/{}/{} ({} fault{}): {}", n.pointer, keyword, i, faults,
                                faults == 1 ? "" : "s", first);
        }
      }
    };
    if (!n.any_of.empty()) {
      std::vector<std::size_t> met;
      std::string nearest;
      trials(n.any_of, "anyOf", false, met, nearest);
      if (met.empty()) {
        Report(rules::kAnyOf, begin, width, field,
               fmt::format("{} meets none of the {} schemas of {}/anyOf; the nearest is {}",
                           Where(), n.any_of.size(), n.pointer, nearest));
      }
    }
    if (!n.one_of.empty()) {
      std::vector<std::size_t> met;
      std::string nearest;
      trials(n.one_of, "oneOf", true, met, nearest);
      if (met.empty()) {
        Report(rules::kOneOf, begin, width, field,
               fmt::format("{} meets none of the {} schemas of {}/oneOf; the nearest is {}",
                           Where(), n.one_of.size(), n.pointer, nearest));
      } else if (met.size() > 1) {
        Report(rules::kOneOf, begin, width, field,
               fmt::format("{} meets {} of the schemas of {}/oneOf ({}); exactly one must match",
                           Where(), met.size(), n.pointer, fmt::join(met, ", ")));
      }
    }
    if (n.not_ >= 0 && Again(begin, end, n.not_, true) == 0) {
      Report(rules::kNot, begin, width, field,
             fmt::format("{} meets the schema {}/not describes, which is refused", Where(),
                         n.pointer));
    }
    if (n.if_ >= 0 && (n.then_ >= 0 || n.else_ >= 0)) {
      const int branch = Again(begin, end, n.if_, true) == 0 ? n.then_ : n.else_;
      if (branch >= 0) Again(begin, end, branch, false);
    }
  }

  bool Allowed(const Node& n, std::uint8_t type, std::size_t pos, std::string_view field,
               std::size_t width = 1) {
    if (n.types & type) return true;
    Report(rules::kType, pos, width, field,
           fmt::format("{} is {}; the schema ({}) wants {}", path_.empty() ? "the record" : path_,
                       Kind(type), n.pointer, TypeNames(n.types)));
    return false;
  }

  void SkipObject(od::object& o, std::size_t pos) {
    for (auto field : o) {
      if (auto error = field.error()) return Malformed(error, pos);
    }
  }
  void SkipArray(od::array& a, std::size_t pos) {
    for (auto element : a) {
      if (auto error = element.error()) return Malformed(error, pos);
    }
  }

  void Object(od::object& o, const Node& n, std::size_t pos, std::string_view field) {
    std::uint64_t seen = 0;
    std::int64_t count = 0;
    std::vector<std::string> names;  // for dependentRequired and dependentSchemas
    const bool keep_names = !n.dependent_required.empty() || !n.dependent_schemas.empty();
    const std::size_t depth = path_.size();
    // The record's own properties become the row's columns; nothing nested is captured.
    const bool root = nesting_ == 0 && rows_ != nullptr;
    const Nested nested(*this);
    std::vector<int> also;  // patternProperties' schemas beyond the first that apply
    for (auto f : o) {
      if (f.error()) return Malformed(f.error(), pos);
      od::field member = f.value_unsafe();
      const char* raw_key = member.key().raw();
      std::string_view key;
      if (auto error = member.unescaped_key().get(key)) return Malformed(error, pos);
      const std::string name(key);  // the key's view lives only until the next string
      ++count;
      if (keep_names) names.push_back(name);
      if (n.property_names >= 0) PropertyName(n, name, PosOf({raw_key, 0}) - 1);
      const Node::Property* prop = nullptr;
      for (const auto& p : n.properties) {
        if (p.name == name) {
          prop = &p;
          break;
        }
      }
      also.clear();
      for (const auto& pp : n.pattern_properties) {
        if (RE2::PartialMatch(re2::StringPiece(name.data(), name.size()), *pp.pattern)) {
          also.push_back(pp.node);
        }
      }
      int child = -1;
      if (prop != nullptr) {
        child = prop->node;
        if (prop->required_slot >= 0) seen |= std::uint64_t{1} << prop->required_slot;
      } else {
        for (std::size_t r = 0; r < n.required.size(); ++r) {
          if (n.required[r] == name) seen |= std::uint64_t{1} << r;
        }
        if (!also.empty()) {
          child = also.front();
          also.erase(also.begin());
        } else if (n.additional == -2) {
          std::string_view value_token;
          simdjson::simdjson_result<std::string_view> raw = member.value().raw_json_token();
          const std::size_t at =
              std::move(raw).get(value_token) == simdjson::SUCCESS ? PosOf(value_token) : pos;
          AppendToken(path_, name);
          Report(rules::kAdditional, at, 1, {},
                 fmt::format("{} is not a property the schema ({}) allows", path_, n.pointer));
          path_.resize(depth);
          continue;  // its value is skipped
        } else {
          child = n.additional;  // -1: anything, unchecked
        }
      }
      if (child >= 0 || !also.empty()) {
        AppendToken(path_, name);
        od::value value = member.value();
        if (!also.empty()) {  // more than one schema for this value: the others read it again
          std::string_view token;
          simdjson::simdjson_result<std::string_view> raw = value.raw_json_token();
          if (auto error = std::move(raw).get(token)) return Malformed(error, pos);
          const std::size_t at = PosOf(token);
          const std::size_t end = ValueEnd(buffer_, at, token.size());
          for (const int sub : also) Again(at, end, sub, false);
        }
        if (child >= 0) {
          if (root && prop != nullptr)
            capture_ = &(*rows_)[static_cast<std::size_t>(prop - n.properties.data())];
          Value(value, child);
          capture_ = nullptr;
        }
        path_.resize(depth);
        if (failed_) return;
      }
    }
    for (std::size_t r = 0; r < n.required.size(); ++r) {
      if (seen & (std::uint64_t{1} << r)) continue;
      AppendToken(path_, n.required[r]);
      Report(rules::kRequired, pos, 1, n.required[r],
             fmt::format("{} is required by the schema ({}) and missing", path_, n.pointer));
      path_.resize(depth);
    }
    if (n.min_properties >= 0 && count < n.min_properties) {
      Report(rules::kMinProperties, pos, 1, field,
             fmt::format("{} has {} propert{}; the schema ({}) wants at least {}", Where(), count,
                         count == 1 ? "y" : "ies", n.pointer, n.min_properties));
    }
    if (n.max_properties >= 0 && count > n.max_properties) {
      Report(rules::kMaxProperties, pos, 1, field,
             fmt::format("{} has {} properties; the schema ({}) allows at most {}", Where(), count,
                         n.pointer, n.max_properties));
    }
    const auto present = [&](const std::string& name) {
      return std::find(names.begin(), names.end(), name) != names.end();
    };
    for (const auto& [name, wanted] : n.dependent_required) {
      if (!present(name)) continue;
      for (const auto& w : wanted) {
        if (present(w)) continue;
        AppendToken(path_, w);
        Report(rules::kDependentRequired, pos, 1, w,
               fmt::format("{} is required when {} is present (the schema's "
                           "{}/dependentRequired), and missing",
                           path_, name, n.pointer));
        path_.resize(depth);
      }
    }
    for (const auto& [name, sub] : n.dependent_schemas) {
      if (present(name)) Again(pos, ValueEnd(buffer_, pos, 1), sub, false);
    }
  }

  // propertyNames: the name (a JSON string at `at` in the buffer) tried against its schema.
  void PropertyName(const Node& n, const std::string& name, std::size_t at) {
    std::size_t close = at + 1;  // the closing quote
    for (; close < buffer_.size() && buffer_[close] != '"'; ++close) {
      if (buffer_[close] == '\\') ++close;
    }
    std::string first;
    if (Again(at, std::min(close + 1, buffer_.size()), n.property_names, true, &first) > 0) {
      Report(rules::kPropertyNames, at, name.size() + 2, {},
             fmt::format("{} has a property named {} that the schema's {}/propertyNames "
                         "refuses: {}",
                         Where(), QuotedValue(name, false), n.pointer, first));
    }
  }

  void Array(od::array& a, const Node& n, std::size_t pos, std::string_view field) {
    const std::size_t depth = path_.size();
    const Nested nested(*this);
    std::int64_t count = 0, contained = 0;
    std::unordered_map<std::string, std::int64_t> items;  // uniqueItems: canonical form, index
    for (auto element : a) {
      if (element.error()) return Malformed(element.error(), pos);
      od::value value = element.value_unsafe();
      const int node = static_cast<std::size_t>(count) < n.prefix_items.size()
                           ? n.prefix_items[static_cast<std::size_t>(count)]
                           : n.items;
      if (n.contains >= 0 || n.unique_items) {
        std::string_view token;
        simdjson::simdjson_result<std::string_view> raw = value.raw_json_token();
        if (auto error = std::move(raw).get(token)) return Malformed(error, pos);
        const std::size_t at = PosOf(token);
        const std::size_t end = ValueEnd(buffer_, at, token.size());
        path_ += '/';
        path_ += std::to_string(count);
        if (n.contains >= 0 && Again(at, end, n.contains, true) == 0) ++contained;
        if (n.unique_items) Unique(at, end, count, items, pos, field);
        path_.resize(depth);
      }
      if (node >= 0) {
        path_ += '/';
        path_ += std::to_string(count);
        Value(value, node);
        path_.resize(depth);
        if (failed_) return;
      }
      ++count;
    }
    if (n.min_items >= 0 && count < n.min_items) {
      Report(rules::kMinItems, pos, 1, field,
             fmt::format("{} has {} item{}; the minimum is {}", path_, count, count == 1 ? "" : "s",
                         n.min_items));
    }
    if (n.max_items >= 0 && count > n.max_items) {
      Report(rules::kMaxItems, pos, 1, field,
             fmt::format("{} has {} items; the maximum is {}", path_, count, n.max_items));
    }
    if (n.contains >= 0 && contained < n.min_contains) {
      Report(rules::kContains, pos, 1, field,
             fmt::format("{} has {} item{} that meet{} the schema's {}/contains; at least {} must",
                         Where(), contained, contained == 1 ? "" : "s", contained == 1 ? "s" : "",
                         n.pointer, n.min_contains));
    }
    if (n.contains >= 0 && n.max_contains >= 0 && contained > n.max_contains) {
      Report(rules::kContains, pos, 1, field,
             fmt::format("{} has {} items that meet the schema's {}/contains; at most {} may",
                         Where(), contained, n.pointer, n.max_contains));
    }
  }

  // uniqueItems: the item at [at, end) against those before it, compared as JSON values
  // (1 and 1.0 equal, objects whatever their key order).
  void Unique(std::size_t at, std::size_t end, std::int64_t index,
              std::unordered_map<std::string, std::int64_t>& items, std::size_t pos,
              std::string_view field) {
    simdjson::dom::element e;
    if (dom_.parse(buffer_.data() + at, end - at, false).get(e) != simdjson::SUCCESS) return;
    std::string canonical;
    Canonical(e, canonical);
    const auto [it, inserted] = items.emplace(std::move(canonical), index);
    if (inserted) return;
    Report(rules::kUniqueItems, pos, 1, field,
           fmt::format("{} is the same as item {} of the array; the schema wants each item once",
                       path_, it->second));
  }

  static void Canonical(simdjson::dom::element e, std::string& out) {
    simdjson::dom::array list;
    simdjson::dom::object object;
    std::string_view text;
    double number = 0;
    if (e.get(list) == simdjson::SUCCESS) {
      out += '[';
      for (simdjson::dom::element x : list) {
        Canonical(x, out);
        out += ',';
      }
      out += ']';
    } else if (e.get(object) == simdjson::SUCCESS) {
      std::vector<std::pair<std::string_view, simdjson::dom::element>> fields;
      for (auto [k, v] : object) fields.emplace_back(k, v);
      std::sort(fields.begin(), fields.end(),
                [](const auto& x, const auto& y) { return x.first < y.first; });
      out += '{';
      for (const auto& [k, v] : fields) {
        out += fmt::format("{}:{}", k.size(), k);
        Canonical(v, out);
        out += ',';
      }
      out += '}';
    } else if (e.get(text) == simdjson::SUCCESS) {
      out += fmt::format("s{}:{}", text.size(), text);
    } else if (e.is_number() && e.get(number) == simdjson::SUCCESS) {
      out += fmt::format("n{}", number);
    } else {
      out += simdjson::minify(e);  // true, false, null
    }
  }

  std::string Shown(const Node& n, std::string_view s) const { return QuotedValue(s, n.personal); }

  void String(std::string_view s, const Node& n, std::size_t pos, std::string_view token,
              std::string_view field) {
    const std::size_t width = token.size();
    const auto length = static_cast<std::int64_t>(table::CharacterCount(s, true));
    const auto report = [&](const parsers::Rule& rule, std::string message) {
      Report(rule, pos, width, field, std::move(message), n.personal, s);
    };
    if (n.min_length >= 0 && length < n.min_length) {
      report(rules::kMinLength, fmt::format("{} at {} is {} characters; the minimum is {}",
                                            Shown(n, s), path_, length, n.min_length));
    }
    if (n.max_length >= 0 && length > n.max_length) {
      report(rules::kMaxLength, fmt::format("{} at {} is {} characters; the maximum is {}",
                                            Shown(n, s), path_, length, n.max_length));
    }
    if (n.pattern && !RE2::PartialMatch(re2::StringPiece(s.data(), s.size()), *n.pattern)) {
      report(rules::kPattern, fmt::format("{} at {} does not match the pattern {}", Shown(n, s),
                                          path_, n.pattern_text));
    }
    if (n.format != Node::Format::kNone && !InFormat(n.format, s)) {
      static constexpr std::string_view kWhat[] = {
          "",
          "a date (YYYY-MM-DD)",
          "a date-time (RFC 3339: YYYY-MM-DDTHH:MM:SS with Z or an offset)",
          "a time (RFC 3339: HH:MM:SS with Z or an offset such as +01:00)",
          "an email address",
          "a UUID"};
      report(rules::kFormat, fmt::format("{} at {} is not {}", Shown(n, s), path_,
                                         kWhat[static_cast<std::size_t>(n.format)]));
    }
    if (n.domain != table::Domain::kNone) {
      std::string why;
      table::Value v;
      const auto& spec = *domain_specs_[static_cast<std::size_t>(&n - schema_.nodes.data())];
      if (const parsers::Rule* broken = table::CheckDomain(spec, s, v, why)) {
        report(*broken, fmt::format("{} at {}: {}", Shown(n, s), path_, why));
      }
    }
    Scalar scalar;
    scalar.type = kString;
    scalar.text = std::string(s);
    Enum(scalar, n, pos, token, field);
  }

  static bool InFormat(Node::Format format, std::string_view s) {
    switch (format) {
      case Node::Format::kDate:
      case Node::Format::kDateTime: {
        table::FieldSpec spec;
        spec.type = format == Node::Format::kDate ? table::Type::kDate : table::Type::kDateTime;
        table::Value v;
        return table::Cast(spec, s, v);
      }
      case Node::Format::kTime:
        return IsTime(s);
      case Node::Format::kEmail:
        return IsEmail(s);
      case Node::Format::kUuid:
        return IsUuid(s);
      default:
        return true;
    }
  }

  void Number(double x, const Node& n, std::size_t pos, std::string_view token,
              std::string_view field) {
    const std::string shown = n.personal ? Shown(n, token) : std::string(token);
    const auto report = [&](const parsers::Rule& rule, std::string message) {
      Report(rule, pos, token.size(), field, std::move(message), n.personal, token);
    };
    if (n.minimum && !(x >= *n.minimum)) {
      report(rules::kMinimum,
             fmt::format("{} at {} is below the minimum {}", shown, path_, *n.minimum));
    }
    if (n.exclusive_minimum && !(x > *n.exclusive_minimum)) {
      report(rules::kMinimum,
             fmt::format("{} at {} is not above {}", shown, path_, *n.exclusive_minimum));
    }
    if (n.maximum && !(x <= *n.maximum)) {
      report(rules::kMaximum,
             fmt::format("{} at {} is above the maximum {}", shown, path_, *n.maximum));
    }
    if (n.exclusive_maximum && !(x < *n.exclusive_maximum)) {
      report(rules::kMaximum,
             fmt::format("{} at {} is not below {}", shown, path_, *n.exclusive_maximum));
    }
    if (!n.multiple_of.empty()) {
      std::string_view written = token;
      while (!written.empty() && std::isspace(static_cast<unsigned char>(written.back())))
        written.remove_suffix(1);
      auto multiple = DecimalMultiple(written, n.multiple_of);
      if (!multiple) {  // beyond exact decimals: as ajv does, in binary floating point
        const double q = x / std::strtod(n.multiple_of.c_str(), nullptr);
        multiple = std::isfinite(q) && q == std::floor(q);
      }
      if (!*multiple) {
        report(rules::kMultipleOf,
               fmt::format("{} at {} is not a multiple of {}", shown, path_, n.multiple_of));
      }
    }
    Scalar s;
    s.type = kNumber;
    s.number = x;
    Enum(s, n, pos, token, field);
  }

  void Enum(const Scalar& s, const Node& n, std::size_t pos, std::string_view token,
            std::string_view field) {
    if (n.enum_values.empty()) return;
    for (const Scalar& e : n.enum_values) {
      if (e.type != s.type) continue;
      if ((s.type == kNull) || (s.type == kBoolean && e.boolean == s.boolean) ||
          (s.type == kNumber && e.number == s.number) || (s.type == kString && e.text == s.text)) {
        return;
      }
    }
    std::string allowed;
    for (std::size_t i = 0; i < n.enum_values.size() && i < 12; ++i) {
      allowed += (i ? ", " : "") + n.enum_values[i].json;
    }
    if (n.enum_values.size() > 12)
      allowed += fmt::format(" (and {} more)", n.enum_values.size() - 12);
    const std::string shown = n.personal || token.empty()
                                  ? std::string(token.empty() ? Kind(s.type) : "the value")
                                  : std::string(token.substr(0, 60));
    Report(n.is_const ? rules::kConst : rules::kEnum, pos, std::max<std::size_t>(token.size(), 1),
           field,
           n.is_const ? fmt::format("{} at {} must be {}", shown, path_, allowed)
                      : fmt::format("{} at {} is not one of: {}", shown, path_, allowed),
           n.personal, token);
  }

  const JsonSchema& schema_;
  parsers::DiagnosticSink& diagnostics_;
  std::vector<std::unique_ptr<od::parser>> parsers_;  // one for each level of Again
  std::size_t again_ = 0;                             // Again calls in progress
  std::size_t again_count_ = 0;                       // Again calls for this record
  int probing_ = 0;                                   // trials in progress
  std::size_t probe_faults_ = 0;
  std::string probe_first_;
  simdjson::dom::parser dom_;  // uniqueItems: items compared as values
  std::vector<std::shared_ptr<table::FieldSpec>> domain_specs_;
  RowWriter* rows_ = nullptr;
  std::string* capture_ = nullptr;  // the row column the value being read goes to
  int nesting_ = 0;                 // objects and arrays entered within the record
  od::parser parser_;
  std::string path_;
  std::uint64_t record_ = 0;
  std::vector<parsers::Diagnostic> pending_;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> personal_;  // file offsets
  bool failed_ = false;
  std::string_view buffer_;
  std::uint64_t buffer_offset_ = 0, buffer_line_ = 1;
  std::size_t cursor_ = 0, cursor_line_start_ = 0;
  std::uint64_t cursor_line_ = 1;
};

bool StartsAsArray(std::string_view head) noexcept {
  if (head.substr(0, 3) == "\xEF\xBB\xBF") head.remove_prefix(3);
  for (const char c : head) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    return c == '[';
  }
  return false;
}

JsonValidator::JsonValidator(const JsonSchema& schema, parsers::DiagnosticSink& diagnostics)
    : impl_(std::make_unique<Impl>(schema, diagnostics)) {}

JsonValidator::~JsonValidator() = default;

std::size_t JsonValidator::FeedLines(std::span<const char> chunk, std::uint64_t offset, bool last) {
  std::size_t pos = 0;
  if (offset == 0 && chunk.size() >= 3 && std::memcmp(chunk.data(), "\xEF\xBB\xBF", 3) == 0) {
    pos = 3;
  }
  while (pos < chunk.size()) {
    const char* begin = chunk.data() + pos;
    const void* nl = std::memchr(begin, '\n', chunk.size() - pos);
    const char* end = nl ? static_cast<const char*>(nl) : chunk.data() + chunk.size();
    if (skipping_) {  // inside an over-long line: its end, wherever it is
      pos = static_cast<std::size_t>(end - chunk.data()) + (nl ? 1 : 0);
      skipping_ = nl == nullptr;
      continue;
    }
    if (nl == nullptr && !last && chunk.size() - pos <= kMaxLine) break;  // the next window
    std::string_view line(begin, static_cast<std::size_t>(end - begin));
    const std::uint64_t line_offset = offset + pos;
    pos = static_cast<std::size_t>(end - chunk.data()) + (nl ? 1 : 0);
    ++line_;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;  // blank lines
    ++records_;
    impl_->SetBuffer(line, line_offset, line_);
    if (line.size() > kMaxLine) {
      impl_->Begin(records_);
      impl_->Report(rules::kLineLength, 0, 1, {},
                    fmt::format("a JSON line of more than {} bytes; it is skipped", kMaxLine));
      impl_->FlushRecord();
      skipping_ = nl == nullptr && !last;
      continue;
    }
    padded_.resize(line.size() + simdjson::SIMDJSON_PADDING);
    std::memcpy(padded_.data(), line.data(), line.size());
    impl_->SetBuffer({padded_.data(), line.size()}, line_offset, line_);
    impl_->ResetFailed();
    od::document doc;
    if (NestingDepth(line, kMaxDepth) > kMaxDepth) {
      impl_->Begin(records_);
      impl_->Malformed(simdjson::DEPTH_ERROR, 0);
    } else if (auto error =
                   impl_->parser().iterate(padded_.data(), line.size(), padded_.size()).get(doc)) {
      impl_->Begin(records_);
      impl_->Malformed(error, 0);
    } else {
      impl_->Record(doc, records_, "");
      impl_->EndRecord();
      const char* rest = nullptr;
      if (!impl_->failed() && doc.current_location().get(rest) == simdjson::SUCCESS) {
        impl_->Malformed(simdjson::TRAILING_CONTENT, impl_->PosOf({rest, 0}));
      }
    }
    impl_->FlushRecord();
  }
  bytes_ = offset + pos;
  return pos;
}

void JsonValidator::ValidateArray(std::string_view document) {
  bytes_ = document.size();
  std::size_t skip = document.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
  impl_->SetBuffer(document, 0, 1);
  impl_->ResetFailed();
  od::document doc;
  std::string_view rest = document.substr(skip);
  if (NestingDepth(rest, kMaxDepth + 1) > kMaxDepth + 1) {  // the array itself is one level
    impl_->Begin(0);
    impl_->Malformed(simdjson::DEPTH_ERROR, skip);
    impl_->FlushRecord();
    return;
  }
  if (auto error = impl_->parser()
                       .iterate(rest.data(), rest.size(), rest.size() + simdjson::SIMDJSON_PADDING)
                       .get(doc)) {
    impl_->Begin(0);
    impl_->Malformed(error, skip);
    impl_->FlushRecord();
    return;
  }
  od::array array;
  if (auto error = doc.get_array().get(array)) {
    impl_->Begin(0);
    impl_->Malformed(error, skip);
    impl_->FlushRecord();
    return;
  }
  for (auto element : array) {
    if (element.error()) {
      impl_->Begin(records_ + 1);
      impl_->Malformed(element.error(), document.size());
      impl_->FlushRecord();
      return;
    }
    ++records_;
    od::value value = element.value_unsafe();
    impl_->Record(value, records_, "/" + std::to_string(records_ - 1));
    impl_->EndRecord();
    impl_->FlushRecord();
    if (impl_->failed()) return;
  }
  const char* trailing = nullptr;
  if (doc.current_location().get(trailing) == simdjson::SUCCESS) {
    impl_->Begin(records_);
    impl_->Malformed(simdjson::TRAILING_CONTENT, impl_->PosOf({trailing, 0}));
    impl_->FlushRecord();
  }
}

void JsonValidator::SetRows(RowWriter* rows) { impl_->SetRows(rows); }

void JsonValidator::Finish() {
  if (records_ == 0 && bytes_ == 0) {
    impl_->SetBuffer({}, 0, 1);
    impl_->Begin(0);
    impl_->Report(rules::kEmpty, 0, 1, {}, "the file is empty");
    impl_->FlushRecord();
  }
}

}  // namespace rbgate::schemas::json
