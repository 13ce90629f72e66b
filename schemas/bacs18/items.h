// The payment items a Standard 18 file sends, as the ledger keeps them for reconciliation
// (feed_store.h): kind "sent", filed under their processing day, their fields joined by tabs.
// Personal data: account numbers and references are kept, never names.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "schemas/bacs18/validator.h"
#include "schemas/feed_store.h"

namespace rbgate::schemas::bacs18 {

inline constexpr std::string_view kSentKind = "sent";

// A payment item (not a contra, not an instruction) as it is on record.
struct SubmittedItemRow {
  std::uint64_t line = 0;
  std::string day;  // processing day, ISO
  std::string dest_sort, dest_account, reference;
  std::uint64_t amount = 0;  // pence
  bool credit = false;
};

// The text of `row` on record (its line and day are filed beside it).
std::string EncodeSent(const SubmittedItemRow& row);
// The item an item on record is; nullopt when the text is not one.
std::optional<SubmittedItemRow> DecodeSent(const ItemView& item);

// The validator's items, on to a store's item sink.
class SentItemEncoder final : public ItemSink {
 public:
  explicit SentItemEncoder(schemas::ItemSink& out) : out_(out) {}
  void OnItem(const Item& i) override;

 private:
  schemas::ItemSink& out_;
  Day day_ = -1;  // the last item's day, and its ISO form: items come in runs of one day
  std::string day_iso_, text_;
};

}  // namespace rbgate::schemas::bacs18
