// The Bacs feeds' store (reconciliation) against the real SQLite ledger.
#include "schemas/bacs_reports/reconcile.h"

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <simdjson.h>

#include "schemas/dates.h"
#include "spool/ledger.h"
#include "tests/support/spool_options.h"
#include "tests/support/temp_dir.h"

namespace rbgate::schemas::bacs_reports {
namespace {

using spool::FileRecord;
using spool::Ledger;
using testing::TempDir;
namespace state = spool::state;

template <class Row, class Encode>
std::vector<StoredItem> Items(const std::vector<Row>& rows, std::string Row::*day, Encode encode) {
  std::vector<StoredItem> out;
  for (const auto& r : rows) out.push_back({r.line, r.*day, encode(r)});
  return out;
}

class Fixture {
 public:
  Fixture() { ledger = testing::OpenLedger(dir / "ledger.db"); }
  // A file in `state` (delivered unless said), named and identified by `name`.
  void AddFile(const std::string& name, std::string_view state = state::kDelivered,
               const std::string& business_key = {}) {
    FileRecord f;
    f.id = name;
    f.name = name;
    f.route = "auto";
    REQUIRE(ledger->AddFile(f).ok());
    if (!business_key.empty()) {
      f.business_key = business_key;
      REQUIRE(ledger->RecordCheck(f, {}, {}, {}).ok());
    }
    REQUIRE(ledger->Transition(name, state, "test").ok());
  }
  void Sent(const std::string& file, const std::vector<SubmittedItemRow>& rows) {
    REQUIRE(ledger
                ->AddItems(file, bacs18::kSentKind,
                           Items(rows, &SubmittedItemRow::day, bacs18::EncodeSent), true)
                .ok());
  }
  void Returned(const std::string& file, const std::vector<ReturnedItemRow>& rows) {
    REQUIRE(ledger
                ->AddItems(file, kReturnedKind,
                           Items(rows, &ReturnedItemRow::report_day, EncodeReturned), true)
                .ok());
  }
  // The payment items of accepted files processed on `day`.
  std::vector<std::pair<StoredFile, SubmittedItemRow>> SentOn(const std::string& day) {
    std::vector<std::pair<StoredFile, SubmittedItemRow>> out;
    REQUIRE(ledger
                ->VisitAcceptedItems(bacs18::kSentKind, day, day,
                                     [&](const StoredFile& f, const ItemView& i) {
                                       out.emplace_back(f, bacs18::DecodeSent(i).value());
                                     })
                .ok());
    return out;
  }

