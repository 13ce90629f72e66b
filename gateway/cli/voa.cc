#include "gateway/cli/voa.h"

#include <fmt/format.h>

#include <charconv>
#include <cstdio>

#include "schemas/voa/store.h"
#include "spool/check/report.h"
#include "spool/json.h"

namespace rbgate::gateway {

using schemas::table::VoaBinding;

std::shared_ptr<const schemas::table::TableSchema> VoaSchema(
    const schemas::SchemaRegistry& registry, const std::string& feed, VoaBinding::Role role,
    std::string& error) {
  const auto entry = registry.Find(feed);
  const char* what = role == VoaBinding::Role::kList ? "list" : "schedule of alterations";
  if (!entry || !entry->schema->table) {
    error = fmt::format("'{}' is no table-schema feed rbgate knows ('rbgate schema list')", feed);
    return nullptr;
  }
  if (entry->schema->table->voa.role != role) {
    error = fmt::format("'{}' is not a VOA {} (its schema has no rbgate.voa with role {})", feed,
                        what, role == VoaBinding::Role::kList ? "list" : "schedule");
    return nullptr;
  }
  return entry->schema->table;
}

std::string ListFeedFor(const schemas::table::TableSchema& schedule) {
  return schedule.voa.tax == VoaBinding::Tax::kNdr ? "ndr-list" : "ct-list";
}

namespace {

// Checks `path` as `feed`, feeding `sink`; false with `error` when it cannot be read or has
// errors.
bool ReadChecked(const std::string& path, const std::string& feed,
                 const check::CheckSettings& settings, schemas::table::TypedRowSink& sink,
                 std::string& error, std::unique_ptr<check::FileReport>& report) {
  // The reader takes the records as the VOA store's session would, as they are checked.
  struct Reading final : schemas::FeedSession {
    schemas::table::TypedRowSink& sink;
    explicit Reading(schemas::table::TypedRowSink& s) : sink(s) {}
    schemas::table::TypedRowSink* typed() noexcept override { return &sink; }
  } reading(sink);
  check::CheckHooks hooks;
  hooks.session = &reading;
  check::CheckSettings quiet = settings;
  quiet.progress = false;
  report = check::CheckFile(path, quiet, feed, hooks);
  if (!report->problem.empty()) {
    error = report->problem;
    return false;
  }
  if (!report->valid()) {
    error =
        fmt::format("{}: the {} file has {} error{}; it is not used until it is mended", path, feed,
                    report->diagnostics.errors(), report->diagnostics.errors() == 1 ? "" : "s");
    return false;
  }
  return true;
}

}  // namespace

namespace {

// Checks `path` as `feed` (bound to the VOA in `role`) with the reader `make(schema)` builds,
// then takes what it read; nullopt with `error` when a step fails.
template <typename Make>
auto ReadVoaFile(const std::string& path, const std::string& feed,
                 const check::CheckSettings& settings, VoaBinding::Role role, std::string& error,
                 std::unique_ptr<check::FileReport>* report, Make make)
    -> std::optional<
        decltype(make(std::declval<const schemas::table::TableSchema&>()).Take(error))> {
  const auto schema = VoaSchema(*settings.registry, feed, role, error);
  if (!schema) return std::nullopt;
  auto reader = make(*schema);
  std::unique_ptr<check::FileReport> checked;
  const bool ok = ReadChecked(path, feed, settings, reader, error, checked);
  if (report != nullptr) *report = std::move(checked);
  if (!ok) return std::nullopt;
  auto taken = reader.Take(error);
  if (!error.empty()) {
    error = path + ": " + error;
    return std::nullopt;
  }
  return taken;
}

}  // namespace

std::optional<schemas::voa::ListState> ReadListFile(const std::string& path,
                                                    const std::string& feed,
                                                    const check::CheckSettings& settings,
                                                    const std::string& ba, std::string& error,
                                                    std::unique_ptr<check::FileReport>* report) {
  auto state =
      ReadVoaFile(path, feed, settings, VoaBinding::Role::kList, error, report,
                  [&](const schemas::table::TableSchema& schema) {
                    return schemas::voa::ListReader(
                        schema, ba.empty() ? std::set<std::string>{} : std::set<std::string>{ba});
                  });
  if (state) state->source = fmt::format("list file {}", path);
  return state;
}

std::optional<schemas::voa::Schedule> ReadScheduleFile(const std::string& path,
                                                       const std::string& feed,
                                                       const check::CheckSettings& settings,
                                                       std::string& error,
                                                       std::unique_ptr<check::FileReport>* report) {
  return ReadVoaFile(path, feed, settings, VoaBinding::Role::kSchedule, error, report,
                     [](const schemas::table::TableSchema& schema) {
                       return schemas::voa::ScheduleReader(schema);
                     });
}

int VoaBalance(const VoaBalanceOptions& o, spool::Ledger* ledger,
               std::shared_ptr<schemas::SchemaRegistry> registry) {
  check::CheckSettings settings;
  settings.registry =
      registry ? std::move(registry) : std::make_shared<schemas::SchemaRegistry>(o.schema_dirs);
  for (const auto& p : settings.registry->initial_problems()) {
    if (p.warning) continue;
    std::fprintf(stderr, "rbgate: --schema-dir: %s\n", p.message.c_str());
    return 2;
  }
  std::string feed = o.feed;
  if (feed.empty()) feed = check::FeedOfFile(o.schedule, settings);
  if (feed.empty()) {
    std::fprintf(stderr,
                 "rbgate: %s: not recognised as a schedule of alterations; name its feed "
                 "with --feed (ndr-schedule, ct-schedule or a council's own)\n",
                 o.schedule.c_str());
    return 2;
  }
  std::string error;
  const auto schema = VoaSchema(*settings.registry, feed, VoaBinding::Role::kSchedule, error);
  if (!schema) {
    std::fprintf(stderr, "rbgate: %s: %s\n", o.schedule.c_str(), error.c_str());
    return 2;
  }
  // Findings go to standard error, as rbgate transform's do; the reconciliation to standard
  // output.
  const auto findings = [](const std::unique_ptr<check::FileReport>& report) {
    if (report && !report->diagnostics.diagnostics().empty()) {
      std::fputs(check::RenderText(*report, {}).c_str(), stderr);
    }
  };
  std::unique_ptr<check::FileReport> report;
  auto schedule = ReadScheduleFile(o.schedule, feed, settings, error, &report);
  findings(report);
  if (!schedule) {
    std::fprintf(stderr, "rbgate: %s\n", error.c_str());
    return report && report->problem.empty() ? 1 : 2;
  }
  std::optional<schemas::voa::ListState> state;
  const std::string list_feed = o.list_feed.empty() ? ListFeedFor(*schema) : o.list_feed;
  if (!o.list.empty()) {
    state = ReadListFile(o.list, list_feed, settings, schedule->ba, error, &report);
    if (!state) {
      findings(report);
      std::fprintf(stderr, "rbgate: %s\n", error.c_str());
      return report && report->problem.empty() && !report->valid() ? 1 : 2;
    }
  } else if (ledger != nullptr) {
    const auto latest =
        schemas::voa::LatestList(*ledger, schemas::voa::TaxName(schedule->tax), schedule->ba);
    if (!latest.ok()) {
      std::fprintf(stderr, "rbgate: %s\n", latest.status().message.c_str());
      return 2;
    }
    const auto& recorded = *latest;
    if (!recorded) {
      std::fprintf(stderr,
                   "rbgate: no %s list for billing authority %s is on record; give one with "
                   "--list FILE, or let the daemon accept a list file first\n",
                   list_feed.c_str(), schedule->ba.c_str());
      return 2;
    }
    auto read = schemas::voa::ListOfRecord(*recorded);
    if (!read.ok()) {
      std::fprintf(stderr, "rbgate: %s\n", read.status().message.c_str());
      return 2;
    }
    state = std::move(read).value();
    if (recorded->kind == "schedule" && recorded->number == schedule->number) {
      std::fprintf(stderr,
                   "rbgate: note: the list on record is already the list after schedule %s "
                   "(file %s): balancing it again shows each record as not applied\n",
                   schedule->number.c_str(), recorded->file_id.c_str());
    }
  } else {
    std::fprintf(stderr, "rbgate: give the list the schedule alters (--list FILE)\n");
    return 2;
  }
  if (state->tax != schedule->tax) {
    std::fprintf(stderr, "rbgate: %s is a %s list; the schedule alters a %s list\n", o.list.c_str(),
                 list_feed.c_str(),
                 schedule->tax == VoaBinding::Tax::kNdr ? "rating" : "council tax");
    return 2;
  }
  const auto balance = schemas::voa::Balance(*state, *schedule, schema->voa);
  const std::string out = o.format == "json"  ? schemas::voa::RenderJson(balance)
                          : o.format == "csv" ? schemas::voa::RenderCsv(balance)
                                              : schemas::voa::RenderText(balance);
  std::fputs(out.c_str(), stdout);
  return balance.balanced ? 0 : 1;
}

int PrintVoaLists(spool::Ledger& ledger, const std::string& format) {
  const auto listed = schemas::voa::Lists(ledger);
  if (!listed.ok()) {
    std::fprintf(stderr, "rbgate: %s\n", listed.status().message.c_str());
    return 2;
  }
  const auto& lists = *listed;
  if (format == "json") {
    std::fputs(schemas::voa::RenderListsJson(lists).c_str(), stdout);
    return 0;
  }
  if (lists.empty()) {
    std::printf("no lists on record: the daemon records one when it accepts a list file\n");
    return 0;
  }
  std::printf("%-12s %-4s %9s  %-28s %s\n", "TAX", "BA", "ENTRIES", "TOTAL", "AS AFTER");
  for (const auto& l : lists) {
    const std::string total =
        l.tax == "ndr" ? fmt::format("RV {}", l.total) : fmt::format("bands {}", l.bands);
    const std::string after =
        l.kind == "list" ? fmt::format("list file {}", l.file_id)
                         : fmt::format("schedule {} of {} ({})", l.number, l.date, l.file_id);
    std::printf("%-12s %-4s %9llu  %-28s %s, recorded %s\n", l.tax.c_str(), l.ba.c_str(),
                static_cast<unsigned long long>(l.entries), total.c_str(), after.c_str(),
                l.recorded_at.c_str());
  }
  return 0;
}

}  // namespace rbgate::gateway
