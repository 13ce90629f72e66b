// Drafting a schema from a file: the narrowest type each column fits, and a draft that loads
// and passes the file it was drafted from.
#include "schemas/table/infer.h"

#include <doctest/doctest.h>

#include "parsers/delimited/delimited.h"
#include "schemas/table/schema.h"
#include "schemas/table/validator.h"

namespace rbgate::schemas::table {
namespace {

std::size_t ErrorsAgainst(const std::string& draft, const std::string& data) {
  const auto schema = CompileSchema(draft, "draft.json");
  parsers::DiagnosticCollector findings(100);
  Validator validator(*schema, findings);
  parsers::delimited::Parser parser(validator, findings, schema->ParseOptions());
  parsers::delimited::ParseBuffer(parser, data);
  validator.Finish();
  return findings.errors();
}

TEST_CASE("A draft has the narrowest type each column fits, and its file passes it") {
  std::string data =
      "ref,amount,count,paid,due,when,nino,postcode,sort,note\r\n"
      "A1,12.50,3,Y,2026-04-06,06/04/2026,JG103759A,LS1 2BY,20-00-00,\r\n"
      "A2,7.05,-1,N,2026-04-07,07/04/2026,AB123456C,SW1A 1AA,40-11-12,late\r\n";
  data += ",,,,,,,,,\r\n,,,,,,,,,\r\n";  // a spreadsheet's padding: not data
  const std::string draft = InferSchema(data, {"rents"});
  CHECK(draft.find(R"("name": "rents")") != std::string::npos);
  CHECK(draft.find(R"("delimiter": ",")") != std::string::npos);
  CHECK(draft.find(R"({"name": "ref", "type": "string", "constraints": {"required": true}})") !=
        std::string::npos);
  CHECK(draft.find(R"({"name": "amount", "type": "number", "rbgate": {"domain": "pence"})") !=
        std::string::npos);
  CHECK(draft.find(R"({"name": "count", "type": "integer")") != std::string::npos);
  CHECK(draft.find(R"({"name": "paid", "type": "boolean")") != std::string::npos);
  CHECK(draft.find(R"({"name": "due", "type": "date", "constraints")") != std::string::npos);
  CHECK(draft.find(R"({"name": "when", "type": "date", "format": "%d/%m/%Y")") !=
        std::string::npos);
  CHECK(draft.find(R"({"name": "nino", "type": "string", "rbgate": {"domain": "nino"})") !=
        std::string::npos);
  CHECK(draft.find(R"("domain": "postcode")") != std::string::npos);
  CHECK(draft.find(R"("domain": "sort_code")") != std::string::npos);
  CHECK(draft.find(R"({"name": "note", "type": "string"})") != std::string::npos);  // optional
  CHECK(ErrorsAgainst(draft,
                      "ref,amount,count,paid,due,when,nino,postcode,sort,note\r\n"
                      "A1,12.50,3,Y,2026-04-06,06/04/2026,JG103759A,LS1 2BY,20-00-00,\r\n") == 0);
  // A value that breaks the drafted type is then found.
  CHECK(ErrorsAgainst(draft,
                      "ref,amount,count,paid,due,when,nino,postcode,sort,note\r\n"
                      "A1,12.5,x,Y,2026-04-06,06/04/2026,JG103759A,LS1 2BY,20-00-00,\r\n") == 2);
}

TEST_CASE("Tabs, Windows-1252 and few distinct values") {
  std::string data = "code\tname\r\n";
  for (int i = 0; i < 30; ++i) data += (i % 2 ? "NNDR\tZo\xEB\r\n" : "CTAX\tAl\r\n");
  const std::string draft = InferSchema(data, {"cash", 100, 8, 20});
  CHECK(draft.find(R"("delimiter": "\t")") != std::string::npos);
  CHECK(draft.find(R"("encoding": "windows-1252")") != std::string::npos);
  CHECK(draft.find(R"("enum": ["CTAX", "NNDR"])") != std::string::npos);
  CHECK(draft.find(R"({"name": "name", "type": "string", "constraints": {"required": true}})") !=
        std::string::npos);  // no enum of Windows-1252 text beyond ASCII
  CHECK(ErrorsAgainst(draft, data) == 0);
  // A header with an empty name drafts column_N.
  CHECK(InferSchema("a,\r\n1,2\r\n", {}).find(R"("name": "column_2")") != std::string::npos);
}

}  // namespace
}  // namespace rbgate::schemas::table
