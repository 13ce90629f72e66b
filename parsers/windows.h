// Feeding a parser held bytes the way the spool's mapped reader feeds it a file: window by
// window, each starting where the parser stopped. For tests, fuzzers and in-memory input.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string_view>

namespace rbgate::parsers {

// Feeds `bytes` to `parser` (anything with `std::size_t Feed(std::span<const char>,
// std::uint64_t offset, bool last)` and `Finish()`) in windows of `window` bytes (0: all at
// once); a window grows when one is too small to hold a whole record. Then calls Finish.
template <class Parser>
void FeedInWindows(Parser& parser, std::string_view bytes, std::size_t window) {
  if (window == 0) window = bytes.size() + 1;
  std::size_t pos = 0;
  while (true) {
    const std::size_t len = std::min(window, bytes.size() - pos);
    const bool last = pos + len == bytes.size();
    const std::size_t used = parser.Feed({bytes.data() + pos, len}, pos, last);
    if (last) break;
    if (used == 0) {
      window *= 2;
      continue;
    }
    pos += used;
  }
  parser.Finish();
}

}  // namespace rbgate::parsers
