#include "schemas/modulus.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace rbgate::schemas {
namespace {

// Digit positions in the 14-digit string `u v w x y z a b c d e f g h`.
constexpr int kA = 6, kB = 7, kC = 8, kG = 12, kH = 13;

std::vector<std::string_view> Words(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    std::size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t' && line[j] != '\r') ++j;
    if (j > i) out.push_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

template <class T>
bool Int(std::string_view s, T& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

bool SortCode(std::string_view s, std::uint32_t& out) {
  return s.size() == 6 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
         Int(s, out);
}

template <class F>
void Lines(std::string_view text, F&& f) {
  std::size_t n = 0;
  while (!text.empty()) {
    auto nl = text.find('\n');
    f(text.substr(0, nl), ++n);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
}

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error(p.string() + ": cannot read");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

ModulusChecker ModulusChecker::FromText(std::string_view valacdos, std::string_view scsubtab,
                                        std::string version) {
  ModulusChecker m;
  m.version_ = std::move(version);
  Lines(valacdos, [&](std::string_view line, std::size_t n) {
    auto w = Words(line);
    if (w.empty()) return;
    auto bad = [&](std::string_view why) {
      return std::runtime_error(fmt::format("valacdos line {}: {}", n, why));
    };
    if (w.size() != 17 && w.size() != 18) throw bad("expected 17 or 18 fields");
    Row r{};
    if (!SortCode(w[0], r.start) || !SortCode(w[1], r.end) || r.end < r.start) {
      throw bad("bad sort code range");
    }
    if (w[2] == "MOD10") {
      r.method = Method::kMod10;
    } else if (w[2] == "MOD11") {
      r.method = Method::kMod11;
    } else if (w[2] == "DBLAL") {
      r.method = Method::kDblAl;
    } else {
      throw bad("method is not MOD10, MOD11 or DBLAL");
    }
    for (int i = 0; i < 14; ++i) {
      if (!Int(w[3 + i], r.weights[i]) || r.weights[i] < -1000 || r.weights[i] > 1000) {
        throw bad("bad weight");
      }
      // The double alternate digit sum assumes products of two digits.
      if (r.method == Method::kDblAl && (r.weights[i] < 0 || r.weights[i] > 9)) {
        throw bad("double alternate weight outside 0-9");
      }
    }
    if (w.size() == 18 && (!Int(w[17], r.exception) || r.exception < 1 || r.exception > 14)) {
      throw bad("exception is not 1-14");
    }
    m.rows_.push_back(r);
  });
  if (m.rows_.empty()) throw std::runtime_error("valacdos: no rows");
  if (m.rows_.size() >= kNone) throw std::runtime_error("valacdos: too many rows");

  m.index_.reset(new std::array<std::uint16_t, 2>[1000000]);
  std::fill_n(m.index_.get(), 1000000, std::array<std::uint16_t, 2>{kNone, kNone});
  for (std::size_t i = 0; i < m.rows_.size(); ++i) {
    for (std::uint32_t s = m.rows_[i].start; s <= m.rows_[i].end; ++s) {
      auto& slot = m.index_[s];
      if (slot[0] == kNone) {
        slot[0] = static_cast<std::uint16_t>(i);
      } else if (slot[1] == kNone) {
        slot[1] = static_cast<std::uint16_t>(i);
      } else {
        throw std::runtime_error(
            fmt::format("valacdos: sort code {:06} is in more than two rows", s));
      }
    }
  }

  Lines(scsubtab, [&](std::string_view line, std::size_t n) {
    auto w = Words(line);
    if (w.empty()) return;
    std::uint32_t from, to;
    if (w.size() != 2 || !SortCode(w[0], from) || !SortCode(w[1], to)) {
      throw std::runtime_error(fmt::format("scsubtab line {}: expected two sort codes", n));
    }
    m.substitutions_.emplace_back(from, to);
  });
  std::sort(m.substitutions_.begin(), m.substitutions_.end());
  return m;
}

ModulusChecker ModulusChecker::LoadDirectory(const std::string& dir) {
  namespace fs = std::filesystem;
  fs::path valacdos, scsubtab;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    if (lower.ends_with(".txt") && lower.starts_with("valacdos") &&
        (valacdos.empty() || name > valacdos.filename().string())) {
      valacdos = e.path();
    }
    if (lower.ends_with(".txt") && lower.starts_with("scsubtab")) scsubtab = e.path();
  }
  if (ec) throw std::runtime_error(dir + ": cannot read modulus directory: " + ec.message());
  if (valacdos.empty()) throw std::runtime_error(dir + ": no valacdos*.txt modulus table");
  if (scsubtab.empty()) throw std::runtime_error(dir + ": no scsubtab*.txt substitution table");
  return FromText(ReadFile(valacdos), ReadFile(scsubtab), valacdos.filename().string());
}

std::uint32_t ModulusChecker::Substitute(std::uint32_t sort_code) const noexcept {
  auto it = std::lower_bound(substitutions_.begin(), substitutions_.end(),
                             std::pair<std::uint32_t, std::uint32_t>{sort_code, 0});
  return (it != substitutions_.end() && it->first == sort_code) ? it->second : sort_code;
}

namespace {
template <class D>
void SetSortCode(D& d, std::uint32_t s) {
  for (int i = 5; i >= 0; --i) {
    d[i] = static_cast<std::int16_t>(s % 10);
    s /= 10;
  }
}

// Sum of d[i] * w[i] over 16 lanes (the last two zero); for double alternate, the sum of
// the digits of each product instead. Standard sums multiply-add into 32-bit lanes; the
// double alternate weights are 0-9 (checked at load), so its products are at most 81.
int WeightedSum(const std::int16_t* d, const std::int16_t* w, bool digit_sum) noexcept {
#if defined(__SSE2__)
  const __m128i d0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(d));
  const __m128i d1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(d + 8));
  const __m128i w0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w));
  const __m128i w1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w + 8));
  __m128i sum;
  if (digit_sum) {
    __m128i p0 = _mm_mullo_epi16(d0, w0), p1 = _mm_mullo_epi16(d1, w1);
    // p - 9 * (p / 10), with p / 10 as (p * 6554) >> 16 (exact for 0 <= p < 16389).
    const __m128i k = _mm_set1_epi16(6554), nine = _mm_set1_epi16(9);
    p0 = _mm_sub_epi16(p0, _mm_mullo_epi16(_mm_mulhi_epu16(p0, k), nine));
    p1 = _mm_sub_epi16(p1, _mm_mullo_epi16(_mm_mulhi_epu16(p1, k), nine));
    sum = _mm_madd_epi16(_mm_add_epi16(p0, p1), _mm_set1_epi16(1));
  } else {
    sum = _mm_add_epi32(_mm_madd_epi16(d0, w0), _mm_madd_epi16(d1, w1));
  }
  sum = _mm_add_epi32(sum, _mm_shuffle_epi32(sum, 0x4E));
  sum = _mm_add_epi32(sum, _mm_shuffle_epi32(sum, 0xB1));
  return _mm_cvtsi128_si32(sum);
