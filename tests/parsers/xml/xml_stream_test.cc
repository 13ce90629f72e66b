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

// libxml2's SAX2 passes an attribute's "&amp;" on as "&#38;"; the sink must see "&", and a
// literal "&#38;" written as "&amp;#38;" must stay itself.
TEST_CASE("attribute values arrive with their references resolved, & included") {
  for (std::size_t w : {0u, 1u, 5u}) {
    CAPTURE(w);
    auto r = Parse(
        "<a n=\"C &amp; D\" m=\"&#38;&amp;&lt;&gt;&quot;&apos;&#65;\" k=\"&amp;#38;\" "
        "t=\"x&amp;\"/>",
        w);
    CHECK_MESSAGE(r->diagnostics.diagnostics().empty(), r->Rules());
    REQUIRE(r->events.log.size() == 2);
    CHECK(r->events.log[0] == "<a n=C & D m=&&<>\"'A k=&#38; t=x&@1");
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
  auto compiled = XmlSchema::FromMemory(kXsd, "test.xsd");
  REQUIRE_MESSAGE(compiled.ok(), compiled.status().message);
  const auto schema = std::move(compiled).value();
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

  const auto broken = XmlSchema::FromMemory("<xs:schema", "broken.xsd");
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.status().message.find("broken.xsd") == 0);
}

TEST_CASE("a 2 GB signature blob is stopped at the text limit, streamed, never held") {
  struct Counting final : XmlSink {
    std::uint64_t text = 0;
    void StartElement(std::string_view, std::span<const Attribute>, std::uint64_t) override {}
    void EndElement(std::string_view, std::uint64_t) override {}
    void Text(std::string_view t) override { text += t.size(); }
  } sink;
  DiagnosticCollector diagnostics;
  const std::uint64_t limit = XmlLimits{}.max_text;
  XmlStreamParser p(sink, diagnostics);
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
  CHECK(fed <= limit + chunk.size());  // stopped within one chunk of it
  CHECK(sink.text <= limit);
  CHECK(calls < 10);
}

// The limits with a schema plugged in, as every feed runs: libxml2's schema plug hands each
// event to our handlers and then to the validator, so a handler that stopped the parser the
// wrong way left the validator reading freed memory (a 300 MiB signature in 76-byte lines
// crashed `rbgate check`). Every shape, at the limit and one past it; under ASan in CI.
constexpr std::string_view kSignatureXsd = R"(<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:element name="BACSDocument"><xs:complexType><xs:sequence>
    <xs:element name="Data"><xs:complexType>
      <xs:attribute name="name" type="xs:string"/>
    </xs:complexType></xs:element>
    <xs:element name="Signature" type="xs:string" minOccurs="0"/>
  </xs:sequence></xs:complexType></xs:element>
</xs:schema>)";

const XmlSchema& SignatureSchema() {
  static const std::unique_ptr<XmlSchema> schema = [] {
    auto s = XmlSchema::FromMemory(kSignatureXsd, "signature.xsd");
    REQUIRE_MESSAGE(s.ok(), s.status().message);
    return std::move(s).value();
  }();
  return *schema;
}

std::string SignedDocument(std::string_view signature, std::string_view data_attributes = {}) {
  return "<?xml version='1.0'?>\n<BACSDocument><Data" + std::string(data_attributes) +
         "/><Signature>" + std::string(signature) + "</Signature></BACSDocument>\n";
}

