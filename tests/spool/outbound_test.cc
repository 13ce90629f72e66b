// The outbound queue and four-eyes approval, against a real spool and SQLite ledger: the
// forwarders' side (take, finish, retry, refuse) is played by the test, the servers are not
// needed (forward_test.sh and crash_test run them).
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>

#include "spool/archive.h"
#include "spool/check/digest.h"
#include "spool/spool.h"
#include "tests/support/bacs18_file.h"
#include "tests/support/spool_options.h"
#include "tests/support/temp_dir.h"

namespace rbgate::spool {
namespace {

namespace fs = std::filesystem;
using testing::File;
using testing::OpenSpool;
using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;
using Kind = AttemptResult::Kind;

// A route to a folder and two network destinations (never contacted here).
SpoolOptions NetworkOptions(const TempDir& dir, bool approval = false) {
  SpoolOptions o = testing::TestSpoolOptions(dir);
  o.destinations.push_back({"bank", "sftp", ""});
  o.destinations.push_back({"dms", "https", ""});
  o.routes[0].destinations = {"out", "bank", "dms"};
  o.routes[0].approval = approval;
  return o;
}

std::string Drop(Spool& s, const std::string& name, const std::string& bytes) {
  WriteFile(s.options().root + "/incoming/auto/" + name, bytes);
  auto ready = s.Scan(0).ready;
  REQUIRE(ready.size() == 1);
  std::string id;
  REQUIRE(s.Claim(ready[0], id).ok());
  REQUIRE(s.Process(id).ok());
  return id;
}

std::string StateOf(Spool& s, const std::string& id) { return s.ledger().Get(id)->state; }

OutboundItem Take(Spool& s, const std::string& dest, std::string& path,
                  std::int64_t now = UnixMs()) {
  Status st;
  auto item = s.TakeDelivery(dest, now, path, st);
  REQUIRE_MESSAGE(st.ok(), st.message);
  REQUIRE(item.has_value());
  return *item;
}

std::string Finish(Spool& s, const OutboundItem& item, AttemptResult r) {
  std::string state;
  Status st = s.FinishDelivery(item, r, state);
  REQUIRE_MESSAGE(st.ok(), st.message);
  return state;
}

TEST_CASE("network outputs are queued; a file is delivered when its last item is") {
  TempDir dir;
  auto s = OpenSpool(NetworkOptions(dir));
  const std::string bytes = File::Valid().Join();
  const std::string id = Drop(*s, "a.s18", bytes);
  CHECK(StateOf(*s, id) == "forwarding");
  CHECK(s->ledger().Unfinished().empty());  // parked: the forwarders' work, not recovery's
  const auto f = *s->ledger().Get(id);
  CHECK(ReadFile(dir / ("delivered/" + Spool::OutputName(f))) == bytes);  // the folder at once
  CHECK(!fs::exists(s->WorkPath(id)));

  std::string path;
  OutboundItem bank = Take(*s, "bank", path);
  CHECK(bank.file_id == id);
  CHECK(bank.sha256 == f.sha256);
  CHECK(bank.size == bytes.size());
  CHECK(bank.attempts == 1);
  CHECK(ReadFile(path) == bytes);
  Status st;
  CHECK(!s->TakeDelivery("bank", UnixMs(), path, st));  // being sent: not taken twice

  // A failure: queued again for later, the error kept for the operator.
  const std::int64_t later = UnixMs() + 60'000;
  CHECK(Finish(*s, bank, {Kind::kRetry, "connect", "connection refused", later}).empty());
  CHECK(!s->TakeDelivery("bank", UnixMs(), path, st));
  CHECK(*s->ledger().NextOutboundAt("bank") == later);
  CHECK(s->ledger().GetOutbound(bank.id)->last_error == "connection refused");
  bank = Take(*s, "bank", path, later);
  CHECK(bank.attempts == 2);
  CHECK(Finish(*s, bank, {Kind::kDelivered, "sftp", "uploaded", 0}).empty());  // one to go
  CHECK(!fs::exists(path));  // the bank's copy goes once delivered

  OutboundItem dms = Take(*s, "dms", path);
  CHECK(Finish(*s, dms, {Kind::kDelivered, "http-201", "accepted", 0}) == "delivered");
  auto rec = *s->ledger().Get(id);
  CHECK(rec.outcome == "delivered");
  CHECK(s->ledger().Deliveries(id).size() == 3);  // the folder, the bank, the DMS
  CHECK(fs::is_empty(s->options().root + "/outbound/bank"));
  CHECK(fs::is_empty(s->options().root + "/outbound/dms"));

  const auto stats = s->ledger().OutboundStatsSince("");
  REQUIRE(stats.size() == 2);
  CHECK(stats[0].destination == "bank");
  CHECK(stats[0].attempts == 2);
  CHECK(stats[0].delivered == 1);
  REQUIRE(stats[0].failures.size() == 1);
  CHECK(stats[0].failures[0] == std::pair<std::string, std::uint64_t>{"connect", 1});
  CHECK(stats[1].queued == 0);
}

TEST_CASE("an item a crash left half-sent is queued again, its copy made again if lost") {
  TempDir dir;
  const SpoolOptions o = NetworkOptions(dir);
  std::string id, path;
  OutboundItem item;
  {
    auto s = OpenSpool(o);
    id = Drop(*s, "a.s18", File::Valid().Join());
    item = Take(*s, "bank", path);
  }                  // the forwarder died mid-upload
  fs::remove(path);  // and a power cut took the copy
  auto s = OpenSpool(o);
  Status st;
  CHECK(!s->TakeDelivery("bank", UnixMs(), path, st));  // still marked sending
  REQUIRE(s->ledger().RequeueSending().ok());
  OutboundItem again = Take(*s, "bank", path);
  CHECK(again.id == item.id);
  CHECK(again.attempts == 2);
  CHECK(check::Sha256Hex(ReadFile(path)) == item.sha256);  // from the verified archive
  CHECK(!fs::exists(s->WorkPath(id)));                     // and no work copy left behind
}

TEST_CASE("copies a crash left after their work was done are swept at recovery") {
  TempDir dir;
  const SpoolOptions o = NetworkOptions(dir);
  auto s = OpenSpool(o);
  const std::string bytes = File::Valid().Join();
  const std::string id = Drop(*s, "a.s18", bytes);
  std::string path;
  OutboundItem bank = Take(*s, "bank", path);
  // Delivered and committed, but the crash came before the copy went; and a work copy restored
  // from the archive for an upload was left behind.
  std::string state;
  REQUIRE(s->ledger().FinishOutbound(bank, {Kind::kDelivered, "sftp", "uploaded", 0}, state).ok());
  WriteFile(s->WorkPath(id), bytes);
  const std::string dms_copy = s->options().root + "/outbound/dms/" + bank.name;
  REQUIRE(fs::exists(path));
  s.reset();
  s = OpenSpool(o);
  REQUIRE(s->Recover().ok());
  CHECK(!fs::exists(path));             // the bank's, delivered
  CHECK(fs::exists(dms_copy));          // the DMS's, still queued
  CHECK(!fs::exists(s->WorkPath(id)));  // the archive has it
  CHECK(StateOf(*s, id) == "forwarding");
}

TEST_CASE("a refusal quarantines the file with the server's reason; a release sends it again") {
  TempDir dir;
  auto s = OpenSpool(NetworkOptions(dir));
  const std::string bytes = File::Valid().Join();
  const std::string id = Drop(*s, "a.s18", bytes);
  std::string path;
  OutboundItem bank = Take(*s, "bank", path);
  Finish(*s, bank, {Kind::kDelivered, "sftp", "uploaded", 0});
  OutboundItem dms = Take(*s, "dms", path);
  CHECK(Finish(*s, dms, {Kind::kRefused, "http-400", "HTTP 400 Bad Request: no reference", 0}) ==
        "quarantined");
  auto f = *s->ledger().Get(id);
  CHECK(f.reason.find("dms refused") != std::string::npos);
  CHECK(f.reason.find("HTTP 400 Bad Request: no reference") != std::string::npos);
  CHECK(ReadFile(s->QuarantineDir(id) + "/original") == bytes);  // from the archive
  CHECK(fs::is_empty(s->options().root + "/outbound/dms"));

  REQUIRE(s->Release(id, "the DMS fixed its rule", false).ok());
  CHECK(StateOf(*s, id) == "forwarding");
  Status st;
  CHECK(!s->TakeDelivery("bank", UnixMs(), path, st));  // the bank has it: not sent again
  CHECK(fs::is_empty(s->options().root + "/outbound/bank"));
  dms = Take(*s, "dms", path);
  CHECK(dms.attempts == 1);  // a fresh start
  CHECK(Finish(*s, dms, {Kind::kDelivered, "http-201", "accepted", 0}) == "delivered");
  CHECK(!fs::exists(s->QuarantineDir(id) + "/original"));  // the archive holds it
}

TEST_CASE("two refusals at once: one takes the file to quarantine, the other is on record") {
  TempDir dir;
  auto s = OpenSpool(NetworkOptions(dir));
  const std::string id = Drop(*s, "a.s18", File::Valid().Join());
  std::string path;
  OutboundItem bank = Take(*s, "bank", path);
  OutboundItem dms = Take(*s, "dms", path);
  std::string first, second;
  REQUIRE(
      s->ledger().FinishOutbound(bank, {Kind::kRefused, "conflict", "other bytes", 0}, first).ok());
  REQUIRE(s->ledger().FinishOutbound(dms, {Kind::kRefused, "http-422", "no", 0}, second).ok());
  CHECK(first == "quarantining");
  CHECK(second.empty());  // not this one's to act on
  CHECK(s->ledger().GetOutbound(dms.id)->state == "refused");
  REQUIRE(s->Recover().ok());  // the quarantine a crash interrupted, finished
  CHECK(StateOf(*s, id) == "quarantined");
}

TEST_CASE("an operator retries or cancels a queued item, on record") {
  TempDir dir;
  auto s = OpenSpool(NetworkOptions(dir));
  const std::string id = Drop(*s, "a.s18", File::Valid().Join());
  std::string path;
  OutboundItem bank = Take(*s, "bank", path);
  CHECK(s->CancelDelivery(bank.id, "now").code == Code::kFailedPrecondition);  // being sent
  Finish(*s, bank, {Kind::kRetry, "timeout", "timed out", UnixMs() + 3'600'000});
  REQUIRE(s->RetryDelivery(bank.id, "the bank says it is back", "alice").ok());
  bank = Take(*s, "bank", path);  // due now
  Finish(*s, bank, {Kind::kDelivered, "sftp", "uploaded", 0});
  OutboundItem dms = Take(*s, "dms", path);
  Finish(*s, dms, {Kind::kRetry, "http-503", "busy", UnixMs() + 3'600'000});
  REQUIRE(s->CancelDelivery(dms.id, "sent by hand", "bob").ok());
  auto f = *s->ledger().Get(id);
  CHECK(f.state == "cancelled");
  CHECK(f.reason.find("cancelled") != std::string::npos);
  CHECK(fs::is_empty(s->options().root + "/outbound/dms"));
  const auto actions = s->ledger().Actions(id);
  REQUIRE(actions.size() == 2);
  CHECK(actions[0].user == "alice");
  CHECK(actions[1].user == "bob");
  CHECK(actions[1].reason == "sent by hand");
  CHECK(s->RetryDelivery(dms.id, "again").code == Code::kFailedPrecondition);
  CHECK(s->CancelDelivery(9999, "none").code == Code::kNotFound);
  CHECK(s->ledger().VerifyAudit(std::nullopt).ok());
}

TEST_CASE("four eyes: nothing leaves until someone other than the dropper approves") {
  TempDir dir;
  auto s = OpenSpool(NetworkOptions(dir, true));
  const std::string bytes = File::Valid().Join();
  const std::string id = Drop(*s, "dd.s18", bytes);
  auto f = *s->ledger().Get(id);
  CHECK(f.state == "awaiting-approval");
  CHECK(!f.dropped_by.empty());
  CHECK(VerifyArchive(s->ArchivePath(f), f.sha256).ok());  // archived while it waits
  CHECK(s->ledger().Unfinished().empty());
  CHECK(fs::is_empty(dir / "delivered"));
  CHECK(fs::is_empty(s->options().root + "/outbound/bank"));
  CHECK(s->Reprocess(id, "x").code == Code::kFailedPrecondition);

  const Status same = s->Approve(id, "fine", f.dropped_by);
  CHECK(same.code == Code::kPermissionDenied);
  CHECK(same.message.find("dropped by " + f.dropped_by) != std::string::npos);
  CHECK(StateOf(*s, id) == "awaiting-approval");
  REQUIRE(s->Approve(id, "totals agree with the schedule", "approver-bob").ok());
  CHECK(StateOf(*s, id) == "forwarding");
  CHECK(ReadFile(dir / ("delivered/" + Spool::OutputName(f))) == bytes);
  CHECK(s->Approve(id, "twice", "someone").code == Code::kFailedPrecondition);
  const auto actions = s->ledger().Actions(id);
  REQUIRE(actions.size() == 1);
  CHECK(actions[0].action == "approve");
  CHECK(actions[0].user == "approver-bob");
}

TEST_CASE("four eyes: a released file needs a second officer; an approver may reject instead") {
  TempDir dir;
  auto s = OpenSpool(NetworkOptions(dir, true));
  File bad = File::Valid();
  testing::Put(bad.lines[File::kItem1], 7, "66374959");  // fails modulus checking
  const std::string id = Drop(*s, "bad.s18", bad.Join());
  CHECK(StateOf(*s, id) == "quarantined");
  REQUIRE(s->Release(id, "the bank confirmed the account", false, "officer-alice").ok());
  CHECK(StateOf(*s, id) == "awaiting-approval");
  const Status self = s->Approve(id, "mine", "officer-alice");
  CHECK(self.code == Code::kPermissionDenied);
  CHECK(self.message.find("released by officer-alice") != std::string::npos);
  REQUIRE(s->Approve(id, "checked", "approver-bob").ok());
  CHECK(StateOf(*s, id) == "forwarding");

  File next = File::Valid();  // the next submission: serial 000043
  testing::Put(next.lines[File::kVol1], 5, "000043");
  testing::Put(next.lines[File::kHdr1], 22, "000043");
  testing::Put(next.lines[File::kEof1], 22, "000043");
  const std::string other = Drop(*s, "other.s18", next.Join());
  REQUIRE(StateOf(*s, other) == "awaiting-approval");
  REQUIRE(s->Reject(other, "not this month's", "approver-bob").ok());
  CHECK(StateOf(*s, other) == "rejected");
  CHECK(!fs::exists(s->WorkPath(other)));
  CHECK(
      VerifyArchive(s->ArchivePath(*s->ledger().Get(other)), s->ledger().Get(other)->sha256).ok());
}

}  // namespace
}  // namespace rbgate::spool
