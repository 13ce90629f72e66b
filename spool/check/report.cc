#include "spool/check/report.h"

#include <fmt/format.h>

#include <algorithm>

#include "parsers/utf8.h"
#include "schemas/values.h"

namespace rbgate::check {
namespace {

using parsers::Diagnostic;

// Finds the rule's hint by id (diagnostics carry the rule itself, so this is direct).
std::string_view Hint(const Diagnostic& d) { return d.rule->hint; }

std::string Masked(std::string_view s) {
  std::string out(s.size(), '*');
  return out;
}

std::string ShownBytes(const Diagnostic& d, bool show_personal) {
  return (d.bytes_personal && !show_personal) ? Masked(d.bytes) : d.bytes;
}

}  // namespace

void AppendJsonString(std::string& out, std::string_view s) { schemas::AppendJsonUtf8(out, s); }

std::string JsonQuoted(std::string_view s) {
  std::string out;
  AppendJsonString(out, s);
  return out;
}

// A finding's record as people read it: UTF-8 whatever the file's encoding, personal spans
// masked, unprintable characters as '?', and where the caret goes in characters, not bytes.
struct ShownRecord {
  std::string text;
  std::size_t caret = 0, width = 1;  // in characters
  std::uint32_t column = 0;          // the finding's column in characters (1-based)
};

ShownRecord ShowRecord(const Diagnostic& d, bool show_personal, bool windows1252) {
  ShownRecord out;
  std::string_view s = d.excerpt;
  std::size_t byte = 0, chars = 0, caret_end = 0;
  const std::size_t end = d.excerpt_pos + std::max<std::uint32_t>(d.width, 1);
  const auto personal = [&](std::size_t from, std::size_t to) {
    if (show_personal) return false;
    for (const auto& span : d.personal) {
      if (from < span.end && span.begin < to) return true;
    }
    return false;
  };
  while (byte < s.size()) {
    const auto u = static_cast<unsigned char>(s[byte]);
    const std::size_t utf8 = parsers::Utf8Length(s.substr(byte));
    const std::size_t n = windows1252 || u < 0x80 || utf8 == 0 ? 1 : utf8;
    if (byte <= d.excerpt_pos) out.caret = chars;
    if (byte < end) caret_end = chars + 1;
    if (personal(byte, byte + n)) {
      out.text += '*';
    } else if (u < 0x20 || u == 0x7f || (!windows1252 && u >= 0x80 && utf8 == 0) ||
               (windows1252 && (u == 0x81 || u == 0x8D || u == 0x8F || u == 0x90 || u == 0x9D))) {
      out.text += '?';
    } else if (windows1252 && u >= 0x80) {
      schemas::AppendWindows1252AsUtf8(out.text, s.substr(byte, 1));
    } else {
      out.text.append(s.data() + byte, n);
    }
    byte += n;
    ++chars;
  }
  if (d.excerpt_pos >= s.size()) out.caret = chars + (d.excerpt_pos - s.size());
  out.width = caret_end > out.caret ? caret_end - out.caret : 1;
  // The excerpt is the record from its start: the column is the caret's, in characters.
  out.column = d.column > 0 && d.column == d.excerpt_pos + 1 && !s.empty()
                   ? static_cast<std::uint32_t>(out.caret + 1)
                   : d.column;
  return out;
}

std::string RenderText(const FileReport& r, const RenderOptions& o) {
  std::string out;
  if (!r.problem.empty()) return out;  // said on stderr by the caller
  for (const Diagnostic& d : r.diagnostics.diagnostics()) {
    const ShownRecord shown = ShowRecord(d, o.show_personal, r.windows1252);
    if (d.line > 0) {
      out += fmt::format("{}:{}:{}: {}[{}]: {}\n", r.path, d.line, shown.column,
                         parsers::SeverityName(d.severity()), d.rule->id, d.message);
    } else {
      out += fmt::format("{}: {}[{}]: {}\n", r.path, parsers::SeverityName(d.severity()),
                         d.rule->id, d.message);
    }
    if (!d.excerpt.empty()) {
      std::string gutter = d.line > 0 ? std::to_string(d.line) : "";
      std::string pad(gutter.size(), ' ');
      out += fmt::format(" {} | {}\n", gutter, shown.text);
      out += fmt::format(" {} | {}^{}\n", pad, std::string(shown.caret, ' '),
                         std::string(shown.width - 1, '~'));
    }
    if (!Hint(d).empty()) out += fmt::format("  = hint: {}\n", Hint(d));
  }
  for (const auto& [rule, n] : r.diagnostics.suppressed()) {
    out += fmt::format("{}: note: {} more [{}] finding{} not shown\n", r.path, n, rule,
                       n == 1 ? "" : "s");
  }
  const auto errors = r.diagnostics.errors();
  const auto warnings = r.diagnostics.warnings();
  const std::string shape = r.separator == "xml" || r.separator.empty() ? ""
                            : r.separator.rfind("json", 0) == 0
                                ? ", " + r.separator
                                : fmt::format(", line endings {}", r.separator);
  out += fmt::format("{}: {} ({} record{}, {} bytes{}): {}, {} error{}, {} warning{}\n", r.path,
                     r.feed.empty() ? "no known feed" : r.feed, r.records,
                     r.records == 1 ? "" : "s", r.bytes, shape, r.valid() ? "valid" : "INVALID",
                     errors, errors == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s");
  return out;
}

std::string RenderJson(const std::vector<std::unique_ptr<FileReport>>& reports,
                       const RenderOptions& o) {
  std::string out = "{\"files\":[";
  bool first_file = true;
  for (const auto& r : reports) {
    if (!first_file) out += ',';
    first_file = false;
    out += "{\"path\":";
    AppendJsonString(out, r->path);
    out += ",\"feed\":";
    AppendJsonString(out, r->feed);
    if (!r->schema_sha256.empty()) {
      // The schema that judged it: which version of the feed's file, by its bytes' hash.
      out += ",\"schema\":{\"feed\":";
      AppendJsonString(out, r->feed);
      out += ",\"version\":";
      AppendJsonString(out, r->schema_version);
      out += ",\"sha256\":";
      AppendJsonString(out, r->schema_sha256);
      out += '}';
    }
    out += fmt::format(",\"valid\":{},\"records\":{},\"bytes\":{},\"separator\":",
                       r->valid() ? "true" : "false", r->records, r->bytes);
    AppendJsonString(out, r->separator);
    if (!r->problem.empty()) {
      out += ",\"problem\":";
      AppendJsonString(out, r->problem);
    }
    out += fmt::format(",\"errors\":{},\"warnings\":{},\"diagnostics\":[", r->diagnostics.errors(),
                       r->diagnostics.warnings());
    bool first = true;
    for (const Diagnostic& d : r->diagnostics.diagnostics()) {
      if (!first) out += ',';
      first = false;
      out += "{\"rule\":";
      AppendJsonString(out, d.rule->id);
      out += ",\"severity\":";
      AppendJsonString(out, parsers::SeverityName(d.severity()));
      out += fmt::format(
          ",\"line\":{},\"column\":{},\"character\":{},\"offset\":{},\"record\":{},"
          "\"field\":",
          d.line, d.column, ShowRecord(d, o.show_personal, r->windows1252).column, d.offset,
          d.record);
      AppendJsonString(out, d.field);
      if (!d.pointer.empty()) {
        out += ",\"pointer\":";
        AppendJsonString(out, d.pointer);
      }
      out += ",\"message\":";
      AppendJsonString(out, d.message);
      out += ",\"hint\":";
      AppendJsonString(out, d.rule->hint);
      out += ",\"bytes\":";
      AppendJsonString(out, ShownBytes(d, o.show_personal));
      // How many bytes from `column` the finding covers (at least 1), for highlighting.
      out += fmt::format(",\"width\":{}}}", std::max<std::uint32_t>(d.width, 1));
    }
    out += "],\"suppressed\":{";
    bool first_s = true;
    for (const auto& [rule, n] : r->diagnostics.suppressed()) {
      if (!first_s) out += ',';
      first_s = false;
      AppendJsonString(out, rule);
      out += fmt::format(":{}", n);
    }
    out += "}}";
  }
  out += "]}\n";
  return out;
}

}  // namespace rbgate::check