// `n` bytes of text written in one of the shapes text comes in; each shape holds `n` bytes of
// text once parsed.
enum class Shape { kOneLine, kLines, kReferences, kNonAscii, kCdata, kCdataSections, kMixed };
std::string TextOf(Shape shape, std::size_t n) {
  std::string out;
  switch (shape) {
    case Shape::kOneLine:
      return std::string(n, 'Q');
    case Shape::kLines:  // base64 as signatures are written: 76 characters and a newline
      for (std::size_t i = 0; i < n; ++i) out += i % 77 == 76 ? '\n' : 'Q';
      return out;
    case Shape::kReferences:  // each &amp; is one byte of text, handed over on its own
      for (std::size_t i = 0; i < n; ++i) out += i % 2 ? "&amp;" : "Q";
      return out;
    case Shape::kNonAscii:  // two-byte characters, which libxml2 hands over 300 bytes at a time
      for (std::size_t i = 0; i < n / 2; ++i) out += "\xC3\xA9";
      if (n % 2) out += 'Q';
      return out;
    case Shape::kCdata:
      return "<![CDATA[" + std::string(n, 'Q') + "]]>";
    case Shape::kCdataSections:
      for (std::size_t done = 0; done < n; done += 1000) {
        out += "<![CDATA[" + std::string(std::min<std::size_t>(1000, n - done), 'Q') + "]]>";
      }
      return out;
    case Shape::kMixed:  // text split by comments and processing instructions
      for (std::size_t done = 0; done < n; done += 500) {
        out += std::string(std::min<std::size_t>(500, n - done), 'Q') + "<!-- c --><?pi x?>";
      }
      return out;
  }
  return out;
}

TEST_CASE("the text limit holds for every shape of text, with the schema plugged in") {
  XmlLimits limits;
  limits.max_text = 64 << 10;
  for (Shape shape : {Shape::kOneLine, Shape::kLines, Shape::kReferences, Shape::kNonAscii,
                      Shape::kCdata, Shape::kCdataSections, Shape::kMixed}) {
    for (std::size_t window : {std::size_t{4096}, std::size_t{1} << 20}) {
      CAPTURE(static_cast<int>(shape));
      CAPTURE(window);
      auto at =
          Parse(SignedDocument(TextOf(shape, limits.max_text)), window, limits, &SignatureSchema());
      CHECK_MESSAGE(at->valid, at->Rules());
      CHECK(at->events.text.size() == limits.max_text);
      auto past = Parse(SignedDocument(TextOf(shape, limits.max_text + 1)), window, limits,
                        &SignatureSchema());
      CHECK_FALSE(past->valid);
      CHECK(past->diagnostics.Count("xml.limit.text") == 1);
      CHECK_MESSAGE(past->diagnostics.diagnostics().size() == 1, past->Rules());
      CHECK(past->events.text.size() <= limits.max_text);
      CHECK(past->diagnostics.diagnostics().at(0).message.find("<Signature>") != std::string::npos);
    }
  }
}

TEST_CASE("a 300 MiB signature in 76-byte lines stops at the default text limit") {
  const std::uint64_t limit = XmlLimits{}.max_text;
  Events events;
  DiagnosticCollector diagnostics;
  XmlStreamParser p(events, diagnostics, {}, &SignatureSchema());
  // (A string literal would be a span with its terminating NUL.)
  p.Feed(std::string_view("<?xml version='1.0'?>\n<BACSDocument><Data/><Signature>\n"), false);
  const std::string window = TextOf(Shape::kLines, 77 * (std::size_t{16} << 20) / 77);
  std::uint64_t fed = 0;
  while (fed < (std::uint64_t{300} << 20) && !p.stopped()) {
    p.Feed(window, false);
    fed += window.size();
  }
  p.Feed(std::string_view("</Signature></BACSDocument>\n"), true);
  CHECK_FALSE(p.valid());
  CHECK(diagnostics.Count("xml.limit.text") == 1);
  CHECK(diagnostics.diagnostics().size() == 1);
  CHECK(events.text.size() <= limit);
  CHECK(fed <= limit + window.size());
}

