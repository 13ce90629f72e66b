#include "parsers/xml/xml_stream.h"

#include <fmt/format.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include "parsers/bytes.h"
#include "parsers/xml/rules.h"

namespace rbgate::parsers::xml {
namespace {

void InitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { xmlInitParser(); });
}

std::string_view View(const xmlChar* s) {
  return s ? std::string_view(reinterpret_cast<const char*>(s)) : std::string_view{};
}

std::string Trimmed(const char* message) {
  std::string m = message ? message : "";
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  return m;
}

// Which rule a libxml2 error is, by where it came from and its code.
const Rule& RuleOf(const xmlError& e, bool at_end) {
  if (e.domain == XML_FROM_SCHEMASV || e.domain == XML_FROM_SCHEMASP) return rules::kSchema;
  switch (e.code) {
    case XML_ERR_INVALID_ENCODING:
    case XML_ERR_UNSUPPORTED_ENCODING:
    case XML_ERR_UNKNOWN_ENCODING:
    case XML_ERR_INVALID_CHAR:
    case XML_I18N_CONV_FAILED:
      return rules::kEncoding;
    case XML_ERR_DOCUMENT_END:
    case XML_ERR_TAG_NOT_FINISHED:
    case XML_ERR_LTSLASH_REQUIRED:
    case XML_ERR_GT_REQUIRED:
      return at_end ? rules::kTruncated : rules::kMalformed;
    default:
      if (e.domain == XML_FROM_I18N) return rules::kEncoding;
      return rules::kMalformed;
  }
}

// libxml2 raises some errors with no parser context (encoding conversion, I/O), which go to
// the thread's structured handler, else to stderr. While rbgate parses, they come here.
class ScopedGlobalErrors {
 public:
  ScopedGlobalErrors(void* context, xmlStructuredErrorFunc handler)
      : previous_(xmlStructuredError), previous_context_(xmlStructuredErrorContext) {
    xmlSetStructuredErrorFunc(context, handler);
  }
  ~ScopedGlobalErrors() { xmlSetStructuredErrorFunc(previous_context_, previous_); }
  ScopedGlobalErrors(const ScopedGlobalErrors&) = delete;
  ScopedGlobalErrors& operator=(const ScopedGlobalErrors&) = delete;

 private:
  xmlStructuredErrorFunc previous_;
  void* previous_context_;
};

void IgnoreError(void*, xmlErrorPtr) {}

// What the XML declaration at the start of `s` says of the encoding.
enum class Declared { kNeedMore, kAccepted, kRefused };
Declared DeclaredEncoding(std::string_view s, bool last, std::string& name) {
  constexpr std::size_t kMaxDeclaration = 512;
  if (s.starts_with("\xEF\xBB\xBF")) s.remove_prefix(3);  // UTF-8's byte order mark
  if (s.starts_with("\xFE\xFF") || s.starts_with("\xFF\xFE") ||
      s.starts_with(std::string_view("\0\0\xFE\xFF", 4)) ||
      s.starts_with(std::string_view("\0<\0?", 4)) ||
      s.starts_with(std::string_view("<\0?\0", 4))) {
    name = "UTF-16 or UTF-32";
    return Declared::kRefused;
  }
  constexpr std::string_view kOpen = "<?xml";
  if (s.size() < kOpen.size() && kOpen.starts_with(s) && !last) return Declared::kNeedMore;
  if (!s.starts_with(kOpen)) return Declared::kAccepted;  // no declaration: UTF-8
  const auto end = s.find("?>");
  if (end == std::string_view::npos) {
    return s.size() < kMaxDeclaration && !last ? Declared::kNeedMore : Declared::kAccepted;
  }
  std::string_view decl = s.substr(0, end);
  const auto at = decl.find("encoding");
  if (at == std::string_view::npos) return Declared::kAccepted;
  decl.remove_prefix(at + 8);
  auto skip = [&] {
    while (!decl.empty() &&
           (decl[0] == ' ' || decl[0] == '\t' || decl[0] == '\r' || decl[0] == '\n'))
      decl.remove_prefix(1);
  };
  skip();
  if (decl.empty() || decl[0] != '=') return Declared::kAccepted;  // libxml2 will say
  decl.remove_prefix(1);
  skip();
  if (decl.empty() || (decl[0] != '"' && decl[0] != '\'')) return Declared::kAccepted;
  const auto close = decl.find(decl[0], 1);
  if (close == std::string_view::npos) return Declared::kAccepted;
  name.assign(decl.substr(1, close - 1));
  std::string upper = name;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (std::string_view ok :
       {"UTF-8", "UTF8", "ISO-8859-1", "ISO_8859-1", "ISO8859-1", "LATIN1", "US-ASCII", "ASCII"}) {
    if (upper == ok) return Declared::kAccepted;
  }
  return Declared::kRefused;
}

}  // namespace

