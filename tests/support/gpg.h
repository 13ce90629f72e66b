// Real OpenPGP keyrings for tests, made by Debian's gpg at test time: the council's, a
// landlord's and a stranger's, each key ed25519 to sign and cv25519 to encrypt.
#pragma once

#include <doctest/doctest.h>

#include <cstdlib>
#include <string>

#include "spool/openpgp.h"
#include "tests/support/temp_dir.h"

namespace rbgate::testing {

// gpg on keyring `home`, quietly; true when it exits 0.
inline bool Gpg(const std::string& home, const std::string& args) {
  const std::string cmd = "gpg --batch --quiet --no-tty --homedir '" + home +
                          "' --pinentry-mode loopback --passphrase '' --trust-model always " +
                          args + " >/dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

// A keyring with one key (ed25519 to sign, cv25519 to encrypt), expiring as `expiry` says.
inline void MakeKeyring(const std::string& home, const std::string& uid,
                        const std::string& expiry = "1y") {
  REQUIRE(std::system(("mkdir -p -m 700 '" + home + "'").c_str()) == 0);
  REQUIRE(Gpg(home, "--quick-gen-key '" + uid + "' future-default default " + expiry));
}

// Each keyring given the other's public key.
inline void Exchange(const std::string& a, const std::string& b) {
  REQUIRE(std::system(("gpg --batch --quiet --homedir '" + a +
                       "' --export | gpg --batch --quiet "
                       "--homedir '" +
                       b + "' --import 2>/dev/null")
                          .c_str()) == 0);
}

inline std::string Fingerprint(const std::string& home, const std::string& uid) {
  auto keys = spool::openpgp::ListKeys(home);
  REQUIRE(keys.ok());
  for (const auto& k : *keys) {
    if (k.user_id == uid) return k.fingerprint;
  }
  return "";
}

struct Keyrings {
  TempDir dir;
  std::string council = dir / "c", landlord = dir / "l", stranger = dir / "s";
  Keyrings() {
    MakeKeyring(council, "Revenues <revenues@council.example>");
    MakeKeyring(landlord, "Landlord A <files@landlord.example>");
    MakeKeyring(stranger, "Stranger <x@elsewhere.example>");
    Exchange(council, landlord);
    Exchange(landlord, council);
    Exchange(council, stranger);  // the stranger can encrypt to the council, unknown to it
  }
  ~Keyrings() {
    for (const auto& h : {council, landlord, stranger}) {
      std::system(("gpgconf --homedir '" + h + "' --kill all >/dev/null 2>&1").c_str());
    }
  }
};

}  // namespace rbgate::testing
