// The audit chain in the ledger (audit.h), on either backend. Internal to spool/.
#pragma once

#include <optional>
#include <string>

#include "spool/audit.h"
#include "spool/sql.h"

namespace rbgate::spool {

// Appends `e` (seq, prev and hash are filled in) after the chain's last entry.
// REQUIRES: inside a write transaction, so that no other writer appends in between.
Status AppendAudit(sql::Connection& c, AuditEntry e);

// A ledger written before the chain existed: chains its transitions and actions, oldest
// first, once, so that they are protected from now on. Nothing when the chain has entries.
// REQUIRES: inside a write transaction.
Status ChainUnchained(sql::Connection& c);

// Walks the chain and compares it with the ledger's transitions and actions. With
// `anchor` (a head recorded earlier), also checks that entry still has that hash.
AuditVerdict VerifyAuditChain(sql::Connection& c,
                              const std::optional<std::pair<std::uint64_t, std::string>>& anchor);

}  // namespace rbgate::spool
