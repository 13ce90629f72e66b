// OpenPGP for files crossing the boundary, through GPGME and a keyring the configuration names
// (GNUPGHOME): a file decrypted and its signatures verified as it is taken in, an output
// encrypted to a partner's key and signed with the council's as it goes out, and the keys
// listed with their expiry. Streams from one descriptor to another: a file of any size in
// bounded memory. The keyring's secret keys are the council's service keys, without a
// passphrase (gpg-agent holds none for a daemon).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "spool/status.h"

namespace rbgate::spool::openpgp {

struct Signature {
  std::string fingerprint;  // the signing key's (or its subkey's, when that is all it says)
  bool good = false;        // a valid signature by a key in the keyring, not revoked or expired
  std::string status;       // plain English: "good", "bad signature", "unknown key", "key expired"
};

struct Decrypted {
  bool encrypted = false;  // the input was encrypted (and is now decrypted)
  std::string recipient;   // the key it was decrypted with (fingerprint or key id)
  std::vector<Signature> signatures;
  std::string file_name;  // the name the sender gave the plaintext, if any (never used as a path)
};

// Decrypts (and verifies) `in` into `out`. A file that is only signed is verified and its
// content written out (encrypted false). Errors: kInvalidArgument for input that is not
// OpenPGP, cannot be decrypted with the keyring's keys, or was tampered with (its integrity
// check fails: nothing written counts); kUnavailable when gpg cannot be run.
Status DecryptVerify(const std::string& home, int in, int out, Decrypted& result);

// Encrypts `in` to `recipients` (fingerprints in the keyring), signed with `signer` when not
// empty, into `out` (binary OpenPGP).
Status EncryptSign(const std::string& home, int in, int out,
                   const std::vector<std::string>& recipients, const std::string& signer);

struct Key {
  std::string fingerprint, user_id;
  bool secret = false;  // the council's own (it can decrypt and sign)
  bool can_encrypt = false, can_sign = false;
  bool expired = false, revoked = false;
  std::int64_t expires = 0;  // Unix seconds; 0: never
};

// The keyring's keys, public and secret.
StatusOr<std::vector<Key>> ListKeys(const std::string& home);

// A key's state at `now` (Unix seconds) for people: "revoked", "EXPIRED 2026-11-30", "expires
// in 12 days (2026-12-19)" when within `warn_days`, else "ok" or "ok, never expires". `warn`:
// whether someone should act (revoked, expired or expiring within warn_days).
std::string KeyState(const Key& k, std::int64_t now, int warn_days, bool& warn);

// gpgme_check_version, once, before any thread uses GPGME.
void Init();

}  // namespace rbgate::spool::openpgp
