// The ledger's record of files collected from sources: each remote file once (a unique key on
// source, name, size and time), dropped, then done when the spool holds it and the remote side
// was changed. Internal to spool/; the Collections interface (ledger.h) says what each call does.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "spool/ledger_sql_db.h"

namespace rbgate::spool::ledger_sql {

class Collected {
 public:
  explicit Collected(Db& db) : d_(db) {}

  Status AddCollected(CollectedRecord& r);
  std::vector<CollectedRecord> CollectedOf(const std::string& source, bool pending);
  Status FinishCollected(std::uint64_t id, bool done, const std::string& file_id,
                         const std::string& error);
  std::optional<std::string> HeldFile(const std::string& route, const std::string& name,
                                      std::uint64_t size, const std::string& since);
  std::vector<SourceStats> SourceStatsAll();

 private:
  Db& d_;
};

}  // namespace rbgate::spool::ledger_sql
