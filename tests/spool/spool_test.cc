// The spool against a real directory and a real SQLite ledger: the path of one file, the
// hostile conditions that can be staged deterministically, and recovery after a crash
// between any two steps.
#include "spool/spool.h"

#include <doctest/doctest.h>
#include <simdjson.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <thread>

#include "spool/archive.h"
#include "spool/check/digest.h"
#include "spool/fsio.h"
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

SpoolOptions Options(const TempDir& dir) { return testing::TestSpoolOptions(dir); }

// Drops `bytes` as incoming/auto/<name> and runs one scan-claim-process round; returns ids.
std::vector<std::string> DropAndRun(Spool& s, const std::string& name, const std::string& bytes) {
  WriteFile(s.options().root + "/incoming/auto/" + name, bytes);
  std::vector<std::string> ids;
  for (const auto& c : s.Scan(0).ready) {
    std::string id;
    REQUIRE(s.Claim(c, id).ok());
    Status st = s.Process(id);
    CHECK_MESSAGE(st.ok(), st.message);
    ids.push_back(id);
  }
  return ids;
}

// Claims and processes every file ready in the drop folders; their records by name.
std::map<std::string, FileRecord> RunAll(Spool& s) {
  std::map<std::string, FileRecord> out;
  for (const auto& c : s.Scan(0).ready) {
    std::string id;
    REQUIRE(s.Claim(c, id).ok());
    REQUIRE(s.Process(id).ok());
    out[c.name] = *s.ledger().Get(id);
  }
  return out;
}

std::size_t Count(const std::string& dir) {
  std::size_t n = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().filename().string()[0] != '.') ++n;
  }
  return n;
}

