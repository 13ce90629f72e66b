#include "schemas/bacs_reports/reconcile.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <tuple>
#include <unordered_map>

#include "schemas/bacs18/business_key.h"
#include "schemas/bacs_reports/input.h"
#include "schemas/dates.h"
#include "schemas/row_writer.h"
#include "schemas/values.h"

namespace rbgate::schemas::bacs_reports {
namespace {

// Personal data shown only by its last four characters unless asked.
std::string Shown(std::string_view s, bool show_personal) {
  if (show_personal || s.size() <= 4) return std::string(s);
  return std::string(s.size() - 4, '*') + std::string(s.substr(s.size() - 4));
}

std::string_view FeedName(const ReturnedItemRow& r) { return r.credit ? "ARUCS" : "ARUDD"; }
std::string_view Kind(const ReturnedItemRow& r) { return r.credit ? "credit" : "debit"; }

constexpr std::array<std::string_view, 22> kCsvColumns = {"status",
                                                          "feed",
                                                          "sun",
                                                          "report_file",
                                                          "report_id",
                                                          "report_day",
                                                          "line",
                                                          "reference",
                                                          "amount_pence",
                                                          "original_day",
                                                          "return_code",
                                                          "return_reason",
                                                          "payer_sort_code",
                                                          "payer_account",
                                                          "sent_file",
                                                          "sent_id",
                                                          "sent_line",
                                                          "sent_day",
                                                          "sent_sort_code",
                                                          "sent_account",
                                                          "first_returned_by",
                                                          "note"};

// The fields of a line in kCsvColumns order (the JSON uses the same names).
std::array<std::string, kCsvColumns.size()> Fields(const ReconcileLine& l, bool show) {
  const auto& i = l.item;
  std::array<std::string, kCsvColumns.size()> f{std::string(l.status),
                                                std::string(FeedName(i)),
                                                SunOf(l),
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
    f[14] = l.sent->first.name;
    f[15] = l.sent->first.id;
    f[16] = std::to_string(l.sent->second.line);
    f[17] = l.sent->second.day;
    f[18] = l.sent->second.dest_sort;
    f[19] = Shown(l.sent->second.dest_account, show);
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

// The items sent for each day, loaded from the records once, looked up by reference, amount
// and direction. The first failure to read them is kept (status()).
class SentItems {
 public:
  explicit SentItems(FeedRecords& records) : records_(records) {}

  struct Found {
    const StoredFile* file;
    const SubmittedItemRow* item;
  };
  std::vector<Found> Find(const std::string& day, const std::string& reference,
                          std::uint64_t amount, bool credit) {
    const Day& d = Load(day);
    std::vector<Found> out;
    auto [begin, end] = d.index.equal_range(Key{reference, amount, credit});
    for (auto it = begin; it != end; ++it) {
      const auto& [file, item] = d.items[it->second];
      out.push_back({&d.files[file], &item});
    }
    return out;
  }
  const Status& status() const noexcept { return status_; }

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
  // One day's items, each with the index of its file in `files`.
  struct Day {
    std::vector<StoredFile> files;
    std::vector<std::pair<std::size_t, SubmittedItemRow>> items;
    std::unordered_multimap<Key, std::size_t, KeyHash> index;
  };
  const Day& Load(const std::string& day) {
    auto [it, added] = days_.try_emplace(day);
    if (!added) return it->second;
    Day& d = it->second;
    Status s = records_.VisitAcceptedItems(
        bacs18::kSentKind, day, day, [&](const StoredFile& file, const ItemView& item) {
          auto row = bacs18::DecodeSent(item);
          if (!row) return;  // not one rbgate wrote: it matches nothing
          if (d.files.empty() || d.files.back().id != file.id) d.files.push_back(file);
          d.items.emplace_back(d.files.size() - 1, std::move(*row));
        });
    if (!s.ok() && status_.ok()) status_ = std::move(s);
    for (std::size_t i = 0; i < d.items.size(); ++i) {
      const SubmittedItemRow& r = d.items[i].second;
      d.index.emplace(Key{r.reference, r.amount, r.credit}, i);
    }
    return d;
  }

  FeedRecords& records_;
  std::map<std::string, Day> days_;  // node-based: references into a Day stay valid
  Status status_;
};

// Returned items of accepted reports (all of them: reconciliation keeps few, and purges them)
// filed under a report day up to `to` (empty: unbounded), in report day, arrival and line
// order.
StatusOr<std::vector<std::pair<StoredFile, ReturnedItemRow>>> AcceptedReturns(
    FeedRecords& records, const std::string& to) {
  std::vector<std::pair<StoredFile, ReturnedItemRow>> out;
  Status s = records.VisitAcceptedItems(kReturnedKind, {}, to,
                                        [&](const StoredFile& file, const ItemView& item) {
                                          if (auto row = DecodeReturned(item)) {
                                            out.emplace_back(file, std::move(*row));
                                          }
                                        });
  if (!s.ok()) return s;
  return out;
}

// Days within `span` of `iso`, nearest first, `iso` itself left out.
std::vector<std::string> NearbyDays(const std::string& iso, int span) {
  std::vector<std::string> out;
  const auto day = ParseIsoDate(iso);
  if (!day) return out;
  for (int k = 1; k <= span; ++k) {
    out.push_back(FormatIsoDate(*day - k));
    out.push_back(FormatIsoDate(*day + k));
  }
  return out;
}

}  // namespace

namespace {

void Tally(ReconcileResult& result, const ReconcileLine& line) {
  const std::uint64_t pence = line.item.amount;
  if (line.status == match::kMatched) {
    ++result.matched;
    result.matched_pence += pence;
  } else if (line.status == match::kReturnedTwice) {
    ++result.returned_twice;
    result.returned_twice_pence += pence;
  } else {
    ++result.unmatched;
    result.unmatched_pence += pence;
  }
}

}  // namespace

StatusOr<ReconcileResult> Reconcile(FeedRecords& records, const std::string& from,
                                    const std::string& to) {
  ReconcileResult result;
  SentItems sent(records);
  auto returns = AcceptedReturns(records, to);
  if (!returns.ok()) return returns.status();
  // Every return up to `to` is matched, so that one returned again within the range is seen
  // as such even when the first return came before it; only those from `from` are listed.
  std::map<std::pair<std::string, std::uint64_t>, std::string> returned_by;  // sent item -> report
  for (auto& [report, item] : *returns) {
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
    Tally(result, line);
    result.lines.push_back(std::move(line));
  }
  if (!sent.status().ok()) return sent.status();
  return result;
}

ReconcileResult Only(ReconcileResult all, const ReconcileFilter& keep) {
  ReconcileResult out;
  for (auto& line : all.lines) {
    if (!keep.status.empty() && line.status != keep.status) continue;
    if (!keep.return_code.empty() && line.item.return_code != keep.return_code) continue;
    if (!keep.sun.empty() && SunOf(line) != keep.sun) continue;
    Tally(out, line);
    out.lines.push_back(std::move(line));
  }
  return out;
}

Status MatchReturns(FeedRecords& records, const std::string& id,
                    parsers::DiagnosticSink& diagnostics) {
  std::vector<ReturnedItemRow> items;
  Status s = records.VisitItemsOf(id, kReturnedKind, [&](const StoredFile&, const ItemView& item) {
    if (auto row = DecodeReturned(item)) items.push_back(std::move(*row));
  });
  if (!s.ok() || items.empty()) return s;
  // What other accepted reports returned, for the items this one returns: oldest first.
  using Returned = std::tuple<std::string, std::uint64_t, std::string, bool>;
  std::map<Returned, std::vector<StoredFile>> earlier;
  for (const auto& i : items) earlier[{i.reference, i.amount, i.original_day, i.credit}];
  auto others = AcceptedReturns(records, {});
  if (!others.ok()) return others.status();
  for (auto& [file, item] : *others) {
    if (file.id == id) continue;
    auto it = earlier.find({item.reference, item.amount, item.original_day, item.credit});
    if (it != earlier.end()) it->second.push_back(file);
  }
  for (auto& [key, files] : earlier) {
    std::stable_sort(files.begin(), files.end(), [](const StoredFile& a, const StoredFile& b) {
      return std::tie(a.received_at, a.id) < std::tie(b.received_at, b.id);
    });
  }
  SentItems sent(records);
  // Items of this report already seen, by what they return: a report may return one item
  // twice as well.
  std::map<std::tuple<std::string, std::uint64_t, std::string>, std::size_t> seen;
  for (const auto& item : items) {
    const auto& kind = item.credit ? kArucs : kArudd;
    const auto candidates = sent.Find(item.original_day, item.reference, item.amount, item.credit);
    if (candidates.empty()) {
      parsers::ReportAt(diagnostics, *kind.unmatched, item.line, 1, "ref",
                        fmt::format("no accepted Standard 18 {} has this item's reference and "
                                    "amount for {}",
                                    Kind(item), item.original_day));
      continue;
    }
    const auto& before = earlier[{item.reference, item.amount, item.original_day, item.credit}];
    std::size_t& here = seen[{item.reference, item.amount, item.original_day}];
    if (before.size() + here >= candidates.size()) {
      parsers::ReportAt(
          diagnostics, *kind.returned_twice, item.line, 1, "ref",
          before.empty()
              ? fmt::format("an earlier item of this report already returns the {} sent in {}",
                            Kind(item), candidates.front().file->name)
              : fmt::format("{} ({}) already returned the {} sent in {}", before.front().name,
                            before.front().id, Kind(item), candidates.front().file->name));
    }
    ++here;
  }
  return sent.status();
}

void MatchInputReport(FeedRecords& records, const std::vector<AnsweredUserFile>& answers,
                      parsers::DiagnosticSink& diagnostics) {
  auto plural = [](std::uint64_t n, std::string_view what) {
    return fmt::format("{} {}{}", n, what, n == 1 ? "" : "s");
  };
  for (const auto& u : answers) {
    const auto sent = records.AcceptedWithKeyPrefix(fmt::format("bacs18/{}/{}/", u.sun, u.serial));
    if (sent.empty()) {
      parsers::ReportAt(
          diagnostics, rules::kInputUnknownSubmission, u.line, 1, "userNumber",
          fmt::format("no accepted Standard 18 file has SUN {} and serial {}", u.sun, u.serial));
      continue;
    }
    // Judged against the latest acceptance; any that agrees will do.
    std::string day_problem, totals_problem;
    bool agreed = false;
    for (const StoredFile& f : sent) {
      const auto key = bacs18::ParseBacs18BusinessKey(f.business_key);
      if (!key) continue;
      const bacs18::Bacs18Key::UserFile* match = nullptr;
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
      FormatPounds(r.matched_pence), r.unmatched, FormatPounds(r.unmatched_pence), r.returned_twice,
      FormatPounds(r.returned_twice_pence));
  for (const ReconcileLine* l : InReportOrder(r)) {
    const auto& i = l->item;
    out += fmt::format("\n{:<14} {} {} line {}: ref {} {} returned {} {}, sent for {}\n", l->status,
                       FeedName(i), i.report_day, i.line, Shown(i.reference, o.show_personal),
                       FormatPounds(i.amount), i.return_code, i.description, i.original_day);
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

std::string SunOf(const ReconcileLine& line) {
  if (!line.item.sun.empty()) return line.item.sun;
  if (line.sent) {
    if (auto key = bacs18::ParseBacs18BusinessKey(line.sent->first.business_key)) return key->sun;
  }
  return {};
}

std::string RenderReconcileJson(const ReconcileResult& r, const ReconcileRenderOptions& o) {
  nlohmann::ordered_json out;
  out["summary"] = {{"matched", r.matched},
                    {"matched_pence", r.matched_pence},
                    {"unmatched", r.unmatched},
                    {"unmatched_pence", r.unmatched_pence},
                    {"returned_twice", r.returned_twice},
                    {"returned_twice_pence", r.returned_twice_pence}};
  auto& items = out["items"] = nlohmann::ordered_json::array();
  for (const ReconcileLine* l : InReportOrder(r)) {
    const auto fields = Fields(*l, o.show_personal);
    auto& item = items.emplace_back(nlohmann::ordered_json::object());
    for (std::size_t c = 0; c < kCsvColumns.size(); ++c) {
      const std::string name(kCsvColumns[c]);
      const bool number = name == "amount_pence" || name == "line" || name == "sent_line";
      if (!number) {
        item[name] = fields[c];
      } else if (fields[c].empty()) {
        item[name] = nullptr;
      } else {
        item[name] = std::stoull(fields[c]);
      }
    }
  }
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string RenderReconcileCsv(const ReconcileResult& r, const ReconcileRenderOptions& o) {
  std::ostringstream out;
  {
    RowWriter csv(out, RowFormat::kCsv, kCsvColumns);
    for (const ReconcileLine* l : InReportOrder(r)) {
      auto fields = Fields(*l, o.show_personal);
      for (std::size_t c = 0; c < fields.size(); ++c) csv[c] = std::move(fields[c]);
      csv.Write();
    }
  }
  return out.str();
}

namespace {

// One report's matching against the records: returns as they arrive, an input report against
// the submission it answers (its answers handed over by its check).
class Session final : public FeedSession, public AnswerSink {
 public:
  explicit Session(bool returns) : returns_(returns) {}
  void OnAnswers(const std::vector<AnsweredUserFile>& answers) override { answers_ = answers; }
  Status Checked(FeedRecords& records, const std::string&,
                 parsers::DiagnosticCollector& diagnostics) override {
    if (!answers_.empty()) MatchInputReport(records, answers_, diagnostics);
    return Status::Ok();
  }
  Status Compare(FeedRecords& records, const std::string& file_id,
                 parsers::DiagnosticCollector& diagnostics) override {
    return returns_ ? MatchReturns(records, file_id, diagnostics) : Status::Ok();
  }

 private:
  const bool returns_;
  std::vector<AnsweredUserFile> answers_;
};

class Store final : public FeedStore {
 public:
  std::unique_ptr<FeedSession> Open(std::string_view feed, const SchemaRegistry*,
                                    const StoreSettings&) const override {
    // Standard 18 files need no session: their items reach the records from their check.
    if (feed == "arudd" || feed == "arucs") return std::make_unique<Session>(true);
    if (feed == "input") return std::make_unique<Session>(false);
    return nullptr;
  }
  std::span<const std::string_view> item_kinds() const noexcept override {
    static constexpr std::string_view kKinds[] = {bacs18::kSentKind, kReturnedKind};
    return kKinds;
  }
  std::span<const std::string_view> reports() const noexcept override {
    static constexpr std::string_view kReports[] = {"reconcile"};
    return kReports;
  }
  // rbgate reconcile's, filtered by report day (from, to), service user number (sun), reason
  // code (reason) and status; its CSV the command's, byte for byte, for the same days.
  StatusOr<ReportOut> Report(std::string_view name, FeedRecords& records,
                             const ReportQuery& q) const override {
    if (name != "reconcile") return FeedStore::Report(name, records, q);
    const std::string from = q.param("from"), to = q.param("to");
    for (const auto& day : {from, to}) {
      if (!day.empty() && !ParseIsoDate(day)) {
        return Error(Code::kInvalidArgument, fmt::format("{} is not a day (YYYY-MM-DD)", day));
      }
    }
    ReconcileFilter keep{q.param("sun"), q.param("reason"), q.param("status")};
    if (!keep.status.empty() && keep.status != match::kMatched &&
        keep.status != match::kUnmatched && keep.status != match::kReturnedTwice) {
      return Error(Code::kInvalidArgument, "status is matched, unmatched or returned-twice");
    }
    if (q.format != "json" && q.format != "csv") {
      return Error(Code::kInvalidArgument, "format is json or csv");
    }
    auto all = Reconcile(records, from, to);
    if (!all.ok()) return all.status();
    const ReconcileResult shown = Only(std::move(*all), keep);
    const ReconcileRenderOptions render{q.show_personal};
    if (q.format == "csv") {
      return ReportOut{RenderReconcileCsv(shown, render), "text/csv; charset=utf-8",
                       fmt::format("reconcile{}{}.csv", from.empty() ? "" : "-" + from,
                                   to.empty() || to == from ? "" : "-to-" + to)};
    }
    return ReportOut{RenderReconcileJson(shown, render), "application/json", ""};
  }
};

}  // namespace

void RegisterStore(FeedCatalogue& catalogue) { catalogue.AddStore(std::make_unique<Store>()); }

}  // namespace rbgate::schemas::bacs_reports
