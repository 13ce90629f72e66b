#include "schemas/bacs18/business_key.h"

#include <fmt/format.h>

#include <charconv>

#include "schemas/dates.h"

namespace rbgate::schemas::bacs18 {

std::string Bacs18BusinessKey(const Facts& facts) {
  if (facts.sun.empty() || facts.user_files.empty()) return {};
  std::string key = fmt::format("bacs18/{}/{}", facts.sun, facts.serial);
  for (const auto& u : facts.user_files) {
    key += fmt::format("/{}/{}/{}/{}/{}",
                       u.processing_day ? FormatIsoDate(*u.processing_day) : "multi", u.debit_total,
                       u.credit_total, u.debit_count, u.credit_count);
  }
  return key;
}

std::optional<Bacs18Key> ParseBacs18BusinessKey(std::string_view key) {
  std::vector<std::string_view> parts;
  while (!key.empty()) {
    const auto slash = key.find('/');
    parts.push_back(key.substr(0, slash));
    key = slash == std::string_view::npos ? std::string_view() : key.substr(slash + 1);
  }
  if (parts.size() < 8 || parts[0] != "bacs18" || (parts.size() - 3) % 5 != 0) return std::nullopt;
  Bacs18Key k{std::string(parts[1]), std::string(parts[2]), {}};
  for (std::size_t i = 3; i < parts.size(); i += 5) {
    Bacs18Key::UserFile u{std::string(parts[i]), 0, 0, 0, 0};
    std::uint64_t* fields[] = {&u.debit_total, &u.credit_total, &u.debit_count, &u.credit_count};
    for (std::size_t f = 0; f < 4; ++f) {
      const auto p = parts[i + 1 + f];
      if (std::from_chars(p.data(), p.data() + p.size(), *fields[f]).ec != std::errc()) {
        return std::nullopt;
      }
    }
    k.user_files.push_back(std::move(u));
  }
  return k;
}

}  // namespace rbgate::schemas::bacs18