TEST_CASE("SHA-256 and the archive round trip; a damaged archive is data loss") {
  CHECK(check::Sha256Hex("abc") ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  TempDir dir;
  const std::string bytes = File::Valid().Join();
  WriteFile(dir / "f", bytes);
  std::string sha;
  std::uint64_t size = 0;
  REQUIRE(Sha256File(dir / "f", sha, &size).ok());
  CHECK(sha == check::Sha256Hex(bytes));
  CHECK(size == bytes.size());
  REQUIRE(ArchiveFile(dir / "f", dir / "f.zst", sha).ok());
  CHECK(fs::file_size(dir / "f.zst") < bytes.size());
  REQUIRE(VerifyArchive(dir / "f.zst", sha, dir / "restored").ok());
  CHECK(ReadFile(dir / "restored") == bytes);
  CHECK(VerifyArchive(dir / "f.zst", check::Sha256Hex("other")).code == Code::kDataLoss);
  std::string z = ReadFile(dir / "f.zst");
  z[z.size() / 2] ^= 0x55;
  WriteFile(dir / "g.zst", z);
  CHECK(VerifyArchive(dir / "g.zst", sha).code == Code::kDataLoss);
  WriteFile(dir / "h.zst", z.substr(0, z.size() / 2));
  CHECK(VerifyArchive(dir / "h.zst", sha).code == Code::kDataLoss);
}

// Bytes that do not compress, so that a few MiB make an archive past the size where it is
// verified on two threads.
std::string Incompressible(std::size_t n, std::uint64_t seed) {
  std::string out(n, '\0');
  for (auto& c : out) {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    c = static_cast<char>(seed >> 56);
  }
  return out;
}

TEST_CASE(
    "large inputs: SHA-256 on its own thread, archives written in pieces and verified on two") {
  // Exactly two of the verifier's 4 MiB buffers, and a few bytes past: zstd's output must be
  // drained when a buffer fills just as the input runs out.
  for (std::size_t n : {std::size_t{8} << 20, (std::size_t{8} << 20) + 3}) {
    CAPTURE(n);
    TempDir dir;
    const std::string bytes = Incompressible(n, n);
    check::BackgroundSha256 background;
    ArchiveWriter writer(dir / "f.zst", kArchiveLevel, true);
    for (std::size_t at = 0; at < n; at += 1000003) {
      const std::string_view piece = std::string_view(bytes).substr(at, 1000003);
      background.Update(piece);
      writer.Write({piece.data(), piece.size()}, at + piece.size() == n);
      background.Wait();  // the piece may go now
    }
    REQUIRE(writer.finished());
    const std::string sha = background.HexDigest();
    CHECK(sha == check::Sha256Hex(bytes));
    REQUIRE(fs::file_size(dir / "f.zst") > (1u << 20));
    const Status verified = VerifyArchive(dir / "f.zst", sha, dir / "restored");
    REQUIRE_MESSAGE(verified.ok(), verified.message);
    CHECK(ReadFile(dir / "restored") == bytes);
    std::string z = ReadFile(dir / "f.zst");
    z[z.size() / 3] ^= 0x01;
    WriteFile(dir / "g.zst", z);
    CHECK(VerifyArchive(dir / "g.zst", sha).code == Code::kDataLoss);
    WriteFile(dir / "h.zst", z.substr(0, z.size() - 100));
    CHECK(VerifyArchive(dir / "h.zst", sha).code == Code::kDataLoss);
  }
}

TEST_CASE("the checking pass hashes and compresses each byte once, whatever the checker re-reads") {
  TempDir dir;
  // A large Standard 18 file (mostly records the checker rejects: it reads through anyway), read
  // in small windows so that the parser hands back a part of each window to be read again.
  std::string bytes = File::Valid().Join();
  while (bytes.size() < (std::size_t{9} << 20)) bytes += Incompressible(100000, bytes.size());
  WriteFile(dir / "big.s18", bytes);
  check::CheckSettings settings;
  settings.window_bytes = 1 << 20;
  std::string sha;
  ArchiveWriter archive(dir / "big.zst", kArchiveLevel, true);
  check::CheckHooks hooks;
  hooks.sha256 = &sha;
  hooks.archive = &archive;
  auto report = check::CheckFile(dir / "big.s18", settings, "bacs18", hooks);
  REQUIRE(report->problem.empty());
  CHECK(report->diagnostics.errors() > 0);
  CHECK(sha == check::Sha256Hex(bytes));
  REQUIRE(archive.finished());
  REQUIRE(VerifyArchive(dir / "big.zst", sha, dir / "restored").ok());
  CHECK(ReadFile(dir / "restored") == bytes);
}

TEST_CASE("the ledger records files, transitions, findings, deliveries and actions") {
  TempDir dir;
  auto l = testing::OpenLedger(dir / "ledger.db");
  FileRecord f;
  f.id = "20261123-100000-000001";
  f.name = "a.s18";
  f.route = "auto";
  REQUIRE(l->AddFile(f).ok());
  CHECK(l->AddFile(f).code != Code::kOk);  // ids are unique
  REQUIRE(l->Transition(f.id, state::kClaimed, "claimed").ok());
  f.sha256 = "abc";
  f.feed = "bacs18";
  f.business_key = "bacs18/1";
  f.records = 9;
  REQUIRE(l->RecordCheck(f, {{"bacs18.data.charset", "error", 3}}, {}).ok());
  CHECK_FALSE(l->AcceptedWithHash("abc", ""));
  REQUIRE(l->RecordCheck(f, {{"bacs18.data.charset", "error", 3}},
                         {std::string(state::kAccepted), "ok"})
              .ok());
  CHECK(l->Get(f.id)->state == "accepted");
  CHECK(l->AcceptedWithHash("abc", "") == f.id);
  CHECK_FALSE(l->AcceptedWithHash("abc", f.id));
  CHECK(l->AcceptedWithKey("bacs18/1", "x") == f.id);
  CHECK(l->Unfinished().size() == 1);
  REQUIRE(
      l->Transition(f.id, state::kDelivered, "done", "delivered", {{"out", "x", "delivered", {}}})
          .ok());
  CHECK(l->Unfinished().empty());
  REQUIRE(l->RecordAction(f.id, {{}, "officer", "release", "why"}).ok());
  CHECK(l->Transition("nope", state::kClaimed, "x").code == Code::kFailedPrecondition);

  auto got = l->Get(f.id);
  REQUIRE(got);
  CHECK(got->state == "delivered");
  CHECK(got->outcome == "delivered");
  CHECK(got->records == 9);
  CHECK(l->Transitions(f.id).size() == 4);
  CHECK(l->Findings(f.id).at(0).count == 3);
  CHECK(l->Deliveries(f.id).size() == 1);
  CHECK(l->Actions(f.id).at(0).user == "officer");
  CHECK(l->List({"delivered", "", "", 0}).size() == 1);
  CHECK(l->List({"quarantined", "", "", 0}).empty());
  CHECK(l->List({"", "bacs18", "2000", 0}).size() == 1);
  CHECK(l->List({"", "", "2999", 0}).empty());
  CHECK(l->CountInState("delivered") == 1);
  CHECK(l->CountInState("quarantined") == 0);
  const auto last = l->LastReceivedByRoute();
  REQUIRE(last.size() == 1);
  CHECK(last[0].first == "auto");
  CHECK(last[0].second == got->received_at);
  auto stats = l->Stats("");
  REQUIRE(stats.size() == 1);
  CHECK(stats[0].files == 1);
  CHECK(stats[0].records == 9);

  // It is a real file: a second connection sees the same.
  auto again = testing::OpenLedger(dir / "ledger.db");
  CHECK(again->Get(f.id)->state == "delivered");
}

TEST_CASE("a clean file is archived and delivered byte for byte, on record") {
  TempDir dir;
  auto s = OpenSpool(Options(dir));
  const std::string bytes = File::Valid().Join();
  auto ids = DropAndRun(*s, "collection.s18", bytes);
  REQUIRE(ids.size() == 1);
  auto f = s->ledger().Get(ids[0]);
  REQUIRE(f);
  CHECK(f->state == "delivered");
  CHECK(f->feed == "bacs18");
  CHECK(f->sha256 == check::Sha256Hex(bytes));
  CHECK(f->business_key.starts_with("bacs18/123456/000042/2026-11-25/20550/20550/2/1"));
  const std::string out = dir / ("delivered/" + Spool::OutputName(*f));
  CHECK(ReadFile(out) == bytes);
  CHECK(Spool::OutputName(*f) == f->sha256.substr(0, 16) + "_collection.s18");
  CHECK(VerifyArchive(s->ArchivePath(*f), f->sha256).ok());
  CHECK(Count(s->options().root + "/work") == 0);
  CHECK(Count(s->options().root + "/incoming/auto") == 0);
  CHECK(Count(s->options().root + "/outbound/out") == 0);
  std::vector<std::string> states;
  for (const auto& t : s->ledger().Transitions(f->id)) states.push_back(t.state);
  CHECK(states == std::vector<std::string>{"claiming", "claimed", "accepted", "archived",
                                           "outbound", "delivered"});
  CHECK(s->ledger().Deliveries(f->id).size() == 1);
}

TEST_CASE("a faulty file is quarantined with its report; an officer can reject it") {
  TempDir dir;
  auto s = OpenSpool(Options(dir));
  File bad = File::Valid();
  testing::Put(bad.lines[File::kItem1], 7, "66374959");  // fails modulus checking
  const std::string bytes = bad.Join();
  auto ids = DropAndRun(*s, "bad.s18", bytes);
  REQUIRE(ids.size() == 1);
  auto f = s->ledger().Get(ids[0]);
  CHECK(f->state == "quarantined");
  CHECK(f->errors == 1);
  CHECK(f->reason.find("1 error") != std::string::npos);
  const std::string q = s->QuarantineDir(f->id);
  CHECK(ReadFile(q + "/original") == bytes);
  CHECK(ReadFile(q + "/report.json").find("\"rule\":\"bacs18.modulus.failed\"") !=
        std::string::npos);
  CHECK(ReadFile(q + "/meta.json").find("\"sha256\":\"" + f->sha256 + "\"") != std::string::npos);
  CHECK(s->ledger().Findings(f->id).at(0).rule == "bacs18.modulus.failed");
  CHECK(Count(dir / "delivered") == 0);

  REQUIRE(s->Reject(f->id, "sender to correct the account").ok());
  CHECK(s->ledger().Get(f->id)->state == "rejected");
  CHECK(s->ledger().Actions(f->id).at(0).user == "tester");
  CHECK(ReadFile(q + "/original") == bytes);  // a rejected file stays, byte for byte
  CHECK(s->Reject(f->id, "again").code == Code::kFailedPrecondition);
}

TEST_CASE("a file of no known feed, or XML with a DOCTYPE, is quarantined with the finding") {
  TempDir dir;
  auto s = OpenSpool(Options(dir));
  const std::string csv = "account,name,amount\n12345678,A N OTHER,10.00\n";
  const std::string doctype =
      "<?xml version=\"1.0\"?>\n<!DOCTYPE BACSDocument [<!ENTITY x \"y\">]>\n<BACSDocument/>\n";
  std::map<std::string, std::string> bytes{{"rents.csv", csv}, {"report.xml", doctype}};
  for (const auto& [name, content] : bytes)
    WriteFile(s->options().root + "/incoming/auto/" + name, content);
  std::map<std::string, std::string> reason, report;
  for (const auto& [name, f] : RunAll(*s)) {
    CHECK(f.state == "quarantined");
    CHECK(f.errors == 1);
    reason[name] = f.reason;
    report[name] = ReadFile(s->QuarantineDir(f.id) + "/report.json");
    CHECK(ReadFile(s->QuarantineDir(f.id) + "/original") == bytes[name]);
  }
  CHECK(reason["rents.csv"].starts_with("feed.unknown: comma-separated text (3 fields"));
  CHECK(report["rents.csv"].find("\"rule\":\"feed.unknown\"") != std::string::npos);
  CHECK(reason["report.xml"].starts_with("xml.doctype: a DOCTYPE (BACSDocument) is refused"));
  CHECK(report["report.xml"].find("\"rule\":\"xml.doctype\",\"severity\":\"error\",\"line\":2") !=
        std::string::npos);
}

TEST_CASE("duplicates by bytes and by business key wait for an officer") {
  TempDir dir;
  auto s = OpenSpool(Options(dir));
  const std::string crlf = File::Valid().Join();
  auto first = DropAndRun(*s, "a.s18", crlf);
  REQUIRE(s->ledger().Get(first[0])->state == "delivered");

  auto same = DropAndRun(*s, "b.s18", crlf);
  auto f = s->ledger().Get(same[0]);
  CHECK(f->state == "quarantined");
  CHECK(f->reason.find("same bytes") != std::string::npos);

  // The same submission with LF line endings: other bytes, same SUN, serial, day and totals.
  auto regenerated = DropAndRun(*s, "c.s18", File::Valid().Join("\n"));
  auto g = s->ledger().Get(regenerated[0]);
  CHECK(g->state == "quarantined");
  CHECK(g->reason.find("same SUN, serial, processing day and totals") != std::string::npos);

  Status refused = s->Release(f->id, "please", false);
  CHECK(refused.code == Code::kFailedPrecondition);
  CHECK(refused.message.find("--force-duplicate") != std::string::npos);
  REQUIRE(s->Release(f->id, "the bank lost the first", true).ok());
  CHECK(s->ledger().Get(f->id)->state == "delivered");
  CHECK(s->ledger().Actions(f->id).at(0).action == "release --force-duplicate");
  CHECK(Count(dir / "delivered") == 2);
}

TEST_CASE("the same file dropped twice at once is accepted once") {
  TempDir dir;
  auto s = OpenSpool(Options(dir));
  const std::string bytes = File::Valid().Join();
  WriteFile(s->options().root + "/incoming/auto/one.s18", bytes);
  WriteFile(s->options().root + "/incoming/auto/two.s18", bytes);
  std::vector<std::string> ids;
  for (const auto& c : s->Scan(0).ready) {
    std::string id;
    REQUIRE(s->Claim(c, id).ok());
    ids.push_back(id);
  }
  REQUIRE(ids.size() == 2);
  // Processed concurrently, as two workers would.
  Status a, b;
  std::thread t1([&] { a = s->Process(ids[0]); });
  std::thread t2([&] { b = s->Process(ids[1]); });
  t1.join();
  t2.join();
  CHECK(a.ok());
  CHECK(b.ok());
  std::multiset<std::string> states{s->ledger().Get(ids[0])->state, s->ledger().Get(ids[1])->state};
  CHECK(states == std::multiset<std::string>{"delivered", "quarantined"});
}

TEST_CASE("settling: writers' temporaries, hidden files, done-markers, and changing files") {
  TempDir dir;
  SpoolOptions o = Options(dir);
  o.routes[0].settle.stable_seconds = 2;
  RouteOptions marked;
  marked.name = "marked";
  marked.destinations = {"out"};
  marked.settle.done_marker = ".done";
  o.routes.push_back(marked);
  auto s = OpenSpool(o);
  const std::string in = o.root + "/incoming/auto/";
  WriteFile(in + "x.s18.part", "partial");
  WriteFile(in + "y.tmp", "partial");
  WriteFile(in + ".hidden", "partial");
  WriteFile(in + "f.s18", "abc");
  auto r = s->Scan(0);
  CHECK(r.ready.empty());
  CHECK(r.settling == 1);
  CHECK(s->Scan(1500).ready.empty());
  WriteFile(in + "f.s18", "abcdef");  // still being written: the clock restarts
  CHECK(s->Scan(2100).ready.empty());
  CHECK(s->Scan(3000).ready.empty());
  auto later = s->Scan(4200);
  REQUIRE(later.ready.size() == 1);
  CHECK(later.ready[0].name == "f.s18");

  const std::string m = o.root + "/incoming/marked/";
  WriteFile(m + "g.s18", File::Valid().Join());
  CHECK(s->Scan(10000).ready.size() == 1);  // f.s18 only; g waits for its marker
  WriteFile(m + "g.s18.done", "");
  auto ready = s->Scan(10001).ready;
  auto it = std::find_if(ready.begin(), ready.end(),
                         [](const Candidate& c) { return c.route == "marked"; });
  REQUIRE(it != ready.end());
  std::string id;
  REQUIRE(s->Claim(*it, id).ok());
  CHECK(KindOf(m + "g.s18.done") == NodeKind::kMissing);  // the marker is consumed
}

TEST_CASE("empty files, symlinks, FIFOs and directories are moved aside, never opened") {
  TempDir dir;
  auto s = OpenSpool(Options(dir));
  const std::string in = s->options().root + "/incoming/auto/";
  WriteFile(dir / "secret", "do not read me");
  REQUIRE(::symlink((dir / "secret").c_str(), (in + "link.s18").c_str()) == 0);
  REQUIRE(::mkfifo((in + "pipe").c_str(), 0600) == 0);
  REQUIRE(::mkdir((in + "folder").c_str(), 0700) == 0);
  WriteFile(in + "folder/inner.s18", "x");
  WriteFile(in + "empty.s18", "");
  std::map<std::string, std::string> reason;
  for (const auto& [name, f] : RunAll(*s)) {
    CHECK(f.state == "quarantined");
    reason[name] = f.reason;
    const std::string original = s->QuarantineDir(f.id) + "/original";
    if (name == "link.s18") CHECK(KindOf(original) == NodeKind::kSymlink);
    if (name == "pipe") CHECK(KindOf(original) == NodeKind::kFifo);
    if (name == "folder") CHECK(ReadFile(original + "/inner.s18") == "x");
  }
  CHECK(reason["link.s18"] == "refused: a symbolic link is not a regular file");
  CHECK(reason["pipe"] == "refused: a FIFO is not a regular file");
  CHECK(reason["folder"] == "refused: a directory is not a regular file");
  CHECK(reason["empty.s18"] == "the file is empty");
  CHECK(ReadFile(dir / "secret") == "do not read me");
  CHECK(Count(in) == 0);
}

TEST_CASE(
    "names with separators, controls and invalid UTF-8 are kept in the ledger, "
    "sanitised on disk") {
  TempDir dir;
  auto s = OpenSpool(Options(dir));
  const std::string name = "pay\x01ment\\..\\x\xff\xfe.s18";
  auto ids = DropAndRun(*s, name, File::Valid().Join());
  REQUIRE(ids.size() == 1);
  auto f = s->ledger().Get(ids[0]);
  CHECK(f->name == name);
  CHECK(f->state == "delivered");
  CHECK(Spool::OutputName(*f) == f->sha256.substr(0, 16) + "_pay_ment_.._x__.s18");
  CHECK(Spool::SanitiseName("../../etc/passwd") == "_._.._etc_passwd");

  // Quarantined under such a name, its meta.json and report.json are still valid JSON.
  File bad = File::Valid();
  testing::Put(bad.lines[File::kItem1], 1, "X");
  auto q = DropAndRun(*s, "bad\x02\"name\xfe.s18", bad.Join());
  REQUIRE(q.size() == 1);
  const std::string qdir = s->QuarantineDir(q[0]);
  simdjson::dom::parser parser;
  simdjson::dom::element meta, report;
  REQUIRE_FALSE(parser.parse(simdjson::padded_string(ReadFile(qdir + "/meta.json"))).get(meta));
  CHECK(std::string_view(meta["id"]) == q[0]);
  simdjson::dom::parser parser2;
  REQUIRE_FALSE(
      parser2.parse(simdjson::padded_string(ReadFile(qdir + "/report.json"))).get(report));
  CHECK(std::string_view(report["files"].at(0)["diagnostics"].at(0)["rule"]) ==
        "bacs18.data.dest-sort-code");
  CHECK(Spool::SanitiseName("") == "file");
}

TEST_CASE("a file removed before its claim, or from work/ after it, is on record as vanished") {
  TempDir dir;
  auto s = OpenSpool(Options(dir));
  const std::string in = s->options().root + "/incoming/auto/";
  WriteFile(in + "a.s18", File::Valid().Join());
  auto ready = s->Scan(0).ready;
  REQUIRE(ready.size() == 1);
  ::unlink((in + "a.s18").c_str());
  std::string id;
  CHECK(s->Claim(ready[0], id).code == Code::kNotFound);

  WriteFile(in + "b.s18", File::Valid().Join());
  ready = s->Scan(0).ready;
  REQUIRE(s->Claim(ready[0], id).ok());
  ::unlink(s->WorkPath(id).c_str());
  REQUIRE(s->Process(id).ok());
  CHECK(s->ledger().Get(id)->state == "vanished");
}

// Drops `bytes` as incoming/auto/a.s18, claims it and takes `steps` steps; `then` stages what a
// crash left behind; the spool is closed as if the process died there. Returns the file's id.
std::string StepThenCrash(const TempDir& dir, const std::string& bytes, int steps,
                          const std::function<void(Spool&, const std::string&)>& then = {}) {
  auto s = OpenSpool(Options(dir));
  WriteFile(s->options().root + "/incoming/auto/a.s18", bytes);
  std::string id;
  REQUIRE(s->Claim(s->Scan(0).ready.at(0), id).ok());
  for (int i = 0; i < steps; ++i) {
    bool final = false;
    REQUIRE(s->Step(id, final).ok());
  }
  if (then) then(*s, id);
  return id;
}

// Opens the spool again as a restart does, recovers, and checks that the file ended delivered
// once, whole, its work copies gone and its archive good. Returns the spool for more checks.
std::unique_ptr<Spool> RecoverDelivered(const TempDir& dir, const std::string& id,
                                        const std::string& bytes) {
  auto s = OpenSpool(Options(dir));
  REQUIRE(s->Recover().ok());
  auto f = s->ledger().Get(id);
  CHECK(f->state == "delivered");
  CHECK(ReadFile(dir / ("delivered/" + Spool::OutputName(*f))) == bytes);
  CHECK(Count(dir / "delivered") == 1);
  CHECK(Count(s->options().root + "/work") == 0);
  CHECK(VerifyArchive(s->ArchivePath(*f), f->sha256).ok());
  return s;
}

TEST_CASE("a crash between any two steps resumes to the same end") {
  const std::string bytes = File::Valid().Join();
  for (int stop_after = 0; stop_after < 6; ++stop_after) {
    CAPTURE(stop_after);
    TempDir dir;
    RecoverDelivered(dir, StepThenCrash(dir, bytes, stop_after), bytes);
  }
}

std::string GoldenReport(const std::string& name) {
  return ReadFile(std::string(RBGATE_SOURCE_DIR) + "/tests/golden/reports/" + name);
}

TEST_CASE("a transforming route delivers a report with its rows; other files alone") {
  TempDir dir;
  SpoolOptions o = Options(dir);
  o.routes[0].transform = "csv";
  auto s = OpenSpool(o);
  const std::string report = GoldenReport("arudd-valid.xml");
  auto ids = DropAndRun(*s, "arudd.xml", report);
  REQUIRE(ids.size() == 1);
  auto f = s->ledger().Get(ids[0]);
  CHECK(f->state == "delivered");
  const std::string out = dir / ("delivered/" + Spool::OutputName(*f));
  CHECK(ReadFile(out) == report);
  const std::string csv = ReadFile(out + ".csv");
  CHECK(csv.starts_with("report_type,advice_number,processing_date,"));
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 6);  // header and 5 items
  CHECK(s->ledger().Deliveries(f->id).size() == 2);
  CHECK(Count(s->options().root + "/work") == 0);

  // Standard 18 has no rows: delivered alone.
  auto plain = DropAndRun(*s, "dd.s18", File::Valid().Join());
  CHECK(s->ledger().Deliveries(plain.at(0)).size() == 1);
  // A quarantined report leaves no rows behind.
  auto bad = DropAndRun(*s, "bad.xml", GoldenReport("arudd-totals-count.xml"));
  CHECK(s->ledger().Get(bad.at(0))->state == "quarantined");
  CHECK(Count(s->options().root + "/work") == 0);
  CHECK(Count(dir / "delivered") == 3);
}

