// The feeds' validators' common base, and every rule the Bacs XML reports can break: the XML
// layer's and each feed's own.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "parsers/diagnostic.h"
#include "parsers/xml/xml_stream.h"

namespace rbgate::schemas::bacs_reports {

// What the feeds' validators share: they take the XML layer's events and report findings at
// a line (libxml2 gives lines, not columns, for events).
class ReportValidator : public parsers::xml::XmlSink {
 public:
  // What the report holds, counted as its records: items, advices or user files.
  virtual std::uint64_t records() const = 0;

 protected:
  explicit ReportValidator(parsers::DiagnosticSink& diagnostics) : diagnostics_(diagnostics) {}
  void Report(const parsers::Rule& rule, std::uint64_t line, std::string_view field,
              std::string message) {
    parsers::ReportAt(diagnostics_, rule, line, 1, field, std::move(message));
  }
  parsers::DiagnosticSink& diagnostics_;
};

std::span<const parsers::Rule* const> AllReportRules() noexcept;

}  // namespace rbgate::schemas::bacs_reports
