// The spool on a route that takes OpenPGP files, with real keys made by gpg at test time: a
// landlord's payment file encrypted to the council and signed is decrypted into work/ only,
// checked and delivered, its ciphertext archived; each way a file can fail the route's
// requirements quarantines it with its openpgp.* finding and nothing decrypted outside work/;
// a crash's lost content made again from the archive; a destination's copy encrypted to the
// landlord, read back by the landlord's gpg.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "spool/archive.h"
#include "spool/check/digest.h"
#include "spool/fsio.h"
#include "spool/spool.h"
#include "tests/support/bacs18_file.h"
#include "tests/support/gpg.h"
#include "tests/support/spool_options.h"
#include "tests/support/temp_dir.h"

namespace rbgate::spool {
namespace {

namespace fs = std::filesystem;
using testing::File;
using testing::Fingerprint;
using testing::Gpg;
using testing::Keyrings;
using testing::OpenSpool;
using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

constexpr const char* kCouncil = "revenues@council.example";
constexpr const char* kLandlord = "files@landlord.example";
constexpr const char* kStranger = "x@elsewhere.example";

struct PgpSpool {
  Keyrings keys;
  TempDir dir;
  SpoolOptions options;
  std::unique_ptr<Spool> spool;
  std::string landlord_fpr;
  // A payment file whose every line differs by `serial`, so that two are not duplicates.
  static std::string Payments(int serial) {
    File f = File::Valid();
    for (auto& line : f.lines) {
      if (const auto at = line.find("000042"); at != std::string::npos) {
        line.replace(at, 6, fmt::format("{:06}", serial));
      }
    }
    return f.Join();
  }

  explicit PgpSpool(RouteOptions::OpenPgp pgp = {"required", {}},
                    std::uint64_t max_file_bytes = std::uint64_t{1} << 30) {
    landlord_fpr = Fingerprint(keys.landlord, "Landlord A <files@landlord.example>");
    REQUIRE_FALSE(landlord_fpr.empty());
    if (pgp.signed_by.size() == 1 && pgp.signed_by[0] == "landlord") pgp.signed_by = {landlord_fpr};
    options = testing::TestSpoolOptions(dir);
    options.routes[0].openpgp = pgp;
    options.openpgp_home = keys.council;
    options.max_file_bytes = max_file_bytes;
    spool = OpenSpool(options);
  }

  // `plain` written, then made by gpg on `who`'s keyring with `args` into `name` in the drop
  // folder (no args: dropped as it is).
  void Drop(const std::string& name, const std::string& plain, const std::string& who = {},
            const std::string& args = {}) {
    const std::string in = dir / ("plain-" + name);
    WriteFile(in, plain);
    const std::string to = options.root + "/incoming/auto/" + name;
    if (args.empty()) {
      WriteFile(to, plain);
    } else {
      REQUIRE(Gpg(who, args + " -o '" + to + "' '" + in + "'"));
    }
  }

  // Claims and processes the one file waiting; its record.
  FileRecord Run() {
    auto ready = spool->Scan(0).ready;
    REQUIRE(ready.size() == 1);
    std::string id;
    REQUIRE(spool->Claim(ready[0], id).ok());
    Status s = spool->Process(id);
    REQUIRE_MESSAGE(s.ok(), s.message);
    return *spool->ledger().Get(id);
  }

  // The quarantined file's report.
  std::string Report(const FileRecord& f) const {
    return ReadFile(options.root + "/quarantine/" + f.id + "/report.json");
  }

