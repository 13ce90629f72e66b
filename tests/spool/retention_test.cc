// Retention against a real spool and ledger (SQLite, and PostgreSQL under with_postgres.sh):
// what is past its time is listed by a dry run and deleted by a real one, each deletion on its
// file's record in the audit chain; what an officer still needs stays whatever its age; a
// second run finds nothing; the files' records stay.
#include "spool/retention.h"

#include <doctest/doctest.h>

#include <filesystem>

#include "spool/fsio.h"
#include "tests/support/bacs18_file.h"
#include "tests/support/spool_options.h"
#include "tests/support/temp_dir.h"

namespace rbgate::spool {
namespace {

using testing::File;
using testing::TempDir;

std::string Run(Spool& s, const std::string& name, const std::string& bytes) {
  testing::WriteFile(s.options().root + "/incoming/auto/" + name, bytes);
  const auto ready = s.Scan(0).ready;
  REQUIRE(ready.size() == 1);
  std::string id;
  REQUIRE(s.Claim(ready[0], id).ok());
  REQUIRE(s.Process(id).ok());
  return id;
}

TEST_CASE("retention deletes what is past its time, on record, and keeps what is still needed") {
  TempDir dir;
  auto s = testing::OpenSpool(testing::TestSpoolOptions(dir));
  const std::string delivered = Run(*s, "good.s18", File::Valid().Join());
  File bad = File::Valid();
  testing::Put(bad.lines[File::kItem1], 7, "66374959");  // fails modulus checking
  const std::string rejected = Run(*s, "bad.s18", bad.Join());
  testing::Put(bad.lines[File::kItem1], 7, "6637495X");  // not digits
  const std::string waiting = Run(*s, "worse.s18", bad.Join());
  REQUIRE(s->ledger().Get(delivered)->state == state::kDelivered);
  REQUIRE(s->ledger().Get(waiting)->state == state::kQuarantined);
  REQUIRE(s->Reject(rejected, "sender to correct the account").ok());
  const std::string archived = s->ArchivePath(*s->ledger().Get(delivered));
  const std::string folder = s->QuarantineDir(rejected);
  REQUIRE(std::filesystem::exists(archived));
  REQUIRE(std::filesystem::exists(folder));

  const RetentionOptions keep{365, 30};
  const std::int64_t later = UnixMs() + 400LL * 86'400'000;

  // Not yet past its time: nothing.
  auto now = PurgeExpired(*s, keep, UnixMs(), false, "tester");
  REQUIRE(now.ok());
  CHECK(now->files.empty());

  // A dry run says what would go and touches nothing.
  auto dry = PurgeExpired(*s, keep, later, true, "tester");
  REQUIRE(dry.ok());
  REQUIRE(dry->files.size() == 2);
  CHECK(dry->files[0].where == "archive");
  CHECK(dry->files[0].id == delivered);
  CHECK(dry->files[0].bytes > 0);
  CHECK(dry->files[1].where == "quarantine");
  CHECK(dry->files[1].id == rejected);
  CHECK(dry->kept_in_use == 1);  // the file still waiting for an officer
  CHECK(std::filesystem::exists(archived));
  CHECK(std::filesystem::exists(folder));
  CHECK(s->ledger().Actions(delivered).empty());

  auto done = PurgeExpired(*s, keep, later, false, "tester");
  REQUIRE(done.ok());
  CHECK(done->files.size() == 2);
  CHECK_FALSE(std::filesystem::exists(archived));
  CHECK_FALSE(std::filesystem::exists(folder));
  CHECK(std::filesystem::exists(s->QuarantineDir(waiting) + "/original"));
  const auto actions = s->ledger().Actions(delivered);
  REQUIRE(actions.size() == 1);
  CHECK(actions[0].action == "purge");
  CHECK(actions[0].user == "tester");
  CHECK(actions[0].reason.find("archived original deleted") != std::string::npos);
  CHECK(s->ledger().Actions(rejected).back().reason.find("quarantine folder deleted") !=
        std::string::npos);
  CHECK(s->ledger().Get(delivered)->state == state::kDelivered);  // the record stays
  CHECK(s->ledger().VerifyAudit(std::nullopt).ok());

  // Again: nothing left, nothing recorded twice.
  auto again = PurgeExpired(*s, keep, later, false, "tester");
  REQUIRE(again.ok());
  CHECK(again->files.empty());
  CHECK(s->ledger().Actions(delivered).size() == 1);

  // Retention off: nothing, whatever the age.
  auto off = PurgeExpired(*s, RetentionOptions{}, later + 86'400'000LL * 36500, true, "tester");
  REQUIRE(off.ok());
  CHECK(off->files.empty());
}

}  // namespace
}  // namespace rbgate::spool
