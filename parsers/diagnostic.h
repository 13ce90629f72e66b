// Diagnostics are data: one type for every finding rbgate makes, from a bad byte in a
// sort code to a calendar that has run out. The same values drive `rbgate check`'s text
// and JSON, quarantine reports and metrics.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace rbgate::parsers {

enum class Severity : std::uint8_t { kWarning, kError };

std::string_view SeverityName(Severity s) noexcept;

// A rule is a stable, documented id (e.g. `bacs18.utl1.debit-total`). Rules live in static
// tables; diagnostics point at them, so a Rule must outlive every Diagnostic naming it.
struct Rule {
  std::string_view id;
  Severity severity;
  std::string_view summary;  // one line, for `rbgate rules` and the docs
  std::string_view hint;     // what the person holding the file should do
};

// A byte range [begin, end) within a diagnostic's excerpt holding personal data
// (account numbers, names), masked when rendered unless the operator asks otherwise.
struct Span {
  std::uint16_t begin = 0;
  std::uint16_t end = 0;
};

// One finding. Positions: `offset` is 0-based in bytes from the start of the input;
// `line` and `column` are 1-based; `record` is the 1-based record number (0 = file-level).
struct Diagnostic {
  const Rule* rule = nullptr;
  std::uint64_t offset = 0;
  std::uint64_t line = 0;
  std::uint64_t column = 0;
  std::uint64_t record = 0;
  std::string_view field;  // stable field name, e.g. "dest_account"; may be empty
  std::string pointer;     // JSON feeds: the value's JSON pointer, e.g. "/3/nino"; else empty
  // Where the finding sits within `excerpt` (0-based) and how many bytes it covers; for carets.
  std::uint32_t excerpt_pos = 0;
  std::uint32_t width = 0;
  std::string bytes;  // the offending bytes
  bool bytes_personal = false;
  std::string message;         // plain English, says what was found
  std::string excerpt;         // the whole record as it appears in the file (no newline)
  std::vector<Span> personal;  // personal-data ranges within `excerpt`

  Severity severity() const noexcept { return rule->severity; }
};

// Receives findings as they are made. Implementations decide what to keep.
class DiagnosticSink {
 public:
  virtual ~DiagnosticSink() = default;
  virtual void Report(Diagnostic&& d) = 0;
  // True when another finding for `rule` would only be counted, not kept: lets a producer
  // skip building the message. Default: everything is kept.
  virtual bool Saturated(const Rule& /*rule*/) const noexcept { return false; }
};

// Reports a finding without an excerpt (XML and other line-based feeds): builds the message
// only when the sink will keep it.
void ReportAt(DiagnosticSink& sink, const Rule& rule, std::uint64_t line, std::uint64_t column,
              std::string_view field, std::string message);

// How much of a long record a finding quotes: the part around the fault.
inline constexpr std::uint32_t kExcerptMax = 160;

// Sets `d`'s excerpt to the part of `raw` (one record as it is in the file) around bytes
// [pos, pos + width), at most kExcerptMax bytes, with excerpt_pos and width relative to it;
// line ends inside the record are shown as spaces. Returns where the excerpt starts in `raw`,
// for the caller's personal-data spans.
std::uint32_t SetExcerpt(Diagnostic& d, std::string_view raw, std::uint32_t pos,
                         std::uint32_t width);

// Keeps the first `cap_per_rule` findings of each rule and counts the rest, so a file in
// which every record fails still reports quickly and in bounded memory.
class DiagnosticCollector final : public DiagnosticSink {
 public:
  explicit DiagnosticCollector(std::size_t cap_per_rule = 20) : cap_(cap_per_rule) {}
  // Findings point into the collector's own copies of their field names: moving keeps them
  // valid, copying would not.
  DiagnosticCollector(const DiagnosticCollector&) = delete;
  DiagnosticCollector& operator=(const DiagnosticCollector&) = delete;
  DiagnosticCollector(DiagnosticCollector&&) = default;
  DiagnosticCollector& operator=(DiagnosticCollector&&) = default;

  void Report(Diagnostic&& d) override;
  bool Saturated(const Rule& rule) const noexcept override;

  // Kept findings, in the order they were made.
  const std::vector<Diagnostic>& diagnostics() const noexcept { return kept_; }
  // Findings dropped after the cap, by rule id.
  const std::map<std::string_view, std::uint64_t>& suppressed() const noexcept {
    return suppressed_;
  }
  std::size_t cap() const noexcept { return cap_; }
  std::uint64_t errors() const noexcept { return errors_; }
  std::uint64_t warnings() const noexcept { return warnings_; }
  // Findings of `rule` seen, kept or not.
  std::uint64_t Count(std::string_view rule_id) const noexcept;

  // Takes in the findings of the next part of the same input, collected apart (a block of a
  // file checked on another thread), as if they had been reported here in their order: kept
  // up to the cap, counted past it. Their records and lines were numbered from the part's
  // start: `records_before` and `lines_before` are added to each that has one.
  void Absorb(DiagnosticCollector&& part, std::uint64_t records_before, std::uint64_t lines_before);

  // Sorts kept findings by position (offset, then rule id), for stable output.
  void SortByPosition();

 private:
  std::size_t cap_;
  std::vector<Diagnostic> kept_;
  std::set<std::string, std::less<>> fields_;  // the kept findings' field names
  std::map<std::string_view, std::uint64_t> seen_;
  std::map<std::string_view, std::uint64_t> suppressed_;
  std::uint64_t errors_ = 0;
  std::uint64_t warnings_ = 0;
};

}  // namespace rbgate::parsers
