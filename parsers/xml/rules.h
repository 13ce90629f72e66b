// Findings of the hardened XML layer (any XML feed: the Bacs reports, later others).
#pragma once

#include "parsers/diagnostic.h"

namespace rbgate::parsers::xml::rules {

using parsers::Rule;
using parsers::Severity;
constexpr Severity E = Severity::kError;

inline constexpr Rule kDoctype{"xml.doctype", E, "the document has a DOCTYPE",
                               "bank and government feeds never need one; a DOCTYPE is refused "
                               "unread, so no entity is ever expanded and no DTD fetched"};
inline constexpr Rule kMalformed{"xml.malformed", E, "the document is not well-formed XML",
                                 "the sender's file is damaged or not XML; ask for it again"};
inline constexpr Rule kTruncated{"xml.truncated", E, "the document ends before it is complete",
                                 "the file may have been cut short in transfer"};
inline constexpr Rule kEncoding{"xml.encoding", E,
                                "the bytes do not match the declared or supported encoding",
                                "UTF-8 and ISO-8859-1 are accepted; the declaration must be "
                                "true to the bytes"};
inline constexpr Rule kSchema{"xml.schema", E, "the document breaks its schema (XSD)",
                              "the message names the element or attribute and what was expected"};
inline constexpr Rule kDepth{"xml.limit.depth", E, "elements are nested deeper than the limit",
                             "no report needs this depth; the file is hostile or broken"};
inline constexpr Rule kNameLength{"xml.limit.name", E, "an element or attribute name is too long",
                                  "no report needs names this long"};
inline constexpr Rule kAttributeLength{"xml.limit.attribute", E,
                                       "an attribute value is longer than the limit",
                                       "no report needs attribute values this long"};
inline constexpr Rule kTextLength{"xml.limit.text", E, "a text node is longer than the limit",
                                  "a signature this large is not a real one"};
inline constexpr Rule kMarkupLength{"xml.limit.markup", E,
                                    "a tag, comment or processing instruction is longer than the "
                                    "limit",
                                    "no report needs markup this long; the file is hostile or "
                                    "broken"};
inline constexpr Rule kSize{"xml.limit.size", E, "the document is larger than the limit",
                            "raise the limit if such a report is expected"};

}  // namespace rbgate::parsers::xml::rules
