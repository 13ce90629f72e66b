// What each Bacs report feed is checked with: its compiled XSD (embedded in the binary,
// compiled once on first use) and the validator of its own rules.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "parsers/diagnostic.h"
#include "parsers/xml/xml_stream.h"
#include "schemas/bacs_reports/report_rules.h"

namespace rbgate::schemas::bacs_reports {

class ReturnedItemSink;

// Null for a feed that is not a Bacs report, or if its XSD failed to compile (then `error`,
// if given, says why).
const parsers::xml::XmlSchema* ReportSchema(std::string_view feed, std::string* error = nullptr);

// Compiles every built-in XSD; empty when all compile, else the first failure. The daemon
// calls it at start: a gateway that would check XML feeds without their schema must not run.
std::string CompileReportSchemas();

// The validator of `feed`'s own rules, reporting to `diagnostics` (null for a feed that is not
// a Bacs report). `returned`, if given, is told of each ARUDD/ARUCS item.
std::unique_ptr<ReportValidator> MakeReportValidator(std::string_view feed,
                                                     parsers::DiagnosticSink& diagnostics,
                                                     ReturnedItemSink* returned = nullptr);

}  // namespace rbgate::schemas::bacs_reports
