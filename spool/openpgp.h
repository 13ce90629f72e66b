// OpenPGP for files crossing the boundary, through GPGME and a keyring the configuration names
// (GNUPGHOME): a file decrypted and its signatures verified as it is taken in, an output
// encrypted to a partner's key and signed with the council's as it goes out, and the keys
// listed with their expiry. Streams from one descriptor to another: a file of any size in
// bounded memory. The keyring's secret keys are the council's service keys, without a
// passphrase (gpg-agent holds none for a daemon).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "parsers/diagnostic.h"
#include "spool/status.h"

namespace rbgate::spool::openpgp {

// Findings of a route's OpenPGP requirements ([route.openpgp]), made as a file is taken in.
namespace rules {
using parsers::Rule;
inline constexpr Rule kNotEncrypted{
    "openpgp.not-encrypted", parsers::Severity::kError,
    "the route takes only files encrypted to the council's key, and this one is not",
    "ask the sender to encrypt the file to the council's public key (rbgate keys list shows it) "
    "and send it again; never release a file that should have been encrypted"};
inline constexpr Rule kDecrypt{
    "openpgp.decrypt", parsers::Severity::kError,
    "the file is OpenPGP but cannot be decrypted with the council's keys",
    "encrypted to a key the keyring lacks (import the council's secret key, then reprocess) or "
    "damaged on the way (ask the sender again)"};
inline constexpr Rule kUnsigned{
    "openpgp.unsigned", parsers::Severity::kError,
    "the route takes only files signed by a named sender, and this one carries no signature",
    "ask the sender to sign the file with their key and send it again"};
inline constexpr Rule kBadSignature{
    "openpgp.bad-signature", parsers::Severity::kError,
    "the file's signature does not verify: it was changed after it was signed, or the signing "
    "key is expired or revoked",
    "do not release it; ask the sender to send it again, and if their key expired, for their "
    "new key (gpg --import into the keyring named by [openpgp] home)"};
inline constexpr Rule kUnknownSigner{
    "openpgp.unknown-signer", parsers::Severity::kError,
    "the file is signed by a key that is not one of the route's senders (signed_by)",
    "if the sender has a new key, check its fingerprint with them by telephone, import it and "
    "add it to the route's signed_by; otherwise reject the file"};
inline std::span<const Rule* const> All() noexcept {
  static constexpr std::array<const Rule*, 5> kAll = {&kNotEncrypted, &kDecrypt, &kUnsigned,
                                                      &kBadSignature, &kUnknownSigner};
  return kAll;
}
}  // namespace rules

struct Signature {
  std::string fingerprint;  // the signing key's (or its subkey's, when that is all it says)
  std::string primary;      // its primary key's fingerprint when the keyring holds it, else empty
  bool good = false;        // a valid signature by a key in the keyring, not revoked or expired
  std::string status;       // plain English: "good", "bad signature", "unknown key", "key expired"
};

struct Decrypted {
  bool openpgp = true;     // false: the input is not an OpenPGP message at all
  bool encrypted = false;  // the input was encrypted (and is now decrypted)
  std::string recipient;   // the key it was decrypted with (fingerprint or key id)
  std::vector<Signature> signatures;
  std::string file_name;  // the name the sender gave the plaintext, if any (never used as a path)
};

// Decrypts (and verifies) `in` into `out`. A file that is only signed is verified and its
// content written out (encrypted false). Errors: kInvalidArgument for input that is not
// OpenPGP (result.openpgp false), cannot be decrypted with the keyring's keys, was tampered
// with (its integrity check fails: nothing written counts), or whose content runs past
// `max_out` bytes; kUnavailable when gpg cannot be run.
Status DecryptVerify(const std::string& home, int in, int out, Decrypted& result,
                     std::uint64_t max_out = UINT64_MAX);

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
