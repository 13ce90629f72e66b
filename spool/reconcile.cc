#include "spool/reconcile.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <sstream>
#include <tuple>
#include <unordered_map>

#include "schemas/bacs18/business_key.h"
#include "schemas/dates.h"
#include "schemas/row_writer.h"
#include "schemas/values.h"
#include "spool/check/check.h"
#include "spool/check/report.h"

namespace rbgate::spool {
namespace {

// Personal data shown only by its last four characters unless asked.
std::string Shown(std::string_view s, bool show_personal) {
  if (show_personal || s.size() <= 4) return std::string(s);
  return std::string(s.size() - 4, '*') + std::string(s.substr(s.size() - 4));
}

std::string_view FeedName(const ReturnedItemRow& r) { return r.credit ? "ARUCS" : "ARUDD"; }
std::string_view Kind(const ReturnedItemRow& r) { return r.credit ? "credit" : "debit"; }

constexpr std::array<std::string_view, 21> kCsvColumns = {
    "status",        "feed",           "report_file",   "report_id",
    "report_day",    "line",           "reference",     "amount_pence",
    "original_day",  "return_code",    "return_reason", "payer_sort_code",
    "payer_account", "sent_file",      "sent_id",       "sent_line",
    "sent_day",      "sent_sort_code", "sent_account",  "first_returned_by",
    "note"};

// The fields of a line in kCsvColumns order (the JSON uses the same names).
std::array<std::string, kCsvColumns.size()> Fields(const ReconcileLine& l, bool show) {
  const auto& i = l.item;
  std::array<std::string, kCsvColumns.size()> f{std::string(l.status),
                                                std::string(FeedName(i)),
                                                l.report.name,
                                                l.report.id,
                                                i.report_day,
                                                std::to_string(i.line),
                                                Shown(i.reference, show),
                                                std::to_string(i.amount),
                                                i.original_day,
                                                i.return_code,
                                                i.description,
                                                i.payer_sort,
                                                Shown(i.payer_account, show),
                                                {},
                                                {},
                                                {},
                                                {},
                                                {},
                                                {},
                                                l.first_returned_by,
                                                l.note};
  if (l.sent) {
    f[13] = l.sent->first.name;
    f[14] = l.sent->first.id;
    f[15] = std::to_string(l.sent->second.line);
    f[16] = l.sent->second.day;
    f[17] = l.sent->second.dest_sort;
    f[18] = Shown(l.sent->second.dest_account, show);
  }
  return f;
}

// Problems first (they need an officer), then the matched, each in report order.
std::vector<const ReconcileLine*> InReportOrder(const ReconcileResult& r) {
  std::vector<const ReconcileLine*> out;
  for (auto status : {match::kUnmatched, match::kReturnedTwice, match::kMatched}) {
    for (const auto& l : r.lines) {
      if (l.status == status) out.push_back(&l);
    }
  }
  return out;
}

}  // namespace

namespace {

// The items sent for each day, loaded from the ledger once, looked up by reference, amount
// and direction.
class SentItems {
 public:
  explicit SentItems(Ledger& ledger) : ledger_(ledger) {}

  struct Found {
    const FileRecord* file;
    const SubmittedItemRow* item;
  };
  std::vector<Found> Find(const std::string& day, const std::string& reference,
                          std::uint64_t amount, bool credit) {
    const Day& d = Load(day);
    std::vector<Found> out;
    auto [begin, end] = d.index.equal_range(Key{reference, amount, credit});
    for (auto it = begin; it != end; ++it) {
      const auto& [file, item] = d.sent.items[it->second];
      out.push_back({&d.sent.files[file], &item});
    }
    return out;
  }

