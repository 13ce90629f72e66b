#include "schemas/bacs_reports/returned_items.h"

#include <charconv>

namespace rbgate::schemas::bacs_reports {

namespace {

// The one layout on record; the SUN came last, so that items recorded before it decode too.
std::string Encode(std::string_view original_day, std::string_view reference, std::string_view code,
                   std::string_view return_code, std::string_view description,
                   std::string_view payer_sort, std::string_view payer_account,
                   std::uint64_t amount, bool credit, std::string_view sun) {
  return JoinFields({original_day, reference, code, return_code, description, payer_sort,
                     payer_account, std::to_string(amount), credit ? "1" : "0", sun});
}

}  // namespace

std::string EncodeReturned(const ReturnedItemRow& r) {
  return Encode(r.original_day, r.reference, r.code, r.return_code, r.description, r.payer_sort,
                r.payer_account, r.amount, r.credit, r.sun);
}

std::optional<ReturnedItemRow> DecodeReturned(const ItemView& item) {
  const auto f = SplitFields(item.text, 10);
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
  r.sun = f[9];
  return r;
}

void ReturnedItemEncoder::OnReturnedItem(const ReturnedItem& i) {
  out_.OnItem(kReturnedKind, i.line, i.report_day,
              Encode(i.original_day, i.reference, i.code, i.return_code, i.description,
                     i.payer_sort, i.payer_account, i.amount, i.credit, i.sun));
}

}  // namespace rbgate::schemas::bacs_reports
