// The banks' reports on what the council sent, as XML: ARUDD and ARUCS (returned debits and
// credits), DDIC (indemnity claims), the input report, and the messaging advices (ADDACS,
// AUDDIS, AWACS). Each is recognised by its report element, validated against its XSD (beside
// this file, embedded at build time) and its own rules in one pass, and has a transform.
#include <initializer_list>
#include <string_view>

#include "schemas/bacs_reports/arudd.h"
#include "schemas/bacs_reports/ddic.h"
#include "schemas/bacs_reports/input.h"
#include "schemas/bacs_reports/messaging.h"
#include "schemas/bacs_reports/reconcile.h"
#include "schemas/bacs_reports/report_rules.h"
#include "schemas/bacs_reports/returned_items.h"
#include "schemas/bacs_reports/rows.h"
#include "schemas/xml_feed.h"

namespace rbgate::schemas::bacs_reports {

// Generated from the .xsd files beside this one.
extern const std::string_view kAruddXsd;
extern const std::string_view kArucsXsd;
extern const std::string_view kMessagingXsd;
extern const std::string_view kDdicXsd;
extern const std::string_view kInputXsd;

namespace {

bool Has(std::string_view xml, std::string_view tag) {
  return xml.find(tag) != std::string_view::npos;
}

// An advice type as shown in a message: the name characters it starts with, ASCII only.
std::string Shown(std::string_view type) {
  std::string out;
  for (const char c : type) {
    const auto u = static_cast<unsigned char>(c);
    const bool name = u >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                      (c >= '0' && c <= '9') || c == '_' || c == ':' || c == '-' || c == '.';
    if (!name) break;
    out += u < 0x80 ? c : '?';
  }
  return out;
}

// The messaging advices share one report element; the advice-type says which. Messaging
// advices of no type or an unknown one are no feed, and the claim says what they are. A
// report element of another feed in the window wins, as it always has.
Claim ClaimAdvice(std::string_view xml, std::initializer_list<std::string_view> types) {
  if (Has(xml, "<ARUDD") || Has(xml, "<ARUCS") || Has(xml, "<InputReport") ||
      !Has(xml, "<MessagingAdvices")) {
    return {};
  }
  const auto at = xml.find("advice-type=");
  if (at == std::string_view::npos || at + 13 > xml.size()) {
    return {false, false, "Bacs messaging advices with no advice-type"};
  }
  const std::string_view type = xml.substr(at + 13, 6);
  for (const auto t : types) {
    if (type.starts_with(t)) return {true, false, {}};
  }
  for (const std::string_view t : {"ADDACS", "AUDACC", "AUDREJ", "AWACS"}) {
    if (type.starts_with(t)) return {};  // another advice feed's
  }
  return {false, false,
          "Bacs messaging advices of an advice-type rbgate does not know ('" + Shown(type) + "')"};
}

XmlFeed::Definition Report(std::string_view name, std::string_view xsd_name, std::string_view xsd,
                           RowShape rows) {
  XmlFeed::Definition d;
  d.name = name;
  d.origin = "built in (C++)";
  d.xsd_name = xsd_name;
  d.xsd = xsd;
  d.rules = AllReportRules();
  d.columns = rows.columns;
  d.rows = rows.sink;
  return d;
}

template <typename V>
std::unique_ptr<XmlFeedValidator> Plain(parsers::DiagnosticSink& d, const CheckOptions&,
                                        const FeedSinks&) {
  return std::make_unique<V>(d);
}

std::unique_ptr<XmlFeedValidator> Returns(parsers::DiagnosticSink& d, const ReturnsKind& kind,
                                          const FeedSinks& s) {
  if (s.items == nullptr) return std::make_unique<AruddValidator>(d, kind);
  return std::make_unique<AruddValidator>(d, kind, std::make_unique<ReturnedItemEncoder>(*s.items));
}

}  // namespace

void RegisterFeeds(FeedCatalogue& catalogue) {
  auto arudd = Report("arudd", "arudd.xsd", kAruddXsd, ReturnsRows(false));
  arudd.claim = [](std::string_view, std::string_view xml) -> Claim {
    return {Has(xml, "<ARUDD"), false, {}, 3};
  };
  arudd.validator = [](parsers::DiagnosticSink& d, const CheckOptions&,
                       const FeedSinks& s) -> std::unique_ptr<XmlFeedValidator> {
    return Returns(d, kArudd, s);
  };
  catalogue.Add(std::make_unique<XmlFeed>(arudd));

  auto arucs = Report("arucs", "arucs.xsd", kArucsXsd, ReturnsRows(true));
  arucs.claim = [](std::string_view, std::string_view xml) -> Claim {
    return {Has(xml, "<ARUCS"), false, {}, 2};  // below ARUDD
  };
  arucs.validator = [](parsers::DiagnosticSink& d, const CheckOptions&,
                       const FeedSinks& s) -> std::unique_ptr<XmlFeedValidator> {
    return Returns(d, kArucs, s);
  };
  catalogue.Add(std::make_unique<XmlFeed>(arucs));

  auto addacs = Report("addacs", "messaging.xsd", kMessagingXsd, MessagingRowShape());
  addacs.claim = [](std::string_view, std::string_view xml) {
    return ClaimAdvice(xml, {"ADDACS"});
  };
  addacs.validator = Plain<MessagingValidator>;
  catalogue.Add(std::make_unique<XmlFeed>(addacs));
  auto auddis = addacs;
  auddis.name = "auddis";
  auddis.claim = [](std::string_view, std::string_view xml) {
    return ClaimAdvice(xml, {"AUDACC", "AUDREJ"});
  };
  catalogue.Add(std::make_unique<XmlFeed>(auddis));
  auto awacs = addacs;
  awacs.name = "awacs";
  awacs.claim = [](std::string_view, std::string_view xml) { return ClaimAdvice(xml, {"AWACS"}); };
  catalogue.Add(std::make_unique<XmlFeed>(awacs));

  auto ddic = Report("ddic", "ddic.xsd", kDdicXsd, DdicRowShape());
  ddic.claim = [](std::string_view root, std::string_view xml) -> Claim {
    const bool yes =
        root == "VocaDocument" && (Has(xml, "<NewAdvices") || Has(xml, "<ServiceUserNumber"));
    return {yes, yes, {}};
  };
  ddic.validator = Plain<DdicValidator>;
  catalogue.Add(std::make_unique<XmlFeed>(ddic));

  auto input = Report("input", "input.xsd", kInputXsd, InputRowShape());
  input.claim = [](std::string_view, std::string_view xml) -> Claim {
    return {Has(xml, "<InputReport"), false, {}, 1};  // below both returns reports
  };
  input.validator = [](parsers::DiagnosticSink& d, const CheckOptions&,
                       const FeedSinks& s) -> std::unique_ptr<XmlFeedValidator> {
    // The session of the Bacs store (reconcile.h) takes the answers, to match them.
    return std::make_unique<InputReportValidator>(d, dynamic_cast<AnswerSink*>(s.session));
  };
  input.offline_note =
      "an input report is matched against the submission it answers (SUN, serial, day, "
      "totals) only where the ledger is: by the daemon, and by rbgate quarantine show";
  catalogue.Add(std::make_unique<XmlFeed>(input));
  RegisterStore(catalogue);
}

}  // namespace rbgate::schemas::bacs_reports
