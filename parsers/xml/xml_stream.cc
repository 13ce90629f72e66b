#include "parsers/xml/xml_stream.h"

#include <fmt/format.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <deque>
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

bool IsXmlSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

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
    case XML_ERR_NAME_TOO_LONG:  // libxml2's own ceiling, past ours
      return rules::kNameLength;
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
    while (!decl.empty() && IsXmlSpace(decl[0])) decl.remove_prefix(1);
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

// What libxml2 holds unparsed is bounded by our limits, checked after every piece fed: a
// start tag, comment or processing instruction by max_markup, a CDATA section by max_text. Both
// are kept below libxml2's own look-ahead ceiling (which it reports only as "Huge input lookup"),
// so a construct too long is always reported by the rbgate limit it breaks.
constexpr std::size_t kPiece = std::size_t{256} << 10;  // bytes handed to xmlParseChunk at once
// ISO-8859-1 may double in size as libxml2 turns it into UTF-8.
constexpr std::uint64_t kMaxLookahead = XML_MAX_LOOKUP_LIMIT - 4 * kPiece;
// Text waits here, joined, until an element event or until this much has gathered: libxml2
// hands text over in pieces as small as one byte (a character reference) or 300 (non-ASCII),
// and its validator appends each piece to the element's value with a strlen of all before it.
constexpr std::size_t kTextPiece = std::size_t{256} << 10;

// The name at the start of `s` (up to white space, '/', '>' or '=').
std::string_view NameAt(std::string_view s) {
  std::size_t n = 0;
  while (n < s.size() && !IsXmlSpace(s[n]) && s[n] != '/' && s[n] != '>' && s[n] != '=') ++n;
  return s.substr(0, n);
}

std::string_view SkipSpace(std::string_view s) {
  while (!s.empty() && IsXmlSpace(s[0])) s.remove_prefix(1);
  return s;
}

}  // namespace

std::string DoctypeMessage(std::string_view name) {
  return fmt::format("a DOCTYPE ({}) is refused: no DTD is read and no entity expanded", name);
}

StatusOr<std::unique_ptr<XmlSchema>> XmlSchema::FromMemory(std::string_view xsd,
                                                           std::string_view name) {
  InitOnce();
  xmlSchemaParserCtxtPtr pctxt =
      xmlSchemaNewMemParserCtxt(xsd.data(), static_cast<int>(xsd.size()));
  if (pctxt == nullptr) {
    return Error(Code::kUnavailable, std::string(name) + ": cannot create a schema parser");
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
    return Error(Code::kInvalidArgument,
                 std::string(name) + ": " + (errors.empty() ? "not a valid XSD" : errors));
  }
  return std::unique_ptr<XmlSchema>(new XmlSchema(schema));
}

XmlSchema::~XmlSchema() { xmlSchemaFree(schema_); }

// libxml2's events pass three layers: the outer handlers (limits, text joined), then the
// schema's plug (which hands each event to the inner handlers and the validator), or the inner
// handlers alone when there is no schema; the inner handlers call the sink.
//
// No element or text handler calls xmlStopParser: in libxml2 2.9.14 it frees the input buffer
// at once, and the plug would then hand the validator the same event, its text and attributes
// pointing into freed memory. A handler that stops sets `stopped` and disables SAX instead; the
// parser is halted between pieces (Halt).
struct XmlStreamParser::Impl {
  XmlSink& sink;
  DiagnosticSink& diagnostics;
  XmlLimits limits;
  xmlSAXHandler outer{};
  xmlSAXHandler inner{};
  xmlSAXHandlerPtr next = nullptr;  // the plug's handlers, or &inner
  void* next_user = nullptr;
  xmlParserCtxtPtr ctxt = nullptr;
  xmlSchemaValidCtxtPtr vctxt = nullptr;
  xmlSchemaSAXPlugPtr plug = nullptr;
  // The open elements' names, innermost last; libxml2 interns names in the context's dictionary,
  // which lives as long as the context.
  std::vector<const xmlChar*> open;
  std::uint64_t bytes = 0;
  std::uint64_t text = 0;   // bytes of the current text node
  std::string joined;       // text not yet passed on
  std::uint64_t lines = 1;  // lines fed so far
  std::uint64_t tail = 0;   // bytes fed since the last newline
  bool stopped = false;
  bool at_end = false;
  bool errors = false;
  std::vector<Attribute> attributes;
  std::deque<std::string> decoded;  // attribute values that had to be rewritten; stable
  // Until the XML declaration has been read and its encoding accepted, bytes wait here.
  bool encoding_decided = false;
  std::string pending;
  bool global_error = false;  // one context-less libxml2 error reported per document