  TempDir dir;
  std::unique_ptr<Ledger> ledger;
};

SubmittedItemRow Debit(std::uint64_t line, std::string ref, std::uint64_t pence, std::string day) {
  return {line, std::move(day), "401234", "12345678", std::move(ref), pence, false};
}
ReturnedItemRow Return(std::uint64_t line, std::string ref, std::uint64_t pence,
                       std::string original, std::string reported = "2026-11-27") {
  return {line,
          std::move(reported),
          std::move(original),
          std::move(ref),
          "17",
          "0128",
          "REFER TO PAYER",
          "401234",
          "12345678",
          pence,
          false};
}

TEST_CASE("a return's service user number: the report's, else the matched submission's") {
  Fixture fx;
  fx.AddFile("dd.s18", state::kDelivered, "bacs18/654321/000001/2026-11-24/6500/0/1/0");
  fx.Sent("dd.s18", {Debit(5, "CT0000000001", 6500, "2026-11-24")});
  fx.AddFile("old.xml");  // recorded before reports' numbers were kept: no SUN of its own
  fx.Returned("old.xml", {Return(10, "CT0000000001", 6500, "2026-11-24")});
  fx.AddFile("new.xml");
  ReturnedItemRow unknown = Return(11, "CT0000000999", 100, "2026-11-24");
  unknown.sun = "123456";
  fx.Returned("new.xml", {unknown});
  auto r = Reconcile(*fx.ledger, {}, {});
  REQUIRE(r.ok());
  REQUIRE(r->lines.size() == 2);
  for (const auto& l : r->lines) {
    CAPTURE(l.report.id);
    CHECK(SunOf(l) == (l.report.id == "old.xml" ? "654321" : "123456"));
  }
  CHECK(RenderReconcileCsv(*r, {}).find("\r\nunmatched,ARUDD,123456,new.xml,") !=
        std::string::npos);
}

ReconcileResult Reconciled(Ledger& ledger, const std::string& from, const std::string& to) {
  auto r = Reconcile(ledger, from, to);
  REQUIRE_MESSAGE(r.ok(), r.status().message);
  return std::move(r).value();
}

const ReconcileLine* Find(const ReconcileResult& r, std::string_view report, std::uint64_t line) {
  for (const auto& l : r.lines) {
    if (l.report.id == report && l.item.line == line) return &l;
  }
  return nullptr;
}

TEST_CASE("returns match on reference, amount and original processing day") {
  Fixture fx;
  fx.AddFile("dd.s18");
  fx.Sent("dd.s18", {Debit(5, "CT0000000001", 6500, "2026-11-24"),
                     Debit(6, "CT0000000002", 1250, "2026-11-24"),
                     Debit(7, "CT0000000003", 9999, "2026-11-24")});
  fx.AddFile("r1.xml");
  fx.Returned("r1.xml", {Return(10, "CT0000000001", 6500, "2026-11-24"),
                         // right reference, wrong amount: not the same item
                         Return(13, "CT0000000002", 1251, "2026-11-24"),
                         // right reference and amount, another day
                         Return(16, "CT0000000003", 9999, "2026-11-17")});
  const auto r = Reconciled(*fx.ledger, {}, {});
  REQUIRE(r.lines.size() == 3);
  CHECK(r.matched == 1);
  CHECK(r.unmatched == 2);
  CHECK(r.returned_twice == 0);
  CHECK(r.matched_pence == 6500);
  CHECK(r.unmatched_pence == 1251 + 9999);
  const auto* m = Find(r, "r1.xml", 10);
  REQUIRE(m);
  CHECK(m->status == match::kMatched);
  REQUIRE(m->sent);
  CHECK(m->sent->first.id == "dd.s18");
  CHECK(m->sent->second.line == 5);
  CHECK(m->note.empty());
  CHECK(Find(r, "r1.xml", 13)->note.find("no accepted Standard 18 debit") != std::string::npos);
  const auto* other_day = Find(r, "r1.xml", 16);
  CHECK(other_day->status == match::kUnmatched);
  CHECK(other_day->note.find("2026-11-24 (dd.s18 line 7)") != std::string::npos);
}

TEST_CASE("an item returned by two reports is returned twice; two equal items are not") {
  Fixture fx;
  fx.AddFile("dd.s18");
  // The same reference and amount twice on one day (two properties, one payer): two items.
  fx.Sent("dd.s18", {Debit(5, "CT0000000001", 6500, "2026-11-24"),
                     Debit(6, "CT0000000001", 6500, "2026-11-24"),
                     Debit(7, "CT0000000009", 4000, "2026-11-24")});
  fx.AddFile("r1.xml");
  fx.Returned("r1.xml", {Return(10, "CT0000000001", 6500, "2026-11-24"),
                         Return(13, "CT0000000001", 6500, "2026-11-24"),
                         Return(16, "CT0000000009", 4000, "2026-11-24")});
  fx.AddFile("r2.xml");
  fx.Returned("r2.xml", {Return(10, "CT0000000009", 4000, "2026-11-24", "2026-11-28")});
  const auto r = Reconciled(*fx.ledger, {}, {});
  CHECK(r.matched == 3);
  CHECK(r.returned_twice == 1);
  CHECK(Find(r, "r1.xml", 10)->sent->second.line != Find(r, "r1.xml", 13)->sent->second.line);
  const auto* twice = Find(r, "r2.xml", 10);
  CHECK(twice->status == match::kReturnedTwice);
  CHECK(twice->first_returned_by == "r1.xml");
  CHECK(twice->sent->second.line == 7);

  SUBCASE("--from still sees the first return, before the range") {
    const auto later = Reconciled(*fx.ledger, "2026-11-28", {});
    REQUIRE(later.lines.size() == 1);
    CHECK(later.lines[0].status == match::kReturnedTwice);
    CHECK(later.returned_twice == 1);
    CHECK(later.matched == 0);
  }
  SUBCASE("--to leaves later reports out") {
    const auto earlier = Reconciled(*fx.ledger, {}, "2026-11-27");
    CHECK(earlier.lines.size() == 3);
    CHECK(earlier.returned_twice == 0);
  }
}

TEST_CASE("only accepted files count, and debits never match credits") {
  Fixture fx;
  fx.AddFile("quarantined.s18", state::kQuarantined);
  fx.Sent("quarantined.s18", {Debit(5, "CT0000000001", 6500, "2026-11-24")});
  fx.AddFile("credits.s18");
  auto credit = Debit(5, "CT0000000002", 6500, "2026-11-24");
  credit.credit = true;
  fx.Sent("credits.s18", {credit});
  fx.AddFile("r1.xml");
  fx.Returned("r1.xml", {Return(10, "CT0000000001", 6500, "2026-11-24"),
                         Return(13, "CT0000000002", 6500, "2026-11-24")});
  // A quarantined report's items are not reconciled at all.
  fx.AddFile("r2.xml", state::kQuarantined);
  fx.Returned("r2.xml", {Return(10, "CT0000000001", 6500, "2026-11-24")});
  auto r = Reconciled(*fx.ledger, {}, {});
  CHECK(r.lines.size() == 2);
  CHECK(r.unmatched == 2);

  // An ARUCS item (a returned credit) matches the credit.
  fx.AddFile("c1.xml");
  auto returned_credit = Return(10, "CT0000000002", 6500, "2026-11-24");
  returned_credit.credit = true;
  returned_credit.payer_account = "87654321";
  fx.Returned("c1.xml", {returned_credit});
  r = Reconciled(*fx.ledger, {}, {});
  const auto* c = Find(r, "c1.xml", 10);
  REQUIRE(c);
  CHECK(c->status == match::kMatched);
  CHECK(c->note.find("account differs") != std::string::npos);

  SUBCASE("a later attempt at the same file replaces its items") {
    REQUIRE(fx.ledger->AddItems("r1.xml", kReturnedKind, {}, true).ok());
    CHECK(Reconciled(*fx.ledger, {}, {}).lines.size() == 1);
  }
}

TEST_CASE("reconciliation renders as text, CSV and JSON, personal data masked by default") {
  Fixture fx;
  fx.AddFile("dd.s18");
  fx.Sent("dd.s18", {Debit(5, "CT0000000001", 6500, "2026-11-24")});
  fx.AddFile("r1.xml");
  fx.Returned("r1.xml", {Return(10, "CT0000000001", 6500, "2026-11-24"),
                         Return(13, "SMITH, J \"X\"", 100, "2026-11-24")});
  const auto r = Reconciled(*fx.ledger, {}, {});
  const std::string text = RenderReconcileText(r, {});
  CHECK(text.find("1 matched (£65.00), 1 unmatched (£1.00), 0 returned twice") !=
        std::string::npos);
  CHECK(text.find("CT0000000001") == std::string::npos);
  CHECK(text.find("********0001") != std::string::npos);
  CHECK(text.find("12345678") == std::string::npos);
  // Unmatched first: it needs an officer.
  CHECK(text.find("unmatched") < text.find("matched   "));
  CHECK(RenderReconcileText(r, {true}).find("CT0000000001") != std::string::npos);

  const std::string csv = RenderReconcileCsv(r, {true});
  CHECK(csv.starts_with("status,feed,sun,report_file,report_id,report_day,line,reference,"));
  CHECK(csv.find("\"SMITH, J \"\"X\"\"\"") != std::string::npos);
  CHECK(csv.find("\r\nmatched,ARUDD,,r1.xml,r1.xml,2026-11-27,10,CT0000000001,6500,2026-11-24,") !=
        std::string::npos);

  simdjson::dom::parser parser;
  const std::string json = RenderReconcileJson(r, {});
  simdjson::dom::element doc;
  REQUIRE(parser.parse(json).get(doc) == simdjson::SUCCESS);
  CHECK(int64_t(doc["summary"]["matched"]) == 1);
  CHECK(int64_t(doc["summary"]["unmatched_pence"]) == 100);
  simdjson::dom::array items = doc["items"];
  CHECK(items.size() == 2);
  CHECK(std::string_view(items.at(0)["status"]) == "unmatched");
  CHECK(items.at(0)["sent_line"].is_null());
  CHECK(int64_t(items.at(1)["sent_line"]) == 5);
  CHECK(std::string_view(items.at(1)["sent_account"]) == "****5678");
}

TEST_CASE("items are forgotten by day when no longer needed; the files' records stay") {
  Fixture fx;
  fx.AddFile("dd.s18");
  fx.Sent("dd.s18", {Debit(5, "CT0000000001", 6500, "2026-10-24"),
                     Debit(6, "CT0000000002", 6500, "2026-11-24")});
  fx.AddFile("r1.xml");
  fx.Returned("r1.xml", {Return(10, "CT0000000001", 6500, "2026-10-24", "2026-10-27"),
                         Return(13, "CT0000000002", 6500, "2026-11-24", "2026-11-27")});
  const auto gone = fx.ledger->PurgeItems("2026-11-01");
  REQUIRE(gone.ok());
  CHECK(gone->at("sent") == 1);
  CHECK(gone->at("returned") == 1);
  CHECK(fx.SentOn("2026-10-24").empty());
  CHECK(fx.SentOn("2026-11-24").size() == 1);
  const auto r = Reconciled(*fx.ledger, {}, {});
  REQUIRE(r.lines.size() == 1);
  CHECK(r.matched == 1);
  CHECK(fx.ledger->Get("dd.s18"));
}

}  // namespace
}  // namespace rbgate::schemas::bacs_reports
