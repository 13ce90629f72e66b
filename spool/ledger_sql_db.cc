#include "spool/ledger_sql_db.h"

#include <algorithm>

#include "parsers/invariant.h"

namespace rbgate::spool {

namespace ledger_sql {

namespace {
// The connections this thread holds, one at most of each ledger's.
thread_local std::vector<std::pair<const Db*, sql::Connection*>> held;

sql::Connection* HeldOf(const Db* d) {
  for (const auto& [db, c] : held) {
    if (db == d) return c;
  }
  return nullptr;
}
}  // namespace

Db::Db(std::unique_ptr<sql::Connection> first, Opener more, std::size_t size)
    : dialect_(first->dialect()), more_(std::move(more)), size_(std::max<std::size_t>(size, 1)) {
  free_.push_back(first.get());
  all_.push_back(std::move(first));
}

Db::Use::Use(Db& d) : d_(d) {
  if (HeldOf(&d) != nullptr) return;  // already this thread's: the outer Use gives it back
  taken_ = d.Take();
  held.emplace_back(&d, taken_);
}

Db::Use::~Use() {
  if (taken_ == nullptr) return;
  std::erase_if(held, [this](const auto& h) { return h.first == &d_; });
  d_.Give(taken_);
}

sql::Connection& Db::c() const {
  sql::Connection* c = HeldOf(this);
  if (!RBGATE_INVARIANT(c != nullptr, "a ledger statement runs on the connection its call holds")) {
    return *all_.front();
  }
  return *c;
}

sql::Connection* Db::Take() {
  std::unique_lock lock(mu_);
  for (;;) {
    if (!free_.empty()) {
      sql::Connection* c = free_.back();
      free_.pop_back();
      return c;
    }
    if (more_ && all_.size() + opening_ < size_) {
      ++opening_;
      lock.unlock();
      auto opened = more_();
      lock.lock();
      --opening_;
      if (opened.ok()) {
        all_.push_back(std::move(opened).value());
        return all_.back().get();
      }
      // Not now (the server busy or gone): wait for one of those open.
    }
    freed_.wait(lock);
  }
}

void Db::Give(sql::Connection* c) {
  {
    std::lock_guard lock(mu_);
    free_.push_back(c);
  }
  freed_.notify_one();
}

const std::string& AcceptedStatesSql() {
  static const std::string kSql = StateSqlList([](const FileStateInfo& i) { return i.accepted; });
  return kSql;
}

FileRecord ReadFile(Stmt& s) {
  FileRecord f;
  f.id = s.Text(0);
  f.name = s.Text(1);
  f.route = s.Text(2);
  f.size = s.Int(3);
  f.sha256 = s.Text(4);
  f.feed = s.Text(5);
  f.state = s.Text(6);
  f.outcome = s.Text(7);
  f.reason = s.Text(8);
  f.records = s.Int(9);
  f.errors = s.Int(10);
  f.warnings = s.Int(11);
  f.business_key = s.Text(12);
  f.received_at = s.Text(13);
  f.updated_at = s.Text(14);
  f.dropped_by = s.Text(15);
  f.schema_version = s.Text(16);
  f.schema_sha256 = s.Text(17);
  f.node = s.Text(18);
  return f;
}

std::string Prefixed(std::string_view columns, std::string_view prefix) {
  std::string out(prefix);
  for (char c : columns) {
    out += c;
    if (c == ' ') out += prefix;
  }
  return out;
}

}  // namespace ledger_sql

}  // namespace rbgate::spool
