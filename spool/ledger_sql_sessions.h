// The ledger's record of the console's sessions, so that a restart signs nobody out. Internal to
// spool/; the SessionStore interface (ledger.h) says what each call does.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "spool/ledger_sql_db.h"

namespace rbgate::spool::ledger_sql {

class Sessions {
 public:
  explicit Sessions(Db& db) : d_(db) {}

  Status AddSession(const SessionRecord& r);
  std::optional<SessionRecord> GetSession(const std::string& id_sha256);
  Status TouchSession(const std::string& id_sha256, std::int64_t seen_ms);
  Status EndSession(const std::string& id_sha256);
  StatusOr<std::uint64_t> EndSessionsOf(const std::string& user);
  Status PurgeSessions(std::int64_t seen_before_ms, std::int64_t started_before_ms);

 private:
  Db& d_;
};

}  // namespace rbgate::spool::ledger_sql
