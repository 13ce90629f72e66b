// A spool in a temporary directory for tests: one route `auto` with no settling delay, one
// directory destination `out` (delivering to DIR/delivered), the test modulus tables.
#pragma once

#include <doctest/doctest.h>

#include <memory>

#include "spool/spool.h"
#include "tests/support/bacs18_file.h"
#include "tests/support/ledger_db.h"
#include "tests/support/temp_dir.h"

namespace rbgate::testing {

inline spool::SpoolOptions TestSpoolOptions(const TempDir& dir) {
  spool::SpoolOptions o;
  o.root = dir / "spool";
  o.ledger = TestLedgerLocation(o.root);
  spool::RouteOptions route;
  route.name = "auto";
  route.destinations = {"out"};
  route.settle.stable_seconds = 0;
  o.routes = {route};
  o.destinations = {{"out", "directory", dir / "delivered"}};
  o.check.validator.modulus = &TestModulus();
  o.check.progress = false;
  o.min_free_bytes = 0;
  o.user = "tester";
  return o;
}

// Opens the spool `o` describes; the test stops if it cannot.
inline std::unique_ptr<spool::Spool> OpenSpool(const spool::SpoolOptions& o) {
  auto s = spool::Spool::Open(o);
  REQUIRE_MESSAGE(s.ok(), s.status().message);
  return std::move(s).value();
}

}  // namespace rbgate::testing