  Impl(XmlSink& s, DiagnosticSink& d, const XmlLimits& l) : sink(s), diagnostics(d), limits(l) {
    limits.max_text = std::min(limits.max_text, kMaxLookahead);
    limits.max_markup = std::min(limits.max_markup, kMaxLookahead);
  }

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

  // A fatal finding: report it and stop reading. Safe inside a handler (see above).
  void Stop(const Rule& rule, std::string message) {
    if (stopped) return;
    Report(rule, Line(), Column(), std::move(message));
    stopped = true;
    if (ctxt) ctxt->disableSAX = 1;
  }

  // Frees libxml2's buffers once stopped. Between pieces, or from a DOCTYPE handler (below);
  // never from an element or text handler.
  void Halt() {
    if (stopped && ctxt != nullptr && ctxt->instate != XML_PARSER_EOF) xmlStopParser(ctxt);
  }

  void FlushText() {
    if (joined.empty()) return;
    next->characters(next_user, reinterpret_cast<const xmlChar*>(joined.data()),
                     static_cast<int>(joined.size()));
    joined.clear();
  }

  // "<Name>" of the innermost open element, for messages.
  std::string Innermost() const {
    return open.empty() ? std::string("the document") : fmt::format("<{}>", View(open.back()));
  }

  static Impl* From(void* user) { return static_cast<Impl*>(user); }

  // ---- outer handlers: what libxml2 calls ----

  static void OnStart(void* user, const xmlChar* localname, const xmlChar* prefix,
                      const xmlChar* uri, int nb_namespaces, const xmlChar** namespaces,
                      int nb_attributes, int nb_defaulted, const xmlChar** attrs) {
    Impl* self = From(user);
    if (self->stopped) return;
    std::string_view name = View(localname);
    if (self->open.size() >= self->limits.max_depth) {
      return self->Stop(rules::kDepth,
                        fmt::format("elements nested more than {} deep", self->limits.max_depth));
    }
    if (name.size() > self->limits.max_name) {
      return self->Stop(rules::kNameLength,
                        fmt::format("an element name of {} bytes; the limit is {}", name.size(),
                                    self->limits.max_name));
    }
    for (int i = 0; i < nb_attributes; ++i) {
      const xmlChar** a = attrs + 5 * i;  // localname, prefix, URI, value, end
      const auto size = static_cast<std::size_t>(a[4] - a[3]);
      std::string_view an = View(a[0]);
      if (size > self->limits.max_attribute) {
        return self->Stop(rules::kAttributeLength,
                          fmt::format("attribute {} of <{}> is {} bytes; the limit is {}", an, name,
                                      size, self->limits.max_attribute));
      }
      if (an.size() > self->limits.max_name) {
        return self->Stop(rules::kNameLength,
                          fmt::format("an attribute name of {} bytes; the limit is {}", an.size(),
                                      self->limits.max_name));
      }
    }
    self->FlushText();
    self->text = 0;
    self->open.push_back(localname);
    self->next->startElementNs(self->next_user, localname, prefix, uri, nb_namespaces, namespaces,
                               nb_attributes, nb_defaulted, attrs);
  }

  static void OnEnd(void* user, const xmlChar* localname, const xmlChar* prefix,
                    const xmlChar* uri) {
    Impl* self = From(user);
    if (self->stopped) return;
    self->FlushText();
    if (!self->open.empty()) self->open.pop_back();
    self->text = 0;
    self->next->endElementNs(self->next_user, localname, prefix, uri);
  }

  // Text of every shape (runs of characters, references, CDATA sections, pieces between
  // comments) counts towards one text node until the next element event.
  static void OnCharacters(void* user, const xmlChar* ch, int len) {
    Impl* self = From(user);
    if (self->stopped || len <= 0) return;
    self->text += static_cast<std::uint64_t>(len);
    if (self->text > self->limits.max_text) {
      return self->Stop(rules::kTextLength,
                        fmt::format("the text of {} passes the limit of {} bytes",
                                    self->Innermost(), self->limits.max_text));
    }
    const auto n = static_cast<std::size_t>(len);
    if (self->joined.empty() && n >= kTextPiece) {
      self->next->characters(self->next_user, ch, len);
      return;
    }
    self->joined.append(reinterpret_cast<const char*>(ch), n);
    if (self->joined.size() >= kTextPiece) self->FlushText();
  }

