// The floor under any libxml2-based validator: libxml2's SAX2 push parser with an XSD plugged
// into the stream and handlers that do nothing, over a file fed in 256 KiB pieces as
// parsers/xml does. What rbgate adds (its rules, hashing, rows) is measured against this.
// Usage: libxml2_floor SCHEMA.xsd FILE   (prints "valid"/"invalid"; exit 0/1)
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <vector>

namespace {
void Start(void*, const xmlChar*, const xmlChar*, const xmlChar*, int, const xmlChar**, int, int,
           const xmlChar**) {}
void End(void*, const xmlChar*, const xmlChar*, const xmlChar*) {}
void Characters(void*, const xmlChar*, int) {}
void Quiet(void*, xmlErrorPtr) {}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: libxml2_floor SCHEMA.xsd FILE\n");
    return 2;
  }
  xmlSetStructuredErrorFunc(nullptr, &Quiet);
  xmlSchemaParserCtxtPtr pctxt = xmlSchemaNewParserCtxt(argv[1]);
  xmlSchemaPtr schema = pctxt ? xmlSchemaParse(pctxt) : nullptr;
  if (schema == nullptr) return 2;
  xmlSchemaValidCtxtPtr vctxt = xmlSchemaNewValidCtxt(schema);
  xmlSAXHandler handler{};
  handler.initialized = XML_SAX2_MAGIC;
  handler.startElementNs = &Start;
  handler.endElementNs = &End;
  handler.characters = &Characters;
  xmlSAXHandlerPtr sax = &handler;
  void* user = nullptr;
  xmlSchemaSAXPlugPtr plug = xmlSchemaSAXPlug(vctxt, &sax, &user);
  xmlParserCtxtPtr ctxt = xmlCreatePushParserCtxt(sax, user, nullptr, 0, nullptr);
  xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_NOCDATA);
  std::ifstream in(argv[2], std::ios::binary);
  std::vector<char> piece(std::size_t{256} << 10);
  while (in) {
    in.read(piece.data(), static_cast<std::streamsize>(piece.size()));
    const auto n = static_cast<int>(in.gcount());
    xmlParseChunk(ctxt, piece.data(), n, in ? 0 : 1);
  }
  const bool valid = ctxt->wellFormed && xmlSchemaIsValid(vctxt) == 1;
  std::puts(valid ? "valid" : "invalid");
  xmlFreeParserCtxt(ctxt);
  xmlSchemaSAXUnplug(plug);
  xmlSchemaFreeValidCtxt(vctxt);
  xmlSchemaFree(schema);
  xmlSchemaFreeParserCtxt(pctxt);
  return valid ? 0 : 1;
}
