// `rbgate gen ndr-list` and the VOA feeds' other generators: synthetic rating lists and the
// files that go with them, valid by default, with named faults on request. Made-up
// addresses, firms and references only.
#pragma once

#include <cstdint>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "gateway/gen_bacs18.h"
#include "schemas/dates.h"

namespace rbgate::gateway {

struct VoaGenOptions {
  std::uint64_t records = 100;
  std::uint64_t seed = 1;
  std::vector<std::string> faults;
  schemas::Day date = 0;    // the file's date (a list's compilation, a schedule's issue)
  std::string ba = "0114";  // the billing authority (the first of `councils` codes)
  std::uint64_t councils = 1;
};

std::span<const GenFault> NdrListFaults() noexcept;

// An NDR compiled list (schemas/voa/ndr-list.json): one `*`-delimited line per entry, CRLF,
// the entries spread evenly over `councils` billing authorities from `ba` on. About 250
// bytes a line; two million lines in a few seconds (written in 1 MiB blocks).
// Throws std::runtime_error for an unknown fault.
void GenerateNdrList(const VoaGenOptions& options, std::ostream& out);

}  // namespace rbgate::gateway