  // Comments and processing instructions are not passed on; their size is limited like a tag's.
  static void OnComment(void* user, const xmlChar* value) {
    Impl* self = From(user);
    const std::uint64_t size = xmlStrlen(value) + 7;  // <!-- and -->
    if (!self->stopped && size > self->limits.max_markup) self->StopLongMarkup("a comment");
  }

  static void OnProcessingInstruction(void* user, const xmlChar* target, const xmlChar* data) {
    Impl* self = From(user);
    const std::uint64_t size = xmlStrlen(target) + xmlStrlen(data) + 5;  // <? ?> and a space
    if (!self->stopped && size > self->limits.max_markup) {
      self->StopLongMarkup("a processing instruction");
    }
  }

  void StopLongMarkup(std::string_view what) {
    Stop(rules::kMarkupLength, fmt::format("{} in {} passes the limit of {} bytes for one piece "
                                           "of markup",
                                           what, Innermost(), limits.max_markup));
  }

  // A DOCTYPE stops the parser at once, before its internal subset is read (with SAX merely
  // disabled, libxml2 would go on to declare its entities in a document of its own). Safe here,
  // unlike in the element and text handlers: these events never pass to the schema's plug, and
  // libxml2 checks for a halt when a DOCTYPE handler returns.
  void StopAtDoctype(std::string message) {
    Stop(rules::kDoctype, std::move(message));
    Halt();
  }

  static void OnDoctype(void* user, const xmlChar* name, const xmlChar*, const xmlChar*) {
    From(user)->StopAtDoctype(DoctypeMessage(View(name)));
  }

  static void OnEntityDecl(void* user, const xmlChar* name, int, const xmlChar*, const xmlChar*,
                           xmlChar*) {
    From(user)->StopAtDoctype(fmt::format("an entity declaration ({}) is refused", View(name)));
  }

  static xmlParserInputPtr OnResolveEntity(void* user, const xmlChar*, const xmlChar* system_id) {
    From(user)->StopAtDoctype(fmt::format("an external entity ({}) is refused", View(system_id)));
    return nullptr;
  }

  static xmlEntityPtr OnGetEntity(void*, const xmlChar* name) {
    return xmlGetPredefinedEntity(name);  // &amp; &lt; &gt; &quot; &apos; only
  }

  // ---- inner handlers: the sink ----

  static void ToSinkStart(void* user, const xmlChar* localname, const xmlChar*, const xmlChar*, int,
                          const xmlChar**, int nb_attributes, int, const xmlChar** attrs) {
    Impl* self = From(user);
    self->attributes.clear();
    self->decoded.clear();
    for (int i = 0; i < nb_attributes; ++i) {
      const xmlChar** a = attrs + 5 * i;
      std::string_view value(reinterpret_cast<const char*>(a[3]),
                             static_cast<std::size_t>(a[4] - a[3]));
      // libxml2's SAX2 hands an attribute's "&amp;" (or "&#38;") on as "&#38;", and only that
      // (a quirk it keeps for compatibility): the value meant is "&".
      if (value.find("&#38;") != std::string_view::npos) {
        std::string& out = self->decoded.emplace_back();
        for (std::size_t at = 0;;) {
          const auto amp = value.find("&#38;", at);
          out.append(value.substr(at, amp - at));
          if (amp == std::string_view::npos) break;
          out += '&';
          at = amp + 5;
        }
        value = out;
      }
      self->attributes.push_back({View(a[0]), value});
    }
    self->sink.StartElement(View(localname), self->attributes, self->Line());
  }

  static void ToSinkEnd(void* user, const xmlChar* localname, const xmlChar*, const xmlChar*) {
    Impl* self = From(user);
    self->sink.EndElement(View(localname), self->Line());
  }

  static void ToSinkText(void* user, const xmlChar* ch, int len) {
    From(user)->sink.Text(
        std::string_view(reinterpret_cast<const char*>(ch), static_cast<std::size_t>(len)));
  }

  // ---- limits on what libxml2 holds unparsed ----