TEST_CASE("attribute and name limits hold at and past them, on one line or many") {
  XmlLimits limits;
  limits.max_attribute = 4096;
  for (bool lines : {false, true}) {
    for (std::size_t window : {std::size_t{1000}, std::size_t{1} << 20}) {
      CAPTURE(lines);
      CAPTURE(window);
      auto value = [&](std::size_t n) {
        std::string v(n, 'v');
        if (lines) {
          for (std::size_t i = 75; i < n; i += 76) v[i] = '\n';
        }
        return " name=\"" + v + "\"";
      };
      auto at = Parse(SignedDocument("", value(limits.max_attribute)), window, limits,
                      &SignatureSchema());
      CHECK_MESSAGE(at->valid, at->Rules());
      auto past = Parse(SignedDocument("", value(limits.max_attribute + 1)), window, limits,
                        &SignatureSchema());
      CHECK_FALSE(past->valid);
      CHECK(past->diagnostics.Count("xml.limit.attribute") == 1);
      CHECK_MESSAGE(past->diagnostics.diagnostics().size() == 1, past->Rules());
    }
  }
  const std::string name256(256, 'n'), name257(257, 'n');
  CHECK(Parse("<" + name256 + "/>")->valid);
  CHECK(Parse("<" + name257 + "/>")->Has("xml.limit.name"));
  CHECK(Parse("<x " + name257 + "=\"1\"/>")->Has("xml.limit.name"));
  // Past libxml2's own name ceiling (50,000) and past the markup limit: still the name rule.
  CHECK(Parse("<" + std::string(60000, 'n') + "/>")->Has("xml.limit.name"));
  CHECK(Parse("<" + std::string(3 << 20, 'n') + "/>", 1 << 16)->Has("xml.limit.name"));
  CHECK(Parse("<x " + std::string(3 << 20, 'n') + "=\"1\"/>", 1 << 16)->Has("xml.limit.name"));
}

TEST_CASE("a 50 MiB attribute is the attribute limit, not libxml2's 'Huge input lookup'") {
  for (bool lines : {false, true}) {
    CAPTURE(lines);
    std::string v(std::size_t{50} << 20, 'v');
    if (lines) {
      for (std::size_t i = 75; i < v.size(); i += 76) v[i] = '\n';
    }
    auto r = Parse(SignedDocument("", " name=\"" + v + "\""), std::size_t{16} << 20, {},
                   &SignatureSchema());
    CHECK_FALSE(r->valid);
    REQUIRE_MESSAGE(r->diagnostics.diagnostics().size() == 1, r->Rules());
    const auto& d = r->diagnostics.diagnostics()[0];
    CHECK(d.rule->id == "xml.limit.attribute");
    CHECK(d.message.find("attribute name of <Data>") != std::string::npos);
    CHECK(d.message.find("Huge") == std::string::npos);
  }
}

TEST_CASE("markup held whole is limited: a start tag of many attributes, a comment, a PI") {
  XmlLimits limits;
  limits.max_markup = 64 << 10;
  std::string many;
  for (int i = 0; i < 5000; ++i) many += " a" + std::to_string(i) + "=\"0123456789\"";
  auto tag = Parse("<x" + many + "/>", 4096, limits);
  CHECK(tag->Has("xml.limit.markup"));
  CHECK(tag->Rules().find("start tag of <x>") != std::string::npos);

  const std::size_t body = limits.max_markup - 7;  // "<!--" + body + "-->" is exactly the limit
  CHECK(Parse("<x><!--" + std::string(body, 'c') + "--></x>", 4096, limits)->valid);
  auto comment = Parse("<x><!--" + std::string(body + 1, 'c') + "--></x>", 4096, limits);
  CHECK(comment->Has("xml.limit.markup"));
  CHECK(comment->Rules().find("a comment in <x>") != std::string::npos);
  CHECK(Parse("<x><?pi " + std::string(3 << 20, 'p') + "?></x>", 1 << 16)->Has("xml.limit.markup"));
  // With the default limits too, well before libxml2's 10 MB look-ahead.
  auto big = Parse("<x><!--" + std::string(std::size_t{12} << 20, 'c') + "--></x>", 1 << 20);
  REQUIRE(big->diagnostics.diagnostics().size() == 1);
  CHECK(big->Has("xml.limit.markup"));
}

TEST_CASE("nesting at the depth limit is read; one more is refused") {
  XmlLimits limits;
  limits.max_depth = 64;
  auto nest = [](int n) {
    std::string d;
    for (int i = 0; i < n; ++i) d += "<a>";
    for (int i = 0; i < n; ++i) d += "</a>";
    return d;
  };
  CHECK(Parse(nest(64), 100, limits)->valid);
  auto past = Parse(nest(65), 100, limits);
  CHECK(past->Has("xml.limit.depth"));
  CHECK(past->diagnostics.diagnostics().size() == 1);
}

}  // namespace
}  // namespace rbgate::parsers::xml
