// The daemon's log: one event a line on stderr, either as text
//   2026-11-23T15:59:29.586Z info delivered id=20261123-155929-397935 route=auto name="a.s18" ...
// or, with daemon.log_format = "json", as one JSON object a line for journald, Loki or ELK:
//   {"time":"2026-11-23T15:59:29.586Z","level":"info","event":"delivered","id":"...",...}
// The same fields either way. Values come from the ledger and the checks, which mask personal
// data before it reaches a reason; file names are shown as dropped. Thread-safe.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace rbgate::gateway::log {

enum class Level : std::uint8_t { kDebug, kInfo, kWarning, kError };
enum class Format : std::uint8_t { kText, kJson };

struct Field {
  enum class Kind : std::uint8_t {
    kWord,     // an identifier (an id, a route, a state): bare in text, a string in JSON
    kText,     // free text: quoted in text, a string in JSON
    kLiteral,  // a number or true/false, already formatted: bare in both
  };
  std::string_view key;
  std::string value;
  Kind kind;
};

inline Field Word(std::string_view key, std::string value) {
  return {key, std::move(value), Field::Kind::kWord};
}
inline Field Text(std::string_view key, std::string value) {
  return {key, std::move(value), Field::Kind::kText};
}
Field Number(std::string_view key, std::int64_t value);
Field Number(std::string_view key, double value, int decimals);
inline Field Flag(std::string_view key, bool value) {
  return {key, value ? "true" : "false", Field::Kind::kLiteral};
}

// What is logged from now on: events at `threshold` or above, in `format`.
void Configure(Level threshold, Format format);

// Writes one event. A kWord value that is empty is written as "-".
void Event(Level level, std::string_view event, std::initializer_list<Field> fields);

// One line (without its newline), as Event writes it. Pure, for tests.
std::string Render(Format format, std::string_view time, Level level, std::string_view event,
                   std::initializer_list<Field> fields);

std::string_view LevelName(Level level) noexcept;

}  // namespace rbgate::gateway::log
