#include "spool/voa_state.h"

#include <fmt/format.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "schemas/voa/rules.h"

namespace rbgate::spool {
namespace {

constexpr char kMagic[4] = {'R', 'B', 'V', '1'};

void Put64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}

std::uint64_t Get64(const char* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = v << 8 | static_cast<unsigned char>(p[i]);
  return v;
}

}  // namespace

std::string TaxName(schemas::table::VoaBinding::Tax tax) {
  return tax == schemas::table::VoaBinding::Tax::kNdr ? "ndr" : "council-tax";
}

VoaStateRecord RecordOfList(const schemas::voa::ListState& list, std::string kind,
                            std::string number, std::string date) {
  VoaStateRecord r;
  r.tax = TaxName(list.tax);
  r.ba = list.ba;
  r.kind = std::move(kind);
  r.number = std::move(number);
  r.date = std::move(date);
  const auto totals = list.Sum();
  r.entries = static_cast<std::uint64_t>(totals.entries);
  r.total = static_cast<std::uint64_t>(std::max<std::int64_t>(totals.total, 0));
  if (list.tax == schemas::table::VoaBinding::Tax::kCouncilTax) {
    for (std::size_t b = 0; b < list.bands; ++b) {
      r.bands += fmt::format("{}{}", b ? "," : "", totals.bands[b]);
    }
  }
  std::vector<std::pair<std::int64_t, std::int64_t>> sorted(list.entries.begin(),
                                                            list.entries.end());
  std::sort(sorted.begin(), sorted.end());
  std::string raw;
  raw.reserve(16 * sorted.size() + 8);
  Put64(raw, sorted.size());
  Put64(raw, list.bands);
  for (const auto& [key, value] : sorted) {
    Put64(raw, static_cast<std::uint64_t>(key));
    Put64(raw, static_cast<std::uint64_t>(value));
  }
  std::string packed(ZSTD_compressBound(raw.size()), '\0');
  const std::size_t n = ZSTD_compress(packed.data(), packed.size(), raw.data(), raw.size(), 3);
  r.state.assign(kMagic, sizeof kMagic);
  if (!ZSTD_isError(n)) r.state.append(packed.data(), n);
  return r;
}

bool ListOfRecord(const VoaStateRecord& record, schemas::voa::ListState& list, std::string& error) {
  const std::string_view blob = record.state;
  if (blob.size() < sizeof kMagic || std::memcmp(blob.data(), kMagic, sizeof kMagic) != 0) {
    error = "the recorded list state is not one rbgate wrote";
    return false;
  }
  const std::string_view packed = blob.substr(sizeof kMagic);
  const unsigned long long size = ZSTD_getFrameContentSize(packed.data(), packed.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size < 16 ||
      size % 16 != 0 || size > (std::uint64_t{1} << 34)) {
    error = "the recorded list state is damaged";
    return false;
  }
  std::string raw(size, '\0');
  const std::size_t n = ZSTD_decompress(raw.data(), raw.size(), packed.data(), packed.size());
  if (ZSTD_isError(n) || n != size || Get64(raw.data()) != (size - 16) / 16) {
    error = "the recorded list state is damaged";
    return false;
  }
  list.tax = record.tax == "ndr" ? schemas::table::VoaBinding::Tax::kNdr
                                 : schemas::table::VoaBinding::Tax::kCouncilTax;
  list.ba = record.ba;
  list.bands = static_cast<std::size_t>(Get64(raw.data() + 8));
  list.entries.clear();
  list.entries.reserve((size - 16) / 16);
  for (std::size_t at = 16; at < size; at += 16) {
    list.entries.emplace(static_cast<std::int64_t>(Get64(raw.data() + at)),
                         static_cast<std::int64_t>(Get64(raw.data() + at + 8)));
  }
  list.source = DescribeRecord(record);
  return true;
}

std::string DescribeRecord(const VoaStateRecord& r) {
  const std::string what = r.kind == "list" ? "the list file"
                                            : fmt::format("the list after schedule {}{}", r.number,
                                                          r.date.empty() ? "" : " of " + r.date);
  return fmt::format("the ledger: {} (file {}), recorded {}", what, r.file_id, r.recorded_at);
}

