// Feed detection from a file's first bytes, for when a route or `--feed` does not say; and,
// when the bytes are no feed rbgate knows, a plain-English account of what they are.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "parsers/diagnostic.h"

namespace rbgate::schemas {

// A file that is no feed rbgate knows is a finding about the file, not a usage error.
inline constexpr parsers::Rule kUnknownFeed{
    "feed.unknown", parsers::Severity::kError, "the file is no feed rbgate knows",
    "if it is one, name it (--feed, or the route's feed); otherwise the sender has sent the "
    "wrong file"};

// How many of a file's first bytes detection reads.
inline constexpr std::size_t kDetectionWindow = std::size_t{64} << 10;

struct Detection {
  std::string_view feed;  // a known feed, or empty
  // XML with a DOCTYPE, refused whatever its feed (`feed` says which report it holds, if that
  // shows in the window): where the DOCTYPE starts (1-based) and the name it gives.
  // doctype_line is 0 when there is none.
  std::uint64_t doctype_line = 0;
  std::uint64_t doctype_column = 0;
  std::string doctype_name;
  // With no feed and no DOCTYPE: what the bytes were seen to be, for feed.unknown's message.
  // Never quotes the file's content beyond an XML element name.
  std::string seen;
};

// Detects the feed of a file from `head`, its first bytes (up to kDetectionWindow); `whole`
// says that `head` is the entire file. XML is recognised first, a DOCTYPE refused, then the
// report element looked for.
Detection DetectFeed(std::string_view head, bool whole);

}  // namespace rbgate::schemas
