// UTF-8 sequences, byte by byte: what the JSON syntax scanner, the messages and the reports all
// need to tell a character from bytes that are not text.
#pragma once

#include <cstddef>
#include <string_view>

namespace rbgate::parsers {

// The length of the valid UTF-8 sequence at the start of `s`, or 0 when there is none (an
// empty `s`, a stray continuation byte, a cut-off sequence, an overlong form, a surrogate, or
// a code point past U+10FFFF).
inline std::size_t Utf8Length(std::string_view s) noexcept {
  if (s.empty()) return 0;
  const auto b = static_cast<unsigned char>(s[0]);
  const std::size_t n = b < 0x80           ? 1
                        : (b >> 5) == 0x6  ? 2
                        : (b >> 4) == 0xE  ? 3
                        : (b >> 3) == 0x1E ? 4
                                           : 0;
  if (n == 0 || n > s.size()) return 0;
  for (std::size_t i = 1; i < n; ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) return 0;
  }
  if (n == 2 && b < 0xC2) return 0;  // overlong
  if (n == 3) {
    const auto c = static_cast<unsigned char>(s[1]);
    if ((b == 0xE0 && c < 0xA0) || (b == 0xED && c >= 0xA0)) return 0;  // overlong, surrogate
  }
  if (n == 4) {
    const auto c = static_cast<unsigned char>(s[1]);
    if ((b == 0xF0 && c < 0x90) || b > 0xF4 || (b == 0xF4 && c >= 0x90)) return 0;
  }
  return n;
}

}  // namespace rbgate::parsers
