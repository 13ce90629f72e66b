// The crash test: drop files, SIGKILL the daemon at random moments across repeated
// restarts, then check that every file ended in exactly one of archive or quarantine, byte
// for byte, with exactly one final ledger outcome, and that no output was delivered twice
// under different names: to a folder, to OpenSSH's sshd over SFTP and to an HTTPS server
// (tests/support/servers.sh starts them on loopback; RBGATE_HTTPS_SINK names the sink). CI runs a
// bounded version; bench/crash_soak.sh runs it longer (RBGATE_CRASH_FILES, RBGATE_CRASH_LOOPS,
// RBGATE_CRASH_SEED).
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include "gateway/gen/bacs18.h"
#include "gateway/gen/reports.h"
#include "schemas/bacs_reports/reconcile.h"
#include "schemas/dates.h"
#include "spool/archive.h"
#include "spool/check/digest.h"
#include "spool/ledger.h"
#include "spool/spool.h"
#include "tests/support/bacs18_file.h"
#include "tests/support/process.h"
#include "tests/support/spool_options.h"
#include "tests/support/temp_dir.h"

namespace rbgate::gateway {
namespace {

namespace fs = std::filesystem;
using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoi(v) : fallback;
}

// Quiet: the logs of a hundred killed daemons help nobody.
pid_t Start(const std::string& bin, const std::vector<std::string>& args) {
  return testing::StartProcess(bin, args);
}

int Wait(pid_t pid) { return testing::WaitProcess(pid); }

std::size_t Visible(const std::string& dir) {
  std::size_t n = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.path().filename().string()[0] != '.') ++n;
  }
  return n;
}

// The SFTP and HTTPS servers, for as long as the test runs.
class Servers {
 public:
  explicit Servers(const std::string& dir) : dir_(dir) {
    const char* sink = std::getenv("RBGATE_HTTPS_SINK");
    REQUIRE_MESSAGE(sink != nullptr, "set RBGATE_HTTPS_SINK to the https_sink binary");
    REQUIRE(std::system(fmt::format("{}/tests/support/servers.sh start {} {}", RBGATE_SOURCE_DIR,
                                    dir_, sink)
                            .c_str()) == 0);
  }
  ~Servers() {
    std::system(
        fmt::format("{}/tests/support/servers.sh stop {}", RBGATE_SOURCE_DIR, dir_).c_str());
  }
  std::string destinations() const { return ReadFile(dir_ + "/destinations.toml"); }
  // How often the HTTPS server stored an upload with this idempotency key.
  int Stored(const std::string& key) const {
    std::istringstream log(ReadFile(dir_ + "/recv/requests.log"));
    int n = 0;
    for (std::string line; std::getline(log, line);) {
      if (line.rfind("stored " + key + " ", 0) == 0) ++n;
    }
    return n;
  }

 private:
  std::string dir_;
};

