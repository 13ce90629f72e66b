// A hardened, streaming XML reader on libxml2's SAX2 push parser, with XSD validation
// plugged into the same stream (xmlSchemaSAXPlug): one pass, no tree, bounded memory.
//
// Hardening: a DOCTYPE is refused (so no entity is declared, expanded or fetched, and no DTD
// is loaded); no network; limits on depth, name length, attribute length, text node size,
// markup size and total size. Every libxml2 error (well-formedness, encoding, schema) becomes a
// Diagnostic with line and column, through per-context structured handlers, never the global one.
// UTF-8 and ISO-8859-1 are both read; the sink always sees UTF-8.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "parsers/diagnostic.h"
#include "parsers/status.h"

struct _xmlSchema;  // NOLINT(bugprone-reserved-identifier): libxml2's compiled schema

namespace rbgate::parsers::xml {

// The finding for a DOCTYPE (xml.doctype), worded once for the parser and feed detection.
std::string DoctypeMessage(std::string_view name);

struct Attribute {
  std::string_view name;
  std::string_view value;
};

// The value of attribute `name`, or empty.
inline std::string_view AttributeValue(std::span<const Attribute> attributes,
                                       std::string_view name) {
  for (const auto& a : attributes) {
    if (a.name == name) return a.value;
  }
  return {};
}

// Receives the document's events. Views are valid only during the call.
class XmlSink {
 public:
  virtual ~XmlSink() = default;
  virtual void StartElement(std::string_view name, std::span<const Attribute> attributes,
                            std::uint64_t line) = 0;
  virtual void EndElement(std::string_view name, std::uint64_t line) = 0;
  // Character data; one text node may arrive in several pieces.
  virtual void Text(std::string_view text) { (void)text; }
};

// One stream of events to two sinks, in order: a feed's rules and its transform in one pass.
class TeeSink final : public XmlSink {
 public:
  TeeSink(XmlSink& a, XmlSink& b) : a_(a), b_(b) {}
  void StartElement(std::string_view name, std::span<const Attribute> attributes,
                    std::uint64_t line) override {
    a_.StartElement(name, attributes, line);
    b_.StartElement(name, attributes, line);
  }
  void EndElement(std::string_view name, std::uint64_t line) override {
    a_.EndElement(name, line);
    b_.EndElement(name, line);
  }
  void Text(std::string_view text) override {
    a_.Text(text);
    b_.Text(text);
  }

 private:
  XmlSink& a_;
  XmlSink& b_;
};

// Each limit holds however the construct is written: on one line or many, text in runs,
// character references or CDATA sections, split by comments. max_text and max_markup are capped
// a little below libxml2's own look-ahead ceiling (10,000,000 bytes), so that a construct too
// long is always reported by the rbgate rule it breaks.
struct XmlLimits {
  std::uint32_t max_depth = 64;
  std::uint32_t max_name = 256;
  std::uint32_t max_attribute = 64 * 1024;
  std::uint64_t max_text = std::uint64_t{8} << 20;    // one text node; a signature is the largest
  std::uint64_t max_markup = std::uint64_t{1} << 20;  // one start tag, comment or PI, whole
  std::uint64_t max_bytes = std::uint64_t{4} << 30;
};

// A compiled XSD, built from text held in memory (no I/O, no imports fetched).
class XmlSchema {
 public:
  // Compiles `xsd`; kInvalidArgument, saying why (name first), when it does not compile.
  static StatusOr<std::unique_ptr<XmlSchema>> FromMemory(std::string_view xsd,
                                                         std::string_view name);
  ~XmlSchema();
  XmlSchema(const XmlSchema&) = delete;  // owns the compiled schema: freed once
  XmlSchema& operator=(const XmlSchema&) = delete;
  _xmlSchema* get() const { return schema_; }

 private:
  explicit XmlSchema(_xmlSchema* s) : schema_(s) {}
  _xmlSchema* schema_;
};

// Feed the document window by window; every byte given is consumed. After a fatal finding
// (malformed, DOCTYPE, a limit) the parser stops and ignores the rest. `sink`,
// `diagnostics` and `schema` must outlive the parser. Not thread-safe; one per document.
class XmlStreamParser {
 public:
  XmlStreamParser(XmlSink& sink, DiagnosticSink& diagnostics, const XmlLimits& limits = {},
                  const XmlSchema* schema = nullptr);
  ~XmlStreamParser();
  XmlStreamParser(const XmlStreamParser&) = delete;
  XmlStreamParser& operator=(const XmlStreamParser&) = delete;

  void Feed(std::span<const char> chunk, bool last);
  bool stopped() const noexcept;
  // True when the document was well-formed and (if a schema was given) valid.
  bool valid() const noexcept;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace rbgate::parsers::xml