#else
  int total = 0;
  for (int i = 0; i < 16; ++i) {
    const int p = d[i] * w[i];
    total += digit_sum ? p - 9 * (p / 10) : p;
  }
  return total;
#endif
}
}  // namespace

// One check of one row against the 14 digits, with the row's exception applied.
bool ModulusChecker::Run(const Row& row, const Digits& d) const noexcept {
  const std::int16_t* w = row.weights.data();
  alignas(16) Digits adjusted;
  switch (row.exception) {
    case 2:
      if (d[kA] != 0) {
        alignas(16) static constexpr Digits kNot9{0, 0, 1, 2, 5, 3, 6, 4, 8, 7, 10, 9, 3, 1};
        alignas(16) static constexpr Digits kG9{0, 0, 0, 0, 0, 0, 0, 0, 8, 7, 10, 9, 3, 1};
        w = (d[kG] == 9 ? kG9 : kNot9).data();
      }
      break;
    case 7:
    case 10:
      // 7: if g is 9; 10: if ab is 09 or 99 and g is 9 -- zeroise weights u to b.
      if (d[kG] == 9 && (row.exception == 7 || (d[kB] == 9 && (d[kA] == 0 || d[kA] == 9)))) {
        adjusted = row.weights;
        std::fill(adjusted.begin(), adjusted.begin() + 8, 0);
        w = adjusted.data();
      }
      break;
    default:
      break;
  }
  int total = WeightedSum(d.data(), w, row.method == Method::kDblAl);
  if (row.method == Method::kDblAl) {
    if (row.exception == 1) total += 27;
    const int r = total % 10;
    if (row.exception == 5) return r == 0 ? d[kH] == 0 : 10 - r == d[kH];
    return r == 0;
  }
  // Constant divisors let the compiler avoid a hardware divide; weights may be negative.
  int r = row.method == Method::kMod10 ? total % 10 : total % 11;
  if (r < 0) r += row.method == Method::kMod10 ? 10 : 11;
  if (row.exception == 4) return r == d[kG] * 10 + d[kH];
  if (row.exception == 5 && row.method == Method::kMod11) {
    if (r == 0) return d[kG] == 0;
    if (r == 1) return false;
    return 11 - r == d[kG];
  }
  return r == 0;
}

