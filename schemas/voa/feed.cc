// The VOA's built-in feed: billing authority reports (Valuebill XML), recognised by their root
// element and validated against ba_report.xsd and the rules beyond it (ba_report.h). The VOA's
// lists and schedules are schema files beside this one (ct-list.json, ...).
#include "schemas/voa/ba_report.h"
#include "schemas/voa/smv.h"
#include "schemas/voa/store.h"
#include "schemas/xml_feed.h"

namespace rbgate::schemas::voa {

extern const std::string_view kBaReportXsd;  // generated from ba_report.xsd

void RegisterFeeds(FeedCatalogue& catalogue) {
  XmlFeed::Definition d;
  d.name = "ba-report";
  d.origin = "built in (C++, schemas/voa/ba_report.xsd)";
  d.xsd_name = "ba_report.xsd";
  d.xsd = kBaReportXsd;
  d.rules = AllBaReportRules();
  d.root = "BAreports";
  d.validator = [](parsers::DiagnosticSink& diagnostics, const CheckOptions&,
                   const FeedSinks&) -> std::unique_ptr<XmlFeedValidator> {
    return std::make_unique<BaReportValidator>(diagnostics);
  };
  catalogue.Add(std::make_unique<XmlFeed>(d));
  RegisterStore(catalogue);
  catalogue.AddTableRecordCheck(
      [](const table::TableSchema& schema,
         parsers::DiagnosticSink& diagnostics) -> std::unique_ptr<table::TypedRowSink> {
        if (schema.voa.role != table::VoaBinding::Role::kValuations) return nullptr;
        return std::make_unique<ValuationChecker>(schema, diagnostics);
      });
}

}  // namespace rbgate::schemas::voa
