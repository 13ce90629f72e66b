// What the feed generators share: a seeded random sequence and fault-name checking.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/gen/bacs18.h"

namespace rbgate::gateway::gen {

// splitmix64: small, fast, and the same sequence everywhere for a seed.
class Random {
 public:
  explicit Random(std::uint64_t seed) : state_(seed * 0x9E3779B97F4A7C15ULL + 1) {}
  std::uint64_t Next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  std::uint64_t Below(std::uint64_t n) { return Next() % n; }

 private:
  std::uint64_t state_;
};

// Throws std::runtime_error naming the first of `faults` that `known` does not list.
inline void CheckFaults(const std::vector<std::string>& faults, std::span<const GenFault> known,
                        std::string_view feed) {
  for (const auto& f : faults) {
    if (std::none_of(known.begin(), known.end(), [&](const GenFault& k) { return k.name == f; })) {
      throw std::runtime_error("'" + f + "' is not a " + std::string(feed) + " fault");
    }
  }
}

inline bool Has(const std::vector<std::string>& faults, std::string_view fault) {
  return std::find(faults.begin(), faults.end(), fault) != faults.end();
}

}  // namespace rbgate::gateway::gen