VoaReading::VoaReading(const schemas::SchemaRegistry* registry, const std::string& feed,
                       const std::vector<std::string>& authorities) {
  using Role = schemas::table::VoaBinding::Role;
  if (registry == nullptr || feed.empty()) return;
  const auto entry = registry->Find(feed);
  if (!entry || !entry->schema->table || entry->schema->table->voa.role == Role::kNone) return;
  schema_ = entry->schema->table;
  if (schema_->voa.role == Role::kList) {
    list_.emplace(*schema_, std::set<std::string>(authorities.begin(), authorities.end()));
  } else {
    schedule_.emplace(*schema_);
  }
}

schemas::table::TypedRowSink* VoaReading::sink() noexcept {
  if (list_) return &*list_;
  if (schedule_) return &*schedule_;
  return nullptr;
}

void VoaReading::Settle(Ledger& ledger, check::FileReport& report,
                        std::vector<VoaStateRecord>& lists, std::string& balance_text,
                        std::string& summary) {
  namespace rules = schemas::voa::rules;
  lists.clear();
  balance_text.clear();
  summary.clear();
  if (!schema_ || !report.valid()) return;
  std::string error;
  if (list_) {
    auto states = list_->TakeAll(error);
    if (!error.empty()) {
      parsers::ReportAt(report.diagnostics, rules::kListKey, 1, 1, {}, error);
      return;
    }
    std::uint64_t entries = 0;
    for (const auto& [ba, state] : states) {
      lists.push_back(RecordOfList(state, "list"));
      entries += state.entries.size();
    }
    summary =
        fmt::format("list recorded: {} current entr{} for {} billing authorit{}", entries,
                    entries == 1 ? "y" : "ies", states.size(), states.size() == 1 ? "y" : "ies");
    return;
  }
  const auto schedule = schedule_->Take(error);
  const auto& binding = schema_->voa;
  const auto& trailer = schema_->records.trailer->fields;
  const std::string_view field =
      trailer[static_cast<std::size_t>(binding.stated_total >= 0 ? binding.stated_total
                                                                 : binding.stated_entries)]
          .name;
  const auto find = [&](const parsers::Rule& rule, std::string message) {
    parsers::ReportAt(report.diagnostics, rule, std::max<std::uint64_t>(schedule.trailer_line, 1),
                      1, field, std::move(message));
    report.diagnostics.SortByPosition();
  };
  if (!error.empty()) return find(rules::kBalance, error);
  const std::string tax = TaxName(schedule.tax);
  const auto recorded = ledger.LatestVoaState(tax, schedule.ba);
  if (!recorded) {
    return find(rules::kNoList,
                fmt::format("no {} list for billing authority {} is on record to balance "
                            "schedule {} against",
                            schedule.tax == schemas::table::VoaBinding::Tax::kNdr ? "rating"
                                                                                  : "council tax",
                            schedule.ba, schedule.number));
  }
  schemas::voa::ListState state;
  if (!ListOfRecord(*recorded, state, error)) return find(rules::kListState, error);
  const auto balance = schemas::voa::Balance(state, schedule, binding);
  const auto d = balance.Difference();
  // Each record not applied as its heading says, at its line (the totals may still agree).
  const auto& heading_field = schema_->fields[static_cast<std::size_t>(binding.heading)].name;
  for (const auto& e : balance.exceptions) {
    parsers::ReportAt(
        report.diagnostics, rules::kException, e.record.line, 1, heading_field,
        fmt::format("{} UARN {}{}: {}", e.heading, e.record.key,
                    e.record.reference.empty() ? "" : " (" + e.record.reference + ")", e.problem));
  }
  if (!balance.balanced) {
    balance_text = schemas::voa::RenderText(balance);
    std::string figures =
        fmt::format("{} entries (the VOA's: {})", balance.after.entries, balance.stated.entries);
    if (schedule.tax == schemas::table::VoaBinding::Tax::kNdr) {
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
  report.diagnostics.SortByPosition();
  lists.push_back(RecordOfList(state, "schedule", schedule.number, schedule.date));
  summary =
      fmt::format("schedule {} balanced: {} entries{}", schedule.number, balance.after.entries,
                  schedule.tax == schemas::table::VoaBinding::Tax::kNdr
                      ? fmt::format(", rateable value {}", balance.after.total)
                      : std::string());
}

}  // namespace rbgate::spool