  // After a piece: if libxml2 is holding more of one construct than the limits allow, say which
  // limit it breaks, from the held bytes (a start tag's name and its longest attribute so far).
  void CheckLookahead() {
    if (stopped || ctxt == nullptr || ctxt->input == nullptr || ctxt->input->cur == nullptr) return;
    const std::string_view held(reinterpret_cast<const char*>(ctxt->input->cur),
                                static_cast<std::size_t>(ctxt->input->end - ctxt->input->cur));
    constexpr std::string_view kCdataOpen = "<![CDATA[";
    const bool cdata = ctxt->instate == XML_PARSER_CDATA_SECTION || held.starts_with(kCdataOpen);
    const std::uint64_t limit =
        cdata ? limits.max_text + (held.starts_with(kCdataOpen) ? kCdataOpen.size() : 0)
              : limits.max_markup;
    if (held.size() <= limit) return;
    if (cdata) {
      return Stop(rules::kTextLength,
                  fmt::format("a CDATA section in {} passes the limit of {} bytes for a text node",
                              Innermost(), limits.max_text));
    }
    if (ctxt->instate == XML_PARSER_START_TAG && held.starts_with('<')) return StopLongTag(held);
    if (held.starts_with("<!DOCTYPE")) return Stop(rules::kDoctype, DoctypeMessage("not read"));
    StopLongMarkup(held.starts_with("<!--") ? "a comment"
                   : held.starts_with("<?") ? "a processing instruction"
                   : held.starts_with("</") ? "an end tag"
                                            : "a piece of markup");
  }

  // A start tag longer than max_markup: the element name, or an attribute, is over its limit,
  // or there are that many attributes.
  void StopLongTag(std::string_view held) {
    std::string_view rest = held.substr(1);
    const std::string_view element = NameAt(rest);
    if (element.size() > limits.max_name) {
      return Stop(rules::kNameLength, fmt::format("an element name of over {} bytes; the limit "
                                                  "is {}",
                                                  element.size(), limits.max_name));
    }
    rest.remove_prefix(element.size());
    for (;;) {
      rest = SkipSpace(rest);
      const std::string_view attribute = NameAt(rest);
      if (attribute.empty()) break;
      if (attribute.size() > limits.max_name) {
        return Stop(rules::kNameLength, fmt::format("an attribute name of over {} bytes in <{}>; "
                                                    "the limit is {}",
                                                    attribute.size(), element, limits.max_name));
      }
      rest = SkipSpace(rest.substr(attribute.size()));
      if (!rest.starts_with('=')) break;
      rest = SkipSpace(rest.substr(1));
      if (rest.empty() || (rest[0] != '"' && rest[0] != '\'')) break;
      const auto close = rest.find(rest[0], 1);
      const std::size_t size = close == std::string_view::npos ? rest.size() - 1 : close - 1;
      if (size > limits.max_attribute) {
        return Stop(rules::kAttributeLength,
                    fmt::format("attribute {} of <{}> is {}{} bytes; the limit is {}", attribute,
                                element, close == std::string_view::npos ? "over " : "", size,
                                limits.max_attribute));
      }
      if (close == std::string_view::npos) break;
      rest.remove_prefix(close + 1);
    }
    Stop(rules::kMarkupLength, fmt::format("the start tag of <{}> passes the limit of {} bytes "
                                           "for one piece of markup",
                                           element, limits.max_markup));
  }

  // ---- errors ----

  // Parser errors: the context's _private leads back to us.
  static void OnParserError(void*, xmlErrorPtr e) {
    if (e == nullptr || e->ctxt == nullptr) return;
    auto* ctxt = static_cast<xmlParserCtxtPtr>(e->ctxt);
    Impl* self = static_cast<Impl*>(ctxt->_private);
    if (self == nullptr || self->stopped) return;
    if (e->level == XML_ERR_WARNING) return;
    // A fatal error on the last line of the input, with elements still open, is the document
    // stopping short, whatever libxml2 was in the middle of when the bytes ran out.
    const std::size_t depth = self->open.size();
    const bool cut_short = self->at_end && e->level == XML_ERR_FATAL && depth > 0 &&
                           static_cast<std::uint64_t>(e->line) >= self->lines &&
                           static_cast<std::uint64_t>(e->int2) + 1 >= self->tail;
    const Rule& rule = cut_short ? rules::kTruncated : RuleOf(*e, self->at_end);
    std::string message = Trimmed(e->message);
    if (&rule == &rules::kTruncated) {
      message = fmt::format("the document ends with {} element{} still open (libxml2: {})", depth,
                            depth == 1 ? "" : "s", message);
    } else if (&rule == &rules::kNameLength) {
      message = fmt::format("a name of over {} bytes; the limit is {}", XML_MAX_NAME_LENGTH,
                            self->limits.max_name);
    }
    self->Report(rule, static_cast<std::uint64_t>(e->line),
                 static_cast<std::uint64_t>(std::max(1, e->int2)), std::move(message));
    if (e->level == XML_ERR_FATAL) {
      self->stopped = true;
      ctxt->disableSAX = 1;
    }
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
    // Messages start "Element 'X': ..." already; they are kept as libxml2 words them.
    self->Report(rules::kSchema, line, static_cast<std::uint64_t>(std::max(1, e->int2)),
                 Trimmed(e->message));
  }
};

