#include "schemas/bacs_reports/arudd.h"

#include <doctest/doctest.h>

#include "schemas/detect.h"
#include "schemas/feed.h"
#include "schemas/values.h"
#include "schemas/xml_feed.h"

namespace rbgate::schemas::bacs_reports {
namespace {

const parsers::xml::XmlSchema* ReportSchema(std::string_view feed, std::string* error = nullptr) {
  const auto* xml = dynamic_cast<const XmlFeed*>(FindBuiltinFeed(feed));
  return xml != nullptr ? xml->Xsd(error) : nullptr;
}

TEST_CASE("pounds to pence") {
  std::uint64_t p = 0;
  CHECK(PoundsToPence("65.00", p));
  CHECK(p == 6500);
  CHECK(PoundsToPence("0.07", p));
  CHECK(p == 7);
  CHECK_FALSE(PoundsToPence("65", p));
  CHECK_FALSE(PoundsToPence("65.0", p));
  CHECK_FALSE(PoundsToPence(".50", p));
  CHECK_FALSE(PoundsToPence("-1.00", p));
  CHECK_FALSE(PoundsToPence("1.-5", p));
  CHECK_FALSE(PoundsToPence("1,000.00", p));
}

TEST_CASE("the embedded ARUDD schema compiles") { CHECK(ReportSchema("arudd") != nullptr); }

// The daemon refuses to start when one does not: every XML feed's XSD compiles.
TEST_CASE("every built-in XSD compiles, and a feed without one has none") {
  CHECK(PrepareBuiltinFeeds().empty());
  for (const auto* feed : BuiltinFeeds()) {
    if (feed->kind() == "xml") CHECK(ReportSchema(feed->name()) != nullptr);
  }
  std::string error;
  CHECK(ReportSchema("bacs18", &error) == nullptr);
  CHECK(error.empty());  // not an XML feed: nothing failed
}

std::string Doc(const std::string& items, const std::string& totals) {
  return "<?xml version='1.0' encoding='UTF-8'?>\n<BACSDocument><Data><ARUDD>\n"
         "<Header reportType=\"REFT1019\" adviceNumber=\"1\" "
         "currentProcessingDate=\"2026-11-25\">\n"
         "</Header>\n<Advice><OriginatingAccountRecords><OriginatingAccountRecord>\n"
         "<OriginatingAccount number=\"12345678\" sortCode=\"01-02-03\"/>\n" +
         items + totals +
         "</OriginatingAccountRecord></OriginatingAccountRecords></Advice></ARUDD></Data>\n"
         "<SignatureMethod>\n  Vanilla\n</SignatureMethod></BACSDocument>\n";
}

std::string Item(const std::string& value, const std::string& original = "2026-11-20") {
  return "<ReturnedDebitItem ref=\"CT1\" transCode=\"17\" returnCode=\"0128\" "
         "returnDescription=\"REFER TO PAYER\" originalProcessingDate=\"" +
         original + "\" valueOf=\"" + value +
         "\" currency=\"GBP\">\n<PayerAccount number=\"87654321\" sortCode=\"040004\"/>\n"
         "</ReturnedDebitItem>\n";
}

struct Run {
  parsers::DiagnosticCollector diagnostics;
  std::uint64_t items = 0;
  bool Has(std::string_view r) const { return diagnostics.Count(r) > 0; }
};

Run Check(const std::string& doc) {
  Run r;
  AruddValidator v(r.diagnostics);
  parsers::xml::XmlStreamParser p(v, r.diagnostics, {}, ReportSchema("arudd"));
  p.Feed({doc.data(), doc.size()}, true);
  r.items = v.items();
  return r;
}

TEST_CASE("ARUDD: totals agree, whitespace-only elements pass, both sort code shapes pass") {
  auto r = Check(Doc(Item("65.00") + Item("10.50"),
                     "<Totals numberOf=\"2\" valueOf=\"75.50\" currency=\"GBP\"/>\n"));
  CHECK(r.diagnostics.diagnostics().empty());
  CHECK(r.items == 2);
  CHECK(DetectFeed(Doc("", ""), true).feed == "arudd");
}

TEST_CASE("ARUDD: each rule beyond the XSD fails its case") {
  CHECK(Check(Doc(Item("65.00"), "<Totals numberOf=\"2\" valueOf=\"65.00\" currency=\"GBP\"/>"))
            .Has("arudd.totals.count"));
  CHECK(Check(Doc(Item("65.00"), "<Totals numberOf=\"1\" valueOf=\"65.01\" currency=\"GBP\"/>"))
            .Has("arudd.totals.value"));
  CHECK(Check(Doc(Item("65.00", "2026-11-26"),
                  "<Totals numberOf=\"1\" valueOf=\"65.00\" currency=\"GBP\"/>"))
            .Has("arudd.item.original-date"));
}

TEST_CASE("ARUDD: the XSD is strict where the structure is known") {
  auto totals = std::string("<Totals numberOf=\"1\" valueOf=\"65.00\" currency=\"GBP\"/>");
  CHECK(Check(Doc(Item("65"), totals)).Has("xml.schema"));  // no pence
  CHECK(Check(Doc(Item("65.00"), "")).Has("xml.schema"));   // Totals missing
  CHECK(Check(Doc(Item("65.00"), "<Totals numberOf=\"1\" valueOf=\"65.00\" currency=\"EUR\"/>"))
            .Has("xml.schema"));
  std::string wrong_code = Item("65.00");
  wrong_code.replace(wrong_code.find("transCode=\"17\""), 14, "transCode=\"99\"");
  CHECK(Check(Doc(wrong_code, totals)).Has("xml.schema"));  // not a debit
  // ... and lax where it is not: unknown attributes pass.
  std::string extra = Item("65.00");
  extra.replace(extra.find("currency="), 9, "bankExtra=\"x\" currency=");
  CHECK(Check(Doc(extra, totals)).diagnostics.diagnostics().empty());
}

}  // namespace
}  // namespace rbgate::schemas::bacs_reports