  // Nothing but the originals outside work/: no file anywhere in the spool (work/ aside) holds
  // `plain`.
  bool ContentOnlyInWork(const std::string& plain) const {
    for (const auto& e : fs::recursive_directory_iterator(options.root)) {
      if (!e.is_regular_file()) continue;
      const std::string p = e.path().string();
      if (p.find("/work/") != std::string::npos) continue;
      if (p.find("ledger") != std::string::npos) continue;
      if (ReadFile(p).find(plain.substr(0, 80)) != std::string::npos) {
        MESSAGE("decrypted content found at " << p);
        return false;
      }
    }
    return true;
  }
};

std::string EncryptSign() {
  return std::string("-r ") + kCouncil + " -u " + kLandlord + " --encrypt --sign";
}

TEST_CASE("openpgp route: an encrypted, signed file decrypted in work/ only, checked, delivered") {
  PgpSpool p({"required", {"landlord"}});
  const std::string plain = PgpSpool::Payments(1);
  p.Drop("pay.txt.pgp", plain, p.keys.landlord, EncryptSign());
  const std::string cipher = ReadFile(p.options.root + "/incoming/auto/pay.txt.pgp");
  const FileRecord f = p.Run();
  CHECK(f.state == state::kDelivered);
  // The ledger and the archive hold the original: the ciphertext, byte for byte.
  CHECK(f.sha256 == check::Sha256Hex(cipher));
  CHECK(f.size == cipher.size());
  CHECK(f.feed == "bacs18");
  CHECK(f.records > 0);
  const std::string back = p.dir / "from-archive";
  REQUIRE(VerifyArchive(p.spool->ArchivePath(f), f.sha256, back).ok());
  CHECK(ReadFile(back) == cipher);
  // Delivered: its content, under the name without .pgp.
  const std::string delivered = p.dir / ("delivered/" + f.sha256.substr(0, 16) + "_pay.txt");
  REQUIRE(fs::exists(delivered));
  CHECK(ReadFile(delivered) == plain);
  CHECK(fs::is_empty(p.options.root + "/work"));
  CHECK(p.ContentOnlyInWork(plain));

  SUBCASE("the same content encrypted again is a duplicate") {
    p.Drop("again.txt.pgp", plain, p.keys.landlord, EncryptSign());
    const FileRecord g = p.Run();
    CHECK(g.state == state::kQuarantined);
    CHECK(g.sha256 != f.sha256);
    const auto t = p.spool->ledger().Transitions(g.id);
    // A payment file's SUN, serial, day and totals say so (a feed without such a key: its
    // content's SHA-256, in the daemon's test).
    CHECK(t.back().detail.find("duplicate:") != std::string::npos);
    CHECK(t.back().detail.find(f.id) != std::string::npos);
    CHECK(fs::is_empty(p.options.root + "/work"));
    CHECK(p.ContentOnlyInWork(plain));
  }
}

TEST_CASE("openpgp route: each file that fails the route's requirements, quarantined and said") {
  PgpSpool p({"required", {"landlord"}});
  struct Case {
    std::string name, who, args, rule, said;
  };
  const std::string stranger_to_council =
      std::string("-r ") + kCouncil + " -u " + kStranger + " --encrypt --sign";
  const std::vector<Case> cases = {
      {"plain.txt", "", "", "openpgp.not-encrypted", "it came unencrypted"},
      {"signed-only.txt.pgp", "landlord", std::string("-u ") + kLandlord + " --sign",
       "openpgp.not-encrypted", "signed but not encrypted"},
      {"unsigned.txt.pgp", "landlord", std::string("-r ") + kCouncil + " --encrypt",
       "openpgp.unsigned", "encrypted but not signed"},
      {"stranger.txt.pgp", "stranger", stranger_to_council, "openpgp.unknown-signer",
       "not in the keyring"},
      {"wrong-key.txt.pgp", "landlord",
       std::string("-r ") + kLandlord + " -u " + kLandlord + " --encrypt --sign", "openpgp.decrypt",
       "encrypted to a key the keyring does not hold"},
  };
  int serial = 10;
  for (const auto& c : cases) {
    CAPTURE(c.name);
    const std::string plain = PgpSpool::Payments(++serial);
    const std::string who = c.who == "landlord"   ? p.keys.landlord
                            : c.who == "stranger" ? p.keys.stranger
                                                  : std::string();
    p.Drop(c.name, plain, who, c.args);
    const std::string original = ReadFile(p.options.root + "/incoming/auto/" + c.name);
    const FileRecord f = p.Run();
    CHECK(f.state == state::kQuarantined);
    const std::string report = p.Report(f);
    CHECK(report.find("\"" + c.rule + "\"") != std::string::npos);
    CHECK(report.find(c.said) != std::string::npos);
    // The original as it came, and its content nowhere outside work/ (a file sent plain is
    // its own original).
    CHECK(ReadFile(p.options.root + "/quarantine/" + f.id + "/original") == original);
    CHECK(fs::is_empty(p.options.root + "/work"));
    if (c.args.empty() || c.rule == "openpgp.not-encrypted") continue;
    CHECK(p.ContentOnlyInWork(plain));
  }

  SUBCASE("tampered ciphertext, wherever the change falls") {
    // Each run's ciphertext differs (a new session key): several places, each a finding.
    for (const int from_end : {3, 20, 40, 100, 200}) {
      CAPTURE(from_end);
      const std::string name = fmt::format("tampered-{}.txt.pgp", from_end);
      p.Drop(name, PgpSpool::Payments(30), p.keys.landlord, EncryptSign());
      const std::string at = p.options.root + "/incoming/auto/" + name;
      std::string bytes = ReadFile(at);
      bytes[bytes.size() - from_end] ^= 0x01;
      WriteFile(at, bytes);
      const FileRecord f = p.Run();
      CHECK(f.state == state::kQuarantined);
      const std::string report = p.Report(f);
      const bool said = report.find("\"openpgp.decrypt\"") != std::string::npos ||
                        report.find("\"openpgp.bad-signature\"") != std::string::npos;
      CHECK_MESSAGE(said, report);
      CHECK(fs::is_empty(p.options.root + "/work"));
    }
  }
  SUBCASE("a file that cannot be decrypted is not released; one sent plain is not either") {
    for (const auto& f : p.spool->ledger().List({std::string(state::kQuarantined), "", "", 0})) {
      CAPTURE(f.name);
      Status s = p.spool->Release(f.id, "officer tries", false);
      if (f.name == "plain.txt" || f.name == "wrong-key.txt.pgp") {
        CHECK(s.code == Code::kFailedPrecondition);
        CHECK(s.message.find("not released") != std::string::npos);
        CHECK(p.spool->ledger().Get(f.id)->state == state::kQuarantined);
      } else {
        // The officer's call (a signature by a new key they have checked by telephone): its
        // content goes.
        CHECK_MESSAGE(s.ok(), s.message);
        CHECK(p.spool->ledger().Get(f.id)->state == state::kDelivered);
      }
    }
    CHECK(fs::is_empty(p.options.root + "/work"));
  }
}

TEST_CASE("openpgp route: a signature by a key expired since is a bad signature") {
  PgpSpool p({"required", {}});
  const std::string old_uid = "Old Key <old@landlord.example>";
  REQUIRE(
      Gpg(p.keys.landlord, "--quick-gen-key '" + old_uid + "' future-default default seconds=4"));
  testing::Exchange(p.keys.landlord, p.keys.council);
  const std::string old_fpr = Fingerprint(p.keys.council, old_uid);
  REQUIRE_FALSE(old_fpr.empty());
  p.options.routes[0].openpgp.signed_by = {old_fpr};
  p.spool = OpenSpool(p.options);
  const std::string plain = PgpSpool::Payments(45);
  p.Drop("old.txt.pgp", plain, p.keys.landlord,
         std::string("-r ") + kCouncil + " -u old@landlord.example --encrypt --sign");
  std::this_thread::sleep_for(std::chrono::seconds(5));
  const FileRecord f = p.Run();
  CHECK(f.state == state::kQuarantined);
  const std::string report = p.Report(f);
  CHECK(report.find("\"openpgp.bad-signature\"") != std::string::npos);
  CHECK(report.find("key expired") != std::string::npos);
  CHECK(p.ContentOnlyInWork(plain));
}

TEST_CASE("openpgp route: optional decryption takes plain files; a signed-only route judges") {
  SUBCASE("optional") {
    PgpSpool p({"optional", {}});
    const std::string plain = PgpSpool::Payments(40);
    p.Drop("plain.txt", plain);
    const FileRecord f = p.Run();
    CHECK(f.state == state::kDelivered);
    CHECK(f.sha256 == check::Sha256Hex(plain));
    CHECK(ReadFile(p.dir / ("delivered/" + f.sha256.substr(0, 16) + "_plain.txt")) == plain);
    CHECK(fs::is_empty(p.options.root + "/work"));
  }
  SUBCASE("signed_by without decryption: a good signature by the landlord") {
    PgpSpool p({"", {"landlord"}});
    const std::string plain = PgpSpool::Payments(41);
    p.Drop("signed.txt.gpg", plain, p.keys.landlord, std::string("-u ") + kLandlord + " --sign");
    const FileRecord f = p.Run();
    CHECK(f.state == state::kDelivered);
    CHECK(ReadFile(p.dir / ("delivered/" + f.sha256.substr(0, 16) + "_signed.txt")) == plain);
    // Encrypted to the council: not taken, since the route does not decrypt (its destinations
    // need not encrypt again).
    p.Drop("sealed.txt.gpg", PgpSpool::Payments(42), p.keys.landlord, EncryptSign());
    const FileRecord g = p.Run();
    CHECK(g.state == state::kQuarantined);
    CHECK(p.Report(g).find("this route only verifies signatures") != std::string::npos);
    CHECK(fs::is_empty(p.options.root + "/work"));
  }
}

TEST_CASE("openpgp route: a content bomb is refused at the size limit, unread") {
  // 1 MiB of one byte compresses to almost nothing: the limit applies to what it decrypts to.
  PgpSpool p({"required", {}}, 256 * 1024);
  const std::string huge(1 << 20, '0');
  p.Drop("bomb.txt.pgp", huge, p.keys.landlord, std::string("-r ") + kCouncil + " --encrypt");
  REQUIRE(fs::file_size(p.options.root + "/incoming/auto/bomb.txt.pgp") < 256 * 1024);
  const FileRecord f = p.Run();
  CHECK(f.state == state::kQuarantined);
  const std::string report = p.Report(f);
  CHECK(report.find("\"openpgp.decrypt\"") != std::string::npos);
  CHECK(report.find("more than 262144 bytes once decrypted") != std::string::npos);
  CHECK(fs::is_empty(p.options.root + "/work"));

  SUBCASE("at the limit exactly, it is taken") {
    const std::string at_limit = PgpSpool::Payments(50);
    PgpSpool q({"required", {}}, at_limit.size());
    q.Drop("at.txt.pgp", at_limit, q.keys.landlord, std::string("-r ") + kCouncil + " --encrypt");
    CHECK(q.Run().state == state::kDelivered);
    PgpSpool r({"required", {}}, at_limit.size() - 1);
    r.Drop("past.txt.pgp", at_limit, r.keys.landlord, std::string("-r ") + kCouncil + " --encrypt");
    CHECK(r.Run().state == state::kQuarantined);
  }
}

TEST_CASE("openpgp route: content lost in a crash is decrypted again from the archive") {
  PgpSpool p({"required", {"landlord"}});
  p.options.routes[0].approval = true;  // stops after the archive, the work copies kept
  p.spool = OpenSpool(p.options);
  const std::string plain = PgpSpool::Payments(60);
  p.Drop("pay.txt.pgp", plain, p.keys.landlord, EncryptSign());
  const FileRecord f = p.Run();
  REQUIRE(f.state == state::kAwaitingApproval);
  // A power cut took both work copies (the archive was durable).
  fs::remove(p.spool->WorkPath(f.id));
  fs::remove(p.spool->PlainPath(f.id));
  REQUIRE(p.spool->Approve(f.id, "checked", "second-officer").ok());
  CHECK(p.spool->ledger().Get(f.id)->state == state::kDelivered);
  CHECK(ReadFile(p.dir / ("delivered/" + f.sha256.substr(0, 16) + "_pay.txt")) == plain);
  CHECK(fs::is_empty(p.options.root + "/work"));
}

TEST_CASE("openpgp destination: each copy encrypted to the landlord, signed, read back by gpg") {
  PgpSpool p({"required", {"landlord"}});
  const std::string council_fpr =
      Fingerprint(p.keys.council, "Revenues <revenues@council.example>");
  DestinationOptions d{"landlord-portal", "https", ""};
  d.encrypt_to = {p.landlord_fpr};
  d.sign_with = council_fpr;
  p.options.destinations.push_back(d);
  p.options.routes[0].destinations = {"landlord-portal"};
  p.spool = OpenSpool(p.options);
  const std::string plain = PgpSpool::Payments(70);
  p.Drop("pay.txt.pgp", plain, p.keys.landlord, EncryptSign());
  const FileRecord f = p.Run();
  REQUIRE(f.state == state::kForwarding);
  CHECK(p.ContentOnlyInWork(plain));
  std::string path;
  Status st;
  auto item = p.spool->TakeDelivery("landlord-portal", 0, path, st);
  REQUIRE(item);
  CHECK(item->name == f.sha256.substr(0, 16) + "_pay.txt.pgp");
  CHECK(item->sha256 == check::Sha256Hex(ReadFile(path)));
  CHECK(item->size == fs::file_size(path));
  // The landlord's gpg decrypts it and finds the council's good signature.
  const std::string status = p.dir / "gpg-status";
  REQUIRE(std::system(("gpg --batch --quiet --homedir '" + p.keys.landlord + "' --status-file '" +
                       status + "' -o '" + p.dir / "read-back" + "' --decrypt '" + path +
                       "' 2>/dev/null")
                          .c_str()) == 0);
  CHECK(ReadFile(p.dir / "read-back") == plain);
  CHECK(ReadFile(status).find("[GNUPG:] GOODSIG") != std::string::npos);

  SUBCASE("the copy lost: encrypted again, sent under the same name with its own hash") {
    REQUIRE(p.spool->FinishDelivery(*item, {AttemptResult::Kind::kRetry, "timeout", "t", 0}, path)
                .ok());
    fs::remove(p.options.root + "/outbound/landlord-portal/" + item->name);
    std::string again_path;
    auto again = p.spool->TakeDelivery("landlord-portal", 0, again_path, st);
    REQUIRE_MESSAGE(again, st.message);
    CHECK(again->name == item->name);
    CHECK(again->sha256 == check::Sha256Hex(ReadFile(again_path)));
    CHECK(again->sha256 != item->sha256);
    CHECK(p.ContentOnlyInWork(plain));
    CHECK(fs::is_empty(p.options.root + "/work"));
  }
}

}  // namespace
}  // namespace rbgate::spool
