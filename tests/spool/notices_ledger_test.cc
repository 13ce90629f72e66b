// Notices at the ledger: the chain's cursor (set at the head on first look, moved with the
// notices in one commit, once however many nodes race), the queue (due, digest, retry, sent,
// expired), a crash's and a dead node's notices queued again. On SQLite and, under
// with_postgres.sh, PostgreSQL.

#include <doctest/doctest.h>

#include "spool/ledger.h"
#include "tests/support/ledger_db.h"
#include "tests/support/temp_dir.h"

namespace rbgate::spool {
namespace {

using testing::OpenLedger;
using testing::TempDir;

const std::vector<std::string> kStates = {"quarantined", "awaiting-approval"};

void Quarantine(Ledger& l, const std::string& id) {
  FileRecord f;
  f.id = id;
  f.name = id + ".s18";
  f.route = "auto";
  REQUIRE(l.AddFile(f).ok());
  f.feed = "bacs18";
  f.state = std::string(state::kAccepted);
  f.errors = 2;
  REQUIRE(l.RecordCheck(f, {{"bacs18.modulus", "error", 2}},
                        {std::string(state::kQuarantining), "2 errors"})
              .ok());
  REQUIRE(l.Transition(id, state::kQuarantined, "kept in quarantine/").ok());
}

NoticeRecord Row(const std::string& channel, const std::string& file, std::int64_t next_at = 0) {
  NoticeRecord n;
  n.channel = channel;
  n.event = "quarantined";
  n.route = "auto";
  n.file_id = file;
  n.summary = "file " + file + " was quarantined";
  n.next_at_ms = next_at;
  return n;
}

TEST_CASE("notices: the chain's events become notices once, from the head the cursor starts at") {
  TempDir dir;
  const std::string path = dir / "ledger.db";
  auto a = OpenLedger(path), b = OpenLedger(path);
  Quarantine(*a, "before");  // before notices were configured: never announced
  auto first = a->ChainEventsSince(kStates, 100);
  INFO(first.status().message);
  REQUIRE(first.ok());
  CHECK(first->events.empty());
  CHECK(first->from == first->to);
  CHECK(first->from > 0);

  Quarantine(*a, "f1");
  Quarantine(*a, "f2");
  auto seen_a = a->ChainEventsSince(kStates, 100);
  auto seen_b = b->ChainEventsSince(kStates, 100);
  REQUIRE(seen_a.ok());
  REQUIRE(seen_b.ok());
  REQUIRE(seen_a->events.size() == 2);
  CHECK(seen_a->events[0].file.id == "f1");
  CHECK(seen_a->events[0].state == "quarantined");
  CHECK(seen_a->events[0].file.errors == 2);
  REQUIRE(seen_a->events[0].findings.size() == 1);
  CHECK(seen_a->events[0].findings[0].rule == "bacs18.modulus");
  CHECK(seen_a->to > seen_a->from);
  // Two nodes read the same events; the first to move the cursor queues them, the other is
  // refused and queues nothing.
  CHECK(a->AdvanceNotices(seen_a->from, seen_a->to, {Row("officers", "f1"), Row("officers", "f2")})
            .ok());
  const Status late = b->AdvanceNotices(seen_b->from, seen_b->to, {Row("officers", "f1")});
  CHECK(late.code == Code::kAborted);
  CHECK(a->ListNotices({}).size() == 2);
  // Nothing new since.
  auto again = b->ChainEventsSince(kStates, 100);
  REQUIRE(again.ok());
  CHECK(again->events.empty());
  CHECK(again->from == seen_a->to);

  // A batch limit reads part of the chain; the cursor moves past what was read only.
  Quarantine(*a, "f3");
  auto part = a->ChainEventsSince(kStates, 1);
  REQUIRE(part.ok());
  CHECK(part->to == part->from + 1);
}

TEST_CASE("notices: due one at a time, a digest together, retried, sent or expired on record") {
  TempDir dir;
  auto l = OpenLedger(dir / "ledger.db");
  const std::int64_t now = UnixMs();
  REQUIRE(
      l->AddNotices({Row("mail", "f1"), Row("mail", "f2"), Row("hook", "f1", now + 60'000)}).ok());
  // Not yet due: the hook's digest window is open.
  CHECK(l->TakeNotices("hook", now, true, 10).empty());
  auto one = l->TakeNotices("mail", now, false, 10);
  REQUIRE(one.size() == 1);
  CHECK(one[0].file_id == "f1");
  CHECK(one[0].state == "sending");
  CHECK(one[0].attempts == 1);
  // Being sent: not taken again.
  auto next = l->TakeNotices("mail", now, false, 10);
  REQUIRE(next.size() == 1);
  CHECK(next[0].file_id == "f2");
  CHECK(l->TakeNotices("mail", now, false, 10).empty());

  // f1 failed: queued again for later, the error on record.
  NoticeQueue::NoticeOutcome failed;
  failed.error = "connect: Connection refused";
  failed.retry_at_ms = now + 30'000;
  REQUIRE(l->FinishNotices(one, failed).ok());
  CHECK(l->TakeNotices("mail", now, false, 10).empty());
  auto retried = l->TakeNotices("mail", now + 30'000, false, 10);
  REQUIRE(retried.size() == 1);
  CHECK(retried[0].attempts == 2);
  CHECK(retried[0].last_error == "connect: Connection refused");
  NoticeQueue::NoticeOutcome sent;
  sent.sent = true;
  sent.message_id = "rbgate.1.1.mail@rbgate";
  REQUIRE(l->FinishNotices(retried, sent).ok());
  NoticeQueue::NoticeOutcome expired;
  expired.give_up = true;
  expired.error = "smtp-550: no such user";
  REQUIRE(l->FinishNotices(next, expired).ok());

  // The digest: due when its first notice's window closes, then every queued one with it.
  REQUIRE(l->AddNotices({Row("hook", "f2", now + 90'000)}).ok());
  auto digest = l->TakeNotices("hook", now + 60'000, true, 10);
  REQUIRE(digest.size() == 2);
  CHECK(digest[0].file_id == "f1");
  CHECK(digest[1].file_id == "f2");
  REQUIRE(l->FinishNotices(digest, sent).ok());

  const auto all = l->ListNotices({});
  REQUIRE(all.size() == 4);
  CHECK(all[0].state == "sent");
  CHECK(all[0].message_id == "rbgate.1.1.mail@rbgate");
  CHECK_FALSE(all[0].sent_at.empty());
  CHECK(all[1].state == "expired");
  CHECK(all[1].last_error == "smtp-550: no such user");
  CHECK(l->ListNotices({"f2", "", false, 0}).size() == 2);
  CHECK(l->ListNotices({"", "", true, 0}).empty());
  const auto stats = l->NoticeStatsByChannel();
  REQUIRE(stats.size() == 2);
  CHECK(stats[0].channel == "hook");
  CHECK(stats[0].sent == 2);
  CHECK(stats[1].channel == "mail");
  CHECK(stats[1].sent == 1);
  CHECK(stats[1].expired == 1);
  CHECK(stats[1].queued == 0);
}

TEST_CASE("notices: a crash's notices are sent again; a dead node's are adopted") {
  TempDir dir;
  const std::string path = dir / "ledger.db";
  auto a = OpenLedger(path), b = OpenLedger(path);
  REQUIRE(a->Join("a", "host-a", 60'000).ok());
  REQUIRE(b->Join("b", "host-b", 60'000).ok());
  REQUIRE(a->AddNotices({Row("mail", "f1"), Row("mail", "f2")}).ok());
  const std::int64_t now = UnixMs();
  REQUIRE(a->TakeNotices("mail", now, false, 1).size() == 1);
  REQUIRE(b->TakeNotices("mail", now, false, 1).size() == 1);
  // b restarts: its own notice is queued again, a's is left to a.
  auto b2 = OpenLedger(path);
  REQUIRE(b2->Join("b", "host-b", 60'000).ok());
  REQUIRE(b2->RequeueSendingNotices().ok());
  auto again = b2->TakeNotices("mail", now, false, 10);
  REQUIRE(again.size() == 1);
  CHECK(again[0].file_id == "f2");
  CHECK(again[0].attempts == 2);
  // a dies (its lease runs out): b adopts what it was sending.
  REQUIRE(a->Join("a", "host-a", 1).ok());
  std::int64_t until = UnixMs() + 2000;
  while (UnixMs() < until && b2->TakeNotices("mail", UnixMs(), false, 10).empty()) {
    REQUIRE(b2->AdoptExpired().ok());
  }
  const auto pending = b2->ListNotices({"", "", true, 0});
  REQUIRE(pending.size() == 2);
  CHECK(pending[0].state == "sending");
  CHECK(pending[1].state == "sending");
}

}  // namespace
}  // namespace rbgate::spool
