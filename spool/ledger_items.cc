#include "spool/ledger_items.h"

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

void LedgerItems::OnItem(std::string_view kind, std::uint64_t line, std::string_view day,
                         std::string_view text) {
  current_.Add(kind, line, day, text);
  if (current_.size() == kBatch) Hand(false);
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
  if (current_.empty()) return;
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
  const Status s = ledger_.AddItems(id_, b, first_);
  first_ = false;
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