// The feed is known before the check, whoever names it: a schema file's feed found by its
// content on an automatic route gets its rows from the checking pass, not from a second pass
// over the file at outbound (which the rows' presence right after acceptance shows).
TEST_CASE("an automatic route's schema-file feed is transformed in the checking pass") {
  TempDir dir;
  SpoolOptions o = Options(dir);
  o.routes[0].transform = "csv";
  o.check.registry = std::make_shared<schemas::SchemaRegistry>();
  auto s = OpenSpool(o);
  WriteFile(s->options().root + "/incoming/auto/alerts.jsonl",
            ReadFile(std::string(RBGATE_SOURCE_DIR) + "/tests/golden/vep/valid.jsonl"));
  std::string id;
  REQUIRE(s->Claim(s->Scan(0).ready.at(0), id).ok());
  bool final = false;
  while (s->ledger().Get(id)->state != "archived") {
    REQUIRE(s->Step(id, final).ok());
    REQUIRE_FALSE(final);
  }
  CHECK(s->ledger().Get(id)->feed == "vep");
  const std::string rows = ReadFile(s->WorkPath(id) + ".csv");
  CHECK(std::count(rows.begin(), rows.end(), '\n') == 5);  // header and 4 alerts
  while (!final) REQUIRE(s->Step(id, final).ok());
  CHECK(s->ledger().Get(id)->state == "delivered");
  CHECK(Count(dir / "delivered") == 2);
}

