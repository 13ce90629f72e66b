// Reconciliation, the Bacs feeds' store (feed_store.h): the banks' returns (ARUDD unpaid
// debits, ARUCS returned credits) matched against the Standard 18 items the gateway accepted
// and forwarded, and input reports against the submissions they answer. A returned item
// matches a sent item with the same service-user reference, amount and processing day (the
// return's original processing day), debit for debit and credit for credit. Read-only over the
// records; the items get there from the checks (bacs18/items.h, returned_items.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "parsers/diagnostic.h"
#include "schemas/bacs18/items.h"
#include "schemas/bacs_reports/answered.h"
#include "schemas/bacs_reports/returned_items.h"
#include "schemas/feed.h"
#include "schemas/feed_store.h"

namespace rbgate::schemas::bacs_reports {

using bacs18::SubmittedItemRow;

namespace match {
inline constexpr std::string_view kMatched = "matched";
inline constexpr std::string_view kUnmatched = "unmatched";
// The sent item was already returned by an earlier report: a household must not be chased,
// or a landlord's payment written back, twice.
inline constexpr std::string_view kReturnedTwice = "returned-twice";
}  // namespace match

struct ReconcileLine {
  std::string_view status;
  StoredFile report;                                            // the ARUDD or ARUCS file
  ReturnedItemRow item;                                         // what came back
  std::optional<std::pair<StoredFile, SubmittedItemRow>> sent;  // what it matched
  std::string first_returned_by;  // returned-twice: the report that returned it first
  std::string note;               // plain English, for the officer
};

struct ReconcileResult {
  std::vector<ReconcileLine> lines;
  std::uint64_t matched = 0, unmatched = 0, returned_twice = 0;
  std::uint64_t matched_pence = 0, unmatched_pence = 0, returned_twice_pence = 0;
};

// The service user's number a line is for: the report's, else (a return recorded before reports'
// numbers were kept) the matched submission's; "" when neither says.
std::string SunOf(const ReconcileLine& line);

// Returns whose report day is within [from, to] (ISO dates; empty: unbounded).
StatusOr<ReconcileResult> Reconcile(FeedRecords& records, const std::string& from,
                                    const std::string& to);

// The lines a filter keeps (each test applies when its value is not empty), with the totals
// of those lines alone.
struct ReconcileFilter {
  std::string sun;          // SunOf(line)
  std::string return_code;  // the bank's reason code, e.g. 0128
  std::string status;       // match::kMatched, kUnmatched or kReturnedTwice
};
ReconcileResult Only(ReconcileResult all, const ReconcileFilter& keep);

// Checks an input report's user files against the accepted Standard 18 submissions they
// answer (same SUN and serial; the user file for the same processing day, else the same
// position; the same debit and credit counts and values). Each mismatch, and each user file
// answering a submission the gateway never accepted, is a finding.
void MatchInputReport(FeedRecords& records, const std::vector<AnsweredUserFile>& answers,
                      parsers::DiagnosticSink& diagnostics);

// Checks the returned items recorded under `id` (an ARUDD or ARUCS report's; none for any other
// file) against the items sent and the returns other reports made: a warning (the report's
// unmatched rule) for each that matches no accepted item, and (its returned-twice rule) for
// each whose item was already returned. The same matching as Reconcile, for one report, as it
// arrives.
Status MatchReturns(FeedRecords& records, const std::string& id,
                    parsers::DiagnosticSink& diagnostics);

struct ReconcileRenderOptions {
  bool show_personal = false;  // else references and accounts show only their last 4 characters
};
std::string RenderReconcileText(const ReconcileResult& r, const ReconcileRenderOptions& o);
std::string RenderReconcileJson(const ReconcileResult& r, const ReconcileRenderOptions& o);
std::string RenderReconcileCsv(const ReconcileResult& r, const ReconcileRenderOptions& o);

// The store: sessions for Standard 18 files (their items), ARUDD and ARUCS reports (returns
// matched as they arrive) and input reports (matched against what was sent).
void RegisterStore(FeedCatalogue& catalogue);

}  // namespace rbgate::schemas::bacs_reports