std::unique_ptr<XmlSchema> XmlSchema::FromMemory(std::string_view xsd, std::string_view name,
                                                 std::string& error) {
  InitOnce();
  xmlSchemaParserCtxtPtr pctxt =
      xmlSchemaNewMemParserCtxt(xsd.data(), static_cast<int>(xsd.size()));
  if (pctxt == nullptr) {
    error = std::string(name) + ": cannot create a schema parser";
    return nullptr;
  }
  std::string errors;
  xmlSchemaSetParserStructuredErrors(
      pctxt,
      [](void* data, xmlErrorPtr e) {
        auto* out = static_cast<std::string*>(data);
        if (out->empty()) *out = fmt::format("line {}: {}", e->line, Trimmed(e->message));
      },
      &errors);
  xmlSchemaPtr schema = nullptr;
  {
    ScopedGlobalErrors quiet(nullptr, &IgnoreError);  // the context's handler has them all
    schema = xmlSchemaParse(pctxt);
  }
  xmlSchemaFreeParserCtxt(pctxt);
  if (schema == nullptr) {
    error = std::string(name) + ": " + (errors.empty() ? "not a valid XSD" : errors);
    return nullptr;
  }
  return std::unique_ptr<XmlSchema>(new XmlSchema(schema));
}

XmlSchema::~XmlSchema() { xmlSchemaFree(schema_); }

struct XmlStreamParser::Impl {
  XmlSink& sink;
  DiagnosticSink& diagnostics;
  XmlLimits limits;
  xmlSAXHandler sax{};
  xmlParserCtxtPtr ctxt = nullptr;
  xmlSchemaValidCtxtPtr vctxt = nullptr;
  xmlSchemaSAXPlugPtr plug = nullptr;
  std::uint32_t depth = 0;
  std::uint64_t bytes = 0;
  std::uint64_t text = 0;   // bytes of the current text node
  std::uint64_t lines = 1;  // lines fed so far
  std::uint64_t tail = 0;   // bytes fed since the last newline
  bool stopped = false;
  bool at_end = false;
  bool errors = false;
  std::vector<Attribute> attributes;
  // Until the XML declaration has been read and its encoding accepted, bytes wait here.
  bool encoding_decided = false;
  std::string pending;
  bool global_error = false;  // one context-less libxml2 error reported per document

  Impl(XmlSink& s, DiagnosticSink& d, const XmlLimits& l) : sink(s), diagnostics(d), limits(l) {}

  std::uint64_t Line() const {
    return ctxt ? static_cast<std::uint64_t>(xmlSAX2GetLineNumber(ctxt)) : 0;
  }
  std::uint64_t Column() const {
    return ctxt ? static_cast<std::uint64_t>(xmlSAX2GetColumnNumber(ctxt)) : 0;
  }

  void Report(const Rule& rule, std::uint64_t line, std::uint64_t column, std::string message) {
    errors = errors || rule.severity == Severity::kError;
    ReportAt(diagnostics, rule, line, column, {}, std::move(message));
  }

