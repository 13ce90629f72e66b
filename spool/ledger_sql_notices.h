// The ledger's notices (gateway/notify): one event for one channel, queued, taken by one node
// at a time, retried, and on record once sent; and the cursor by which files' transitions in
// the audit chain become notices exactly once. Internal to spool/; the NoticeQueue interface
// (ledger.h) says what each call does.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "spool/ledger_sql_db.h"

namespace rbgate::spool::ledger_sql {

class Notices {
 public:
  explicit Notices(Db& db) : d_(db) {}

  Status AddNotices(const std::vector<NoticeRecord>& notices);
  StatusOr<ChainEvents> ChainEventsSince(const std::vector<std::string>& states, std::size_t limit);
  Status AdvanceNotices(std::uint64_t from, std::uint64_t to,
                        const std::vector<NoticeRecord>& notices);
  std::vector<NoticeRecord> TakeNotices(const std::string& channel, std::int64_t now_ms,
                                        bool gather, std::size_t max);
  Status FinishNotices(const std::vector<NoticeRecord>& taken,
                       const NoticeQueue::NoticeOutcome& outcome);
  Status RequeueSendingNotices();
  std::vector<NoticeRecord> ListNotices(const NoticeFilter& filter);
  std::vector<NoticeStats> NoticeStatsByChannel();
  // Notices node `node` was sending, queued again (due now), within the caller's transaction.
  Status RequeueOf(const std::string& node);

 private:
  // Inserts `n` queued, within the caller's transaction.
  Status Insert(const NoticeRecord& n);

  Db& d_;
};

}  // namespace rbgate::spool::ledger_sql
