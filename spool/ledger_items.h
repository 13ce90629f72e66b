// The items a file's check finds (Standard 18 payment items, ARUDD/ARUCS returned items), on
// their way to the ledger for reconciliation: in batches, so memory stays bounded on the
// largest files, written by a thread of their own once a file has more than one batch, so
// that a large file's check is not held up by the ledger.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "schemas/bacs18/validator.h"
#include "schemas/bacs_reports/arudd.h"
#include "spool/ledger.h"

namespace rbgate::spool {

class LedgerItems final : public schemas::bacs18::ItemSink,
                          public schemas::bacs_reports::ReturnedItemSink {
 public:
  LedgerItems(Ledger& ledger, std::string id);
  ~LedgerItems() override;
  LedgerItems(const LedgerItems&) = delete;
  LedgerItems& operator=(const LedgerItems&) = delete;

  void OnItem(const schemas::bacs18::Item& i) override;
  void OnReturnedItem(const schemas::bacs_reports::ReturnedItem& i) override;
  // How many returned items the check found.
  std::uint64_t returned() const noexcept { return returned_; }
  // Writes what is left and waits for the writer; the first failure, if any. Call once, after
  // the check; the items are then all on record.
  Status Finish();

 private:
  static constexpr std::size_t kBatch = 16384;
  struct Batch {
    std::vector<SubmittedItemRow> submitted;
    std::vector<ReturnedItemRow> returned;
  };
  void Hand(bool last);  // the current batch to the writer (or written here)
  void Write(Batch& b);  // to the ledger; records the first failure
  void Run();            // the writer thread

  Ledger& ledger_;
  const std::string id_;
  schemas::Day day_ = -1;  // the last item's day, and its ISO form
  std::string day_iso_;
  Batch current_;
  std::uint64_t returned_ = 0;
  bool first_submitted_ = true, first_returned_ = true;  // the first batch replaces old rows

  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<Batch> queue_;  // at most two batches wait
  bool closing_ = false;
  Status status_;
  std::thread writer_;
};

}  // namespace rbgate::spool