XmlStreamParser::XmlStreamParser(XmlSink& sink, DiagnosticSink& diagnostics,
                                 const XmlLimits& limits, const XmlSchema* schema)
    : impl_(std::make_unique<Impl>(sink, diagnostics, limits)) {
  InitOnce();
  Impl& i = *impl_;
  i.inner.initialized = XML_SAX2_MAGIC;
  i.inner.startElementNs = &Impl::ToSinkStart;
  i.inner.endElementNs = &Impl::ToSinkEnd;
  i.inner.characters = &Impl::ToSinkText;
  i.inner.serror = &Impl::OnParserError;
  i.next = &i.inner;
  i.next_user = &i;
  if (schema != nullptr) {
    i.vctxt = xmlSchemaNewValidCtxt(schema->get());
    xmlSchemaSetValidStructuredErrors(i.vctxt, &Impl::OnSchemaError, &i);
    i.plug = xmlSchemaSAXPlug(i.vctxt, &i.next, &i.next_user);
  }

  i.outer.initialized = XML_SAX2_MAGIC;
  i.outer.startElementNs = &Impl::OnStart;
  i.outer.endElementNs = &Impl::OnEnd;
  // The same handler for both, so libxml2 never spends time telling them apart.
  i.outer.characters = &Impl::OnCharacters;
  i.outer.ignorableWhitespace = &Impl::OnCharacters;
  i.outer.comment = &Impl::OnComment;
  i.outer.processingInstruction = &Impl::OnProcessingInstruction;
  i.outer.internalSubset = &Impl::OnDoctype;
  i.outer.externalSubset = &Impl::OnDoctype;
  i.outer.entityDecl = &Impl::OnEntityDecl;
  i.outer.resolveEntity = &Impl::OnResolveEntity;
  i.outer.getEntity = &Impl::OnGetEntity;
  i.outer.serror = &Impl::OnParserError;
  i.ctxt = xmlCreatePushParserCtxt(&i.outer, &i, nullptr, 0, nullptr);
  if (i.ctxt != nullptr) {
    i.ctxt->_private = &i;
    // No network, no entity substitution, no DTD loading (those options are simply not set),
    // and libxml2's own hard limits stay on (no XML_PARSE_HUGE). CDATA arrives as text.
    xmlCtxtUseOptions(i.ctxt, XML_PARSE_NONET | XML_PARSE_NOCDATA);
  }
}

XmlStreamParser::~XmlStreamParser() {
  Impl& i = *impl_;
  if (i.ctxt != nullptr) {
    // libxml2 makes a document of its own in SAX mode for an entity declaration ("for expat
    // compatibility") and leaves it to the caller.
    if (i.ctxt->myDoc != nullptr) xmlFreeDoc(i.ctxt->myDoc);
    xmlFreeParserCtxt(i.ctxt);
  }
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
    i.Halt();
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
  // libxml2's push parser is fed in pieces, and what it holds unparsed is checked after each
  // (CheckLookahead), so no limit of libxml2's own is ever reached first.
  std::size_t pos = 0;
  do {
    const std::size_t n = std::min(kPiece, data.size() - pos);
    const bool end = last && pos + n == data.size();
    xmlParseChunk(i.ctxt, data.data() + pos, static_cast<int>(n), end ? 1 : 0);
    pos += n;
    if (!end) i.CheckLookahead();
  } while (pos < data.size() && !i.stopped);
  if (last && !i.stopped) i.FlushText();
  i.Halt();
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
