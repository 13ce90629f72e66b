// The ledger's outbound queue: one output for one network destination, taken by one
// forwarder at a time, its attempts on record, and the file settled (delivered, cancelled,
// quarantining) in the commit that sends or refuses its last item. Internal to spool/; the
// Ledger interface (ledger.h) says what each call does.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "spool/ledger_sql_db.h"
#include "spool/ledger_sql_history.h"

namespace rbgate::spool::ledger_sql {

class Outbound {
 public:
  Outbound(Db& db, History& history) : d_(db), history_(history) {}

  std::optional<OutboundItem> TakeOutbound(const std::string& destination, std::int64_t now_ms);
  std::optional<std::int64_t> NextOutboundAt(const std::string& destination);
  Status FinishOutbound(const OutboundItem& item, const AttemptResult& r, std::string& file_state);
  Status RequeueSending();
  std::optional<OutboundItem> GetOutbound(std::uint64_t id);
  std::vector<OutboundItem> OutboundOf(const std::string& file_id);
  std::vector<OutboundItem> ListOutbound(bool all, const std::string& since);
  std::uint64_t PendingOutboundNamed(const std::string& destination, const std::string& name,
                                     std::uint64_t except);
  Status RetryOutbound(std::uint64_t id, const ActionRecord& a, std::int64_t now_ms);
  Status CancelOutbound(std::uint64_t id, const ActionRecord& a, std::string& file_state);
  std::vector<OutboundStats> OutboundStatsSince(const std::string& since);
  // Items node `node` was sending, queued again (due now), within the caller's transaction.
  Status RequeueOf(const std::string& node, const std::string& at);
  // Queues one outbound item of file `id`, within the caller's transaction.
  Status Queue(const std::string& id, const OutboundItem& o, const std::string& at);

 private:
  // `lock`: within a write transaction, the row held until it commits (TakeOutbound on another
  // node cannot take it meanwhile).
  std::optional<OutboundItem> OutboundById(std::uint64_t id, bool lock);
  Status SetOutbound(std::uint64_t id, std::string_view state, std::int64_t next_at,
                     std::string_view error, const std::string& at);
  // A file parked in `forwarding` with nothing left to send is finished: delivered, or
  // cancelled if an operator cancelled any of its items. `file_state`: its new state when this
  // finished it, else empty.
  Status Settle(const std::string& file_id, const std::string& at, std::string& file_state);

  Db& d_;
  History& history_;
};

}  // namespace rbgate::spool::ledger_sql