TEST_CASE("rows lost in a crash are made again; a crash at any step ends the same") {
  const std::string report = GoldenReport("arudd-valid.xml");
  for (int stop_after = 0; stop_after < 6; ++stop_after) {
    for (bool lose_rows : {false, true}) {
      CAPTURE(stop_after);
      CAPTURE(lose_rows);
      TempDir dir;
      SpoolOptions o = Options(dir);
      o.routes[0].transform = "jsonl";
      std::string id;
      {
        auto s = OpenSpool(o);
        WriteFile(s->options().root + "/incoming/auto/r.xml", report);
        REQUIRE(s->Claim(s->Scan(0).ready.at(0), id).ok());
        for (int i = 0; i < stop_after; ++i) {
          bool final = false;
          REQUIRE(s->Step(id, final).ok());
        }
        if (lose_rows) ::unlink((s->WorkPath(id) + ".jsonl").c_str());
      }
      auto s = OpenSpool(o);
      REQUIRE(s->Recover().ok());
      auto f = s->ledger().Get(id);
      CHECK(f->state == "delivered");
      const std::string out = dir / ("delivered/" + Spool::OutputName(*f));
      CHECK(ReadFile(out) == report);
      const std::string rows = ReadFile(out + ".jsonl");
      CHECK(std::count(rows.begin(), rows.end(), '\n') == 5);
      CHECK(Count(dir / "delivered") == 2);
      CHECK(Count(s->options().root + "/work") == 0);
      CHECK(Count(s->options().root + "/quarantine") == 0);  // no stray rows taken for a file
    }
  }
}

