// A table feed's lines as a viewer sees them in the console: the fields its schema marks
// personal masked (and those of a personal domain type), nothing else; a line that cannot be
// split safely masked whole.
#include "schemas/table/mask.h"

#include <doctest/doctest.h>

#include "schemas/feed.h"

namespace rbgate::schemas::table {
namespace {

const std::string kRents = R"({"name":"rents","schema":{"fields":[
  {"name":"pay_ref"},
  {"name":"rent","type":"number"},
  {"name":"surname","rbgate":{"personal":true}},
  {"name":"nino","rbgate":{"domain":"nino"}},
  {"name":"street"}]}})";

TEST_CASE("the schema's personal fields are masked, and only they") {
  const auto s = CompileSchema(kRents, "rents.json");
  CHECK(MaskLine(*s, "pay_ref,rent,surname,nino,street", true) ==
        "pay_ref,rent,surname,nino,street");
  CHECK(MaskLine(*s, "R0001,104.50,O'BRIEN,QQ123456C,STATION ROAD", false) ==
        "R0001,104.50,*'*****,*********,STATION ROAD");
  // Quoted: the quotes and the comma inside stay, the letters go.
  CHECK(MaskLine(*s, "R0002,98.00,\"SMITH, JONES\",,\"HIGH ST\"", false) ==
        "R0002,98.00,\"*****, *****\",,\"HIGH ST\"");
  // Letters beyond ASCII (UTF-8 bytes) too.
  CHECK(MaskLine(*s, "R0003,1,\xC3\x89MILE,,X", false) == "R0003,1,******,,X");
  // More fields than the layout: the extra ones are not known not to be personal.
  CHECK(MaskLine(*s, "R0004,1,A,B,C,EXTRA 9", false) == "R0004,1,*,*,C,***** *");
  // A quote left open: not split safely, so masked whole.
  CHECK(MaskLine(*s, "R0005,1,\"OPEN,QQ,ROAD", false) == MaskEveryLetter("R0005,1,\"OPEN,QQ,ROAD"));
  // The first line of a file without a header is data.
  const auto headless = CompileSchema(
      R"({"name":"r","dialect":{"header":false},"schema":{"fields":[{"name":"a"},
          {"name":"b","rbgate":{"personal":true}}]}})",
      "r.json");
  CHECK(MaskLine(*headless, "x1,SMITH", true) == "x1,*****");
}

TEST_CASE("record types: each record masked by its own layout; an unknown type whole") {
  const auto s = CompileSchema(R"({"name":"claims","dialect":{"header":false},"schema":{
      "fields":[{"name":"type"},{"name":"claim"},{"name":"name","rbgate":{"personal":true}}]},
      "rbgate":{"records":{"discriminator":{"column":1},"data":"D",
        "header":{"code":"H","fields":[{"name":"type"},{"name":"ba"}]},
        "trailer":{"code":"T","fields":[{"name":"type"},{"name":"count","type":"integer"}]}}}})",
                               "claims.json");
  CHECK(MaskLine(*s, "H,0114", true) == "H,0114");
  CHECK(MaskLine(*s, "D,C123,PATEL", false) == "D,C123,*****");
  CHECK(MaskLine(*s, "T,1", false) == "T,1");
  CHECK(MaskLine(*s, "X,C9,PATEL", false) == MaskEveryLetter("X,C9,PATEL"));
}

TEST_CASE("fixed-width: a personal field's columns") {
  const auto s = CompileSchema(R"({"fields":[{"name":"ref","rbgate":{"start":1,"width":4}},
      {"name":"name","rbgate":{"start":5,"width":6,"personal":true}},
      {"name":"amount","type":"integer","rbgate":{"start":11,"width":3}}]})",
                               "fixed.json");
  CHECK(MaskLine(*s, "R001SMITH 123", true) == "R001***** 123");
  CHECK(MaskLine(*s, "R002AB", false) == "R002**");  // a short line: what it reaches
}

}  // namespace
}  // namespace rbgate::schemas::table
