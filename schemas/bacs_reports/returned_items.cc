#include "schemas/bacs_reports/returned_items.h"

#include <charconv>

namespace rbgate::schemas::bacs_reports {

std::string EncodeReturned(const ReturnedItemRow& r) {
  return JoinFields({r.original_day, r.reference, r.code, r.return_code, r.description,
                     r.payer_sort, r.payer_account, std::to_string(r.amount),
                     r.credit ? "1" : "0"});
}

std::optional<ReturnedItemRow> DecodeReturned(const ItemView& item) {
  const auto f = SplitFields(item.text, 9);
  ReturnedItemRow r;
  r.line = item.line;
  r.report_day = item.day;
  r.original_day = f[0];
  r.reference = f[1];
  r.code = f[2];
  r.return_code = f[3];
  r.description = f[4];
  r.payer_sort = f[5];
  r.payer_account = f[6];
  const auto [end, ec] = std::from_chars(f[7].data(), f[7].data() + f[7].size(), r.amount);
  if (ec != std::errc() || end != f[7].data() + f[7].size() || (f[8] != "0" && f[8] != "1")) {
    return std::nullopt;
  }
  r.credit = f[8] == "1";
  return r;
}

void ReturnedItemEncoder::OnReturnedItem(const ReturnedItem& i) {
  out_.OnItem(
      kReturnedKind, i.line, i.report_day,
      JoinFields({i.original_day, i.reference, i.code, i.return_code, i.description, i.payer_sort,
                  i.payer_account, std::to_string(i.amount), i.credit ? "1" : "0"}));
}

}  // namespace rbgate::schemas::bacs_reports
