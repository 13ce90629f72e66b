// OpenPGP through GPGME with real keys made by gpg at test time: a landlord's file encrypted to
// the council and signed, encrypted only, signed only, plain, to the wrong key, tampered with,
// signed by a stranger; the council's reply encrypted and signed, read back by gpg itself; the
// keyring listed, an expired key said.

#include "spool/openpgp.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "tests/support/gpg.h"
#include "tests/support/temp_dir.h"

namespace rbgate::spool::openpgp {
namespace {

using testing::Fingerprint;
using testing::Gpg;
using testing::Keyrings;
using testing::MakeKeyring;
using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

// Decrypts file `path` with the council's keyring: the status, the plaintext in `plain`.
Status Open(const Keyrings& k, const std::string& path, std::string& plain, Decrypted& d) {
  const int in = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  const std::string out_path = path + ".plain";
  const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  Status s = DecryptVerify(k.council, in, out, d);
  ::close(in);
  ::close(out);
  plain = ReadFile(out_path);
  return s;
}

TEST_CASE("openpgp: a landlord's files as they come, each said for what it is") {
  Keyrings k;
  const std::string rents = "TENANCY,RENT\nT0001,104.50\nT0002,98.00\n";
  const std::string in = k.dir / "rents.csv";
  WriteFile(in, rents);
  const std::string council = "revenues@council.example", landlord = "files@landlord.example";
  const std::string landlord_fpr = Fingerprint(k.landlord, "Landlord A <files@landlord.example>");
  REQUIRE_FALSE(landlord_fpr.empty());
  std::string plain;

  SUBCASE("encrypted and signed") {
    REQUIRE(Gpg(k.landlord, "-r " + council + " -u " + landlord + " -o '" + in +
                                ".gpg' --encrypt --sign '" + in + "'"));
    Decrypted d;
    REQUIRE(Open(k, in + ".gpg", plain, d).ok());
    CHECK(d.encrypted);
    CHECK(plain == rents);
    REQUIRE(d.signatures.size() == 1);
    CHECK(d.signatures[0].good);
    CHECK(d.signatures[0].fingerprint == landlord_fpr);
  }
  SUBCASE("encrypted, not signed") {
    REQUIRE(Gpg(k.landlord, "-r " + council + " -o '" + in + ".gpg' --encrypt '" + in + "'"));
    Decrypted d;
    REQUIRE(Open(k, in + ".gpg", plain, d).ok());
    CHECK(d.encrypted);
    CHECK(d.signatures.empty());
    CHECK(plain == rents);
  }
  SUBCASE("signed, not encrypted") {
    REQUIRE(Gpg(k.landlord, "-u " + landlord + " -o '" + in + ".sig' --sign '" + in + "'"));
    Decrypted d;
    REQUIRE(Open(k, in + ".sig", plain, d).ok());
    CHECK_FALSE(d.encrypted);
    REQUIRE(d.signatures.size() == 1);
    CHECK(d.signatures[0].good);
    CHECK(plain == rents);
  }
  SUBCASE("plain: not OpenPGP at all") {
    Decrypted d;
    const Status s = Open(k, in, plain, d);
    CHECK(s.code == Code::kInvalidArgument);
    CHECK(s.message.find("not an OpenPGP message") != std::string::npos);
  }
  SUBCASE("encrypted to a key the council does not hold") {
    REQUIRE(Gpg(k.landlord, "-r " + landlord + " -o '" + in + ".gpg' --encrypt '" + in + "'"));
    Decrypted d;
    const Status s = Open(k, in + ".gpg", plain, d);
    CHECK(s.code == Code::kInvalidArgument);
    CHECK(s.message.find("does not hold") != std::string::npos);
  }
  SUBCASE("tampered with after it was encrypted") {
    REQUIRE(Gpg(k.landlord, "-r " + council + " -u " + landlord + " -o '" + in +
                                ".gpg' --encrypt --sign '" + in + "'"));
    std::string bytes = ReadFile(in + ".gpg");
    bytes[bytes.size() - 20] ^= 0x40;
    WriteFile(in + ".gpg", bytes);
    Decrypted d;
    const Status s = Open(k, in + ".gpg", plain, d);
    CHECK(s.code == Code::kInvalidArgument);
    CHECK(s.message.find("cannot be decrypted") != std::string::npos);
  }
  SUBCASE("signed by a key the council does not know") {
    REQUIRE(Gpg(k.stranger, "-r " + council + " -u x@elsewhere.example -o '" + in +
                                ".gpg' --encrypt --sign '" + in + "'"));
    Decrypted d;
    REQUIRE(Open(k, in + ".gpg", plain, d).ok());
    CHECK(d.encrypted);
    REQUIRE(d.signatures.size() == 1);
    CHECK_FALSE(d.signatures[0].good);
    CHECK(d.signatures[0].status.find("unknown key") == 0);
  }
}

TEST_CASE("openpgp: the council's reply, encrypted and signed, read by the landlord's gpg") {
  Keyrings k;
  const std::string in = k.dir / "reply.csv", out = k.dir / "reply.csv.gpg";
  WriteFile(in, "TENANCY,STATUS\nT0001,applied\n");
  const std::string to = Fingerprint(k.council, "Landlord A <files@landlord.example>");
  const std::string as = Fingerprint(k.council, "Revenues <revenues@council.example>");
  const int fin = ::open(in.c_str(), O_RDONLY | O_CLOEXEC);
  const int fout = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  const Status s = EncryptSign(k.council, fin, fout, {to}, as);
  ::close(fin);
  ::close(fout);
  REQUIRE(s.ok());
  CHECK(ReadFile(out).find("TENANCY") == std::string::npos);
  const std::string back = k.dir / "back.csv";
  REQUIRE(Gpg(k.landlord, "--status-file '" + k.dir.path() + "/status' -o '" + back +
                              "' --decrypt '" + out + "'"));
  CHECK(ReadFile(back) == ReadFile(in));
  CHECK(ReadFile(k.dir / "status").find("[GNUPG:] GOODSIG") != std::string::npos);
  // A recipient not in the keyring: refused, said.
  const int f2 = ::open(in.c_str(), O_RDONLY | O_CLOEXEC);
  const int o2 = ::open(out.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  const Status missing = EncryptSign(k.council, f2, o2, {"0123456789ABCDEF0123"}, "");
  ::close(f2);
  ::close(o2);
  CHECK(missing.code == Code::kFailedPrecondition);
}

TEST_CASE("openpgp: the keyring listed, with expiry") {
  TempDir dir;
  const std::string home = dir / "k";
  MakeKeyring(home, "Revenues <revenues@council.example>", "1y");
  MakeKeyring(home, "Short <short@council.example>", "seconds=1");
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  auto keys = ListKeys(home);
  std::system(("gpgconf --homedir '" + home + "' --kill all >/dev/null 2>&1").c_str());
  REQUIRE(keys.ok());
  REQUIRE(keys->size() == 2);
  for (const auto& key : *keys) {
    CHECK(key.secret);
    CHECK(key.fingerprint.size() == 40);
    if (key.user_id.find("Revenues") == 0) {
      CHECK_FALSE(key.expired);
      CHECK(key.expires > std::time(nullptr) + 300 * 86400);
      CHECK(key.can_sign);
      CHECK(key.can_encrypt);
    } else {
      CHECK(key.expired);
    }
  }
}

}  // namespace
}  // namespace rbgate::spool::openpgp
