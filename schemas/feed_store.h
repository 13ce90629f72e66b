// What a feed keeps on record beyond its files, and how it looks there: the Bacs feeds keep the
// items they send and the items the banks return, to reconcile one against the other; the
// VOA's keep each billing authority's list, to balance the next schedule against. Each such
// feed family is a FeedStore in its own folder, registered beside its feeds. The spool opens a
// session for every file it checks (OpenFeedSession), feeds it the check's by-products and
// asks it, at the moments the spool decides a file's fate, what the records say; it never
// knows which feed it is dealing with. The ledger keeps the records (FeedRecords) without
// knowing what they mean: items as lines of text, states as bytes, each feed's own encoding.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "parsers/diagnostic.h"
#include "parsers/status.h"

namespace rbgate::schemas {

class SchemaRegistry;
namespace table {
class TypedRowSink;
struct TableSchema;
}  // namespace table

// A file on record, as a feed's store sees it.
struct StoredFile {
  std::string id, name, received_at, business_key;
};

// One item a feed keeps for matching across files: filed under a kind (the feed's own word,
// "sent", "returned") and a day (ISO; purges go by it), its fields encoded by the feed as one
// line of text (no newline).
struct StoredItem {
  std::uint64_t line = 0;  // where the file has it
  std::string day;
  std::string text;
};
struct ItemView {
  std::uint64_t line = 0;
  std::string_view day, text;
};

// What a feed keeps between files, one version after another per key: a family ("voa-list")
// and a key within it ("ndr/0114"), a summary for listings and the state itself, both in the
// feed's own encoding.
struct StoredState {
  std::uint64_t seq = 0;  // order of recording
  std::string family, key;
  std::string file_id;  // the file whose acceptance recorded it
  std::string summary;
  std::string state;
  std::string recorded_at;
};

// Where a check's items go (the spool: to the ledger, in batches).
class ItemSink {
 public:
  virtual ~ItemSink() = default;
  virtual void OnItem(std::string_view kind, std::uint64_t line, std::string_view day,
                      std::string_view text) = 0;
};

// The records, read: the ledger implements it. Accepted files are those whose content the
// gateway accepted (checked clean, or released by an officer).
class FeedRecords {
 public:
  virtual ~FeedRecords() = default;
  using ItemVisitor = std::function<void(const StoredFile& file, const ItemView& item)>;
  // The items of `kind` of accepted files filed under a day within [from, to] (ISO; empty:
  // unbounded), in day, arrival and line order.
  virtual Status VisitAcceptedItems(std::string_view kind, const std::string& from,
                                    const std::string& to, const ItemVisitor& visit) = 0;
  // One file's items of `kind`, whatever its state, in day and line order.
  virtual Status VisitItemsOf(const std::string& file_id, std::string_view kind,
                              const ItemVisitor& visit) = 0;
  // Accepted files whose business key starts with `prefix`, in arrival order.
  virtual std::vector<StoredFile> AcceptedWithKeyPrefix(const std::string& prefix) = 0;
  // The latest state recorded under `family` and `key`; without its bytes (state left empty)
  // unless `with_state`.
  virtual StatusOr<std::optional<StoredState>> LatestState(std::string_view family,
                                                           const std::string& key,
                                                           bool with_state = true) = 0;
  // The latest state of each key of `family`, without their bytes, in key order.
  virtual StatusOr<std::vector<StoredState>> LatestStates(std::string_view family) = 0;
};

// What a file's acceptance records besides itself, in the same commit, and says of it.
struct Settlement {
  std::vector<StoredState> states;  // family, key, summary and state; the rest is the ledger's
  std::string summary;              // a line for the acceptance's detail, or empty
};

// One file's dealings with its feed's store, from before its check to its acceptance. The
// spool calls each step at most once, in this order; a step's findings go into the file's.
class FeedSession {
 public:
  virtual ~FeedSession() = default;
  // A table feed's records as typed values, as they are checked, or null.
  virtual table::TypedRowSink* typed() noexcept { return nullptr; }
  // Right after the check: findings against the records that decide the file's fate (an input
  // report that disagrees with what was sent).
  virtual Status Checked(FeedRecords& records, const std::string& file_id,
                         parsers::DiagnosticCollector& diagnostics) {
    (void)records, (void)file_id, (void)diagnostics;
    return Status::Ok();
  }
  // Findings against the records that do not decide it (warnings: an item returned twice):
  // just before acceptance, where two files checked at once see each other, or as the file
  // goes to quarantine.
  virtual Status Compare(FeedRecords& records, const std::string& file_id,
                         parsers::DiagnosticCollector& diagnostics) {
    (void)records, (void)file_id, (void)diagnostics;
    return Status::Ok();
  }
  // For a file checked clean and about to be accepted: what its acceptance records, or error
  // findings why it cannot be accepted after all (a schedule that does not balance against
  // the list on record). `attachments`: files for the quarantine folder beside the report
  // (name, text), when it is refused.
  virtual Status Settle(FeedRecords& records, parsers::DiagnosticCollector& diagnostics,
                        Settlement& out,
                        std::vector<std::pair<std::string, std::string>>& attachments) {
    (void)records, (void)diagnostics, (void)out, (void)attachments;
    return Status::Ok();
  }
};

// What the configuration tells every store.
struct StoreSettings {
  // The billing authorities whose records are kept from files that cover several (empty: every
  // one's).
  std::vector<std::string> authorities;
};

// A report over the records a store keeps (the banks' returns reconciled, the VOA's lists on
// record), asked for by name through the admin API, which knows no feed: its query's
// parameters as the request gives them, whether an officer asked to see personal data, and
// the format ("json" unless asked; "csv" where a report has one).
struct ReportQuery {
  std::function<std::string(std::string_view)> param;  // "" for a parameter not given
  bool show_personal = false;
  std::string format = "json";
};
struct ReportOut {
  std::string body;
  std::string content_type;  // "application/json", "text/csv; charset=utf-8"
  std::string file_name;     // for a download ("" for JSON)
};

// A feed family's store: opens a session for a file of one of its feeds.
class FeedStore {
 public:
  virtual ~FeedStore() = default;
  // Null when `feed` is not one of its feeds. `registry` (may be null) holds the schema-file
  // feeds; `feed` may be one of them.
  virtual std::unique_ptr<FeedSession> Open(std::string_view feed, const SchemaRegistry* registry,
                                            const StoreSettings& settings) const = 0;
  // The kinds of item its feeds keep, in the order people read them ("sent", "returned").
  virtual std::span<const std::string_view> item_kinds() const noexcept { return {}; }
  // The reports it makes over its records, by name.
  virtual std::span<const std::string_view> reports() const noexcept { return {}; }
  // One of them: kInvalidArgument, said in plain English, for a query it cannot answer.
  virtual StatusOr<ReportOut> Report(std::string_view name, FeedRecords& records,
                                     const ReportQuery& query) const;
};

// The report of that name, from whichever store makes it; kNotFound when none does.
StatusOr<ReportOut> MakeReport(std::string_view name, FeedRecords& records,
                               const ReportQuery& query);

// The session of the store `feed` belongs to, or null when its feed keeps nothing on record.
std::unique_ptr<FeedSession> OpenFeedSession(std::string_view feed, const SchemaRegistry* registry,
                                             const StoreSettings& settings);

// Fields joined into an item's text with tabs (a tab or line break inside a field becomes a
// space), and split back.
std::string JoinFields(std::initializer_list<std::string_view> fields);
// The fields of `text`, exactly `n` of them (missing ones empty).
std::vector<std::string_view> SplitFields(std::string_view text, std::size_t n);

}  // namespace rbgate::schemas
