#include "spool/openpgp.h"

#include <fmt/format.h>
#include <gpgme.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <memory>
#include <mutex>

namespace rbgate::spool::openpgp {
namespace {

struct CtxFree {
  void operator()(gpgme_ctx_t c) const { gpgme_release(c); }
};
struct DataFree {
  void operator()(gpgme_data_t d) const { gpgme_data_release(d); }
};
struct KeyFree {
  void operator()(gpgme_key_t k) const { gpgme_key_unref(k); }
};
using Ctx = std::unique_ptr<gpgme_context, CtxFree>;
using Data = std::unique_ptr<gpgme_data, DataFree>;
using KeyRef = std::unique_ptr<_gpgme_key, KeyFree>;

std::string Said(gpgme_error_t e) { return gpgme_strerror(e); }

// A context on the keyring at `home` (OpenPGP, gpg's own engine), binary output.
StatusOr<Ctx> Open(const std::string& home) {
  Init();
  gpgme_ctx_t c = nullptr;
  if (gpgme_error_t e = gpgme_new(&c); e != 0) {
    return Error(Code::kUnavailable, "OpenPGP: " + Said(e));
  }
  Ctx ctx(c);
  if (gpgme_error_t e = gpgme_set_protocol(c, GPGME_PROTOCOL_OpenPGP); e != 0) {
    return Error(Code::kUnavailable, "OpenPGP: " + Said(e));
  }
  if (gpgme_error_t e = gpgme_ctx_set_engine_info(c, GPGME_PROTOCOL_OpenPGP, nullptr,
                                                  home.empty() ? nullptr : home.c_str());
      e != 0) {
    return Error(Code::kUnavailable, "OpenPGP: keyring " + home + ": " + Said(e));
  }
  gpgme_set_armor(c, 0);
  // A daemon asks nobody for a passphrase.
  gpgme_set_pinentry_mode(c, GPGME_PINENTRY_MODE_LOOPBACK);
  return ctx;
}

StatusOr<Data> FromFd(int fd) {
  gpgme_data_t d = nullptr;
  if (gpgme_error_t e = gpgme_data_new_from_fd(&d, fd); e != 0) {
    return Error(Code::kUnavailable, "OpenPGP: " + Said(e));
  }
  return Data(d);
}

// Plaintext written to a descriptor, refused past `limit` bytes: a small message may expand
// without bound (OpenPGP compresses), and the spool's disk is not the sender's to fill.
struct BoundedOut {
  int fd = -1;
  std::uint64_t written = 0, limit = 0;
  bool over = false;
  static ssize_t Write(void* handle, const void* buffer, size_t size) {
    auto* o = static_cast<BoundedOut*>(handle);
    if (o->written + size > o->limit) {
      o->over = true;
      errno = EFBIG;
      return -1;
    }
    const char* p = static_cast<const char*>(buffer);
    std::size_t left = size;
    while (left > 0) {
      const ssize_t n = ::write(o->fd, p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return -1;
      p += n;
      left -= static_cast<std::size_t>(n);
    }
    o->written += size;
    return static_cast<ssize_t>(size);
  }
};

std::string SignatureStatus(gpgme_signature_t s) {
  if ((s->summary & GPGME_SIGSUM_VALID) != 0 || gpg_err_code(s->status) == GPG_ERR_NO_ERROR) {
    if ((s->summary & GPGME_SIGSUM_KEY_REVOKED) != 0) return "key revoked";
    if ((s->summary & GPGME_SIGSUM_KEY_EXPIRED) != 0) return "key expired";
    if ((s->summary & GPGME_SIGSUM_SIG_EXPIRED) != 0) return "signature expired";
    return "good";
  }
  switch (gpg_err_code(s->status)) {
    case GPG_ERR_BAD_SIGNATURE:
      return "bad signature (the file was changed after it was signed)";
    case GPG_ERR_NO_PUBKEY:
      return "unknown key (not in the keyring)";
    case GPG_ERR_KEY_EXPIRED:
    case GPG_ERR_CERT_EXPIRED:
      return "key expired";
    case GPG_ERR_CERT_REVOKED:
      return "key revoked";
    case GPG_ERR_SIG_EXPIRED:
      return "signature expired";
    default:
      return std::string("not verified: ") + gpgme_strerror(s->status);
  }
}

}  // namespace

void Init() {
  static std::once_flag once;
  std::call_once(once, [] { gpgme_check_version(nullptr); });
}

Status DecryptVerify(const std::string& home, int in, int out, Decrypted& result,
                     std::uint64_t max_out) {
  result = {};
  auto ctx = Open(home);
  if (!ctx.ok()) return ctx.status();
  auto cipher = FromFd(in);
  if (!cipher.ok()) return cipher.status();
  BoundedOut sink{out, 0, max_out, false};
  gpgme_data_cbs cbs{};
  cbs.write = &BoundedOut::Write;
  gpgme_data_t plain_data = nullptr;
  if (gpgme_error_t e = gpgme_data_new_from_cbs(&plain_data, &cbs, &sink); e != 0) {
    return Error(Code::kUnavailable, "OpenPGP: " + Said(e));
  }
  Data plain(plain_data);
  gpgme_ctx_t c = ctx->get();
  const gpgme_error_t e = gpgme_op_decrypt_verify(c, cipher->get(), plain.get());
  if (sink.over) {
    result.signatures.clear();
    return Error(Code::kInvalidArgument,
                 fmt::format("its content is more than {} bytes once decrypted (the limit, "
                             "max_file_bytes): refused unread",
                             max_out));
  }
  const gpgme_decrypt_result_t d = gpgme_op_decrypt_result(c);
  const gpgme_verify_result_t v = gpgme_op_verify_result(c);
  if (v != nullptr) {
    for (gpgme_signature_t s = v->signatures; s != nullptr; s = s->next) {
      Signature sig;
      sig.fingerprint = s->fpr != nullptr ? s->fpr : "";
      sig.status = SignatureStatus(s);
      sig.good = sig.status == "good";
      result.signatures.push_back(std::move(sig));
    }
    if (v->file_name != nullptr) result.file_name = v->file_name;
  }
  const auto code = gpg_err_code(e);
  if (d != nullptr && d->recipients != nullptr && d->recipients->keyid != nullptr) {
    result.recipient = d->recipients->keyid;
  }
  const bool decrypted = code == GPG_ERR_NO_ERROR;
  if (decrypted && d != nullptr && d->file_name != nullptr) result.file_name = d->file_name;
  // The results above belong to the operation: a key lookup on the context replaces them.
  for (auto& sig : result.signatures) {
    gpgme_key_t k = nullptr;
    if (!sig.fingerprint.empty() && gpgme_get_key(c, sig.fingerprint.c_str(), &k, 0) == 0) {
      KeyRef held(k);
      if (k->fpr != nullptr) sig.primary = k->fpr;
    }
  }
  if (decrypted) {
    result.encrypted = true;
    return Status::Ok();
  }
  if (code == GPG_ERR_NO_DATA && !result.recipient.empty()) {
    // Encrypted (it names its recipients), but its data would not decrypt: damaged on the way.
    result.signatures.clear();
    return Error(Code::kInvalidArgument,
                 "cannot be decrypted: its encrypted data is damaged or was changed after it was "
                 "encrypted (ask the sender again)");
  }
  if (code == GPG_ERR_NO_DATA && !result.signatures.empty()) {
    return Status::Ok();  // signed, not encrypted: verified, its content written out
  }
  if (code == GPG_ERR_NO_DATA) {
    result.openpgp = false;
    return Error(Code::kInvalidArgument, "not an OpenPGP message (not encrypted, not signed)");
  }
  if (code == GPG_ERR_NO_SECKEY) {
    return Error(Code::kInvalidArgument,
                 fmt::format("encrypted to a key the keyring does not hold{}",
                             result.recipient.empty() ? "" : " (" + result.recipient + ")"));
  }
  if (code == GPG_ERR_BAD_DATA || code == GPG_ERR_DECRYPT_FAILED || code == GPG_ERR_INV_PACKET ||
      code == GPG_ERR_CHECKSUM || code == GPG_ERR_BAD_SIGNATURE) {
    return Error(Code::kInvalidArgument,
                 "cannot be decrypted: " + Said(e) +
                     " (damaged or changed after it was encrypted; ask the sender again)");
  }
  if (code == GPG_ERR_ENOENT || code == GPG_ERR_INV_ENGINE || code == GPG_ERR_NOT_FOUND) {
    return Error(Code::kUnavailable, "OpenPGP: gpg cannot be run: " + Said(e));
  }
  return Error(Code::kInvalidArgument, "cannot be decrypted: " + Said(e));
}

Status EncryptSign(const std::string& home, int in, int out,
                   const std::vector<std::string>& recipients, const std::string& signer) {
  auto ctx = Open(home);
  if (!ctx.ok()) return ctx.status();
  gpgme_ctx_t c = ctx->get();
  std::vector<KeyRef> keys;
  std::vector<gpgme_key_t> list;
  for (const auto& fpr : recipients) {
    gpgme_key_t k = nullptr;
    if (gpgme_error_t e = gpgme_get_key(c, fpr.c_str(), &k, 0); e != 0) {
      return Error(Code::kFailedPrecondition,
                   fmt::format("OpenPGP: no key {} in the keyring: {}", fpr, Said(e)));
    }
    keys.emplace_back(k);
    list.push_back(k);
  }
  list.push_back(nullptr);
  if (!signer.empty()) {
    gpgme_key_t k = nullptr;
    if (gpgme_error_t e = gpgme_get_key(c, signer.c_str(), &k, 1); e != 0) {
      return Error(Code::kFailedPrecondition,
                   fmt::format("OpenPGP: no secret key {} to sign with: {}", signer, Said(e)));
    }
    KeyRef held(k);
    if (gpgme_error_t e = gpgme_signers_add(c, k); e != 0) {
      return Error(Code::kFailedPrecondition, "OpenPGP: " + Said(e));
    }
  }
  auto plain = FromFd(in);
  if (!plain.ok()) return plain.status();
  auto cipher = FromFd(out);
  if (!cipher.ok()) return cipher.status();
  const auto flags = static_cast<gpgme_encrypt_flags_t>(GPGME_ENCRYPT_ALWAYS_TRUST);
  const gpgme_error_t e =
      signer.empty() ? gpgme_op_encrypt(c, list.data(), flags, plain->get(), cipher->get())
                     : gpgme_op_encrypt_sign(c, list.data(), flags, plain->get(), cipher->get());
  if (e != 0) return Error(Code::kFailedPrecondition, "OpenPGP: cannot encrypt: " + Said(e));
  return Status::Ok();
}

StatusOr<std::vector<Key>> ListKeys(const std::string& home) {
  auto ctx = Open(home);
  if (!ctx.ok()) return ctx.status();
  gpgme_ctx_t c = ctx->get();
  std::vector<Key> out;
  for (const int secret : {1, 0}) {
    if (gpgme_error_t e = gpgme_op_keylist_start(c, nullptr, secret); e != 0) {
      return Error(Code::kUnavailable, "OpenPGP: list keys: " + Said(e));
    }
    gpgme_key_t k = nullptr;
    while (gpgme_op_keylist_next(c, &k) == 0) {
      KeyRef held(k);
      if (k->fpr == nullptr) continue;
      const std::string fpr = k->fpr;
      bool seen = false;
      for (const auto& have : out) seen = seen || have.fingerprint == fpr;
      if (seen) continue;  // a secret key, listed again as public
      Key key;
      key.fingerprint = fpr;
      key.user_id = k->uids != nullptr && k->uids->uid != nullptr ? k->uids->uid : "";
      key.secret = secret != 0;
      key.can_encrypt = k->can_encrypt != 0;
      key.can_sign = k->can_sign != 0;
      key.expired = k->expired != 0;
      key.revoked = k->revoked != 0;
      // The soonest expiry of the key or a subkey it would use.
      for (gpgme_subkey_t s = k->subkeys; s != nullptr; s = s->next) {
        if (s->revoked || s->expires <= 0) continue;
        if (key.expires == 0 || s->expires < key.expires) key.expires = s->expires;
      }
      out.push_back(std::move(key));
    }
    gpgme_op_keylist_end(c);
  }
  return out;
}

std::string KeyState(const Key& k, std::int64_t now, int warn_days, bool& warn) {
  const auto day = [](std::int64_t t) {
    const std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    ::gmtime_r(&tt, &tm);
    return fmt::format("{:04}-{:02}-{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
  };
  warn = true;
  if (k.revoked) return "revoked";
  if (k.expired || (k.expires > 0 && k.expires <= now)) return "EXPIRED " + day(k.expires);
  if (k.expires > 0 && k.expires - now <= std::int64_t{warn_days} * 86400) {
    const std::int64_t days = (k.expires - now) / 86400;
    return fmt::format("expires in {} day{} ({})", days, days == 1 ? "" : "s", day(k.expires));
  }
  warn = false;
  return k.expires > 0 ? "ok, expires " + day(k.expires) : "ok, never expires";
}

}  // namespace rbgate::spool::openpgp
