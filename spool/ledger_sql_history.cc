#include "spool/ledger_sql_history.h"

#include <fmt/format.h>

#include "spool/audit_sql.h"

namespace rbgate::spool::ledger_sql {

// One transition, within a transaction.
Status History::Change(const std::string& id, std::string_view to, std::string_view detail,
                       std::string_view outcome, const std::vector<DeliveryRecord>& deliveries,
                       const std::string& at) {
  Stmt s(d_.c(), outcome.empty()
                     ? "UPDATE files SET state = ?, updated_at = ? WHERE id = ?"
                     : "UPDATE files SET state = ?, updated_at = ?, outcome = ?, reason = ? "
                       "WHERE id = ?");
  s.Bind(1, to).Bind(2, at);
  if (outcome.empty()) {
    s.Bind(3, id);
  } else {
    s.Bind(3, outcome).Bind(4, detail).Bind(5, id);
  }
  if (Status st = s.Run("transition"); !st.ok()) return st;
  if (s.Changes() != 1) return Error(Code::kFailedPrecondition, "ledger: no file " + id);
  for (const auto& d : deliveries) {
    if (Status st = AddDelivery(id, d, at); !st.ok()) return st;
  }
  return AddTransition(id, at, to, detail);
}

Status History::AddTransition(const std::string& id, const std::string& at, std::string_view to,
                              std::string_view detail) {
  Stmt s(d_.c(), "INSERT INTO transitions (file_id, at, state, detail) VALUES (?, ?, ?, ?)");
  if (Status st = s.Bind(1, id).Bind(2, at).Bind(3, to).Bind(4, detail).Run("add transition");
      !st.ok()) {
    return st;
  }
  return AppendAudit(d_.c(), {0, at, id, "transition", "", std::string(to), std::string(detail)});
}

Status History::AddAction(const std::string& id, const ActionRecord& a, const std::string& at) {
  Stmt s(d_.c(), "INSERT INTO actions (file_id, at, \"user\", action, reason) VALUES (?,?,?,?,?)");
  Status st = s.Bind(1, id)
                  .Bind(2, at)
                  .Bind(3, a.user)
                  .Bind(4, a.action)
                  .Bind(5, a.reason)
                  .Run("record action");
  if (!st.ok()) return st;
  return AppendAudit(d_.c(), {0, at, id, "action", a.user, a.action, a.reason});
}

Status History::AddDelivery(const std::string& id, const DeliveryRecord& d,
                            const std::string& now) {
  Stmt s(d_.c(),
         "INSERT INTO deliveries (file_id, destination, name, status, at) VALUES (?,?,?,?,?)");
  return s.Bind(1, id)
      .Bind(2, d.destination)
      .Bind(3, d.name)
      .Bind(4, d.status)
      .Bind(5, d.at.empty() ? now : d.at)
      .Run("record delivery");
}

}  // namespace rbgate::spool::ledger_sql
