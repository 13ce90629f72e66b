// A set of 64-bit fingerprints with a fixed capacity, in one flat open-addressed array:
// no allocation per insert, memory fixed at construction (16 bytes per item of capacity).
#pragma once

#include <cstdint>
#include <vector>

namespace rbgate::schemas {

class FingerprintSet {
 public:
  explicit FingerprintSet(std::size_t capacity) {
    std::size_t slots = 16;
    while (slots < capacity * 2) slots <<= 1;
    slots_.assign(capacity == 0 ? 0 : slots, 0);
    mask_ = slots_.empty() ? 0 : slots_.size() - 1;
    capacity_ = capacity;
  }

  // Inserts `fp` (well mixed); false when it was already present.
  // REQUIRES: size() < capacity().
  bool Insert(std::uint64_t fp) noexcept {
    if (fp == 0) fp = 1;  // 0 marks an empty slot
    for (std::size_t i = fp & mask_;; i = (i + 1) & mask_) {
      if (slots_[i] == fp) return false;
      if (slots_[i] == 0) {
        slots_[i] = fp;
        ++size_;
        return true;
      }
    }
  }

  // Starts loading `fp`'s slot into cache, so that an Insert a little later does not wait.
  void Prefetch(std::uint64_t fp) const noexcept {
    if (!slots_.empty()) __builtin_prefetch(&slots_[(fp == 0 ? 1 : fp) & mask_]);
  }

  std::size_t size() const noexcept { return size_; }
  std::size_t capacity() const noexcept { return capacity_; }

 private:
  std::vector<std::uint64_t> slots_;
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

}  // namespace rbgate::schemas
