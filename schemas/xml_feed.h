// XML feeds (the Bacs reports, ATLAS, the VOA's BA reports, ...): the hardened XML stream with
// the feed's XSD plugged in, the feed's own rules on the same events, and its transform rows
// from them too: one pass validates and transforms. A folder declares an XML feed as a
// Definition; XmlFeed does the rest.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>

#include "parsers/diagnostic.h"
#include "parsers/xml/xml_stream.h"
#include "schemas/feed.h"

namespace rbgate::schemas {

// What the feeds' validators share: they take the XML layer's events and report findings at
// a line (libxml2 gives lines, not columns, for events).
class XmlFeedValidator : public parsers::xml::XmlSink {
 public:
  // What the document holds, counted as its records: items, advices or notifications.
  virtual std::uint64_t records() const = 0;
  // After the document: what else the feed learned (an input report's answers).
  virtual void Finish(FeedFacts& facts) { (void)facts; }

 protected:
  explicit XmlFeedValidator(parsers::DiagnosticSink& diagnostics) : diagnostics_(diagnostics) {}
  void Report(const parsers::Rule& rule, std::uint64_t line, std::string_view field,
              std::string message) {
    parsers::ReportAt(diagnostics_, rule, line, 1, field, std::move(message));
  }
  parsers::DiagnosticSink& diagnostics_;
};

class XmlFeed final : public BuiltinFeed {
 public:
  struct Definition {
    std::string_view name;
    std::string_view origin;  // "built in (C++, schemas/atlas/atlas.xsd)"
    std::string_view xsd_name, xsd;
    std::span<const parsers::Rule* const> rules;
    // Recognition: the root element's name, or, where the root does not say, a claim on the
    // root's name and the window from it.
    std::string_view root;
    Claim (*claim)(std::string_view root, std::string_view xml) = nullptr;
    std::unique_ptr<XmlFeedValidator> (*validator)(parsers::DiagnosticSink& diagnostics,
                                                   const CheckOptions& options,
                                                   const FeedSinks& sinks) = nullptr;
    // The transform: its columns and a sink writing them (none when `columns` is empty).
    std::span<const std::string_view> columns;
    std::unique_ptr<parsers::xml::XmlSink> (*rows)(RowWriter& writer) = nullptr;
    std::string_view offline_note;  // BuiltinFeed::offline_note
  };
  explicit XmlFeed(const Definition& d) : d_(d) {}

  std::string_view name() const noexcept override { return d_.name; }
  std::string_view kind() const noexcept override { return "xml"; }
  std::string_view origin() const noexcept override { return d_.origin; }
  std::span<const parsers::Rule* const> rules() const noexcept override { return d_.rules; }
  Claim ClaimXml(std::string_view root, std::string_view xml) const override {
    if (d_.claim != nullptr) return d_.claim(root, xml);
    const bool yes = !d_.root.empty() && root == d_.root;
    return {yes, yes, {}};
  }
  std::string Prepare() const override;
  StatusOr<std::unique_ptr<FeedCheck>> MakeCheck(std::uint64_t size, const CheckOptions& options,
                                                 parsers::DiagnosticSink& diagnostics,
                                                 const FeedSinks& sinks) const override;
  std::string_view offline_note() const noexcept override { return d_.offline_note; }
  std::span<const std::string_view> transform_columns() const noexcept override {
    return d_.columns;
  }

  // The compiled XSD (compiled once, on first use), or null with why in `error`.
  const parsers::xml::XmlSchema* Xsd(std::string* error = nullptr) const;

 private:
  Definition d_;
  mutable std::once_flag compiled_;
  mutable std::unique_ptr<parsers::xml::XmlSchema> xsd_;
  mutable std::string xsd_error_;
};

// Every rule the hardened XML layer reports, for the XML feeds' rule lists.
std::span<const parsers::Rule* const> XmlLayerRules() noexcept;

}  // namespace rbgate::schemas
