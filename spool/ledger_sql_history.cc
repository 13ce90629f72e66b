#include "spool/ledger_sql_history.h"

#include <fmt/format.h>

#include "spool/audit_sql.h"

namespace rbgate::spool::ledger_sql {

Status History::NotHeld(const std::string& id) {
  Stmt s(d_.c(), "SELECT node FROM files WHERE id = ?");
  if (s.Bind(1, id).Step() != sql::kRow) {
    return Error(Code::kFailedPrecondition, "ledger: no file " + id);
  }
  return Error(Code::kAborted,
               fmt::format("ledger: file {} is held by node {}, not this one ({}): its lease ran "
                           "out and another node adopted it",
                           id, s.Text(0), d_.node()));
}

// One transition, within a transaction.
Status History::Change(const std::string& id, std::string_view to, std::string_view detail,
                       std::string_view outcome, const std::vector<DeliveryRecord>& deliveries,
                       const std::string& at) {
  // Only by the node that holds the file, or on a file no node holds (final or parked): a
  // node whose lease ran out finds its files adopted, and its late steps refused here.
  static const std::string kFree =
      StateSqlList([](const FileStateInfo& i) { return i.final || i.parked; });
  Stmt s(d_.c(),
         fmt::format("UPDATE files SET state = ?1, updated_at = ?2, node = ?4{} WHERE id = ?3 AND "
                     "(node = ?4 OR node = '' OR state IN {})",
                     outcome.empty() ? "" : ", outcome = ?5, reason = ?6", kFree));
  s.Bind(1, to).Bind(2, at).Bind(3, id).Bind(4, d_.node());
  if (!outcome.empty()) s.Bind(5, outcome).Bind(6, detail);
  if (Status st = s.Run("transition"); !st.ok()) return st;
  if (s.Changes() != 1) return NotHeld(id);
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
