#include "schemas/feed.h"

#include <doctest/doctest.h>

#include <set>
#include <string>

#include "schemas/detect.h"

namespace rbgate::schemas {
namespace {

TEST_CASE("the catalogue: every built-in feed once, ready, with rules and a way to be told") {
  std::set<std::string_view> names;
  for (const auto* f : BuiltinFeeds()) {
    CHECK(names.insert(f->name()).second);
    CHECK(FindBuiltinFeed(f->name()) == f);
    CHECK_FALSE(f->rules().empty());
    CHECK((f->kind() == "bacs18" || f->kind() == "xml"));
    CHECK(f->origin().starts_with("built in"));
  }
  for (const auto name : {"bacs18", "arudd", "arucs", "addacs", "auddis", "awacs", "ddic", "input",
                          "atlas", "ba-report"}) {
    CHECK_MESSAGE(IsBuiltinFeed(name), name);
  }
  CHECK_FALSE(IsBuiltinFeed("vep"));  // a schema file's feed, not the catalogue's
  CHECK(FindBuiltinFeed("") == nullptr);
  CHECK(PrepareBuiltinFeeds().empty());
}

TEST_CASE("every rule is listed once; the bank reports have transforms, ATLAS has none") {
  std::set<std::string_view> ids;
  for (const auto* r : AllRules()) CHECK_MESSAGE(ids.insert(r->id).second, r->id);
  CHECK(ids.count("bacs18.utl1.debit-total") == 1);
  CHECK(ids.count("xml.doctype") == 1);
  CHECK(ids.count("atlas.nino") == 1);
  CHECK(ids.count("table.type") == 1);
  CHECK_FALSE(BuiltinColumns("arudd").empty());
  CHECK(BuiltinColumns("arudd").size() == BuiltinColumns("arucs").size());
  CHECK(BuiltinColumns("atlas").empty());
  CHECK(BuiltinColumns("no-such-feed").empty());
}

TEST_CASE("masking: Standard 18 by its layout, any other feed letter by letter") {
  const std::string vol1 = "VOL1000042                               123456                1";
  const auto* bacs18 = FindBuiltinFeed("bacs18");
  REQUIRE(bacs18 != nullptr);
  CHECK(bacs18->MaskLine(vol1) == vol1);  // a label holds nothing personal
  std::string data(100, ' ');
  data.replace(0, 6, "401234");
  data.replace(6, 8, "12345678");
  data.replace(64, 18, "MR A SMITH        ");
  const std::string masked = bacs18->MaskLine(data);
  CHECK(masked.find("12345678") == std::string::npos);
  CHECK(masked.find("SMITH") == std::string::npos);
  CHECK(masked.size() == data.size());
  CHECK(FindBuiltinFeed("atlas")->MaskLine("<Nino>QQ123456C</Nino>") == "<****>*********</****>");
  CHECK(MaskEveryLetter("ab 1-é") == "** *-**");
}

TEST_CASE("detection asks the catalogue: a root element outranks an element inside") {
  CHECK(DetectFeed("<ATLASNotifications><ARUDD/></ATLASNotifications>", true).feed == "atlas");
  CHECK(DetectFeed("<VocaDocument><NewAdvices/><ARUDD/></VocaDocument>", true).feed == "ddic");
  CHECK(DetectFeed("<BACSDocument><ARUCS/><ARUDD/></BACSDocument>", true).feed == "arudd");
  // Claims made the same way go by rank: ARUDD, then ARUCS, then an input report, in whatever
  // order the elements come.
  CHECK(DetectFeed("<BACSDocument><ARUDD/><ARUCS/></BACSDocument>", true).feed == "arudd");
  CHECK(DetectFeed("<BACSDocument><InputReport/><ARUCS/></BACSDocument>", true).feed == "arucs");
  CHECK(DetectFeed("<BACSDocument><InputReport/></BACSDocument>", true).feed == "input");
  CHECK(DetectFeed("<X><MessagingAdvices><MessagingAdvice advice-type=\"AWACS\"/>", false).feed ==
        "awacs");
  const auto unknown =
      DetectFeed("<X><MessagingAdvices><MessagingAdvice advice-type=\"ZZZZZZ\"/>", false);
  CHECK(unknown.feed.empty());
  CHECK(unknown.seen.find("advice-type rbgate does not know ('ZZZZZZ')") != std::string::npos);
}

}  // namespace
}  // namespace rbgate::schemas
