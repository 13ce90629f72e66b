#include "gateway/daemon/log.h"

#include <fmt/format.h>

#include <cstdio>
#include <mutex>

#include "schemas/values.h"
#include "spool/check/report.h"
#include "spool/json.h"
#include "spool/ledger.h"

namespace rbgate::gateway::log {
namespace {

std::mutex mu;
Level threshold = Level::kInfo;
Format format = Format::kText;

}  // namespace

Field Number(std::string_view key, std::int64_t value) {
  return {key, std::to_string(value), Field::Kind::kLiteral};
}

Field Number(std::string_view key, double value, int decimals) {
  return {key, fmt::format("{:.{}f}", value, decimals), Field::Kind::kLiteral};
}

std::string_view LevelName(Level level) noexcept {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarning:
      return "warning";
    case Level::kError:
      break;
  }
  return "error";
}

void Configure(Level t, Format f) {
  std::lock_guard lock(mu);
  threshold = t;
  format = f;
}

std::string Render(Format f, std::string_view time, Level level, std::string_view event,
                   std::initializer_list<Field> fields) {
  std::string out;
  if (f == Format::kJson) {
    spool::Json line = spool::Json::object();
    line["time"] = spool::Text(time);
    line["level"] = LevelName(level);
    line["event"] = spool::Text(event);
    for (const Field& x : fields) {
      auto& value = line[schemas::ValidUtf8(x.key)];
      if (x.kind == Field::Kind::kLiteral) {
        // A number or a truth value, as written; anything else goes as text.
        value = spool::Json::parse(x.value, nullptr, false);
        if (value.is_discarded() || value.is_structured()) value = spool::Text(x.value);
      } else {
        value = spool::Text(x.value.empty() && x.kind == Field::Kind::kWord ? "-" : x.value);
      }
    }
    return spool::Dump(line);
  }
  out = fmt::format("{} {} {}", time, LevelName(level), event);
  for (const Field& x : fields) {
    const std::string value = x.kind == Field::Kind::kText ? check::JsonQuoted(x.value)
                              : x.value.empty()            ? std::string("-")
                                                           : x.value;
    out += fmt::format(" {}={}", x.key, value);
  }
  return out;
}

void Event(Level level, std::string_view event, std::initializer_list<Field> fields) {
  std::lock_guard lock(mu);
  if (level < threshold) return;
  const std::string line = Render(format, spool::NowIso(), level, event, fields) + "\n";
  std::fputs(line.c_str(), stderr);
}

}  // namespace rbgate::gateway::log
