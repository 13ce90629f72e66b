#include "parsers/xml/xml_stream.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace rbgate::parsers::xml {
namespace {

struct Events final : XmlSink {
  std::vector<std::string> log;
  std::string text;
  void StartElement(std::string_view name, std::span<const Attribute> attrs,
                    std::uint64_t line) override {
    std::string e = "<" + std::string(name);
    for (const auto& a : attrs) e += " " + std::string(a.name) + "=" + std::string(a.value);
    log.push_back(e + "@" + std::to_string(line));
  }
  void EndElement(std::string_view name, std::uint64_t) override {
    log.push_back("/" + std::string(name));
  }
  void Text(std::string_view t) override { text += t; }
};

struct Result {
  Events events;
  DiagnosticCollector diagnostics{100};
  bool valid = false;
  bool Has(std::string_view rule) const { return diagnostics.Count(rule) > 0; }
  std::string Rules() const {
    std::string out;
    for (const auto& d : diagnostics.diagnostics()) {
      out += std::string(d.rule->id) + "@" + std::to_string(d.line) + ":" +
             std::to_string(d.column) + " " + d.message + "\n";
    }
    return out;
  }
};

std::unique_ptr<Result> Parse(std::string_view doc, std::size_t window = 0,
                              const XmlLimits& limits = {}, const XmlSchema* schema = nullptr) {
  auto r = std::make_unique<Result>();
  XmlStreamParser p(r->events, r->diagnostics, limits, schema);
  if (window == 0) window = doc.size() + 1;
  std::size_t pos = 0;
  do {
    std::size_t n = std::min(window, doc.size() - pos);
    p.Feed({doc.data() + pos, n}, pos + n == doc.size());
    pos += n;
  } while (pos < doc.size());
  r->valid = p.valid();
  return r;
}

constexpr std::string_view kReport = R"(<?xml version = '1.0' encoding = 'UTF-8'?>
<BACSDocument>
  <Data>
    <ARUDD>
      <Header reportType="REFT1019" adviceNumber="999" currentProcessingDate="2026-11-25">
      </Header>
      <Item ref="CT0000000001" valueOf="65.00"/>
    </ARUDD>
  </Data>
  <SignatureMethod> Vanilla </SignatureMethod>
</BACSDocument>
)";

TEST_CASE("a well-formed report streams its elements, attributes and text") {
  for (std::size_t w : {0u, 1u, 7u, 64u}) {
    CAPTURE(w);
    auto r = Parse(kReport, w);
    CHECK_MESSAGE(r->diagnostics.diagnostics().empty(), r->Rules());
    CHECK(r->valid);
    REQUIRE(r->events.log.size() == 12);
    CHECK(r->events.log[0] == "<BACSDocument@2");
    CHECK(r->events.log[3] ==
          "<Header reportType=REFT1019 adviceNumber=999 currentProcessingDate=2026-11-25@5");
    CHECK(r->events.log[5] == "<Item ref=CT0000000001 valueOf=65.00@7");
    CHECK(r->events.text.find("Vanilla") != std::string::npos);
  }
}

TEST_CASE("XXE: a DOCTYPE with an external entity is refused unread") {
  auto r = Parse(R"(<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
<x>&e;</x>)");
  CHECK(r->Has("xml.doctype"));
  CHECK(r->events.text.find("root:") == std::string::npos);
  CHECK(r->events.log.empty());
  CHECK_FALSE(r->valid);
  CHECK(r->diagnostics.diagnostics().at(0).line == 2);
}

TEST_CASE("billion laughs is refused at once") {
  std::string doc = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n";
  for (int i = 1; i < 10; ++i) {
    doc += "<!ENTITY lol" + std::to_string(i) + " \"";
    for (int j = 0; j < 10; ++j)
      doc += "&lol" + (i == 1 ? std::string() : std::to_string(i - 1)) + ";";
    doc += "\">\n";
  }
  doc += "]>\n<lolz>&lol9;</lolz>";
  auto r = Parse(doc);
  CHECK(r->Has("xml.doctype"));
  CHECK(r->events.text.size() < 100);
}

TEST_CASE("a DOCTYPE without entities is refused too; an undeclared entity is malformed") {
  CHECK(Parse("<!DOCTYPE x SYSTEM \"http://example.invalid/x.dtd\"><x/>")->Has("xml.doctype"));
  auto r = Parse("<x>&nope;</x>");
  CHECK(r->Has("xml.malformed"));
  CHECK(Parse("<x>&amp;&lt;</x>")->events.text == "&<");
}

TEST_CASE("deep nesting, long names, long attributes and huge text hit their limits") {
  XmlLimits limits;
  limits.max_depth = 64;
  std::string deep;
  for (int i = 0; i < 10000; ++i) deep += "<a>";
  auto d = Parse(deep, 4096, limits);
  CHECK(d->Has("xml.limit.depth"));
  CHECK(d->events.log.size() <= 64);

  CHECK(Parse("<" + std::string(1000, 'n') + "/>")->Has("xml.limit.name"));

  limits.max_attribute = 1024;
  auto a = Parse("<x a=\"" + std::string(100000, 'v') + "\"/>", 0, limits);
  CHECK(a->Has("xml.limit.attribute"));

  limits.max_text = 1 << 20;
  std::string blob = "<Signature>" + std::string(3 << 20, 'Q') + "</Signature>";
  auto t = Parse(blob, 1 << 16, limits);
  CHECK(t->Has("xml.limit.text"));
  CHECK(t->events.text.size() <= (1u << 20) + (1u << 16));

  limits.max_bytes = 1000;
  CHECK(Parse("<x>" + std::string(5000, ' ') + "</x>", 512, limits)->Has("xml.limit.size"));
}

