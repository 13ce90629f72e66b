#include "spool/ledger_items.h"

#include "schemas/dates.h"

namespace rbgate::spool {

LedgerItems::LedgerItems(Ledger& ledger, std::string id) : ledger_(ledger), id_(std::move(id)) {}

LedgerItems::~LedgerItems() {
  {
    std::lock_guard lock(mu_);
    closing_ = true;
  }
  changed_.notify_all();
  if (writer_.joinable()) writer_.join();
}

void LedgerItems::OnItem(const schemas::bacs18::Item& i) {
  if (i.day != day_) {  // items come in runs of one day
    day_ = i.day;
    day_iso_ = schemas::FormatIsoDate(i.day);
  }
  current_.submitted.push_back({i.line, day_iso_, std::string(i.dest_sort),
                                std::string(i.dest_account), std::string(i.reference), i.amount,
                                i.credit});
  if (current_.submitted.size() == kBatch) Hand(false);
}

void LedgerItems::OnReturnedItem(const schemas::bacs_reports::ReturnedItem& i) {
  current_.returned.push_back(
      {i.line, std::string(i.report_day), std::string(i.original_day), std::string(i.reference),
       std::string(i.code), std::string(i.return_code), std::string(i.description),
       std::string(i.payer_sort), std::string(i.payer_account), i.amount, i.credit});
  ++returned_;
  if (current_.returned.size() == kBatch) Hand(false);
}

Status LedgerItems::Finish() {
  Hand(true);
  {
    std::lock_guard lock(mu_);
    closing_ = true;
  }
  changed_.notify_all();
  if (writer_.joinable()) writer_.join();
  std::lock_guard lock(mu_);
  return status_;
}

void LedgerItems::Hand(bool last) {
  if (current_.submitted.empty() && current_.returned.empty()) return;
  if (last && !writer_.joinable()) {
    Write(current_);  // a small file: one batch, no thread
    current_ = {};
    return;
  }
  if (!writer_.joinable()) writer_ = std::thread([this] { Run(); });
  {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return queue_.size() < 2; });
    queue_.push_back(std::move(current_));
  }
  changed_.notify_all();
  current_ = {};
}

void LedgerItems::Write(Batch& b) {
  Status s;
  if (!b.submitted.empty()) {
    s = ledger_.AddSubmittedItems(id_, b.submitted, first_submitted_);
    first_submitted_ = false;
  }
  if (s.ok() && !b.returned.empty()) {
    s = ledger_.AddReturnedItems(id_, b.returned, first_returned_);
    first_returned_ = false;
  }
  std::lock_guard lock(mu_);
  if (status_.ok()) status_ = s;
}

void LedgerItems::Run() {
  for (;;) {
    Batch b;
    {
      std::unique_lock lock(mu_);
      changed_.wait(lock, [&] { return !queue_.empty() || closing_; });
      if (queue_.empty()) return;
      b = std::move(queue_.front());
      queue_.pop_front();
    }
    changed_.notify_all();
    bool failed;
    {
      std::lock_guard lock(mu_);
      failed = !status_.ok();
    }
    if (!failed) Write(b);  // after a failure the rest is dropped: the check fails as a whole
  }
}

}  // namespace rbgate::spool
