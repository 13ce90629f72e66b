// `rbgate gen bacs18`: realistic synthetic Standard 18 files, valid by default, with named
// faults injected on request. Synthetic names and accounts only; accounts pass modulus
// checking unless a fault says otherwise.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "schemas/calendar.h"
#include "schemas/modulus.h"

namespace rbgate::gateway {

struct GenFault {
  std::string_view name;
  std::string_view rule;  // the rule it trips
  std::string_view what;
};
// Every fault the generator knows.
std::span<const GenFault> GenFaults() noexcept;

struct GenOptions {
  std::uint64_t records = 1000;
  std::uint64_t seed = 1;
  bool multi_day = false;
  std::vector<std::string> faults;
  schemas::Day creation_date = 0;
  std::string line_ending = "\r\n";  // "\r\n", "\n" or ""
  std::string sun = "123456";
  std::string serial = "000001";
};

// A number from [lo, hi], from the generator's seeded sequence.
using Uniform = std::function<std::uint64_t(std::uint64_t lo, std::uint64_t hi)>;
// Up to `want` sort codes that modulus checking covers and that have valid accounts (throws
// std::runtime_error when the tables give none), and a valid account at one of them.
std::vector<std::string> CheckedSortCodes(const schemas::ModulusChecker& modulus,
                                          const Uniform& uniform, std::size_t want = 48);
std::string ValidAccount(const schemas::ModulusChecker& modulus, const std::string& sort,
                         const Uniform& uniform);

// Writes the file to `out`. Throws std::runtime_error for an unknown fault or a calendar
// that does not reach the dates needed.
void GenerateBacs18(const GenOptions& options, const schemas::Calendar& calendar,
                    const schemas::ModulusChecker& modulus, std::ostream& out);

}  // namespace rbgate::gateway
