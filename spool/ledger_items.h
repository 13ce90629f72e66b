// The items a file's check finds for its feed's store (schemas/feed_store.h), on their way to
// the ledger: in batches, so memory stays bounded on the largest files, written by a thread of
// their own once a file has more than one batch, so that a large file's check is not held up
// by the ledger.
#pragma once

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "schemas/feed_store.h"
#include "spool/ledger.h"

namespace rbgate::spool {

class LedgerItems final : public schemas::ItemSink {
 public:
  LedgerItems(Ledger& ledger, std::string id);
  ~LedgerItems() override;
  LedgerItems(const LedgerItems&) = delete;
  LedgerItems& operator=(const LedgerItems&) = delete;

  void OnItem(std::string_view kind, std::uint64_t line, std::string_view day,
              std::string_view text) override;
  // Writes what is left and waits for the writer; the first failure, if any. Call once, after
  // the check; the items are then all on record.
  Status Finish();

 private:
  static constexpr std::size_t kBatch = 16384;
  using Batch = ItemBatch;
  void Hand(bool last);  // the current batch to the writer (or written here)
  void Write(Batch& b);  // to the ledger; records the first failure
  void Run();            // the writer thread

  Ledger& ledger_;
  const std::string id_;
  Batch current_;
  bool first_ = true;  // the first write replaces old rows

  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<Batch> queue_;  // at most two batches wait
  bool closing_ = false;
  Status status_;
  std::thread writer_;
};

}  // namespace rbgate::spool