TEST_CASE("truncated documents, empty documents and junk") {
  auto r = Parse("<BACSDocument><Data><ARUDD>");
  CHECK((r->Has("xml.truncated") || r->Has("xml.malformed")));
  CHECK_FALSE(r->valid);
  CHECK(Parse("")->Has("xml.truncated"));
  auto j = Parse("this is not xml");
  CHECK(j->Has("xml.malformed"));
  CHECK(j->diagnostics.diagnostics().at(0).line == 1);
}

TEST_CASE("ISO-8859-1 is read and handed on as UTF-8; a false declaration is an encoding error") {
  auto latin = Parse(
      "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><x>\xa3"
      "5</x>");
  CHECK_MESSAGE(latin->diagnostics.diagnostics().empty(), latin->Rules());
  CHECK(latin->events.text ==
        "\xc2\xa3"
        "5");
  auto lie = Parse(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><x>\xa3"
      "5</x>");
  CHECK(lie->Has("xml.encoding"));
  CHECK(Parse("<?xml version=\"1.0\" encoding=\"EBCDIC-NOPE\"?><x/>")->Has("xml.encoding"));
}

TEST_CASE("encodings other than UTF-8 and ISO-8859-1 are refused before anything is decoded") {
  // iconv knows UTF-7 and would decode it into whatever it makes of the bytes.
  auto utf7 = Parse("<?xml version='1.0' encoding = 'UTF-7'?><x>+AKM-5</x>");
  REQUIRE(utf7->diagnostics.diagnostics().size() == 1);
  CHECK(utf7->diagnostics.diagnostics()[0].message.find("'UTF-7'") != std::string::npos);
  CHECK(utf7->events.log.empty());
  CHECK(Parse(std::string_view("\xFF\xFE<\0x\0/\0>\0", 10))->Has("xml.encoding"));
  // The declaration may arrive a byte at a time; accepted names in any case; a BOM is fine.
  auto split = Parse("\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><x>\xa3</x>", 1);
  CHECK_MESSAGE(split->diagnostics.diagnostics().empty(), split->Rules());
  CHECK(split->events.text == "\xc2\xa3");
  CHECK(Parse("<x/>", 1)->diagnostics.diagnostics().empty());
  CHECK(Parse("<?xml version=\"1.0\"?><x/>", 2)->diagnostics.diagnostics().empty());
}

constexpr std::string_view kXsd = R"(<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:element name="Report">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="Item" maxOccurs="unbounded">
          <xs:complexType>
            <xs:attribute name="valueOf" type="xs:decimal" use="required"/>
          </xs:complexType>
        </xs:element>
      </xs:sequence>
    </xs:complexType>
  </xs:element>
</xs:schema>)";

TEST_CASE("XSD validation runs in the same pass and says where") {
  std::string error;
  auto schema = XmlSchema::FromMemory(kXsd, "test.xsd", error);
  REQUIRE_MESSAGE(schema != nullptr, error);
  auto ok = Parse("<Report>\n<Item valueOf=\"1.50\"/>\n</Report>", 5, {}, schema.get());
  CHECK_MESSAGE(ok->diagnostics.diagnostics().empty(), ok->Rules());
  CHECK(ok->valid);
  CHECK(ok->events.log.size() == 4);

  auto bad =
      Parse("<Report>\n<Item valueOf=\"1.50\"/>\n<Item valueOf=\"lots\"/>\n<Oops/>\n</Report>", 0,
            {}, schema.get());
  CHECK_FALSE(bad->valid);
  REQUIRE(bad->Has("xml.schema"));
  const auto& d = bad->diagnostics.diagnostics().at(0);
  CHECK(d.line == 3);
  CHECK(d.message.find("valueOf") != std::string::npos);
  CHECK(bad->diagnostics.Count("xml.schema") == 2);

  std::string why;
  CHECK(XmlSchema::FromMemory("<xs:schema", "broken.xsd", why) == nullptr);
  CHECK(why.find("broken.xsd") == 0);
}

TEST_CASE("a 2 GB signature blob is stopped at the text limit, streamed, never held") {
  struct Counting final : XmlSink {
    std::uint64_t text = 0;
    void StartElement(std::string_view, std::span<const Attribute>, std::uint64_t) override {}
    void EndElement(std::string_view, std::uint64_t) override {}
    void Text(std::string_view t) override { text += t.size(); }
  } sink;
  DiagnosticCollector diagnostics;
  XmlStreamParser p(sink, diagnostics);  // default limits: 64 MiB of text
  const std::string head = "<?xml version='1.0'?><BACSDocument><Signature>";
  p.Feed(head, false);
  const std::string chunk(std::size_t{16} << 20, 'Q');  // one 16 MiB buffer, fed again and again
  std::uint64_t fed = 0;
  const std::uint64_t blob = std::uint64_t{2} << 30;
  int calls = 0;
  while (fed < blob && !p.stopped()) {
    p.Feed(chunk, false);
    fed += chunk.size();
    ++calls;
  }
  CHECK(p.stopped());
  CHECK(diagnostics.Count("xml.limit.text") == 1);
  CHECK(fed <= (std::uint64_t{64} << 20) + chunk.size());  // stopped within one chunk of it
  CHECK(sink.text <= (std::uint64_t{64} << 20) + chunk.size());
  CHECK(calls < 10);
}

}  // namespace
}  // namespace rbgate::parsers::xml
