// The schema store in a real SQLite ledger: versions kept once by feed and hash, the last to
// begin serving first, read by a second connection as the officers' commands do.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <chrono>
#include <thread>

#include "spool/fsio.h"
#include "spool/ledger.h"
#include "spool/schema_store_sql.h"
#include "spool/spool.h"
#include "spool/sql.h"
#include "tests/support/spool_options.h"
#include "tests/support/temp_dir.h"

namespace rbgate::spool {
namespace {

TEST_CASE("The schema store keeps each version once and knows which served last") {
  testing::TempDir dir;
  const std::string ledger = dir / "ledger.db";
  // An officer's command on a spool with no ledger yet: no store, and no file made.
  const auto none = OpenSqliteSchemaStore(ledger, false);
  REQUIRE(none.ok());
  CHECK(*none == nullptr);
  CHECK_FALSE(std::filesystem::exists(ledger));

  auto daemon = OpenSqliteSchemaStore(ledger, true).value();
  REQUIRE(daemon);
  CHECK_FALSE(daemon->LastServed("rents"));
  schemas::StoredSchema v1{"rents", std::string(64, 'a'), "/s/rents.json", "{\"v\":1}", ""};
  schemas::StoredSchema v2{"rents", std::string(64, 'b'), "/s/rents.json", "{\"v\":2}", ""};
  REQUIRE(daemon->Serving(v1).ok());
  CHECK(v1.since.size() == 24);
  REQUIRE(daemon->Serving(v2).ok());
  auto reader = OpenSqliteSchemaStore(ledger, false).value();
  REQUIRE(reader);
  CHECK(reader->LastServed("rents")->text == "{\"v\":2}");
  CHECK(reader->FeedServedFrom("/s/rents.json") == "rents");
  CHECK_FALSE(reader->FeedServedFrom("/s/other.json"));
  // Back to version 1 (an officer restored the file): it serves last, kept once.
  schemas::StoredSchema again = v1;
  REQUIRE(daemon->Serving(again).ok());
  const auto last = reader->LastServed("rents");
  REQUIRE(last);
  CHECK(last->sha256 == v1.sha256);
  CHECK(last->since == again.since);
  CHECK_FALSE(reader->LastServed("vep"));

  // The spool's own ledger opens over it, and the store reads beside a spool's ledger.
  auto options = testing::TestSpoolOptions(dir);
  auto spool = testing::OpenSpool(options);
  CHECK(reader->LastServed("rents"));
}

// The same through the ledger's location: SQLite here, PostgreSQL under with_postgres.sh.
TEST_CASE("The schema store lives in the ledger's own database, whichever it is") {
  testing::TempDir dir;
  const std::string root = dir / "spool";
  REQUIRE(MakeDirs(root).ok());
  const LedgerLocation where = testing::TestLedgerLocation(root);
  if (where.postgres()) {
    // An officer's command before any daemon served a schema: nothing served, no error.
    auto early = OpenSchemaStore(where, root, false);
    REQUIRE_MESSAGE(early.ok(), early.status().message);
    REQUIRE(*early);
    std::string error;
    CHECK_FALSE((*early)->LastServed("rents", &error));
    CHECK(error.empty());
  }
  auto daemon = OpenSchemaStore(where, root, true);
  REQUIRE_MESSAGE(daemon.ok(), daemon.status().message);
  schemas::StoredSchema v1{"rents", std::string(64, 'a'), "/s/rents.json", "{\"v\":1}\xff", ""};
  schemas::StoredSchema v2{"rents", std::string(64, 'b'), "/s/rents.json", "{\"v\":2}", ""};
  REQUIRE((*daemon)->Serving(v1).ok());
  REQUIRE((*daemon)->Serving(v2).ok());
  auto reader = OpenSchemaStore(where, root, false).value();
  REQUIRE(reader);
  CHECK(reader->LastServed("rents")->text == "{\"v\":2}");
  CHECK(reader->FeedServedFrom("/s/rents.json") == "rents");
  schemas::StoredSchema again = v1;
  REQUIRE((*daemon)->Serving(again).ok());
  CHECK(reader->LastServed("rents")->text == v1.text);  // bytes kept as they were
}

TEST_CASE("A ledger that is not SQLite gives no store, and says why") {
  testing::TempDir dir;
  testing::WriteFile(dir / "ledger.db", std::string(4096, 'x'));
  const auto opened = OpenSqliteSchemaStore(dir / "ledger.db", true);
  REQUIRE_FALSE(opened.ok());
  CHECK(opened.status().message.find("not a database") != std::string::npos);
}

// The daemon opens the schema store before its ledger, over the same file; after a kill the
// first connection recovers the write-ahead log while the second waits. A second connection
// holding the write lock for a moment stands in for that: the ledger must wait, not fail.
TEST_CASE("The ledger waits for another connection's moment on the file") {
  testing::TempDir dir;
  const std::string ledger = dir / "ledger.db";
  auto store = OpenSqliteSchemaStore(ledger, true).value();
  REQUIRE(store);
  sqlite3* other = nullptr;
  REQUIRE(sqlite3_open(ledger.c_str(), &other) == SQLITE_OK);
  REQUIRE(sqlite3_exec(other, "BEGIN IMMEDIATE; CREATE TABLE t(x)", nullptr, nullptr, nullptr) ==
          SQLITE_OK);
  std::thread commit([other] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr);
  });
  auto opened = OpenSqliteLedger(ledger);
  commit.join();
  sqlite3_close(other);
  CHECK_MESSAGE(opened.ok(), opened.status().message);
}

TEST_CASE("A statement that does not prepare says why, and is tried again next time") {
  auto db = sql::OpenSqlite(":memory:");
  REQUIRE(db.ok());
  sql::Connection& c = **db;
  sql::Stmt missing(c, "INSERT INTO later(x) VALUES (1)");
  const Status st = missing.Run("record");
  CHECK_FALSE(st.ok());
  CHECK(st.message == "ledger: record: no such table: later");
  REQUIRE(c.Exec("CREATE TABLE later(x)").ok());
  sql::Stmt again(c, "INSERT INTO later(x) VALUES (1)");
  CHECK(again.Run("record").ok());
}

}  // namespace
}  // namespace rbgate::spool
