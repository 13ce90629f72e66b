// The items an ARUDD or ARUCS report returns, as the ledger keeps them for reconciliation
// (feed_store.h): kind "returned", filed under the report's processing day, their fields
// joined by tabs.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "schemas/bacs_reports/arudd.h"
#include "schemas/feed_store.h"

namespace rbgate::schemas::bacs_reports {

inline constexpr std::string_view kReturnedKind = "returned";

// A returned item as it is on record.
struct ReturnedItemRow {
  std::uint64_t line = 0;
  std::string report_day, original_day, reference, code, return_code, description, payer_sort,
      payer_account;
  std::uint64_t amount = 0;  // pence
  bool credit = false;       // ARUCS (a returned credit)
  std::string sun;  // the report's service user number ("" if recorded before it was kept)
};

// The text of `row` on record (its line and report day are filed beside it).
std::string EncodeReturned(const ReturnedItemRow& row);
// The item an item on record is; nullopt when the text is not one.
std::optional<ReturnedItemRow> DecodeReturned(const ItemView& item);

// The validator's returned items, on to a store's item sink.
class ReturnedItemEncoder final : public ReturnedItemSink {
 public:
  explicit ReturnedItemEncoder(schemas::ItemSink& out) : out_(out) {}
  void OnReturnedItem(const ReturnedItem& i) override;

 private:
  schemas::ItemSink& out_;
};

}  // namespace rbgate::schemas::bacs_reports
