#include "schemas/modulus.h"

#include <doctest/doctest.h>

#include <stdexcept>

namespace rbgate::schemas {
namespace {

const ModulusChecker& Tables() {
  // Fetched at set-up by scripts/fetch-modulus-tables.sh; never committed.
  static const ModulusChecker m = ModulusChecker::LoadDirectory(RBGATE_MODULUS_CACHE);
  return m;
}

struct Vector {
  int number;
  const char* sort;
  const char* account;
  bool valid;
  const char* what;
};

// Chapter 3 of Vocalink's "Validating account numbers": every published test case.
constexpr Vector kVocalink[] = {
    {1, "089999", "66374958", true, "pass modulus 10"},
    {2, "107999", "88837491", true, "pass modulus 11"},
    {3, "202959", "63748472", true, "pass modulus 11 and double alternate"},
    {4, "871427", "46238510", true, "exception 10 & 11, first passes, second fails"},
    {5, "872427", "46238510", true, "exception 10 & 11, first fails, second passes"},
    {6, "871427", "09123496", true, "exception 10, ab=09, g=9"},
    {7, "871427", "99123496", true, "exception 10, ab=99, g=9"},
    {8, "820000", "73688637", true, "exception 3, c=6, second check ignored"},
    {9, "827999", "73988638", true, "exception 3, c=9, second check ignored"},
    {10, "827101", "28748352", true, "exception 3, both checks pass"},
    {11, "134020", "63849203", true, "exception 4, remainder equals check digit"},
    {12, "118765", "64371389", true, "exception 1, 27 added"},
    {13, "200915", "41011166", true, "exception 6, foreign currency"},
    {14, "938611", "07806039", true, "exception 5 passes"},
    {15, "938600", "42368003", true, "exception 5 passes with substitution"},
    {16, "938063", "55065200", true, "exception 5, both remainders 0"},
    {17, "772798", "99345694", true, "exception 7"},
    {18, "086090", "06774744", true, "exception 8"},
    {19, "309070", "02355688", true, "exception 2 & 9, first passes"},
    {20, "309070", "12345668", true, "exception 2 & 9, second passes with substitution"},
    {21, "309070", "12345677", true, "exception 2 & 9, a!=0, g!=9"},
    {22, "309070", "99345694", true, "exception 2 & 9, a!=0, g=9"},
    {23, "938063", "15764273", false, "exception 5, second check digit wrong"},
    {24, "938063", "15764264", false, "exception 5, first check digit wrong"},
    {25, "938063", "15763217", false, "exception 5, first remainder 1"},
    {26, "118765", "64371388", false, "exception 1 fails"},
    {27, "203099", "66831036", false, "modulus 11 passes, double alternate fails"},
    {28, "203099", "58716970", false, "modulus 11 fails, double alternate passes"},
    {29, "089999", "66374959", false, "modulus 10 fails"},
    {30, "107999", "88837493", false, "modulus 11 fails"},
    {31, "074456", "12345112", true, "exception 12/13, modulus 11 passes"},
    {32, "070116", "34012583", true, "exception 12/13, modulus 11 passes (10 too)"},
    {33, "074456", "11104102", true, "exception 12/13, modulus 11 fails, modulus 10 passes"},
    {34, "180002", "00000190", true, "exception 14, second check passes"},
};

TEST_CASE("every published Vocalink test case") {
  const ModulusChecker& m = Tables();
  for (const Vector& v : kVocalink) {
    CAPTURE(v.number);
    CAPTURE(v.what);
    ModulusResult r = m.Check(v.sort, v.account);
    CHECK(r == (v.valid ? ModulusResult::kValid : ModulusResult::kInvalid));
  }
}

TEST_CASE("exception 14's worked examples") {
  CHECK(Tables().Check("180002", "98093517") == ModulusResult::kValid);
  CHECK(Tables().Check("180002", "00000192") == ModulusResult::kInvalid);  // h not 0, 1 or 9
}

TEST_CASE("a sort code in no range is unchecked, not invalid") {
  CHECK(Tables().Check("999999", "12345678") == ModulusResult::kUnchecked);
}

TEST_CASE("the loaded tables say what they are") {
  CHECK(Tables().version() == "valacdos-v8-50.txt");
  CHECK(Tables().rows() > 1000);
}

TEST_CASE("malformed tables are refused with the line") {
  const char* sub = "938173 938017\n";
  CHECK_THROWS_WITH_AS(
      ModulusChecker::FromText("010004 016715 MOD12 0 0 0 0 0 0 8 7 6 5 4 3 2 1", sub, "t"),
      "valacdos line 1: method is not MOD10, MOD11 or DBLAL", std::runtime_error);
  CHECK_THROWS_AS(ModulusChecker::FromText("010004 016715 MOD11 0 0", sub, "t"),
                  std::runtime_error);
  CHECK_THROWS_AS(ModulusChecker::FromText("", sub, "t"), std::runtime_error);
  CHECK_THROWS_AS(
      ModulusChecker::FromText("010004 016715 MOD11 0 0 0 0 0 0 8 7 6 5 4 3 2 1 15", sub, "t"),
      std::runtime_error);
  CHECK_THROWS_AS(ModulusChecker::LoadDirectory("/nonexistent"), std::runtime_error);
  auto m = ModulusChecker::FromText(
      "010004 016715 MOD11    0    0    0    0    0    0    8    7    6    5    4    3    2    "
      "1\r\n",
      sub, "t");
  CHECK(m.rows() == 1);
}

}  // namespace
}  // namespace rbgate::schemas
