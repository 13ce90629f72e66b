// The ledger's writes to a file's history (its state and transitions, officers' actions,
// deliveries), each with its entry in the audit chain: within the caller's transaction, with
// the connection's lock held. The parts of the ledger that change a file's state use them.
// Internal to spool/.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "spool/ledger_sql_db.h"

namespace rbgate::spool::ledger_sql {

class History {
 public:
  explicit History(Db& db) : d_(db) {}
  // One transition: the file's state (and, for a final state, its outcome and reason), the
  // deliveries it records, and the transition itself.
  Status Change(const std::string& id, std::string_view to, std::string_view detail,
                std::string_view outcome, const std::vector<DeliveryRecord>& deliveries,
                const std::string& at);
  Status AddTransition(const std::string& id, const std::string& at, std::string_view to,
                       std::string_view detail);
  Status AddAction(const std::string& id, const ActionRecord& a, const std::string& at);
  Status AddDelivery(const std::string& id, const DeliveryRecord& d, const std::string& now);
  // Why file `id` could not be changed: gone, or held by another node.
  Status NotHeld(const std::string& id);

 private:
  Db& d_;
};

}  // namespace rbgate::spool::ledger_sql
