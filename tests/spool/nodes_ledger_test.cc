// Several nodes on one ledger, at the ledger: names and leases, a file held by its node, a
// dead node's files adopted and its late steps refused, the leader, who did what. Two
// connections stand for two machines; on SQLite and, under with_postgres.sh, PostgreSQL.

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "spool/ledger.h"
#include "tests/support/ledger_db.h"
#include "tests/support/temp_dir.h"

namespace rbgate::spool {
namespace {

using testing::OpenLedger;
using testing::TempDir;

FileRecord NewFile(const std::string& id) {
  FileRecord f;
  f.id = id;
  f.name = id + ".s18";
  f.route = "auto";
  return f;
}

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_CASE("nodes: a name is one node's; a node holds its files while its lease lasts") {
  TempDir dir;
  const std::string path = dir / "ledger.db";
  auto a = OpenLedger(path), b = OpenLedger(path), c = OpenLedger(path);
  REQUIRE(a->Join("a", "host-a", 60'000).ok());
  REQUIRE(b->Join("b", "host-b", 60'000).ok());
  // A name whose live lease another host holds is refused; the same host may come back.
  const Status taken = c->Join("a", "host-c", 60'000);
  CHECK(taken.code == Code::kFailedPrecondition);
  CHECK(Has(taken.message, "node a is running on host-a"));
  CHECK(c->Join("a", "host-a", 60'000).ok());
  REQUIRE(a->Join("a", "host-a", 60'000).ok());

  REQUIRE(a->AddFile(NewFile("f1")).ok());
  REQUIRE(a->Transition("f1", state::kClaimed, "claimed into work/").ok());
  CHECK(a->Get("f1")->node == "a");
  // Another node's step on it is refused while a's lease lasts, and a's own goes on.
  const Status other = b->Transition("f1", state::kAccepted, "b's step");
  CHECK(other.code == Code::kAborted);
  CHECK(Has(other.message, "held by node a"));
  CHECK(a->Get("f1")->state == "claimed");
  CHECK(a->Transition("f1", state::kAccepted, "checked").ok());
  // Each node resumes only its own (a restart recovers this node's files).
  CHECK(a->Unfinished().size() == 1);
  CHECK(b->Unfinished().empty());
  // Nothing to adopt while every lease lasts; the live node first by name leads.
  auto none = b->AdoptExpired();
  REQUIRE(none.ok());
  CHECK(none->empty());
  CHECK(a->Leads());
  CHECK_FALSE(b->Leads());
  CHECK(a->Renew(60'000).ok());

  const auto nodes = b->Nodes();
  REQUIRE(nodes.size() == 2);
  CHECK(nodes[0].node == "a");
  CHECK(nodes[0].host == "host-a");
  CHECK(nodes[0].unfinished == 1);
  CHECK(nodes[0].lease_until_ms > UnixMs());
  CHECK(nodes[1].node == "b");
  CHECK(nodes[1].unfinished == 0);
}

TEST_CASE(
    "nodes: a dead node's unfinished files are adopted, on record, and its late steps "
    "refused") {
  TempDir dir;
  const std::string path = dir / "ledger.db";
  auto a = OpenLedger(path), b = OpenLedger(path);
  REQUIRE(a->Join("a", "host-a", 60'000).ok());
  REQUIRE(b->Join("b", "host-b", 60'000).ok());
  REQUIRE(a->AddFile(NewFile("f1")).ok());
  REQUIRE(a->Transition("f1", state::kClaimed, "claimed into work/").ok());
  REQUIRE(a->AddFile(NewFile("f2")).ok());
  REQUIRE(a->Transition("f2", state::kDelivered, "delivered", "delivered").ok());

  // a stops renewing: its lease (made short here) runs out.
  REQUIRE(a->Join("a", "host-a", 1).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  CHECK(a->Renew(60'000).code == Code::kFailedPrecondition);
  CHECK(b->Leads());  // the work done once moves to the live node

  auto adopted = b->AdoptExpired();
  REQUIRE(adopted.ok());
  REQUIRE(adopted->size() == 1);
  CHECK((*adopted)[0].id == "f1");
  CHECK(b->Get("f1")->node == "b");
  CHECK(b->Get("f2")->node == "a");  // a finished file stays a's: who did what
  CHECK(Has(b->Transitions("f1").back().detail, "adopted by node b from node a"));
  CHECK(b->Unfinished().size() == 1);
  // Adopted once: the next look finds nothing more.
  auto again = b->AdoptExpired();
  REQUIRE(again.ok());
  CHECK(again->empty());

  // a's late step (it was cut off, not dead) is refused; b goes on.
  const Status late = a->Transition("f1", state::kAccepted, "late");
  CHECK(late.code == Code::kAborted);
  CHECK(Has(late.message, "held by node b"));
  CHECK(b->Transition("f1", state::kAccepted, "checked").ok());

  // a is listed with its lease run out until it joins again, with nothing of its own left.
  auto nodes = b->Nodes();
  REQUIRE(nodes.size() == 2);
  CHECK(nodes[0].node == "a");
  CHECK(nodes[0].lease_until_ms < UnixMs());
  CHECK(nodes[0].unfinished == 0);
  REQUIRE(a->Join("a", "host-a", 60'000).ok());
  CHECK(a->Unfinished().empty());
  CHECK(a->Leads());

  // Which node did what, per hour and outcome.
  const auto rows = b->Stats("");
  const auto row = [&](const std::string& node, const std::string& outcome) {
    return std::any_of(rows.begin(), rows.end(), [&](const StatsRow& r) {
      return r.node == node && r.outcome == outcome && r.files == 1;
    });
  };
  CHECK(row("a", "delivered"));
  CHECK(row("b", "accepted"));
  // The adoption is in the audit chain, which still verifies.
  const AuditVerdict v = b->VerifyAudit(std::nullopt);
  CHECK(v.ok());
}

}  // namespace
}  // namespace rbgate::spool