TEST_CASE("recovery restores an original from the archive when work/ lost it after archiving") {
  TempDir dir;
  const std::string bytes = File::Valid().Join();
  const std::string id = StepThenCrash(dir, bytes, 2, [](Spool& s, const std::string& id) {
    REQUIRE(s.ledger().Get(id)->state == "archived");  // checked, then archived
    ::unlink(s.WorkPath(id).c_str());                  // as if removed just before the crash
  });
  RecoverDelivered(dir, id, bytes);
}

// Only the sync points are ordered against a power cut; a progress marker may survive one while
// the file operations before it do not. These stage what such a cut can leave.
TEST_CASE("a power cut that kept the state but lost the outbound links still delivers, once") {
  TempDir dir;
  const std::string bytes = File::Valid().Join();
  const std::string id = StepThenCrash(dir, bytes, 3, [&](Spool& s, const std::string& id) {
    REQUIRE(s.ledger().Get(id)->state == "outbound");  // accepted, archived, outbound
    for (const auto& e : fs::directory_iterator(dir / "spool/outbound/out")) {
      fs::remove(e.path());  // the links never reached the disk
    }
  });
  auto s = RecoverDelivered(dir, id, bytes);
  CHECK(s->ledger().Deliveries(id).size() == 1);
}

TEST_CASE("a power cut that kept the state but cut the archive short archives again") {
  TempDir dir;
  const std::string bytes = File::Valid().Join();
  const std::string id = StepThenCrash(dir, bytes, 2, [](Spool& s, const std::string& id) {
    auto f = s.ledger().Get(id);
    REQUIRE(f->state == "archived");         // accepted, archived
    fs::resize_file(s.ArchivePath(*f), 10);  // only part of it reached the disk
  });
  auto s = RecoverDelivered(dir, id, bytes);
  bool noted = false;
  for (const auto& t : s->ledger().Transitions(id)) {
    noted = noted || t.detail.find("archive found damaged") != std::string::npos;
  }
  CHECK(noted);
}

