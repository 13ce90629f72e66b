// A spool in a temporary directory for tests: one route `auto` with no settling delay, one
// directory destination `out` (delivering to DIR/delivered), the test modulus tables.
#pragma once

#include "spool/spool.h"
#include "tests/support/bacs18_file.h"
#include "tests/support/temp_dir.h"

namespace rbgate::testing {

inline spool::SpoolOptions TestSpoolOptions(const TempDir& dir) {
  spool::SpoolOptions o;
  o.root = dir / "spool";
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

}  // namespace rbgate::testing
