#include "schemas/voa/store.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>
#include <set>
#include <vector>

#include "schemas/registry.h"
#include "schemas/voa/rules.h"

namespace rbgate::schemas::voa {
namespace {

void Put64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}

std::uint64_t Get64(const char* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = v << 8 | static_cast<unsigned char>(p[i]);
  return v;
}

bool ParseNumber(std::string_view s, std::uint64_t& n) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

std::string TaxName(table::VoaBinding::Tax tax) {
  return tax == table::VoaBinding::Tax::kNdr ? "ndr" : "council-tax";
}

StoredState StateOfList(const ListState& list, std::string_view kind, std::string_view number,
                        std::string_view date) {
  StoredState s;
  s.family = kListFamily;
  s.key = TaxName(list.tax) + "/" + list.ba;
  const auto totals = list.Sum();
  std::string bands;
  if (list.tax == table::VoaBinding::Tax::kCouncilTax) {
    for (std::size_t b = 0; b < list.bands; ++b) {
      bands += fmt::format("{}{}", b ? "," : "", totals.bands[b]);
    }
  }
  s.summary = JoinFields({kind, number, date, std::to_string(totals.entries),
                          std::to_string(std::max<std::int64_t>(totals.total, 0)), bands});
  std::vector<std::pair<std::int64_t, std::int64_t>> sorted(list.entries.begin(),
                                                            list.entries.end());
  std::sort(sorted.begin(), sorted.end());
  s.state.reserve(16 * sorted.size() + 16);
  Put64(s.state, sorted.size());
  Put64(s.state, list.bands);
  for (const auto& [key, value] : sorted) {
    Put64(s.state, static_cast<std::uint64_t>(key));
    Put64(s.state, static_cast<std::uint64_t>(value));
  }
  return s;
}

std::optional<ListRecord> RecordOfState(const StoredState& state) {
  const auto slash = state.key.find('/');
  if (state.family != kListFamily || slash == std::string::npos) return std::nullopt;
  ListRecord r;
  r.seq = state.seq;
  r.tax = state.key.substr(0, slash);
  r.ba = state.key.substr(slash + 1);
  r.file_id = state.file_id;
  const auto f = SplitFields(state.summary, 6);
  r.kind = f[0];
  r.number = f[1];
  r.date = f[2];
  if (!ParseNumber(f[3], r.entries) || !ParseNumber(f[4], r.total)) return std::nullopt;
  r.bands = f[5];
  r.state = state.state;
  r.recorded_at = state.recorded_at;
  return r;
}

StatusOr<ListState> ListOfRecord(const ListRecord& record) {
  const std::string_view raw = record.state;
  if (raw.size() < 16 || raw.size() % 16 != 0 || Get64(raw.data()) != (raw.size() - 16) / 16) {
    return Error(Code::kDataLoss, "the recorded list state is damaged");
  }
  ListState list;
  list.tax =
      record.tax == "ndr" ? table::VoaBinding::Tax::kNdr : table::VoaBinding::Tax::kCouncilTax;
  list.ba = record.ba;
  list.bands = static_cast<std::size_t>(Get64(raw.data() + 8));
  list.entries.reserve((raw.size() - 16) / 16);
  for (std::size_t at = 16; at < raw.size(); at += 16) {
    list.entries.emplace(static_cast<std::int64_t>(Get64(raw.data() + at)),
                         static_cast<std::int64_t>(Get64(raw.data() + at + 8)));
  }
  list.source = DescribeRecord(record);
  return list;
}

std::string DescribeRecord(const ListRecord& r) {
  const std::string what = r.kind == "list" ? "the list file"
                                            : fmt::format("the list after schedule {}{}", r.number,
                                                          r.date.empty() ? "" : " of " + r.date);
  return fmt::format("the ledger: {} (file {}), recorded {}", what, r.file_id, r.recorded_at);
}

StatusOr<std::optional<ListRecord>> LatestList(FeedRecords& records, const std::string& tax,
                                               const std::string& ba, bool with_state) {
  auto state = records.LatestState(kListFamily, tax + "/" + ba, with_state);
  if (!state.ok()) return state.status();
  if (!*state) return std::optional<ListRecord>();
  auto record = RecordOfState(**state);
  if (!record) {
    return Error(Code::kDataLoss, fmt::format("the {} list of {} on record is not one rbgate "
                                              "wrote",
                                              tax, ba));
  }
  return std::optional<ListRecord>(std::move(record));
}

std::string RenderListsJson(const std::vector<ListRecord>& lists) {
  nlohmann::ordered_json all = nlohmann::ordered_json::array();
  for (const auto& l : lists) {
    const bool ndr = l.tax == "ndr";
    nlohmann::ordered_json bands = nlohmann::ordered_json::array();
    for (std::string_view rest = l.bands; !ndr && !rest.empty();) {
      const auto comma = rest.find(',');
      const std::string_view band = rest.substr(0, comma);
      std::uint64_t n = 0;
      std::from_chars(band.data(), band.data() + band.size(), n);
      bands.push_back(n);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
    all.push_back({{"tax", l.tax},
                   {"billing_authority", l.ba},
                   {"entries", l.entries},
                   {"rateable_value", ndr ? nlohmann::ordered_json(l.total) : nullptr},
                   {"bands", ndr ? nlohmann::ordered_json(nullptr) : std::move(bands)},
                   {"from", l.kind},
                   {"file", l.file_id},
                   {"schedule", l.number},
                   {"schedule_date", l.date},
                   {"recorded_at", l.recorded_at}});
  }
  nlohmann::ordered_json out;
  out["lists"] = std::move(all);
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

StatusOr<std::vector<ListRecord>> Lists(FeedRecords& records) {
  auto states = records.LatestStates(kListFamily);
  if (!states.ok()) return states.status();
  std::vector<ListRecord> out;
  for (const auto& s : *states) {
    if (auto r = RecordOfState(s)) out.push_back(std::move(*r));
  }
  return out;
}

namespace {

// A VOA list or schedule being checked by the spool: its entries read in the checking pass,
// then, at acceptance, the list states to record, or findings why it cannot be accepted.
class Session final : public FeedSession {
 public:
  Session(std::shared_ptr<const table::TableSchema> schema,
          const std::vector<std::string>& authorities);
  table::TypedRowSink* typed() noexcept override;
  Status Settle(FeedRecords& records, parsers::DiagnosticCollector& diagnostics, Settlement& out,
                std::vector<std::pair<std::string, std::string>>& attachments) override;

 private:
  std::shared_ptr<const table::TableSchema> schema_;
  std::optional<ListReader> list_;
  std::optional<ScheduleReader> schedule_;
};

Session::Session(std::shared_ptr<const table::TableSchema> schema,
                 const std::vector<std::string>& authorities)
    : schema_(std::move(schema)) {
  if (schema_->voa.role == table::VoaBinding::Role::kList) {
    list_.emplace(*schema_, std::set<std::string>(authorities.begin(), authorities.end()));
  } else {
    schedule_.emplace(*schema_);
  }
}

table::TypedRowSink* Session::typed() noexcept {
  if (list_) return &*list_;
  if (schedule_) return &*schedule_;
  return nullptr;
}

Status Session::Settle(FeedRecords& records, parsers::DiagnosticCollector& diagnostics,
                       Settlement& out,
                       std::vector<std::pair<std::string, std::string>>& attachments) {
  std::string error;
  if (list_) {
    auto states = list_->TakeAll(error);
    if (!error.empty()) {
      parsers::ReportAt(diagnostics, rules::kListKey, 1, 1, {}, error);
      return Status::Ok();
    }
    std::uint64_t entries = 0;
    for (const auto& [ba, state] : states) {
      out.states.push_back(StateOfList(state, "list"));
      entries += state.entries.size();
    }
    out.summary =
        fmt::format("list recorded: {} current entr{} for {} billing authorit{}", entries,
                    entries == 1 ? "y" : "ies", states.size(), states.size() == 1 ? "y" : "ies");
    return Status::Ok();
  }
  const auto schedule = schedule_->Take(error);
  const auto& binding = schema_->voa;
  const auto& trailer = schema_->records.trailer->fields;
  const std::string_view field =
      trailer[static_cast<std::size_t>(binding.stated_total >= 0 ? binding.stated_total
                                                                 : binding.stated_entries)]
          .name;
  const auto find = [&](const parsers::Rule& rule, std::string message) {
    parsers::ReportAt(diagnostics, rule, std::max<std::uint64_t>(schedule.trailer_line, 1), 1,
                      field, std::move(message));
    diagnostics.SortByPosition();
    return Status::Ok();
  };
  if (!error.empty()) return find(rules::kBalance, error);
  const std::string tax = TaxName(schedule.tax);
  auto latest = LatestList(records, tax, schedule.ba);
  if (!latest.ok()) {
    // Not readable back: the finding says so; a failing ledger is the spool's to retry.
    if (latest.status().code == Code::kDataLoss)
      return find(rules::kListState, latest.status().message);
    return latest.status();
  }
  const auto& recorded = *latest;
  if (!recorded) {
    return find(rules::kNoList,
                fmt::format("no {} list for billing authority {} is on record to balance "
                            "schedule {} against",
                            schedule.tax == table::VoaBinding::Tax::kNdr ? "rating" : "council tax",
                            schedule.ba, schedule.number));
  }
  auto read = ListOfRecord(*recorded);
  if (!read.ok()) return find(rules::kListState, read.status().message);
  ListState& state = *read;
  const auto balance = Balance(state, schedule, binding);
  const auto d = balance.Difference();
  // Each record not applied as its heading says, at its line (the totals may still agree).
  const auto& heading_field = schema_->fields[static_cast<std::size_t>(binding.heading)].name;
  for (const auto& e : balance.exceptions) {
    parsers::ReportAt(
        diagnostics, rules::kException, e.record.line, 1, heading_field,
        fmt::format("{} UARN {}{}: {}", e.heading, e.record.key,
                    e.record.reference.empty() ? "" : " (" + e.record.reference + ")", e.problem));
  }
  if (!balance.balanced) {
    attachments.emplace_back("balance.txt", RenderText(balance));
    std::string figures =
        fmt::format("{} entries (the VOA's: {})", balance.after.entries, balance.stated.entries);
    if (schedule.tax == table::VoaBinding::Tax::kNdr) {
      figures += fmt::format(", rateable value {} (the VOA's: {})", balance.after.total,
                             balance.stated.total);
    } else {
      for (std::size_t b = 0; b < balance.bands; ++b) {
        if (d.bands[b] != 0) {
          figures += fmt::format(", band {} {} (the VOA's: {})", static_cast<char>('A' + b),
                                 balance.after.bands[b], balance.stated.bands[b]);
        }
      }
    }
    return find(
        rules::kBalance,
        fmt::format(
            "schedule {} applied to the list on record ({}) gives {}; {}", schedule.number,
            recorded->kind == "list" ? "the list file accepted as " + recorded->file_id
                                     : "the list after schedule " + recorded->number,
            figures,
            balance.exceptions.empty()
                ? "no record of it explains the difference"
                : fmt::format("{} record{} could not be applied as {} heading "
                              "says",
                              balance.exceptions.size(), balance.exceptions.size() == 1 ? "" : "s",
                              balance.exceptions.size() == 1 ? "its" : "their")));
  }
  diagnostics.SortByPosition();
  out.states.push_back(StateOfList(state, "schedule", schedule.number, schedule.date));
  out.summary =
      fmt::format("schedule {} balanced: {} entries{}", schedule.number, balance.after.entries,
                  schedule.tax == table::VoaBinding::Tax::kNdr
                      ? fmt::format(", rateable value {}", balance.after.total)
                      : std::string());
  return Status::Ok();
}

class Store final : public FeedStore {
 public:
  std::span<const std::string_view> reports() const noexcept override {
    static constexpr std::string_view kReports[] = {"voa-lists"};
    return kReports;
  }
  // rbgate voa lists --format json: each tax's and authority's latest list on record.
  StatusOr<ReportOut> Report(std::string_view name, FeedRecords& records,
                             const ReportQuery& q) const override {
    if (name != "voa-lists") return FeedStore::Report(name, records, q);
    if (q.format != "json") return Error(Code::kInvalidArgument, "format is json");
    auto lists = Lists(records);
    if (!lists.ok()) return lists.status();
    return ReportOut{RenderListsJson(*lists), "application/json", ""};
  }
  std::unique_ptr<FeedSession> Open(std::string_view feed, const SchemaRegistry* registry,
                                    const StoreSettings& settings) const override {
    if (registry == nullptr) return nullptr;
    const auto entry = registry->Find(std::string(feed));
    if (!entry || !entry->schema->table) return nullptr;
    const auto role = entry->schema->table->voa.role;
    if (role != table::VoaBinding::Role::kList && role != table::VoaBinding::Role::kSchedule) {
      return nullptr;
    }
    return std::make_unique<Session>(entry->schema->table, settings.authorities);
  }
};

}  // namespace

void RegisterStore(FeedCatalogue& catalogue) { catalogue.AddStore(std::make_unique<Store>()); }

}  // namespace rbgate::schemas::voa
