#include "spool/report.h"

#include <fmt/format.h>

#include <algorithm>

#include "parsers/bacs18/rules.h"
#include "schemas/values.h"

namespace rbgate::spool {
namespace {

using parsers::Diagnostic;

// Finds the rule's hint by id (diagnostics carry the rule itself, so this is direct).
std::string_view Hint(const Diagnostic& d) { return d.rule->hint; }

std::string Printable(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f) c = '?';
  }
  return out;
}

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

std::string ShownExcerpt(const Diagnostic& d, bool show_personal) {
  std::string out = Printable(d.excerpt);
  if (!show_personal) {
    for (const auto& span : d.personal) {
      for (std::size_t i = span.begin; i < span.end && i < out.size(); ++i) out[i] = '*';
    }
  }
  return out;
}

std::string RenderText(const FileReport& r, const RenderOptions& o) {
  std::string out;
  if (!r.problem.empty()) return out;  // said on stderr by the caller
  for (const Diagnostic& d : r.diagnostics.diagnostics()) {
    if (d.line > 0) {
      out += fmt::format("{}:{}:{}: {}[{}]: {}\n", r.path, d.line, d.column,
                         parsers::SeverityName(d.severity()), d.rule->id, d.message);
    } else {
      out += fmt::format("{}: {}[{}]: {}\n", r.path, parsers::SeverityName(d.severity()),
                         d.rule->id, d.message);
    }
    if (!d.excerpt.empty()) {
      std::string gutter = d.line > 0 ? std::to_string(d.line) : "";
      std::string pad(gutter.size(), ' ');
      out += fmt::format(" {} | {}\n", gutter, ShownExcerpt(d, o.show_personal));
      std::size_t width = std::max<std::size_t>(d.width, 1);
      out += fmt::format(" {} | {}^{}\n", pad, std::string(d.excerpt_pos, ' '),
                         std::string(width - 1, '~'));
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
      out +=
          fmt::format(",\"line\":{},\"column\":{},\"offset\":{},\"record\":{},\"field\":", d.line,
                      d.column, d.offset, d.record);
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

std::string FileJson(const FileRecord& f) {
  return fmt::format(
      "{{\"id\":{},\"name\":{},\"route\":{},\"size\":{},\"sha256\":{},\"feed\":{},\"state\":{},"
      "\"outcome\":{},\"reason\":{},\"records\":{},\"errors\":{},\"warnings\":{},"
      "\"received_at\":{},\"updated_at\":{},\"dropped_by\":{},\"schema_version\":{},"
      "\"schema_sha256\":{}}}",
      JsonQuoted(f.id), JsonQuoted(f.name), JsonQuoted(f.route), f.size, JsonQuoted(f.sha256),
      JsonQuoted(f.feed), JsonQuoted(f.state), JsonQuoted(f.outcome), JsonQuoted(f.reason),
      f.records, f.errors, f.warnings, JsonQuoted(f.received_at), JsonQuoted(f.updated_at),
      JsonQuoted(f.dropped_by), JsonQuoted(f.schema_version), JsonQuoted(f.schema_sha256));
}

}  // namespace rbgate::spool
