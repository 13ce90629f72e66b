#include "schemas/bacs18/business_key.h"

#include <doctest/doctest.h>

namespace rbgate::schemas::bacs18 {
namespace {

TEST_CASE("a Standard 18 business key comes apart into its user files") {
  auto k = ParseBacs18BusinessKey("bacs18/123456/000042/2026-11-25/20550/0/2/0/multi/0/99/0/1");
  REQUIRE(k);
  CHECK(k->sun == "123456");
  CHECK(k->serial == "000042");
  REQUIRE(k->user_files.size() == 2);
  CHECK(k->user_files[0].day == "2026-11-25");
  CHECK(k->user_files[0].debit_total == 20550);
  CHECK(k->user_files[0].debit_count == 2);
  CHECK(k->user_files[1].day == "multi");
  CHECK(k->user_files[1].credit_total == 99);
  CHECK(k->user_files[1].credit_count == 1);
  CHECK_FALSE(ParseBacs18BusinessKey(""));
  CHECK_FALSE(ParseBacs18BusinessKey("bacs18/123456/000042/2026-11-25/1/2/3"));
  CHECK_FALSE(ParseBacs18BusinessKey("bacs18/123456/000042/2026-11-25/1/2/3/x"));
  CHECK_FALSE(ParseBacs18BusinessKey("other/123456/000042/2026-11-25/1/2/3/4"));
}

}  // namespace
}  // namespace rbgate::schemas::bacs18
