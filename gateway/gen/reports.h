// `rbgate gen arudd`: synthetic bank returns (Bacs XML reports), valid by default, with named
// faults. Synthetic names and accounts only.
#pragma once

#include <cstdint>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "gateway/gen/bacs18.h"
#include "schemas/dates.h"

namespace rbgate::gateway {

// A sent item a generated return refers to (from `rbgate gen arudd --for FILE`).
struct SentItem {
  std::string reference, dest_sort, dest_account;
  std::uint64_t amount = 0;  // pence
  schemas::Day day = 0;
};

struct ReportGenOptions {
  std::uint64_t records = 20;
  std::uint64_t seed = 1;
  std::vector<std::string> faults;
  schemas::Day processing_date = 0;
  std::string sun = "123456";
  bool credits = false;  // ARUCS (returned credits) instead of ARUDD
  // ARUDD/ARUCS: return these items (sent earlier) rather than made-up ones; the report is
  // then dated, unless processing_date says otherwise, 3 days after the latest was due.
  std::vector<SentItem> returning;
};

// Up to `max` payment items of the Standard 18 file at `path`, spread evenly through it:
// credits or debits. Throws std::runtime_error when the file cannot be read.
std::vector<SentItem> SentItemsOf(const std::string& path, bool credits, std::uint64_t max);

std::span<const GenFault> AruddFaults() noexcept;

// Throws std::runtime_error for an unknown fault.
void GenerateArudd(const ReportGenOptions& options, std::ostream& out);

// What an input report answers: a submission's SUN, serial and user files.
struct SentSubmission {
  std::string sun = "123456", serial = "000001";
  struct UserFile {
    schemas::Day day = 0;  // UHL1's; for a multi-day user file, its first item's
    bool multi_day = false;
    std::uint64_t debit_count = 0, debit_value = 0, credit_count = 0, credit_value = 0;
    std::uint64_t debit_contras = 0, debit_contra_value = 0;  // the contras' part
    std::uint64_t credit_contras = 0, credit_contra_value = 0;
  };
  std::vector<UserFile> user_files;
};

// The submission the Standard 18 file at `path` makes. Throws std::runtime_error when the
// file cannot be read or is too broken to say.
SentSubmission SubmissionOf(const std::string& path);

std::span<const GenFault> InputFaults() noexcept;

// A Bacs input report answering `given` (a made-up submission of `o.records` items when it
// has no user files).
void GenerateInputReport(const ReportGenOptions& o, const SentSubmission& given, std::ostream& out);

std::span<const GenFault> MessagingFaults() noexcept;

std::span<const GenFault> DdicFaults() noexcept;

// A DDIC (indemnity claims) report.
void GenerateDdic(const ReportGenOptions& options, std::ostream& out);

// A messaging advice report: `advice_type` is ADDACS, AUDACC, AUDREJ or AWACS.
void GenerateMessaging(const ReportGenOptions& options, std::string_view advice_type,
                       std::ostream& out);

}  // namespace rbgate::gateway