  // A fatal finding: report it and stop reading.
  void Stop(const Rule& rule, std::string message) {
    if (stopped) return;
    Report(rule, Line(), Column(), std::move(message));
    stopped = true;
    if (ctxt) xmlStopParser(ctxt);
  }

  static Impl* From(void* user) { return static_cast<Impl*>(user); }

  static void OnStart(void* user, const xmlChar* localname, const xmlChar* prefix,
                      const xmlChar* /*uri*/, int /*nb_namespaces*/, const xmlChar** /*namespaces*/,
                      int nb_attributes, int /*nb_defaulted*/, const xmlChar** attrs) {
    Impl* self = From(user);
    if (self->stopped) return;
    std::string_view name = View(localname);
    if (++self->depth > self->limits.max_depth) {
      return self->Stop(rules::kDepth,
                        fmt::format("elements nested more than {} deep", self->limits.max_depth));
    }
    if (name.size() > self->limits.max_name) {
      return self->Stop(rules::kNameLength, fmt::format("an element name of {} bytes; the limit "
                                                        "is {}",
                                                        name.size(), self->limits.max_name));
    }
    self->attributes.clear();
    for (int i = 0; i < nb_attributes; ++i) {
      const xmlChar** a = attrs + 5 * i;  // localname, prefix, URI, value, end
      std::string_view value(reinterpret_cast<const char*>(a[3]),
                             static_cast<std::size_t>(a[4] - a[3]));
      std::string_view an = View(a[0]);
      if (value.size() > self->limits.max_attribute) {
        return self->Stop(rules::kAttributeLength,
                          fmt::format("attribute {} of <{}> is {} bytes; the limit is {}", an, name,
                                      value.size(), self->limits.max_attribute));
      }
      if (an.size() > self->limits.max_name) {
        return self->Stop(rules::kNameLength,
                          fmt::format("an attribute name of {} bytes", an.size()));
      }
      self->attributes.push_back({an, value});
    }
    (void)prefix;
    self->text = 0;
    self->sink.StartElement(name, self->attributes, self->Line());
  }

  static void OnEnd(void* user, const xmlChar* localname, const xmlChar*, const xmlChar*) {
    Impl* self = From(user);
    if (self->stopped) return;
    if (self->depth > 0) --self->depth;
    self->text = 0;
    self->sink.EndElement(View(localname), self->Line());
  }

  static void OnCharacters(void* user, const xmlChar* ch, int len) {
    Impl* self = From(user);
    if (self->stopped) return;
    self->text += static_cast<std::uint64_t>(len);
    if (self->text > self->limits.max_text) {
      return self->Stop(rules::kTextLength,
                        fmt::format("a text node of more than {} bytes", self->limits.max_text));
    }
    self->sink.Text(
        std::string_view(reinterpret_cast<const char*>(ch), static_cast<std::size_t>(len)));
  }

  static void OnDoctype(void* user, const xmlChar* name, const xmlChar*, const xmlChar*) {
    From(user)->Stop(rules::kDoctype,
                     fmt::format("a DOCTYPE ({}) is refused: no DTD is read and no entity "
                                 "expanded",
                                 View(name)));
  }

  static void OnEntityDecl(void* user, const xmlChar* name, int, const xmlChar*, const xmlChar*,
                           xmlChar*) {
    From(user)->Stop(rules::kDoctype,
                     fmt::format("an entity declaration ({}) is refused", View(name)));
  }

  static xmlParserInputPtr OnResolveEntity(void* user, const xmlChar*, const xmlChar* system_id) {
    From(user)->Stop(rules::kDoctype,
                     fmt::format("an external entity ({}) is refused", View(system_id)));
    return nullptr;
  }

  static xmlEntityPtr OnGetEntity(void*, const xmlChar* name) {
    return xmlGetPredefinedEntity(name);  // &amp; &lt; &gt; &quot; &apos; only
  }

