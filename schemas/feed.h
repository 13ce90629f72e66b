// What a built-in feed is, in one place: each feed's folder (schemas/<feed>/feed.cc) declares
// its name, how its files are recognised, how one is checked (and transformed in the same
// pass), its rules, its business key and what of a line is personal; the catalogue
// (BuiltinFeeds) holds them all, registered in one line each (schemas/CMakeLists.txt's feed
// list). Checking, the spool, the CLI, the API and the console ask the catalogue, and never
// name a feed. Feeds defined by schema files are the SchemaRegistry's; the two together are
// every feed rbgate knows.
//
// A feed's check is fed the file's bytes window by window, in order, and does no I/O: the
// checking layer reads the file once and hands the same windows to the hash and the archive.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/diagnostic.h"
#include "parsers/status.h"
#include "schemas/calendar.h"
#include "schemas/check_options.h"
#include "schemas/dates.h"
#include "schemas/feed_store.h"
#include "schemas/modulus.h"
#include "schemas/row_writer.h"

namespace rbgate::schemas {

// Where a check's by-products go, each optional, all from the same pass: the items its feed
// keeps on record, the feed's rows (the transform), and the session of the feed's store, which
// a feed may tell what else its store needs (the feed knows the session's type).
struct FeedSinks {
  ItemSink* items = nullptr;
  // Must have the feed's columns (BuiltinFeed::transform_columns).
  RowWriter* rows = nullptr;
  FeedSession* session = nullptr;
};

// What a check learned of the file besides its findings.
struct FeedFacts {
  std::uint64_t records = 0;
  std::uint64_t bytes = 0;   // as parsed (0: the file's size stands)
  std::string separator;     // how records are framed: "crlf", "xml", ...
  std::string business_key;  // what identifies the submission whatever its bytes, or empty
};

// One file's check in progress.
class FeedCheck {
 public:
  virtual ~FeedCheck() = default;
  // `window` starts at `offset`, which is the previous call's offset plus what it used;
  // returns how many bytes it used (the rest come again at the start of the next window).
  virtual std::size_t Feed(std::span<const char> window, std::uint64_t offset, bool last) = 0;
  // After the last window: end-of-input findings, and what was learned.
  virtual void Finish(FeedFacts& facts) = 0;
};

// How sure a feed is that a file's first bytes are its own.
struct Claim {
  bool yes = false;
  // Claimed by the root element's name, which outranks an element found inside.
  bool by_root = false;
  // Not this feed's, but near enough to say what the bytes are instead ("Bacs messaging
  // advices with no advice-type"), for feed.unknown's message. Empty otherwise.
  std::string seen;
  // Between two claims made the same way, the higher rank wins (a document holding both an
  // ARUDD and an ARUCS element is an ARUDD report); equal ranks go to the feed asked first.
  int rank = 0;
};

class BuiltinFeed {
 public:
  virtual ~BuiltinFeed() = default;
  // The stable name routes and --feed use.
  virtual std::string_view name() const noexcept = 0;
  // The framing family, shown by `schema list`: "bacs18" or "xml".
  virtual std::string_view kind() const noexcept = 0;
  // Where it is defined, shown by `schema list`: "built in (C++, schemas/atlas/atlas.xsd)".
  virtual std::string_view origin() const noexcept = 0;
  // The rules its findings use (shared ones listed by each feed that uses them).
  virtual std::span<const parsers::Rule* const> rules() const noexcept = 0;

  // Recognition from the first bytes: a text feed's head, or an XML document's root element
  // name and the window from that element on. No for the other kind.
  virtual Claim ClaimText(std::string_view head) const;
  virtual Claim ClaimXml(std::string_view root, std::string_view xml) const;

  // Whatever the feed must have to check a file, made ready at start-up (an XSD compiled):
  // empty when ready, else why not. A gateway that would check without it must not run.
  virtual std::string Prepare() const { return {}; }
  // A check of one file of `size` bytes; kFailedPrecondition when the feed cannot check
  // (Prepare failed). `diagnostics` and the sinks must outlive it.
  virtual StatusOr<std::unique_ptr<FeedCheck>> MakeCheck(std::uint64_t size,
                                                         const CheckOptions& options,
                                                         parsers::DiagnosticSink& diagnostics,
                                                         const FeedSinks& sinks) const = 0;

  // What a check away from the ledger (rbgate check) leaves out, said once: empty for nothing.
  virtual std::string_view offline_note() const noexcept { return {}; }
  // Its transform's columns, in order (empty: it has no transform).
  virtual std::span<const std::string_view> transform_columns() const noexcept { return {}; }
  // A line of one of its files with what may be personal masked ('*'), for the console. By
  // default every letter and digit: a feed that knows its layout unmasks what is not.
  virtual std::string MaskLine(std::string_view line) const;
};

// `line` with every letter and digit masked ('*'), and every byte that is not ASCII: what may
// be personal in a file whose layout is not known.
std::string MaskEveryLetter(std::string_view line);

// Every built-in feed, in the order detection asks them.
std::span<const BuiltinFeed* const> BuiltinFeeds() noexcept;
// The built-in feed of that name, or null.
const BuiltinFeed* FindBuiltinFeed(std::string_view name) noexcept;
// True for the feeds built into rbgate (as opposed to those schema files define).
inline bool IsBuiltinFeed(std::string_view name) noexcept {
  return FindBuiltinFeed(name) != nullptr;
}
// A built-in feed's transform columns (empty: no such feed, or it has no transform).
std::span<const std::string_view> BuiltinColumns(std::string_view name) noexcept;
// Every rule any check can report: the built-in feeds', then the schema engines', each once.
std::vector<const parsers::Rule*> AllRules();

// Makes every built-in feed ready (BuiltinFeed::Prepare); empty when all are, else the first
// failure, naming the feed.
std::string PrepareBuiltinFeeds();

// Every feed store (feed_store.h), in the order they are asked.
std::span<const FeedStore* const> FeedStores() noexcept;

// A table feed's checks across its records that its schema's binding asks for (the VOA's
// summary valuations, valuation by valuation), fed its records as typed values: made by the
// folder that owns the binding. Null when the schema asks for none.
using TableRecordCheck = std::unique_ptr<table::TypedRowSink> (*)(
    const table::TableSchema& schema, parsers::DiagnosticSink& diagnostics);
std::unique_ptr<table::TypedRowSink> MakeTableRecordCheck(const table::TableSchema& schema,
                                                          parsers::DiagnosticSink& diagnostics);

// The catalogue, filled once by the registration functions the build lists.
class FeedCatalogue {
 public:
  void Add(std::unique_ptr<const BuiltinFeed> feed);
  void AddStore(std::unique_ptr<const FeedStore> store);
  void AddTableRecordCheck(TableRecordCheck make) { table_checks_.push_back(make); }
  const std::vector<TableRecordCheck>& table_checks() const noexcept { return table_checks_; }
  const std::vector<const BuiltinFeed*>& feeds() const noexcept { return views_; }
  const std::vector<const FeedStore*>& stores() const noexcept { return store_views_; }

 private:
  std::vector<std::unique_ptr<const BuiltinFeed>> owned_;
  std::vector<const BuiltinFeed*> views_;
  std::vector<std::unique_ptr<const FeedStore>> stores_;
  std::vector<const FeedStore*> store_views_;
  std::vector<TableRecordCheck> table_checks_;
};

}  // namespace rbgate::schemas
