// A regular expression that is a fixed-length run of character classes ("HB[0-9]{8}",
// "[A-Z]{2}[0-9]{6}[A-D]"), matched without a regex engine: a length test and one table
// lookup a byte. Most feed patterns have this shape; the rest go to RE2.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace rbgate::schemas::table {

class FixedPattern {
 public:
  // The pattern compiled, or nullopt when it is not of this shape (alternation, groups,
  // open repeats, negated classes, any non-ASCII): then only RE2 gives its meaning. What
  // is accepted: ASCII literals, `\` before punctuation, `\d`, classes `[a-z0-9_]` (no
  // negation), each optionally followed by `{n}`. Anchored at both ends, as Table Schema
  // patterns are.
  static std::optional<FixedPattern> Compile(std::string_view regex);

  bool Matches(std::string_view s) const noexcept {
    if (s.size() != positions_.size()) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
      const auto c = static_cast<unsigned char>(s[i]);
      if (c >= 128 || !(classes_[positions_[i]][c >> 6] >> (c & 63) & 1)) return false;
    }
    return true;
  }

 private:
  using Class = std::array<std::uint64_t, 2>;  // ASCII bytes 0-127
  std::vector<Class> classes_;
  std::vector<std::uint8_t> positions_;  // each position's class
};

}  // namespace rbgate::schemas::table
