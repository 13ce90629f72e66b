// libFuzzer target: the hardened XML layer over arbitrary bytes, with and without a schema,
// fed whole and in small pieces, and feed detection over the same bytes. Crashes, sanitizer reports
// and hangs are bugs; so is any expansion of an entity (the sink would see more text than the input
// holds).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "parsers/xml/xml_stream.h"
#include "schemas/detect.h"

namespace {

using namespace rbgate::parsers;

struct Sink final : xml::XmlSink {
  std::size_t text = 0;
  void StartElement(std::string_view, std::span<const xml::Attribute>, std::uint64_t) override {}
  void EndElement(std::string_view, std::uint64_t) override {}
  void Text(std::string_view t) override { text += t.size(); }
};

const xml::XmlSchema* Schema() {
  static std::unique_ptr<xml::XmlSchema> schema = [] {
    return xml::XmlSchema::FromMemory(R"(<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:element name="BACSDocument"><xs:complexType><xs:sequence>
    <xs:element name="Data"><xs:complexType><xs:sequence>
      <xs:any processContents="lax" minOccurs="0" maxOccurs="unbounded"/>
    </xs:sequence></xs:complexType></xs:element>
    <xs:element name="Item" minOccurs="0" maxOccurs="unbounded"><xs:complexType>
      <xs:attribute name="valueOf" type="xs:decimal"/>
    </xs:complexType></xs:element>
  </xs:sequence></xs:complexType></xs:element>
</xs:schema>)",
                                      "fuzz.xsd")
        .value();  // the fuzzer's own XSD: it compiles
  }();
  return schema.get();
}

void Run(std::string_view bytes, std::size_t piece, const xml::XmlSchema* schema,
         const xml::XmlLimits& limits) {
  Sink sink;
  DiagnosticCollector diagnostics(8);
  xml::XmlStreamParser parser(sink, diagnostics, limits, schema);
  std::size_t pos = 0;
  do {
    const std::size_t n = std::min(piece, bytes.size() - pos);
    parser.Feed({bytes.data() + pos, n}, pos + n == bytes.size());
    pos += n;
  } while (pos < bytes.size());
  // Only the five predefined entities expand (each to one byte from at least four); the
  // only growth is ISO-8859-1 turned into UTF-8, at most two bytes for one.
  if (sink.text > 2 * bytes.size()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  xml::XmlLimits limits;
  limits.max_text = 1 << 16;
  Run(bytes, size + 1, nullptr, limits);
  // Small limits, so that what libxml2 holds between pieces is checked and told apart.
  limits.max_markup = 64;
  limits.max_attribute = 32;
  limits.max_text = 48;
  Run(bytes, 13, Schema(), limits);
  // Feed detection reads the same untrusted bytes: a feed, a DOCTYPE, or an account of them.
  const auto detected = rbgate::schemas::DetectFeed(bytes, true);
  if (detected.feed.empty() && detected.doctype_line == 0 && detected.seen.empty()) std::abort();
  return 0;
}
