// The VOA's lists as the council holds them, the VOA feeds' store (feed_store.h): recorded
// when a list file is accepted (its entries become the list) and when a schedule of
// alterations that balances is accepted (the list after it), so that the next schedule
// balances against it. A list is a state of family "voa-list" keyed "<tax>/<billing
// authority>": its summary (how it came to be, its totals) as tab-separated text, its entries
// as sorted 64-bit key and value pairs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "schemas/feed.h"
#include "schemas/feed_store.h"
#include "schemas/voa/balance.h"

namespace rbgate::schemas::voa {

inline constexpr std::string_view kListFamily = "voa-list";

// A list on record, read.
struct ListRecord {
  std::uint64_t seq = 0;
  std::string tax;           // "ndr" or "council-tax"
  std::string ba;            // billing authority code
  std::string file_id;       // the list or schedule that made it
  std::string kind;          // "list" or "schedule"
  std::string number, date;  // a schedule's, as its header writes them
  std::uint64_t entries = 0;
  std::uint64_t total = 0;  // NDR: rateable value, pounds
  std::string bands;        // council tax: dwellings in band A, B... comma-separated
  std::string state;        // the entries, encoded (empty when not asked for)
  std::string recorded_at;
};

// "ndr" or "council-tax", as the records name taxes.
std::string TaxName(table::VoaBinding::Tax tax);

// The state that records `list` (kind "list" or "schedule"; a schedule's number and date).
StoredState StateOfList(const ListState& list, std::string_view kind, std::string_view number = {},
                        std::string_view date = {});
// A state on record as a list record; nullopt when it is not one rbgate wrote.
std::optional<ListRecord> RecordOfState(const StoredState& state);
// The list a record holds; kDataLoss when its entries cannot be read back.
StatusOr<ListState> ListOfRecord(const ListRecord& record);

// Where a list came from, in words, for reports: "the ledger: the list after schedule 7 of
// 15-NOV-2026 (file 20261115-...), recorded 2026-11-15T10:00:00Z".
std::string DescribeRecord(const ListRecord& record);

// The latest list on record for a tax ("ndr", "council-tax") and billing authority; with
// `with_state` false, without its entries (for listings).
StatusOr<std::optional<ListRecord>> LatestList(FeedRecords& records, const std::string& tax,
                                               const std::string& ba, bool with_state = true);
// The latest list of each tax and billing authority on record, without entries.
StatusOr<std::vector<ListRecord>> Lists(FeedRecords& records);

// The lists as JSON, for `rbgate voa lists --format json` and the console: {"lists": [{tax,
// billing_authority, entries, rateable_value (NDR), bands (council tax, A first), from ("list"
// or "schedule"), file, schedule, schedule_date, recorded_at}]}, a line.
std::string RenderListsJson(const std::vector<ListRecord>& lists);

// The store: sessions for files of table feeds bound to the VOA as a list or a schedule.
void RegisterStore(FeedCatalogue& catalogue);

}  // namespace rbgate::schemas::voa