TEST_CASE("a crash after the ledger row but before the rename claims the file on restart") {
  TempDir dir;
  std::string id;
  {
    auto s = OpenSpool(Options(dir));
    FileRecord f;
    f.id = "20261123-000000-abcdef";
    f.name = "a.s18";
    f.route = "auto";
    REQUIRE(s->ledger().AddFile(f).ok());
    WriteFile(s->options().root + "/incoming/auto/a.s18", File::Valid().Join());
    id = f.id;
  }
  auto s = OpenSpool(Options(dir));
  REQUIRE(s->Recover().ok());
  CHECK(s->ledger().Get(id)->state == "delivered");
  CHECK(s->ledger().List({}).size() == 1);
}

TEST_CASE("a file found in work/ with no ledger row is not lost") {
  TempDir dir;
  auto s = OpenSpool(Options(dir));
  WriteFile(s->options().root + "/work/stray", "not a feed");
  REQUIRE(s->Recover().ok());
  auto files = s->ledger().List({});
  REQUIRE(files.size() == 1);
  CHECK(files[0].state == "quarantined");
  CHECK(ReadFile(s->QuarantineDir(files[0].id) + "/original") == "not a feed");
}

TEST_CASE("reprocessing after a fix takes the file on; the old finding is on record") {
  TempDir dir;
  SpoolOptions strict = Options(dir);
  strict.check.validator.as_of = *schemas::ParseIsoDate("2026-11-30");  // after the day
  std::string id;
  {
    auto s = OpenSpool(strict);
    auto ids = DropAndRun(*s, "late.s18", File::Valid().Join());
    id = ids.at(0);
    REQUIRE(s->ledger().Get(id)->state == "quarantined");
    CHECK(s->ledger().Findings(id).at(0).rule == "bacs18.calendar.before-as-of");
  }
  auto s = OpenSpool(Options(dir));  // judged by the file's own date now
  REQUIRE(s->Reprocess(id, "as-of corrected").ok());
  CHECK(s->ledger().Get(id)->state == "delivered");
  CHECK(s->ledger().Actions(id).at(0).action == "reprocess");
  CHECK(s->ledger().Findings(id).empty());
}

TEST_CASE("durable helpers refuse to clobber and report what went wrong") {
  TempDir dir;
  WriteFile(dir / "a", "1");
  WriteFile(dir / "b", "2");
  CHECK(RenameNoReplace(dir / "a", dir / "b").code == Code::kInvalidArgument);
  CHECK(ReadFile(dir / "b") == "2");
  CHECK(RenameNoReplace(dir / "missing", dir / "c").code == Code::kNotFound);
  REQUIRE(WriteFileDurably(dir.path(), "w", "hello").ok());
  CHECK(ReadFile(dir / "w") == "hello");
  REQUIRE(CopyDurably(dir / "w", dir / "copy").ok());
  CHECK(ReadFile(dir / "copy") == "hello");
  REQUIRE(MakeDirs(dir / "x/y/z").ok());
  CHECK(KindOf(dir / "x/y/z") == NodeKind::kDirectory);
  CHECK(MakeDirs(dir / "w").code == Code::kFailedPrecondition);
  CHECK(FromErrno(ENOSPC, "f", "write").code == Code::kUnavailable);
  CHECK(FreeBytes(dir.path()) > 0);
}

}  // namespace
}  // namespace rbgate::spool
