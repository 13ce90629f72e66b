// What identifies a Standard 18 submission whatever its bytes: SUN, serial, and each user
// file's processing day and totals. The ledger refuses a second file with the same key (the
// same payments sent twice), and reconciliation takes it apart again.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "schemas/bacs18/validator.h"

namespace rbgate::schemas::bacs18 {

// The business key of `facts`, e.g. "bacs18/123456/000042/2026-11-25/20550/20550/2/1" (one
// day and total set per user file); empty when the file is too broken to say.
std::string Bacs18BusinessKey(const Facts& facts);

// A business key taken apart again: SUN, serial and each user file's day and totals.
struct Bacs18Key {
  std::string sun, serial;
  struct UserFile {
    std::string day;  // ISO, or "multi"
    std::uint64_t debit_total = 0, credit_total = 0, debit_count = 0, credit_count = 0;
  };
  std::vector<UserFile> user_files;
};
std::optional<Bacs18Key> ParseBacs18BusinessKey(std::string_view key);

}  // namespace rbgate::schemas::bacs18
