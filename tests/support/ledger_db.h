// The database the ledger's tests run against: SQLite files by default; with
// RBGATE_TEST_POSTGRES set (tests/support/with_postgres.sh starts a server and sets it to its
// libpq options), a PostgreSQL database for each SQLite file a test would have used, made on
// first use. Each test's temporary folder is new, so each test has a database of its own.
#pragma once

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cstdlib>
#include <functional>
#include <memory>
#include <string>

#include "spool/ledger.h"
#include "spool/sql.h"

namespace rbgate::testing {

// The server's libpq options (host, port, user), without a database; empty for SQLite.
inline std::string PostgresServer() {
  const char* v = std::getenv("RBGATE_TEST_POSTGRES");
  return v ? v : "";
}
inline bool OnPostgres() { return !PostgresServer().empty(); }

// The PostgreSQL database standing for the SQLite ledger file at `path`, made if missing.
inline std::string PostgresUrlFor(const std::string& path) {
  const std::string db = fmt::format("t{:016x}", std::hash<std::string>{}(path));
  auto admin = spool::sql::OpenPostgres(PostgresServer() + " dbname=postgres", "");
  REQUIRE_MESSAGE(admin.ok(), admin.status().message);
  spool::sql::Stmt exists(**admin, "SELECT 1 FROM pg_database WHERE datname = ?1");
  if (exists.Bind(1, db).Step() != spool::sql::kRow) {
    const Status made = (*admin)->Exec("CREATE DATABASE " + db);
    REQUIRE_MESSAGE(made.ok(), made.message);
  }
  return PostgresServer() + " dbname=" + db;
}

// Where a spool rooted at `root` keeps its ledger in these tests.
inline spool::LedgerLocation TestLedgerLocation(const std::string& root) {
  if (!OnPostgres()) return {};
  return {PostgresUrlFor(root + "/ledger.db"), ""};
}

// Opens (creating) the ledger for the SQLite file `path`; the test stops if it cannot.
inline std::unique_ptr<spool::Ledger> OpenLedger(const std::string& path) {
  auto l = OnPostgres() ? spool::OpenPostgresLedger(PostgresUrlFor(path), "")
                        : spool::OpenSqliteLedger(path);
  REQUIRE_MESSAGE(l.ok(), l.status().message);
  return std::move(l).value();
}

// A connection of its own to the ledger's database, as someone with the database would have.
inline std::unique_ptr<spool::sql::Connection> RawLedger(const std::string& path) {
  auto c = OnPostgres() ? spool::sql::OpenPostgres(PostgresUrlFor(path), "")
                        : spool::sql::OpenSqlite(path);
  REQUIRE_MESSAGE(c.ok(), c.status().message);
  return std::move(c).value();
}

}  // namespace rbgate::testing
