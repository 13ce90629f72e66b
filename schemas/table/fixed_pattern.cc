#include "schemas/table/fixed_pattern.h"

#include <cctype>

namespace rbgate::schemas::table {
namespace {

constexpr std::size_t kMaxLength = 256;

void Add(std::array<std::uint64_t, 2>& c, unsigned char b) {
  c[b >> 6] |= std::uint64_t{1} << (b & 63);
}

bool Literal(unsigned char b) { return b < 128 && std::isalnum(b); }

// `\` followed by this is the character itself, in RE2 and XML Schema alike.
bool EscapedPunctuation(unsigned char b) {
  return b < 128 && std::ispunct(b) && b != '<' && b != '>' && b != '`';
}

}  // namespace

std::optional<FixedPattern> FixedPattern::Compile(std::string_view re) {
  FixedPattern out;
  std::size_t i = 0;
  while (i < re.size()) {
    Class c{};
    const auto b = static_cast<unsigned char>(re[i]);
    if (b == '\\') {
      if (i + 1 == re.size()) return std::nullopt;
      const auto e = static_cast<unsigned char>(re[i + 1]);
      if (e == 'd') {
        for (unsigned char d = '0'; d <= '9'; ++d) Add(c, d);
      } else if (EscapedPunctuation(e)) {
        Add(c, e);
      } else {
        return std::nullopt;
      }
      i += 2;
    } else if (b == '[') {
      ++i;
      bool any = false;
      while (i < re.size() && re[i] != ']') {
        auto lo = static_cast<unsigned char>(re[i]);
        if (!Literal(lo) && lo != '_' && lo != ' ') return std::nullopt;
        ++i;
        unsigned char hi = lo;
        if (i + 1 < re.size() && re[i] == '-' && re[i + 1] != ']') {
          hi = static_cast<unsigned char>(re[i + 1]);
          if (!Literal(hi) || hi < lo) return std::nullopt;
          i += 2;
        }
        for (unsigned v = lo; v <= hi; ++v) Add(c, static_cast<unsigned char>(v));
        any = true;
      }
      if (i == re.size() || !any) return std::nullopt;
      ++i;  // ']'
    } else if (Literal(b) || b == ' ' || b == '-' || b == '/' || b == '_' || b == ':' || b == ',' ||
               b == '@' || b == '=' || b == '%' || b == '#') {
      Add(c, b);
      ++i;
    } else {
      return std::nullopt;
    }
    std::size_t count = 1;
    if (i < re.size() && re[i] == '{') {
      std::size_t k = i + 1, n = 0;
      while (k < re.size() && re[k] >= '0' && re[k] <= '9' && n <= kMaxLength) {
        n = n * 10 + static_cast<std::size_t>(re[k] - '0');
        ++k;
      }
      if (k == i + 1 || k == re.size() || re[k] != '}') return std::nullopt;
      count = n;
      i = k + 1;
    }
    if (out.classes_.size() == 255 || out.positions_.size() + count > kMaxLength) {
      return std::nullopt;
    }
    out.classes_.push_back(c);
    out.positions_.insert(out.positions_.end(), count,
                          static_cast<std::uint8_t>(out.classes_.size() - 1));
  }
  return out;
}

}  // namespace rbgate::schemas::table