TEST_CASE("SIGKILL at random moments loses nothing and sends nothing twice") {
  const char* bin = std::getenv("RBGATE_BIN");
  REQUIRE_MESSAGE(bin != nullptr, "set RBGATE_BIN to the rbgate binary");
  const int files = EnvInt("RBGATE_CRASH_FILES", 48);
  const int loops = EnvInt("RBGATE_CRASH_LOOPS", 20);
  std::mt19937 rng(static_cast<unsigned>(EnvInt("RBGATE_CRASH_SEED", 20261123)));

  TempDir dir;
  const std::string root = dir / "spool";
  fs::create_directories(root);
  Servers servers(dir / "servers");
  const std::string config = root + "/rbgate.toml";
  WriteFile(config, servers.destinations() + R"toml(
[spool]
root = "."
min_free_mb = 0
[daemon]
workers = 2
rescan_seconds = 1
[admin]
listen = "127.0.0.1:0"
[checks]
processing_days_against = "creation-date"
[[destination]]
name = "delivered"
path = "../delivered"
[[route]]
name = "auto"
transform = "csv"
destinations = ["delivered", "bank", "dms"]
[route.settle]
stable_seconds = 0
)toml");
  // A first run creates the layout.
  REQUIRE(Wait(Start(bin, {"run", "--once", "--config", config})) == 0);

  // The files: valid ones of various sizes, faulty ones, byte-for-byte copies, and bank
  // returns of earlier valid ones (delivered with their rows; reconciled at the end).
  std::map<std::string, std::string> dropped;    // name -> bytes
  std::map<std::string, std::uint64_t> returns;  // name -> items
  const std::string staging = dir / "staging";
  fs::create_directories(staging);
  std::string previous;
  for (int i = 0; i < files; ++i) {
    std::string name = fmt::format("file-{:03}.s18", i);
    std::string bytes;
    if (i % 4 == 3 && i % 7 != 6 && !previous.empty()) {
      name = fmt::format("file-{:03}-arudd.xml", i);
      WriteFile(dir / "sent.s18", previous);
      ReportGenOptions r;
      r.seed = static_cast<std::uint64_t>(i);
      r.returning = SentItemsOf(dir / "sent.s18", false, 2 + static_cast<std::uint64_t>(i % 4));
      std::ostringstream out;
      GenerateArudd(r, out);
      bytes = out.str();
      returns[name] = r.returning.size();
    } else if (i % 7 == 6 && !previous.empty()) {
      bytes = previous;  // a duplicate: only one of the two may be delivered
    } else {
      GenOptions g;
      g.records = 200 + static_cast<std::uint64_t>(rng() % 3000);
      g.seed = static_cast<std::uint64_t>(i) + 1;
      g.serial = fmt::format("{:06}", i + 1);
      g.creation_date = *schemas::ParseIsoDate("2026-11-23");
      if (i % 5 == 4) g.faults = {"modulus"};
      std::ostringstream out;
      GenerateBacs18(g, schemas::Calendar::Default(), testing::TestModulus(), out);
      bytes = out.str();
      if (i % 5 != 4) previous = bytes;
    }
    WriteFile(staging + "/" + name, bytes);
    dropped[name] = bytes;
  }
  // Kill the daemon at random moments, again and again, each time with files in flight:
  // before each start a share of the files is dropped (whole, by rename).
  auto next = dropped.begin();
  int interrupted = 0, forwarding = 0;
  for (int loop = 0; loop < loops; ++loop) {
    const int share = (files + loops - 1) / loops;
    for (int k = 0; k < share && next != dropped.end(); ++k, ++next) {
      fs::rename(staging + "/" + next->first, root + "/incoming/auto/" + next->first);
    }
    pid_t pid = Start(bin, {"run", "--config", config});
    if (loop % 4 == 3) {
      // Every fourth kill waits (up to 3 s) for uploads under way: a slow build (ThreadSanitizer)
      // may not reach them within a fixed time.
      auto watch = spool::OpenSqliteLedger(root + "/ledger.db");
      for (int t = 0; t < 600 && watch.ok(); ++t) {
        if ((*watch)->CountInState(spool::state::kForwarding) > 0) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    } else {
      // Early kills land in claims and checks; later ones in archiving and uploads.
      std::this_thread::sleep_for(
          std::chrono::milliseconds(loop % 2 == 0 ? 1 + rng() % 40 : 40 + rng() % 400));
    }
    ::kill(pid, SIGKILL);
    Wait(pid);
    auto opened = spool::OpenSqliteLedger(root + "/ledger.db");
    const auto peek = opened.ok() ? std::move(opened).value() : nullptr;
    if (peek && (!peek->Unfinished().empty() || Visible(root + "/incoming/auto") > 0)) {
      ++interrupted;
    }
    if (peek && peek->CountInState(spool::state::kForwarding) > 0) ++forwarding;
  }
  for (; next != dropped.end(); ++next) {
    fs::rename(staging + "/" + next->first, root + "/incoming/auto/" + next->first);
  }
  // Then let one run finish the work.
  REQUIRE(Wait(Start(bin, {"run", "--once", "--config", config})) == 0);

  auto ledger = testing::OpenLedger(root + "/ledger.db");
  auto rows = ledger->List({});
  std::map<std::string, std::vector<spool::FileRecord>> by_name;
  for (const auto& r : rows) by_name[r.name].push_back(r);

  std::size_t delivered = 0, delivered_rows = 0;
  std::map<std::string, int> delivered_by_sha;
  for (const auto& [name, bytes] : dropped) {
    CAPTURE(name);
    const auto& mine = by_name[name];
    REQUIRE(mine.size() == 1);  // exactly one ledger row, one final outcome
    const spool::FileRecord& f = mine[0];
    CHECK(f.sha256 == check::Sha256Hex(bytes));
    const std::string archive = spool::ArchivePath(root, f);
    const std::string quarantined = root + "/quarantine/" + f.id + "/original";
    const bool in_archive = fs::exists(archive);
    const bool in_quarantine = fs::exists(quarantined);
    CHECK(in_archive != in_quarantine);  // exactly one of the two
    if (f.state == "delivered") {
      ++delivered;
      ++delivered_by_sha[f.sha256];
      CHECK(spool::VerifyArchive(archive, f.sha256).ok());
      const std::string out = spool::Spool::OutputName(f);
      CHECK(ReadFile(dir / ("delivered/" + out)) == bytes);
      // Over SFTP and HTTPS too: the same bytes, stored once.
      CHECK(ReadFile(dir / ("servers/sftp-in/" + out)) == bytes);
      CHECK(ReadFile(dir / ("servers/recv/" + out)) == bytes);
      CHECK(servers.Stored(f.sha256) == 1);
      if (returns.contains(name)) {  // and its rows, complete: a header and a line an item
        ++delivered_rows;
        const std::string csv = ReadFile(dir / ("delivered/" + out + ".csv"));
        CHECK(static_cast<std::uint64_t>(std::count(csv.begin(), csv.end(), '\n')) ==
              returns[name] + 1);
        CHECK(ReadFile(dir / ("servers/sftp-in/" + out + ".csv")) == csv);
        CHECK(servers.Stored(check::Sha256Hex(csv)) == 1);
      }
    } else {
      CHECK(f.state == "quarantined");
      CHECK(ReadFile(quarantined) == bytes);
    }
  }
  CHECK(rows.size() == dropped.size());
  // No output twice: one delivered file per delivered row, one delivery per content.
  CHECK(Visible(dir / "delivered") == delivered + delivered_rows);
  CHECK(Visible(dir / "servers/sftp-in") == delivered + delivered_rows);
  std::size_t parts = 0;  // temporaries of uploads a kill cut short, all replaced
  for (const auto& e : fs::directory_iterator(dir / "servers/sftp-in")) {
    parts += e.path().filename().string().ends_with(".part");
  }
  CHECK(parts == 0);
  // Every return is of an item of a delivered file, recorded once however often the run died.
  const auto reconciled = schemas::bacs_reports::Reconcile(*ledger, {}, {});
  REQUIRE_MESSAGE(reconciled.ok(), reconciled.status().message);
  const auto& rec = *reconciled;
  CHECK(rec.unmatched == 0);
  CHECK(rec.matched + rec.returned_twice == rec.lines.size());
  CHECK(delivered_rows > 0);
  for (const auto& [sha, n] : delivered_by_sha) CHECK_MESSAGE(n == 1, sha);
  CHECK(Visible(root + "/work") == 0);
  CHECK(Visible(root + "/incoming/auto") == 0);
  CHECK(Visible(root + "/outbound/delivered") == 0);
  CHECK(Visible(root + "/outbound/bank") == 0);
  CHECK(Visible(root + "/outbound/dms") == 0);
  CHECK(ledger->Unfinished().empty());
  for (const auto& d : ledger->OutboundStatsSince("")) {
    std::string failures;
    for (const auto& [reason, n] : d.failures) failures += fmt::format(" {} {}", reason, n);
    MESSAGE(fmt::format("{}: {} attempts, {} delivered, {} queued; failures:{}", d.destination,
                        d.attempts, d.delivered, d.queued, failures.empty() ? " none" : failures));
  }
  MESSAGE(fmt::format(
      "{} files, {} kills ({} with work in flight, {} with uploads queued or under way), {} "
      "delivered, {} quarantined",
      dropped.size(), loops, interrupted, forwarding, delivered, dropped.size() - delivered));
  // The test means something only if the kills landed mid-work.
  CHECK(interrupted * 4 >= loops);
  CHECK(forwarding >= 2);
}

}  // namespace
}  // namespace rbgate::gateway