  // Parser errors: the context's _private leads back to us.
  static void OnParserError(void*, xmlErrorPtr e) {
    if (e == nullptr || e->ctxt == nullptr) return;
    auto* ctxt = static_cast<xmlParserCtxtPtr>(e->ctxt);
    Impl* self = static_cast<Impl*>(ctxt->_private);
    if (self == nullptr || self->stopped) return;
    if (e->level == XML_ERR_WARNING) return;
    // A fatal error on the last line of the input, with elements still open, is the document
    // stopping short, whatever libxml2 was in the middle of when the bytes ran out.
    const bool cut_short = self->at_end && e->level == XML_ERR_FATAL && self->depth > 0 &&
                           static_cast<std::uint64_t>(e->line) >= self->lines &&
                           static_cast<std::uint64_t>(e->int2) + 1 >= self->tail;
    const Rule& rule = cut_short ? rules::kTruncated : RuleOf(*e, self->at_end);
    std::string message = Trimmed(e->message);
    if (&rule == &rules::kTruncated) {
      message = fmt::format("the document ends with {} element{} still open (libxml2: {})",
                            self->depth, self->depth == 1 ? "" : "s", message);
    }
    self->Report(rule, static_cast<std::uint64_t>(e->line),
                 static_cast<std::uint64_t>(std::max(1, e->int2)), std::move(message));
    if (e->level == XML_ERR_FATAL) self->stopped = true;
  }

  // Errors libxml2 raises with no parser context (encoding conversion): the first one.
  static void OnGlobalError(void* user, xmlErrorPtr e) {
    Impl* self = From(user);
    if (e == nullptr || self->stopped || self->global_error || e->level == XML_ERR_WARNING) return;
    self->global_error = true;
    self->Report(e->domain == XML_FROM_I18N || e->domain == XML_FROM_IO ? rules::kEncoding
                                                                        : rules::kMalformed,
                 self->Line(), std::max<std::uint64_t>(1, self->Column()), Trimmed(e->message));
  }

  static void OnSchemaError(void* user, xmlErrorPtr e) {
    Impl* self = From(user);
    if (e == nullptr || self->stopped) return;
    std::uint64_t line = e->line > 0 ? static_cast<std::uint64_t>(e->line) : self->Line();
    std::string message = Trimmed(e->message);
    if (e->node == nullptr && e->str1 == nullptr) {
      // Messages start "Element 'X': ..." already; keep them as libxml2 words them.
    }
    self->Report(rules::kSchema, line, static_cast<std::uint64_t>(std::max(1, e->int2)),
                 std::move(message));
  }
};

XmlStreamParser::XmlStreamParser(XmlSink& sink, DiagnosticSink& diagnostics,
                                 const XmlLimits& limits, const XmlSchema* schema)
    : impl_(std::make_unique<Impl>(sink, diagnostics, limits)) {
  InitOnce();
  Impl& i = *impl_;
  std::memset(&i.sax, 0, sizeof i.sax);
  i.sax.initialized = XML_SAX2_MAGIC;
  i.sax.startElementNs = &Impl::OnStart;
  i.sax.endElementNs = &Impl::OnEnd;
  i.sax.characters = &Impl::OnCharacters;
  i.sax.cdataBlock = &Impl::OnCharacters;
  i.sax.internalSubset = &Impl::OnDoctype;
  i.sax.externalSubset = &Impl::OnDoctype;
  i.sax.entityDecl = &Impl::OnEntityDecl;
  i.sax.resolveEntity = &Impl::OnResolveEntity;
  i.sax.getEntity = &Impl::OnGetEntity;
  i.sax.serror = &Impl::OnParserError;

  xmlSAXHandlerPtr sax = &i.sax;
  void* user = &i;
  if (schema != nullptr) {
    i.vctxt = xmlSchemaNewValidCtxt(schema->get());
    xmlSchemaSetValidStructuredErrors(i.vctxt, &Impl::OnSchemaError, &i);
    i.plug = xmlSchemaSAXPlug(i.vctxt, &sax, &user);
  }
  i.ctxt = xmlCreatePushParserCtxt(sax, user, nullptr, 0, nullptr);
  if (i.ctxt != nullptr) {
    i.ctxt->_private = &i;
    if (i.ctxt->sax != nullptr) i.ctxt->sax->serror = &Impl::OnParserError;
    // No network, no entity substitution, no DTD loading (those options are simply not set),
    // and libxml2's own hard limits stay on (no XML_PARSE_HUGE).
    xmlCtxtUseOptions(i.ctxt, XML_PARSE_NONET | XML_PARSE_NOCDATA);
  }
}

