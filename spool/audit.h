// The audit chain: every transition and every officer's action the ledger records is also
// appended to a chain in which each entry carries the SHA-256 of the one before it. Editing,
// inserting or deleting an entry, or a ledger row it mirrors, breaks the chain where it was
// done; `rbgate audit verify` says where.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rbgate::spool {

struct AuditEntry {
  std::uint64_t seq = 0;  // 1, 2, 3 ... with no gaps
  std::string at;         // ISO 8601 UTC, as the ledger row has it
  std::string file_id;
  std::string kind;    // "transition" or "action"
  std::string user;    // an action's officer; empty for the gateway's own transitions
  std::string what;    // the state entered, or the action taken
  std::string detail;  // the transition's detail, or the action's reason
  std::string prev;    // the previous entry's hash (64 zeros for the first)
  std::string hash;    // AuditHash(*this)
};

inline constexpr char kAuditGenesis[] =
    "0000000000000000000000000000000000000000000000000000000000000000";

// SHA-256, as lowercase hex, over every field but `hash`, each length-prefixed so that no
// two different entries hash the same text.
std::string AuditHash(const AuditEntry& e);

struct AuditProblem {
  std::uint64_t seq = 0;  // the chain entry where it shows (0: a ledger row outside the chain)
  std::string file_id;
  std::string at;
  std::string message;  // what is wrong, in plain English
};

struct AuditVerdict {
  std::uint64_t entries = 0;
  std::uint64_t head_seq = 0;  // the last entry: record it elsewhere to detect truncation
  std::string head_hash;
  std::vector<AuditProblem> problems;
  bool ok() const noexcept { return problems.empty(); }
};

}  // namespace rbgate::spool
