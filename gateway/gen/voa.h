// `rbgate gen ndr-list` and the VOA feeds' other generators: synthetic rating lists and the
// files that go with them, valid by default, with named faults on request. Made-up
// addresses, firms and references only.
#pragma once

#include <cstdint>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "gateway/gen/bacs18.h"
#include "schemas/dates.h"
#include "schemas/voa/balance.h"

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
std::span<const GenFault> CtListFaults() noexcept;
// Faults of `rbgate gen ndr-schedule` and `ct-schedule` (some are one tax's only).
std::span<const GenFault> ScheduleFaults() noexcept;

// An NDR compiled list (schemas/voa/ndr-list.json): one `*`-delimited line per entry, CRLF,
// the entries spread evenly over `councils` billing authorities from `ba` on. About 250
// bytes a line; two million lines in a few seconds (written in 1 MiB blocks).
// Throws std::runtime_error for an unknown fault.
void GenerateNdrList(const VoaGenOptions& options, std::ostream& out);

// A council tax valuation list (schemas/voa/ct-list.json) of `records` dwellings for `ba`.
void GenerateCtList(const VoaGenOptions& options, std::ostream& out);

// A schedule of alterations (schemas/voa/ndr-schedule.json or ct-schedule.json, by
// `before.tax`) numbered `number`, of `records` alterations to the list `before`: new,
// deleted, amended, reinstated, minor address changes and historic ones, each entry altered
// once, and a trailer whose figures are the list after them, so that it balances unless a
// fault says otherwise. Throws std::runtime_error for an unknown fault or one of the other
// tax's.
// Summary valuations (schemas/voa/ndr-smv.json) of `records` hereditaments: each an 01
// record, its line items, sometimes other additions, plant, car parking and adjustments, and
// its totals, which agree unless a fault says otherwise.
std::span<const GenFault> SmvFaults() noexcept;
void GenerateSmv(const VoaGenOptions& options, std::ostream& out);

// A billing authority report to the VOA (Valuebill XML, schemas/voa/ba_report.xsd) of
// `records` property reports, council tax and NNDR, each with the entries its reason needs.
std::span<const GenFault> BaReportFaults() noexcept;
void GenerateBaReport(const VoaGenOptions& options, std::ostream& out);

void GenerateSchedule(const VoaGenOptions& options, const schemas::voa::ListState& before,
                      std::uint64_t number, std::ostream& out);

}  // namespace rbgate::gateway
