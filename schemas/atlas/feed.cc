// DWP ATLAS notifications (XML): recognised by their root element, validated against
// atlas.xsd (beside this file) and the rules beyond it (atlas.h) in one pass.
#include "schemas/atlas/atlas.h"
#include "schemas/xml_feed.h"

namespace rbgate::schemas::atlas {

extern const std::string_view kAtlasXsd;  // generated from atlas.xsd

void RegisterFeeds(FeedCatalogue& catalogue) {
  XmlFeed::Definition d;
  d.name = "atlas";
  d.origin = "built in (C++, schemas/atlas/atlas.xsd)";
  d.xsd_name = "atlas.xsd";
  d.xsd = kAtlasXsd;
  d.rules = AllAtlasRules();
  d.root = "ATLASNotifications";
  d.validator = [](parsers::DiagnosticSink& diagnostics, const CheckOptions&,
                   const FeedSinks&) -> std::unique_ptr<XmlFeedValidator> {
    return std::make_unique<AtlasValidator>(diagnostics);
  };
  catalogue.Add(std::make_unique<XmlFeed>(d));
}

}  // namespace rbgate::schemas::atlas