 private:
  struct Key {
    std::string_view reference;
    std::uint64_t amount;
    bool credit;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const noexcept {
      return std::hash<std::string_view>()(k.reference) ^ (k.amount * 0x9E3779B97F4A7C15ULL) ^
             k.credit;
    }
  };
  struct Day {
    SubmittedDay sent;
    std::unordered_multimap<Key, std::size_t, KeyHash> index;
  };
  const Day& Load(const std::string& day) {
    auto [it, added] = days_.try_emplace(day);
    if (added) {
      it->second.sent = ledger_.AcceptedItemsOn(day);
      const auto& items = it->second.sent.items;
      for (std::size_t i = 0; i < items.size(); ++i) {
        const SubmittedItemRow& r = items[i].second;
        it->second.index.emplace(Key{r.reference, r.amount, r.credit}, i);
      }
    }
    return it->second;
  }

  Ledger& ledger_;
  std::map<std::string, Day> days_;  // node-based: references into a Day stay valid
};

// Days within `span` of `iso`, nearest first, `iso` itself left out.
std::vector<std::string> NearbyDays(const std::string& iso, int span) {
  std::vector<std::string> out;
  const auto day = schemas::ParseIsoDate(iso);
  if (!day) return out;
  for (int k = 1; k <= span; ++k) {
    out.push_back(schemas::FormatIsoDate(*day - k));
    out.push_back(schemas::FormatIsoDate(*day + k));
  }
  return out;
}

}  // namespace

ReconcileResult Reconcile(Ledger& ledger, const std::string& from, const std::string& to) {
  ReconcileResult result;
  SentItems sent(ledger);
  // Every return up to `to` is matched, so that one returned again within the range is seen
  // as such even when the first return came before it; only those from `from` are listed.
  std::map<std::pair<std::string, std::uint64_t>, std::string> returned_by;  // sent item -> report
  for (auto& [report, item] : ledger.AcceptedReturns({}, to)) {
    const bool listed = from.empty() || item.report_day >= from;
    ReconcileLine line{match::kUnmatched, report, item, std::nullopt, {}, {}};
    // Among the same day's items with this reference and amount: one not yet returned, then
    // the payer's account.
    const SentItems::Found* best = nullptr;
    int best_score = -1;
    const auto candidates = sent.Find(item.original_day, item.reference, item.amount, item.credit);
    for (const auto& c : candidates) {
      const bool fresh = !returned_by.contains({c.file->id, c.item->line});
      const bool same_account =
          c.item->dest_sort == item.payer_sort && c.item->dest_account == item.payer_account;
      const int score = (fresh ? 2 : 0) + (same_account ? 1 : 0);
      if (score > best_score) {
        best = &c;
        best_score = score;
      }
    }
    if (best != nullptr) {
      line.sent.emplace(*best->file, *best->item);
      const auto key = std::make_pair(best->file->id, best->item->line);
      if (auto it = returned_by.find(key); it != returned_by.end()) {
        line.status = match::kReturnedTwice;
        line.first_returned_by = it->second;
        line.note =
            fmt::format("already returned by {} ({}); do not act on it twice", it->second,
                        report.name == it->second ? "the same report" : "an earlier report");
      } else {
        line.status = match::kMatched;
        returned_by.emplace(key, report.name);
        if (best_score % 2 == 0) {
          line.note = "the payer's account differs from the one the item was sent to";
        }
      }
    } else if (listed) {
      // The nearest day within a fortnight with such an item, if any: a wrong date in the
      // bank's report, or a re-presented debit.
      line.note = fmt::format("no accepted Standard 18 {} has this reference and amount for {}",
                              Kind(item), item.original_day);
      for (const auto& day : NearbyDays(item.original_day, 14)) {
        const auto near = sent.Find(day, item.reference, item.amount, item.credit);
        if (!near.empty()) {
          line.note += fmt::format("; one was sent for {} ({} line {})", day,
                                   near.front().file->name, near.front().item->line);
          break;
        }
      }
    }
    if (!listed) continue;
    if (line.status == match::kMatched) {
      ++result.matched;
      result.matched_pence += item.amount;
    } else if (line.status == match::kReturnedTwice) {
      ++result.returned_twice;
      result.returned_twice_pence += item.amount;
    } else {
      ++result.unmatched;
      result.unmatched_pence += item.amount;
    }
    result.lines.push_back(std::move(line));
  }
  return result;
}

void MatchReturns(Ledger& ledger, const std::string& id, parsers::DiagnosticSink& diagnostics) {
  SentItems sent(ledger);
  // Items of this report already seen, by what they return: a report may return one item
  // twice as well.
  std::map<std::tuple<std::string, std::uint64_t, std::string>, std::size_t> seen;
  for (const auto& item : ledger.ReturnedItemsOf(id)) {
    const auto& kind = item.credit ? schemas::bacs_reports::kArucs : schemas::bacs_reports::kArudd;
    const auto candidates = sent.Find(item.original_day, item.reference, item.amount, item.credit);
    if (candidates.empty()) {
      parsers::ReportAt(diagnostics, *kind.unmatched, item.line, 1, "ref",
                        fmt::format("no accepted Standard 18 {} has this item's reference and "
                                    "amount for {}",
                                    Kind(item), item.original_day));
      continue;
    }
    const auto earlier = ledger.AcceptedReturnsOf(item, id);
    std::size_t& here = seen[{item.reference, item.amount, item.original_day}];
    if (earlier.size() + here >= candidates.size()) {
      parsers::ReportAt(
          diagnostics, *kind.returned_twice, item.line, 1, "ref",
          earlier.empty()
              ? fmt::format("an earlier item of this report already returns the {} sent in {}",
                            Kind(item), candidates.front().file->name)
              : fmt::format("{} ({}) already returned the {} sent in {}", earlier.front().name,
                            earlier.front().id, Kind(item), candidates.front().file->name));
    }
    ++here;
  }
}

void MatchInputReport(Ledger& ledger,
                      const std::vector<schemas::bacs_reports::AnsweredUserFile>& answers,
                      parsers::DiagnosticSink& diagnostics) {
  namespace rules = schemas::bacs_reports::rules;
  using schemas::FormatPounds;
  auto plural = [](std::uint64_t n, std::string_view what) {
    return fmt::format("{} {}{}", n, what, n == 1 ? "" : "s");
  };
  for (const auto& u : answers) {
    const auto sent = ledger.AcceptedWithKeyPrefix(fmt::format("bacs18/{}/{}/", u.sun, u.serial));
    if (sent.empty()) {
      parsers::ReportAt(
          diagnostics, rules::kInputUnknownSubmission, u.line, 1, "userNumber",
          fmt::format("no accepted Standard 18 file has SUN {} and serial {}", u.sun, u.serial));
      continue;
    }
    // Judged against the latest acceptance; any that agrees will do.
    std::string day_problem, totals_problem;
    bool agreed = false;
    for (const FileRecord& f : sent) {
      const auto key = schemas::bacs18::ParseBacs18BusinessKey(f.business_key);
      if (!key) continue;
      const schemas::bacs18::Bacs18Key::UserFile* match = nullptr;
      std::string days;
      for (const auto& k : key->user_files) {
        days += (days.empty() ? "" : ", ") + k.day;
        if (!u.processing_day.empty() && k.day == u.processing_day) match = &k;
      }
      // A multi-day user file, or a report that gives no day: matched by position.
      if (match == nullptr && u.index < key->user_files.size() &&
          (u.processing_day.empty() || key->user_files[u.index].day == "multi")) {
        match = &key->user_files[u.index];
      }
      if (match == nullptr) {
        day_problem = fmt::format(
            "Bacs will process user file {} on {}, but the file sent ({}, {}) is for {}",
            u.user_file_number, u.processing_day.empty() ? "an unstated day" : u.processing_day,
            f.name, f.id, days);
        continue;
      }
      if (match->debit_count == u.debit_count && match->debit_total == u.debit_value &&
          match->credit_count == u.credit_count && match->credit_total == u.credit_value) {
        agreed = true;
        break;
      }
      totals_problem = fmt::format(
          "for {} Bacs counted {} worth {} and {} worth {}; the {} ({}, {}) had {} worth "
          "{} and {} worth {}",
          match->day == "multi" ? "the multi-day user file" : match->day,
          plural(u.debit_count, "debit"), FormatPounds(u.debit_value),
          plural(u.credit_count, "credit"), FormatPounds(u.credit_value),
          sent.size() == 1
              ? std::string("file sent")
              : fmt::format("latest of {} files sent with this SUN and serial", sent.size()),
          f.name, f.id, plural(match->debit_count, "debit"), FormatPounds(match->debit_total),
          plural(match->credit_count, "credit"), FormatPounds(match->credit_total));
    }
    if (agreed) continue;
    if (!totals_problem.empty()) {
      parsers::ReportAt(diagnostics, rules::kInputTotals, u.line, 1, "UserFile", totals_problem);
    } else if (!day_problem.empty()) {
      parsers::ReportAt(diagnostics, rules::kInputDay, u.line, 1, "uhl1ProcessingDate",
                        day_problem);
    }
  }
}

std::string RenderReconcileText(const ReconcileResult& r, const ReconcileRenderOptions& o) {
  std::string out = fmt::format(
      "returns: {} matched ({}), {} unmatched ({}), {} returned twice ({})\n", r.matched,
      schemas::FormatPounds(r.matched_pence), r.unmatched, schemas::FormatPounds(r.unmatched_pence),
      r.returned_twice, schemas::FormatPounds(r.returned_twice_pence));
  for (const ReconcileLine* l : InReportOrder(r)) {
    const auto& i = l->item;
    out +=
        fmt::format("\n{:<14} {} {} line {}: ref {} {} returned {} {}, sent for {}\n", l->status,
                    FeedName(i), i.report_day, i.line, Shown(i.reference, o.show_personal),
                    schemas::FormatPounds(i.amount), i.return_code, i.description, i.original_day);
    out += fmt::format("{:<14} report {} ({})\n", "", l->report.name, l->report.id);
    if (l->sent) {
      out += fmt::format("{:<14} sent in {} ({}) line {} to {} {}\n", "", l->sent->first.name,
                         l->sent->first.id, l->sent->second.line, l->sent->second.dest_sort,
                         Shown(l->sent->second.dest_account, o.show_personal));
    }
    if (!l->note.empty()) out += fmt::format("{:<14} {}\n", "", l->note);
  }
  return out;
}

std::string RenderReconcileJson(const ReconcileResult& r, const ReconcileRenderOptions& o) {
  std::string out = fmt::format(
      "{{\"summary\":{{\"matched\":{},\"matched_pence\":{},\"unmatched\":{},"
      "\"unmatched_pence\":{},\"returned_twice\":{},\"returned_twice_pence\":{}}},\"items\":[",
      r.matched, r.matched_pence, r.unmatched, r.unmatched_pence, r.returned_twice,
      r.returned_twice_pence);
  bool first_line = true;
  for (const ReconcileLine* l : InReportOrder(r)) {
    out += first_line ? "{" : ",{";
    first_line = false;
    const auto fields = Fields(*l, o.show_personal);
    for (std::size_t c = 0; c < kCsvColumns.size(); ++c) {
      out += fmt::format("{}\"{}\":", c ? "," : "", kCsvColumns[c]);
      const bool number = kCsvColumns[c] == "amount_pence" || kCsvColumns[c] == "line" ||
                          kCsvColumns[c] == "sent_line";
      out += !number ? check::JsonQuoted(fields[c]) : fields[c].empty() ? "null" : fields[c];
    }
    out += "}";
  }
  return out + "]}\n";
}

std::string RenderReconcileCsv(const ReconcileResult& r, const ReconcileRenderOptions& o) {
  std::ostringstream out;
  {
    schemas::RowWriter csv(out, schemas::RowFormat::kCsv, kCsvColumns);
    for (const ReconcileLine* l : InReportOrder(r)) {
      auto fields = Fields(*l, o.show_personal);
      for (std::size_t c = 0; c < fields.size(); ++c) csv[c] = std::move(fields[c]);
      csv.Write();
    }
  }
  return out.str();
}

}  // namespace rbgate::spool