XmlStreamParser::~XmlStreamParser() {
  Impl& i = *impl_;
  if (i.ctxt != nullptr) xmlFreeParserCtxt(i.ctxt);
  if (i.plug != nullptr) xmlSchemaSAXUnplug(i.plug);
  if (i.vctxt != nullptr) xmlSchemaFreeValidCtxt(i.vctxt);
}

void XmlStreamParser::Feed(std::span<const char> chunk, bool last) {
  Impl& i = *impl_;
  if (i.ctxt == nullptr) {
    i.Stop(rules::kMalformed, "cannot create an XML parser");
    return;
  }
  if (i.stopped) return;
  i.bytes += chunk.size();
  if (i.bytes > i.limits.max_bytes) {
    i.Stop(rules::kSize, fmt::format("the document is over {} bytes", i.limits.max_bytes));
    return;
  }
  i.at_end = last;
  // Lines, to tell a document cut short at its end (OnParserError).
  i.lines += CountByte({chunk.data(), chunk.size()}, '\n');
  const auto nl = std::find(chunk.rbegin(), chunk.rend(), '\n');
  i.tail =
      nl == chunk.rend() ? i.tail + chunk.size() : static_cast<std::uint64_t>(nl - chunk.rbegin());
  // Only UTF-8 and ISO-8859-1 (and ASCII) are read: any other declared encoding is refused
  // before libxml2 sees a byte, rather than decoded by iconv into whatever it makes of it.
  std::span<const char> data = chunk;
  if (!i.encoding_decided) {
    if (!i.pending.empty()) {
      i.pending.append(chunk.data(), chunk.size());
      data = {i.pending.data(), i.pending.size()};
    }
    std::string name;
    switch (DeclaredEncoding({data.data(), data.size()}, last, name)) {
      case Declared::kNeedMore:
        if (i.pending.empty()) i.pending.assign(chunk.data(), chunk.size());
        return;
      case Declared::kRefused:
        i.encoding_decided = true;
        i.Report(rules::kEncoding, 1, 1,
                 fmt::format("the document declares encoding '{}'; only UTF-8 and ISO-8859-1 "
                             "are read",
                             name));
        i.stopped = true;
        return;
      case Declared::kAccepted:
        i.encoding_decided = true;
        break;
    }
  }
  ScopedGlobalErrors errors(&i, &Impl::OnGlobalError);
  // libxml2's push parser is fed in small pieces: it buffers what it has not parsed yet, and
  // without XML_PARSE_HUGE (which stays off) a buffer over 10 MB is an error ("Huge input
  // lookup"), which a 16 MiB window would otherwise cause.
  constexpr std::size_t kPiece = std::size_t{256} << 10;
  std::size_t pos = 0;
  do {
    const std::size_t n = std::min(kPiece, data.size() - pos);
    const bool end = last && pos + n == data.size();
    xmlParseChunk(i.ctxt, data.data() + pos, static_cast<int>(n), end ? 1 : 0);
    pos += n;
  } while (pos < data.size() && !i.stopped);
  std::string().swap(i.pending);
  if (last && i.bytes == 0 && !i.errors) {
    i.Report(rules::kTruncated, 1, 1, "the document is empty");
  }
}

bool XmlStreamParser::stopped() const noexcept { return impl_->stopped; }

bool XmlStreamParser::valid() const noexcept {
  const Impl& i = *impl_;
  return !i.errors && i.ctxt != nullptr && i.ctxt->wellFormed &&
         (i.vctxt == nullptr || xmlSchemaIsValid(i.vctxt) == 1);
}

}  // namespace rbgate::parsers::xml
