#include "schemas/json/json_validator.h"

#include <fmt/format.h>
#include <re2/re2.h>
#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <cstring>

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
    switch (type) {
      case od::json_type::object: {
        od::object o;
        if (auto error = v.get_object().get(o)) return Malformed(error, pos);
        if (!Allowed(n, kObject, pos, field)) return SkipObject(o, pos);
        Object(o, n, pos, field);
        break;
      }
      case od::json_type::array: {
        od::array a;
        if (auto error = v.get_array().get(a)) return Malformed(error, pos);
        if (!Allowed(n, kArray, pos, field)) return SkipArray(a, pos);
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
    const std::size_t depth = path_.size();
    // The record's own properties become the row's columns; nothing nested is captured.
    const bool root = nesting_ == 0 && rows_ != nullptr;
    const Nested nested(*this);
    for (auto f : o) {
      if (f.error()) return Malformed(f.error(), pos);
      od::field member = f.value_unsafe();
      std::string_view key;
      if (auto error = member.unescaped_key().get(key)) return Malformed(error, pos);
      const std::string name(key);  // the key's view lives only until the next string
      const Node::Property* prop = nullptr;
      for (const auto& p : n.properties) {
        if (p.name == name) {
          prop = &p;
          break;
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
        if (n.additional == -2) {
          std::string_view value_token;
          simdjson::simdjson_result<std::string_view> raw = member.value().raw_json_token();
          const std::size_t at =
              std::move(raw).get(value_token) == simdjson::SUCCESS ? PosOf(value_token) : pos;
          AppendToken(path_, name);
          Report(rules::kAdditional, at, 1, {},
                 fmt::format("{} is not a property the schema ({}) allows", path_, n.pointer));
          path_.resize(depth);
          continue;  // its value is skipped
        }
        child = n.additional;  // -1: anything, unchecked
      }
      if (child >= 0) {
        AppendToken(path_, name);
        od::value value = member.value();
        if (root && prop != nullptr)
          capture_ = &(*rows_)[static_cast<std::size_t>(prop - n.properties.data())];
        Value(value, child);
        capture_ = nullptr;
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
    (void)field;
  }

  void Array(od::array& a, const Node& n, std::size_t pos, std::string_view field) {
    const std::size_t depth = path_.size();
    const Nested nested(*this);
    std::int64_t count = 0;
    for (auto element : a) {
      if (element.error()) return Malformed(element.error(), pos);
      if (n.items >= 0) {
        path_ += '/';
        path_ += std::to_string(count);
        od::value value = element.value_unsafe();
        Value(value, n.items);
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
    if (n.format != Node::Format::kNone) {
      table::FieldSpec spec;
      spec.type = n.format == Node::Format::kDate ? table::Type::kDate : table::Type::kDateTime;
      table::Value v;
      if (!table::Cast(spec, s, v)) {
        report(rules::kFormat,
               fmt::format(
                   "{} at {} is not a {}", Shown(n, s), path_,
                   n.format == Node::Format::kDate ? "date (YYYY-MM-DD)" : "date-time (RFC 3339)"));
      }
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
    const std::string shown =
        n.personal ? std::string("the value") : std::string(token.substr(0, 60));
    Report(n.is_const ? rules::kConst : rules::kEnum, pos, token.size(), field,
           n.is_const ? fmt::format("{} at {} must be {}", shown, path_, allowed)
                      : fmt::format("{} at {} is not one of: {}", shown, path_, allowed),
           n.personal, token);
  }

  const JsonSchema& schema_;
  parsers::DiagnosticSink& diagnostics_;
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
