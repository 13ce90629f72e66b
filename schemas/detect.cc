#include "schemas/detect.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "schemas/feed.h"

namespace rbgate::schemas {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool IsNameChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '_' || c == ':' || c == '-' || c == '.';
}

// The XML name at the start of `s`, shown in messages: printable ASCII, at most 64 bytes.
std::string ShownName(std::string_view s) {
  std::size_t n = 0;
  while (n < s.size() && IsNameChar(s[n])) ++n;
  std::string out;
  for (char c : s.substr(0, std::min<std::size_t>(n, 64))) {
    out += static_cast<unsigned char>(c) < 0x80 ? c : '?';
  }
  if (n > 64) out += "...";
  return out;
}

std::string Where(bool whole) {
  return whole ? "in the file" : fmt::format("in the first {} KiB", kDetectionWindow >> 10);
}

// The 1-based line and column of `at` within `s`.
void LineAndColumn(std::string_view s, std::size_t at, std::uint64_t& line, std::uint64_t& column) {
  const std::string_view before = s.substr(0, at);
  line = 1 + static_cast<std::uint64_t>(std::count(before.begin(), before.end(), '\n'));
  const auto nl = before.rfind('\n');
  column = at - (nl == std::string_view::npos ? 0 : nl + 1) + 1;
}

// Which built-in feed an XML document whose root element is `root` holds, or empty: a feed
// claiming it by its root element outranks one that finds its element inside. With none, what
// a feed saw instead goes to `seen`.
std::string_view ReportIn(std::string_view xml, std::string_view root, std::string& seen) {
  const BuiltinFeed* found = nullptr;
  std::pair<bool, int> best{false, 0};  // (by root, rank) of the claim found
  for (const auto* feed : BuiltinFeeds()) {
    Claim claim = feed->ClaimXml(root, xml);
    const std::pair<bool, int> strength{claim.by_root, claim.rank};
    if (claim.yes && (found == nullptr || strength > best)) {
      found = feed;
      best = strength;
    } else if (!claim.yes && seen.empty()) {
      seen = std::move(claim.seen);
    }
  }
  if (found != nullptr) seen.clear();
  return found != nullptr ? found->name() : std::string_view();
}

// An XML document: its prolog (declaration, comments, processing instructions, a DOCTYPE),
// then its root element, then the report element.
Detection DetectXml(std::string_view head, std::size_t start, bool whole) {
  Detection d;
  std::size_t at = start;
  for (;;) {
    while (at < head.size() && IsSpace(head[at])) ++at;
    const std::string_view rest = head.substr(at);
    if (rest.empty()) {
      d.seen = whole ? "XML with no root element"
                     : fmt::format(
                           "XML whose prolog runs past the "
                           "first {} KiB",
                           kDetectionWindow >> 10);
      return d;
    }
    std::string_view close;
    if (rest.starts_with("<?")) {
      close = "?>";
    } else if (rest.starts_with("<!--")) {
      close = "-->";
    } else if (rest.starts_with("<!DOCTYPE")) {
      LineAndColumn(head, at, d.doctype_line, d.doctype_column);
      std::size_t name = 9;
      while (name < rest.size() && IsSpace(rest[name])) ++name;
      d.doctype_name = ShownName(rest.substr(name));
      // Refused, but which report it would have been still says where it came from.
      d.feed = ReportIn(rest, d.doctype_name, d.seen);
      d.seen.clear();
      return d;
    } else if (rest.size() > 1 && rest[0] == '<' && IsNameChar(rest[1])) {
      const std::string root = ShownName(rest.substr(1));
      d.feed = ReportIn(rest, root, d.seen);
      if (d.feed.empty() && d.seen.empty()) {
        d.seen = fmt::format("XML whose root is {}, but no report element rbgate knows {}", root,
                             Where(whole));
      } else if (d.feed.empty()) {
        d.seen = fmt::format("XML whose root is {}: {}", root, d.seen);
      }
      return d;
    } else {
      d.seen =
          "text that starts like XML but is not: after the prolog comes neither an element "
          "nor a comment";
      return d;
    }
    const auto end = rest.find(close);
    if (end == std::string_view::npos) {
      d.seen = whole ? "XML whose prolog never ends"
                     : fmt::format("XML whose prolog runs past the first {} KiB",
                                   kDetectionWindow >> 10);
      return d;
    }
    at += end + close.size();
  }
}

