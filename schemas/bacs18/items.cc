#include "schemas/bacs18/items.h"

#include <charconv>

#include "schemas/dates.h"

namespace rbgate::schemas::bacs18 {
namespace {

void AppendNumber(std::string& out, std::uint64_t n) {
  char number[24];
  out.append(number, std::to_chars(number, number + sizeof number, n).ptr);
}

bool ParseNumber(std::string_view s, std::uint64_t& n) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

std::string EncodeSent(const SubmittedItemRow& r) {
  std::string text = JoinFields({r.dest_sort, r.dest_account, r.reference});
  text += '\t';
  AppendNumber(text, r.amount);
  text += r.credit ? "\t1" : "\t0";
  return text;
}

std::optional<SubmittedItemRow> DecodeSent(const ItemView& item) {
  const auto f = SplitFields(item.text, 5);
  SubmittedItemRow r;
  r.line = item.line;
  r.day = item.day;
  r.dest_sort = f[0];
  r.dest_account = f[1];
  r.reference = f[2];
  if (!ParseNumber(f[3], r.amount) || (f[4] != "0" && f[4] != "1")) return std::nullopt;
  r.credit = f[4] == "1";
  return r;
}

void SentItemEncoder::OnItem(const Item& i) {
  if (i.day != day_) {
    day_ = i.day;
    day_iso_ = FormatIsoDate(i.day);
  }
  // As EncodeSent, without a row's copies: a large file has millions of items.
  text_.clear();
  for (std::string_view f : {i.dest_sort, i.dest_account, i.reference}) {
    if (f.find_first_of("\t\n\r") == std::string_view::npos) {
      text_ += f;
    } else {
      for (char c : f) text_ += c == '\t' || c == '\n' || c == '\r' ? ' ' : c;
    }
    text_ += '\t';
  }
  AppendNumber(text_, i.amount);
  text_ += i.credit ? "\t1" : "\t0";
  out_.OnItem(kSentKind, i.line, day_iso_, text_);
}

}  // namespace rbgate::schemas::bacs18