ModulusResult ModulusChecker::Check(std::string_view sort_code,
                                    std::string_view account) const noexcept {
  std::uint32_t sort = 0;
  alignas(16) Digits d;
  for (int i = 0; i < 6; ++i) {
    d[i] = static_cast<std::int16_t>(sort_code[i] - '0');
    sort = sort * 10 + static_cast<std::uint32_t>(d[i]);
  }
  for (int i = 0; i < 8; ++i) d[6 + i] = static_cast<std::int16_t>(account[i] - '0');
  d[14] = d[15] = 0;

  const auto slot = index_[sort];
  if (slot[0] == kNone) return ModulusResult::kUnchecked;
  const Row& first = rows_[slot[0]];
  const Row* second = slot[1] == kNone ? nullptr : &rows_[slot[1]];
  auto verdict = [](bool ok) { return ok ? ModulusResult::kValid : ModulusResult::kInvalid; };

  // Exception 6: foreign currency accounts cannot be checked; they are taken as valid.
  if ((first.exception == 6 || (second && second->exception == 6)) && d[kA] >= 4 && d[kA] <= 8 &&
      d[kG] == d[kH]) {
    return ModulusResult::kValid;
  }
  // Exceptions 5 and 8 substitute the sort code, for checking only.
  alignas(16) Digits digits;
  const bool substitute = first.exception == 5 || first.exception == 8;
  if (substitute) {
    digits = d;
    SetSortCode(digits, first.exception == 5 ? Substitute(sort) : 90126);
  }
  const bool pass1 = Run(first, substitute ? digits : d);
  if (second == nullptr) {
    if (pass1 || first.exception != 14) return verdict(pass1);
    // Exception 14: if h is 0, 1 or 9, drop it, shift the account right, check again.
    if (d[kH] != 0 && d[kH] != 1 && d[kH] != 9) return ModulusResult::kInvalid;
    alignas(16) Digits shifted = substitute ? digits : d;
    for (int i = 13; i > 6; --i) shifted[i] = shifted[i - 1];
    shifted[6] = 0;
    return verdict(Run(first, shifted));
  }

  alignas(16) Digits digits2 = d;
  if (second->exception == 5) SetSortCode(digits2, Substitute(sort));
  if (second->exception == 8) SetSortCode(digits2, 90126);

  switch (first.exception) {
    case 2:  // and 9: a Lloyds sterling account, else a euro account at 30-96-34.
      if (pass1) return ModulusResult::kValid;
      SetSortCode(digits2, 309634);
      return verdict(Run(*second, digits2));
    case 10:  // and 11
    case 12:  // and 13
      return verdict(pass1 || Run(*second, digits2));
    default:
      break;
  }
  if (second->exception == 3 && (d[kC] == 6 || d[kC] == 9)) return verdict(pass1);
  return verdict(pass1 && Run(*second, digits2));
}

}  // namespace rbgate::schemas
