// The items a check finds, on their way to the ledger in batches.
#include "spool/ledger_items.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "schemas/bacs18/items.h"
#include "schemas/dates.h"
#include "tests/support/spool_options.h"
#include "tests/support/temp_dir.h"

namespace rbgate::spool {
namespace {

using testing::TempDir;

TEST_CASE("items of a large file go to the ledger from a thread of their own, all of them") {
  TempDir dir;
  const auto ledger = testing::OpenLedger(dir / "ledger.db");
  FileRecord f;
  f.id = f.name = "big.s18";
  f.route = "auto";
  REQUIRE(ledger->AddFile(f).ok());
  REQUIRE(ledger->Transition(f.id, state::kDelivered, "test").ok());
  // The items of the file on `day`, decoded.
  auto sent_on = [&](const std::string& day) {
    std::vector<std::pair<schemas::StoredFile, schemas::bacs18::SubmittedItemRow>> out;
    REQUIRE(
        ledger
            ->VisitAcceptedItems(schemas::bacs18::kSentKind, day, day,
                                 [&](const schemas::StoredFile& file, const schemas::ItemView& i) {
                                   out.emplace_back(file, schemas::bacs18::DecodeSent(i).value());
                                 })
            .ok());
    return out;
  };
  const auto day = *schemas::ParseIsoDate("2026-11-24");
  // As a Standard 18 check gives them: through the feed's encoder.
  auto feed = [&](LedgerItems& items, std::uint64_t n) {
    schemas::bacs18::SentItemEncoder encoder(items);
    for (std::uint64_t k = 0; k < n; ++k) {
      const std::string ref = fmt::format("CT{:010}", k);
      encoder.OnItem(
          {"401234", "12345678", "17", ref, 100 + k, day + static_cast<int>(k % 3), false, k + 2});
    }
  };
  {
    LedgerItems items(*ledger, "big.s18");
    feed(items, 40'000);  // three batches: the writer thread takes two
    REQUIRE(items.Finish().ok());
  }
  std::size_t total = 0;
  for (int d = 0; d < 3; ++d) total += sent_on(schemas::FormatIsoDate(day + d)).size();
  CHECK(total == 40'000);
  const auto first = sent_on("2026-11-24");
  REQUIRE(!first.empty());
  CHECK(first[0].first.id == "big.s18");
  CHECK(first[0].second.reference == "CT0000000000");
  CHECK(first[0].second.line == 2);
  CHECK(first[0].second.dest_account == "12345678");

  // A second check of the same file replaces its items, however many there were.
  {
    LedgerItems items(*ledger, "big.s18");
    feed(items, 10);
    REQUIRE(items.Finish().ok());
  }
  total = 0;
  for (int d = 0; d < 3; ++d) total += sent_on(schemas::FormatIsoDate(day + d)).size();
  CHECK(total == 10);

  // A failure (here: a file the ledger does not know) comes back from Finish, small or large.
  for (std::uint64_t n : {5u, 40'000u}) {
    LedgerItems items(*ledger, "no-such-file");
    feed(items, n);
    CHECK_FALSE(items.Finish().ok());
  }
}

TEST_CASE("items of several kinds and days, and text a feed did not clean, read back as given") {
  TempDir dir;
  const auto ledger = testing::OpenLedger(dir / "ledger.db");
  for (const char* id : {"a", "b"}) {
    FileRecord f;
    f.id = f.name = id;
    f.route = "auto";
    REQUIRE(ledger->AddFile(f).ok());
  }
  REQUIRE(ledger->Transition("a", state::kDelivered, "test").ok());  // b stays unaccepted
  {
    LedgerItems items(*ledger, "a");
    items.OnItem("x", 3, "2026-11-02", "one\ttwo");
    items.OnItem("y", 4, "2026-11-01", "");
    items.OnItem("x", 5, "2026-11-01", "three");
    REQUIRE(items.Finish().ok());
  }
  {
    LedgerItems items(*ledger, "b");
    items.OnItem("x", 1, "2026-11-01", "unaccepted");
    REQUIRE(items.Finish().ok());
  }
  std::vector<std::string> seen;
  auto visit = [&](const schemas::StoredFile& f, const schemas::ItemView& i) {
    seen.push_back(fmt::format("{} {} {} {}", f.id, i.line, i.day, i.text));
  };
  REQUIRE(ledger->VisitAcceptedItems("x", {}, {}, visit).ok());
  CHECK(seen == std::vector<std::string>{"a 5 2026-11-01 three", "a 3 2026-11-02 one\ttwo"});
  seen.clear();
  REQUIRE(ledger->VisitAcceptedItems("x", "2026-11-02", {}, visit).ok());
  CHECK(seen.size() == 1);
  seen.clear();
  REQUIRE(ledger->VisitItemsOf("b", "x", visit).ok());  // any state
  CHECK(seen == std::vector<std::string>{"b 1 2026-11-01 unaccepted"});
  seen.clear();
  REQUIRE(ledger->VisitItemsOf("a", "y", visit).ok());
  CHECK(seen == std::vector<std::string>{"a 4 2026-11-01 "});
  const auto gone = ledger->PurgeItems("2026-11-02");
  REQUIRE(gone.ok());
  CHECK(gone->at("x") == 2);  // a's and b's of the 1st
  CHECK(gone->at("y") == 1);
}

}  // namespace
}  // namespace rbgate::spool