// Known binary formats by their first bytes, for a friendlier account than a percentage.
std::string_view KnownBinary(std::string_view head) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 7> kMagic{{
      {"\x1F\x8B", "gzip-compressed data"},
      {"\x28\xB5\x2F\xFD", "zstd-compressed data"},
      {"PK\x03\x04", "a ZIP archive (perhaps a spreadsheet saved as .xlsx)"},
      {"\xD0\xCF\x11\xE0", "an OLE2 document (perhaps a spreadsheet saved as .xls)"},
      {"%PDF-", "a PDF document"},
      {"\xFF\xFE", "UTF-16 text (a little-endian byte order mark)"},
      {"\xFE\xFF", "UTF-16 text (a big-endian byte order mark)"},
  }};
  for (const auto& [magic, what] : kMagic) {
    if (head.starts_with(magic)) return what;
  }
  return {};
}

// How many of `s`'s bytes are not text: control characters other than tab, CR, LF and form
// feed, and bytes that are not part of well-formed UTF-8 (so Windows-1252's accented letters
// count, but they are rare in text that is mostly ASCII).
std::size_t NonTextBytes(std::string_view s) {
  std::size_t bad = 0;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      bad += (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') || c == 0x7F;
      ++i;
      continue;
    }
    const std::size_t n = c >= 0xF0 && c <= 0xF4  ? 4
                          : c >= 0xE0             ? 3
                          : c >= 0xC2 && c < 0xE0 ? 2
                                                  : 0;
    bool ok = n > 0 && i + n <= s.size();
    for (std::size_t k = 1; ok && k < n; ++k)
      ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    if (ok) {
      i += n;
    } else {
      ++bad;
      ++i;
    }
  }
  return bad;
}

// Text that is neither Standard 18 nor XML: its shape, never its content.
std::string DescribeText(std::string_view head, bool whole) {
  auto line = [&](std::size_t from) {
    std::string_view l = head.substr(std::min(from, head.size()));
    l = l.substr(0, l.find('\n'));
    if (l.ends_with('\r')) l.remove_suffix(1);
    return l;
  };
  const std::string_view first = line(0);
  const auto nl = head.find('\n');
  const std::string_view second = nl == std::string_view::npos ? std::string_view() : line(nl + 1);
  const auto lines = static_cast<std::size_t>(std::count(head.begin(), head.end(), '\n')) +
                     (head.ends_with('\n') ? 0 : 1);
  // Delimited: two or more separators on the first line, or one on each of the first two.
  for (auto [sep, name] : {std::pair{',', "comma"}, std::pair{'\t', "tab"}, std::pair{'|', "pipe"},
                           std::pair{'*', "asterisk"}, std::pair{';', "semicolon"}}) {
    const auto n = static_cast<std::size_t>(std::count(first.begin(), first.end(), sep));
    if (n >= 2 || (n == 1 && std::count(second.begin(), second.end(), sep) == 1)) {
      return fmt::format(
          "{}-separated text ({} fields on the first line), neither a Standard 18 "
          "file (which starts with VOL1) nor XML",
          name, n + 1);
    }
  }
  return fmt::format(
      "text ({} line{} {}; the first is {} bytes), neither a Standard 18 file "
      "(which starts with VOL1) nor XML",
      lines, lines == 1 ? "" : "s", Where(whole), first.size());
}

}  // namespace

Detection DetectFeed(std::string_view head, bool whole) {
  Detection d;
  if (head.empty()) {
    d.seen = "an empty file";
    return d;
  }
  for (const auto* feed : BuiltinFeeds()) {
    if (feed->ClaimText(head).yes) {
      d.feed = feed->name();
      return d;
    }
  }
  const std::size_t start = head.starts_with("\xEF\xBB\xBF") ? 3 : 0;  // UTF-8's byte order mark
  std::size_t first = start;
  while (first < head.size() && IsSpace(head[first])) ++first;
  if (first + 1 < head.size() && head[first] == '<' &&
      (head[first + 1] == '?' || head[first + 1] == '!' || IsNameChar(head[first + 1]))) {
    return DetectXml(head, start, whole);
  }
  if (const auto known = KnownBinary(head); !known.empty()) {
    d.seen = std::string(known);
    return d;
  }
  const std::string_view sample = head.substr(0, 4096);
  const std::size_t bad = NonTextBytes(sample);
  if (sample.find('\0') != std::string_view::npos || bad * 10 > sample.size()) {
    d.seen = fmt::format(
        "binary: {}% of the first {} are not text", bad * 100 / sample.size(),
        sample.size() == 4096 ? std::string("4 KiB") : fmt::format("{} bytes", sample.size()));
    return d;
  }
  d.seen = DescribeText(head, whole);
  return d;
}

}  // namespace rbgate::schemas
