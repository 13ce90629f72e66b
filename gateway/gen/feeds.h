// `rbgate gen payments`, `rbgate gen shbe` and `rbgate gen vep`: synthetic files for the shipped
// schema feeds, valid by default, with named faults injected on request (each once, at a fixed
// record). Synthetic values only: made-up account references, NINOs with real prefixes and made-up
// digits, employers from a fixed list.
#pragma once

#include <cstdint>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "gateway/gen/bacs18.h"
#include "schemas/dates.h"

namespace rbgate::gateway {

struct FeedGenOptions {
  std::uint64_t records = 100;
  std::uint64_t seed = 1;
  std::vector<std::string> faults;
  schemas::Day date = 0;  // the file's date; payments fall on the days before it
};

// Faults each generator knows (name, the rule it trips, what it does).
std::span<const GenFault> PaymentsFaults() noexcept;
std::span<const GenFault> VepFaults() noexcept;
std::span<const GenFault> ShbeFaults() noexcept;
std::span<const GenFault> AtlasFaults() noexcept;
std::span<const GenFault> RslFaults() noexcept;
std::span<const GenFault> DdInstructionsFaults() noexcept;

// A council's own Direct Debit instructions (schemas/dd_instructions) as XML: new, cancelled
// and converted instructions to accounts that pass `modulus`. Throws std::runtime_error for an
// unknown fault.
void GenerateDdInstructions(const FeedGenOptions& options, const schemas::ModulusChecker& modulus,
                            std::ostream& out);

// A landlord's pair (schemas/rsl): the reference map, and the rent changes whose every pay
// reference is in it (the same seed and record count make a matching pair). Faults apply to
// the rent changes. Throws std::runtime_error for an unknown fault.
void GenerateRslRefmap(const FeedGenOptions& options, std::ostream& out);
void GenerateRslRents(const FeedGenOptions& options, std::ostream& out);

// ATLAS notifications (schemas/atlas/atlas.xsd) as XML. Throws std::runtime_error for an
// unknown fault.
void GenerateAtlas(const FeedGenOptions& options, std::ostream& out);

// An income-management payments file (schemas/payments): header, payments, trailer, CRLF.
// Throws std::runtime_error for an unknown fault.
void GeneratePayments(const FeedGenOptions& options, std::ostream& out);

// A Single Housing Benefit Extract (schemas/shbe): header, claims, trailer, CRLF.
// Throws std::runtime_error for an unknown fault.
void GenerateShbe(const FeedGenOptions& options, std::ostream& out);

// VEP alerts (schemas/vep) as JSON lines. Throws std::runtime_error for an unknown fault.
void GenerateVep(const FeedGenOptions& options, std::ostream& out);

}  // namespace rbgate::gateway
