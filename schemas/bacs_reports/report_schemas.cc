#include "schemas/bacs_reports/report_schemas.h"

#include <fmt/format.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "schemas/atlas/atlas.h"
#include "schemas/bacs_reports/arudd.h"
#include "schemas/bacs_reports/ddic.h"
#include "schemas/bacs_reports/input.h"
#include "schemas/bacs_reports/messaging.h"
#include "schemas/detect.h"
#include "schemas/voa/ba_report.h"

namespace rbgate::schemas::bacs_reports {

// Generated from the .xsd files beside this one.
extern const std::string_view kAruddXsd;
extern const std::string_view kArucsXsd;
extern const std::string_view kMessagingXsd;
extern const std::string_view kDdicXsd;
extern const std::string_view kInputXsd;
}  // namespace rbgate::schemas::bacs_reports
namespace rbgate::schemas::atlas {
extern const std::string_view kAtlasXsd;
}  // namespace rbgate::schemas::atlas
namespace rbgate::schemas::voa {
extern const std::string_view kBaReportXsd;
}  // namespace rbgate::schemas::voa
namespace rbgate::schemas::bacs_reports {

namespace {

struct Source {
  std::string_view xsd, name;
};

Source SourceOf(std::string_view feed) {
  return feed == kFeedArudd      ? Source{kAruddXsd, "arudd.xsd"}
         : feed == kFeedArucs    ? Source{kArucsXsd, "arucs.xsd"}
         : feed == kFeedDdic     ? Source{kDdicXsd, "ddic.xsd"}
         : feed == kFeedInput    ? Source{kInputXsd, "input.xsd"}
         : IsMessagingFeed(feed) ? Source{kMessagingXsd, "messaging.xsd"}
         : feed == kFeedAtlas    ? Source{atlas::kAtlasXsd, "atlas.xsd"}
         : feed == kFeedBaReport ? Source{voa::kBaReportXsd, "ba_report.xsd"}
                                 : Source{};
}

struct Compiled {
  std::unique_ptr<parsers::xml::XmlSchema> schema;
  std::string error;
};

}  // namespace

const parsers::xml::XmlSchema* ReportSchema(std::string_view feed, std::string* error) {
  const Source source = SourceOf(feed);
  if (source.xsd.empty()) return nullptr;
  static std::mutex mu;
  static std::map<std::string_view, Compiled> compiled;
  std::lock_guard lock(mu);
  auto [it, added] = compiled.try_emplace(source.name);
  if (added) {
    it->second.schema =
        parsers::xml::XmlSchema::FromMemory(source.xsd, source.name, it->second.error);
    if (!it->second.schema && it->second.error.empty()) it->second.error = "does not compile";
  }
  if (!it->second.schema && error != nullptr) {
    *error = fmt::format("the built-in {} ({}): {}", source.name, feed, it->second.error);
  }
  return it->second.schema.get();
}

std::string CompileReportSchemas() {
  for (const std::string_view feed : kFeeds) {
    std::string error;
    if (IsXmlReportFeed(feed) && ReportSchema(feed, &error) == nullptr) return error;
  }
  return {};
}

std::unique_ptr<ReportValidator> MakeReportValidator(std::string_view feed,
                                                     parsers::DiagnosticSink& diagnostics,
                                                     ReturnedItemSink* returned) {
  if (feed == kFeedArudd) return std::make_unique<AruddValidator>(diagnostics, kArudd, returned);
  if (feed == kFeedArucs) return std::make_unique<AruddValidator>(diagnostics, kArucs, returned);
  if (feed == kFeedDdic) return std::make_unique<DdicValidator>(diagnostics);
  if (feed == kFeedInput) return std::make_unique<InputReportValidator>(diagnostics);
  if (IsMessagingFeed(feed)) return std::make_unique<MessagingValidator>(diagnostics);
  if (feed == kFeedAtlas) return std::make_unique<atlas::AtlasValidator>(diagnostics);
  if (feed == kFeedBaReport) return std::make_unique<voa::BaReportValidator>(diagnostics);
  return nullptr;
}

}  // namespace rbgate::schemas::bacs_reports
