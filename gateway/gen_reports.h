// `rbgate gen arudd`: synthetic bank returns (Bacs XML reports), valid by default, with named
// faults. Synthetic names and accounts only.
#pragma once

#include <cstdint>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "gateway/gen_bacs18.h"
#include "schemas/dates.h"

namespace rbgate::gateway {

struct ReportGenOptions {
  std::uint64_t records = 20;
  std::uint64_t seed = 1;
  std::vector<std::string> faults;
  schemas::Day processing_date = 0;
  std::string sun = "123456";
  bool credits = false;  // ARUCS (returned credits) instead of ARUDD
};

std::span<const GenFault> AruddFaults() noexcept;

// Throws std::runtime_error for an unknown fault.
void GenerateArudd(const ReportGenOptions& options, std::ostream& out);

std::span<const GenFault> MessagingFaults() noexcept;

std::span<const GenFault> DdicFaults() noexcept;

// A DDIC (indemnity claims) report.
void GenerateDdic(const ReportGenOptions& options, std::ostream& out);

// A messaging advice report: `advice_type` is ADDACS, AUDACC, AUDREJ or AWACS.
void GenerateMessaging(const ReportGenOptions& options, std::string_view advice_type,
                       std::ostream& out);

}  // namespace rbgate::gateway
