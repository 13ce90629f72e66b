// UK modulus checking of sort code and account number (Vocalink, "Validating account
// numbers"), with every exception rule. Vocalink's tables are loaded at run time from a
// directory and never shipped with rbgate: they are Vocalink's, and change several times
// a year.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace rbgate::schemas {

enum class ModulusResult : std::uint8_t {
  kValid,
  kInvalid,
  kUnchecked,  // the sort code is in no range: valid-but-unchecked
};

class ModulusChecker {
 public:
  // Parses valacdos (weight table) and scsubtab (sort code substitutions) texts. `version`
  // names what was loaded, for reports. Throws std::runtime_error naming the bad line.
  static ModulusChecker FromText(std::string_view valacdos, std::string_view scsubtab,
                                 std::string version);
  // Loads `valacdos*.txt` (the newest by name) and `scsubtab*.txt` from `dir`.
  // Throws std::runtime_error when they are missing or malformed.
  static ModulusChecker LoadDirectory(const std::string& dir);

  // REQUIRES: `sort_code` is 6 digits and `account` 8 digits.
  ModulusResult Check(std::string_view sort_code, std::string_view account) const noexcept;

  const std::string& version() const noexcept { return version_; }
  std::size_t rows() const noexcept { return rows_.size(); }

 private:
  enum class Method : std::uint8_t { kMod10, kMod11, kDblAl };
  // Sort code and account as 14 digits u v w x y z a b c d e f g h, padded to 16 with zeros
  // so that a weighted sum is two SIMD multiplies.
  using Digits = std::array<std::int16_t, 16>;
  struct Row {
    std::uint32_t start;
    std::uint32_t end;
    Method method;
    std::uint8_t exception;
    alignas(16) Digits weights;  // [14] and [15] are zero
  };
  static constexpr std::uint16_t kNone = 0xFFFF;

  bool Run(const Row& row, const Digits& digits) const noexcept;
  std::uint32_t Substitute(std::uint32_t sort_code) const noexcept;

  std::vector<Row> rows_;
  // For every sort code, the indices into rows_ of up to two rows that cover it.
  std::shared_ptr<std::array<std::uint16_t, 2>[]> index_;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> substitutions_;  // sorted
  std::string version_;
};

}  // namespace rbgate::schemas
