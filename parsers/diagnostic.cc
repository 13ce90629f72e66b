#include "parsers/diagnostic.h"

#include <algorithm>

namespace rbgate::parsers {

std::string_view SeverityName(Severity s) noexcept {
  return s == Severity::kError ? "error" : "warning";
}

void ReportAt(DiagnosticSink& sink, const Rule& rule, std::uint64_t line, std::uint64_t column,
              std::string_view field, std::string message) {
  Diagnostic d;
  d.rule = &rule;
  if (!sink.Saturated(rule)) {
    d.line = line;
    d.column = column;
    d.field = field;
    d.message = std::move(message);
  }
  sink.Report(std::move(d));
}

std::uint32_t SetExcerpt(Diagnostic& d, std::string_view raw, std::uint32_t pos,
                         std::uint32_t width) {
  pos = std::min<std::uint32_t>(pos, static_cast<std::uint32_t>(raw.size()));
  std::uint32_t start = 0;
  if (raw.size() > kExcerptMax && pos > kExcerptMax / 4) {
    start = std::min<std::uint32_t>(pos - kExcerptMax / 4,
                                    static_cast<std::uint32_t>(raw.size()) - kExcerptMax);
  }
  d.excerpt.assign(raw.substr(start, kExcerptMax));
  for (char& c : d.excerpt) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  d.excerpt_pos = pos - start;
  d.width = std::min<std::uint32_t>(
      width,
      static_cast<std::uint32_t>(d.excerpt.size()) -
          std::min<std::uint32_t>(d.excerpt_pos, static_cast<std::uint32_t>(d.excerpt.size())));
  return start;
}

void DiagnosticCollector::Report(Diagnostic&& d) {
  (d.severity() == Severity::kError ? errors_ : warnings_) += 1;
  std::uint64_t& n = seen_[d.rule->id];
  ++n;
  if (n > cap_) {
    ++suppressed_[d.rule->id];
    return;
  }
  // The field's name, kept here: findings outlive whatever schema named the field.
  if (!d.field.empty()) d.field = *fields_.emplace(d.field).first;
  kept_.push_back(std::move(d));
}

void DiagnosticCollector::Absorb(DiagnosticCollector&& part, std::uint64_t records_before,
                                 std::uint64_t lines_before) {
  std::uint64_t errors = 0, warnings = 0;
  for (Diagnostic& d : part.kept_) {
    (d.severity() == Severity::kError ? errors : warnings) += 1;
    if (d.record != 0) d.record += records_before;
    if (d.line != 0) d.line += lines_before;
    Report(std::move(d));
  }
  // Those the part only counted: its cap is this one's, so they are past this one's too.
  for (const auto& [rule, n] : part.suppressed_) {
    seen_[rule] += n;
    suppressed_[rule] += n;
  }
  errors_ += part.errors_ - errors;
  warnings_ += part.warnings_ - warnings;
  part.kept_.clear();
}

bool DiagnosticCollector::Saturated(const Rule& rule) const noexcept {
  auto it = seen_.find(rule.id);
  return it != seen_.end() && it->second >= cap_;
}

std::uint64_t DiagnosticCollector::Count(std::string_view rule_id) const noexcept {
  auto it = seen_.find(rule_id);
  return it == seen_.end() ? 0 : it->second;
}

void DiagnosticCollector::SortByPosition() {
  std::stable_sort(kept_.begin(), kept_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    if (a.offset != b.offset) return a.offset < b.offset;
    if (a.line != b.line) return a.line < b.line;  // XML findings carry lines, not offsets
    if (a.column != b.column) return a.column < b.column;
    return a.rule->id < b.rule->id;
  });
}

}  // namespace rbgate::parsers
