// Byte counting over large buffers with SSE2 (x86-64's baseline): 16 bytes a step, with no
// POPCNT (not in the baseline, so std::popcount is a library call).
#pragma once

#include <emmintrin.h>

#include <algorithm>
#include <cstdint>
#include <string_view>

namespace rbgate::parsers {

// How many bytes of `s` equal `c`.
inline std::uint64_t CountByte(std::string_view s, char c) {
  const __m128i needle = _mm_set1_epi8(c);
  std::uint64_t n = 0;
  std::size_t i = 0;
  while (i + 16 <= s.size()) {
    // Byte counters, summed before any can pass 255.
    __m128i counts = _mm_setzero_si128();
    const std::size_t stop = std::min(s.size() - 15, i + 255 * 16);
    for (; i < stop; i += 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
      counts = _mm_sub_epi8(counts, _mm_cmpeq_epi8(v, needle));
    }
    const __m128i sums = _mm_sad_epu8(counts, _mm_setzero_si128());
    n += static_cast<std::uint64_t>(_mm_cvtsi128_si32(sums)) +
         static_cast<std::uint64_t>(_mm_extract_epi16(sums, 4));
  }
  for (; i < s.size(); ++i) n += s[i] == c;
  return n;
}

// Whether any byte of `s` is one of a, b or c.
inline bool AnyOf(std::string_view s, char a, char b, char c) {
  const __m128i va = _mm_set1_epi8(a), vb = _mm_set1_epi8(b), vc = _mm_set1_epi8(c);
  __m128i hits = _mm_setzero_si128();
  std::size_t i = 0;
  for (; i + 16 <= s.size(); i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
    hits = _mm_or_si128(hits,
                        _mm_or_si128(_mm_cmpeq_epi8(v, va),
                                     _mm_or_si128(_mm_cmpeq_epi8(v, vb), _mm_cmpeq_epi8(v, vc))));
  }
  bool any = _mm_movemask_epi8(hits) != 0;
  for (; i < s.size(); ++i) any = any || s[i] == a || s[i] == b || s[i] == c;
  return any;
}

}  // namespace rbgate::parsers
