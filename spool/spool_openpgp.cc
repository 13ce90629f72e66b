// The spool's use of OpenPGP: a route's files decrypted and their signatures judged as they are
// taken in, and a destination's copies encrypted as they are put in outbound/. The original
// (ciphertext) is what the ledger and the archive hold; its content lives in work/ only.
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "spool/fsio.h"
#include "spool/spool.h"

namespace rbgate::spool {
namespace {

// A descriptor closed on every path.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  // Closes now, saying whether the bytes written reached the file system.
  bool Close() {
    const int fd = fd_;
    fd_ = -1;
    return ::close(fd) == 0;
  }

 private:
  int fd_;
};

bool Listed(const std::vector<std::string>& keys, const openpgp::Signature& s) {
  return std::any_of(keys.begin(), keys.end(),
                     [&](const std::string& k) { return k == s.primary || k == s.fingerprint; });
}

}  // namespace

std::string Spool::PlainPath(const std::string& id) const { return WorkPath(id) + ".plain"; }

std::string Spool::NameAt(const DestinationOptions& d, const Output& o) {
  return d.encrypts() ? o.name + ".pgp" : o.name;
}

const RouteOptions::OpenPgp* Spool::OpenPgpOf(const FileRecord& f) const {
  const RouteOptions* route = FindRoute(f.route);
  return route != nullptr && route->openpgp.any() ? &route->openpgp : nullptr;
}

Status Spool::Unwrap(const FileRecord& f, const std::string& from, openpgp::Decrypted& d,
                     Status& verdict) {
  const RouteOptions::OpenPgp* p = OpenPgpOf(f);
  const std::string plain = PlainPath(f.id);
  const std::string tmp = plain + ".tmp";
  Fd in(::open(from.c_str(), O_RDONLY | O_CLOEXEC));
  if (in.get() < 0) return FromErrno(errno, from, "open");
  Fd out(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (out.get() < 0) return FromErrno(errno, tmp, "open");
  verdict = openpgp::DecryptVerify(options_.openpgp_home, in.get(), out.get(), d,
                                   options_.max_file_bytes);
  if (!out.Close() && verdict.ok()) verdict = FromErrno(errno, tmp, "close");
  if (!verdict.ok()) {
    ::unlink(tmp.c_str());
    // gpg not there, or the disk: the file waits and is tried again.
    if (verdict.code != Code::kInvalidArgument) return verdict;
    if (!d.openpgp && p != nullptr && p->decrypt == "optional" && p->signed_by.empty()) {
      // Not OpenPGP, and it need not be: its content is the original, linked (no copy).
      verdict = Status::Ok();
      if (::link(from.c_str(), plain.c_str()) != 0 && errno != EEXIST) {
        return FromErrno(errno, plain, "link");
      }
    }
    return Status::Ok();
  }
  if (::rename(tmp.c_str(), plain.c_str()) != 0) return FromErrno(errno, plain, "rename");
  return Status::Ok();
}

void Spool::Judge(const RouteOptions::OpenPgp& p, const Status& verdict,
                  const openpgp::Decrypted& d, parsers::DiagnosticCollector& findings) {
  namespace rules = openpgp::rules;
  const auto say = [&](const parsers::Rule& rule, std::string message) {
    parsers::ReportAt(findings, rule, 1, 1, {}, std::move(message));
  };
  if (!verdict.ok()) {
    if (d.openpgp) {
      say(rules::kDecrypt, "the file " + verdict.message);
    } else if (p.decrypt == "required") {
      say(rules::kNotEncrypted, "the file is not an OpenPGP message: it came unencrypted");
    } else {
      say(rules::kUnsigned, "the file is not an OpenPGP message, so it carries no signature");
    }
    return;
  }
  if (p.decrypt == "required" && !d.encrypted) {
    say(rules::kNotEncrypted, "the file is signed but not encrypted: it came readable to anyone");
  }
  if (p.decrypt.empty() && d.encrypted) {
    // A route that only verifies signatures may send its files where nothing encrypts them
    // again: decrypted content must not go there.
    say(rules::kDecrypt,
        "the file is encrypted, and this route only verifies signatures (decrypt is not set): "
        "its content is not taken");
  }
  const bool accepted = std::any_of(d.signatures.begin(), d.signatures.end(), [&](const auto& s) {
    return s.good && Listed(p.signed_by, s);
  });
  if (!p.signed_by.empty() && d.signatures.empty()) {
    say(rules::kUnsigned,
        d.encrypted ? "the file was encrypted but not signed" : "the file carries no signature");
  }
  if (accepted) return;
  for (const auto& s : d.signatures) {
    const std::string& key = s.primary.empty() ? s.fingerprint : s.primary;
    if (s.status.rfind("unknown key", 0) == 0) {
      // Not in the keyring: only a finding when a named sender's signature was required.
      if (!p.signed_by.empty()) {
        say(rules::kUnknownSigner,
            fmt::format("signed by key {}, which is not in the keyring (not a named sender)", key));
      }
    } else if (!s.good) {
      say(rules::kBadSignature,
          fmt::format("the signature by key {} does not hold: {}", key, s.status));
    } else if (!p.signed_by.empty()) {
      say(rules::kUnknownSigner,
          fmt::format("signed by key {}, which is not one of the route's senders (signed_by)",
                      key));
    }
  }
}

Status Spool::MakeOutboundCopy(const DestinationOptions& d, const std::string& from,
                               const std::string& out) {
  if (!d.encrypts()) {
    if (::link(from.c_str(), out.c_str()) != 0 && errno != EEXIST) {
      return FromErrno(errno, out, "link");
    }
    return Status::Ok();
  }
  if (KindOf(out) == NodeKind::kRegular) return Status::Ok();
  // A hidden name while it is written: recovery's sweep of outbound/ passes hidden names by.
  const auto slash = out.rfind('/');
  const std::string tmp = out.substr(0, slash + 1) + ".rbgate-tmp-" + out.substr(slash + 1);
  Fd in(::open(from.c_str(), O_RDONLY | O_CLOEXEC));
  if (in.get() < 0) return FromErrno(errno, from, "open");
  Fd copy(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (copy.get() < 0) return FromErrno(errno, tmp, "open");
  Status s =
      openpgp::EncryptSign(options_.openpgp_home, in.get(), copy.get(), d.encrypt_to, d.sign_with);
  if (!copy.Close() && s.ok()) s = FromErrno(errno, tmp, "close");
  if (s.ok() && ::rename(tmp.c_str(), out.c_str()) != 0) s = FromErrno(errno, out, "rename");
  if (!s.ok()) {
    ::unlink(tmp.c_str());
    // A key missing or expired is the configuration's fault: the file waits, retried, and the
    // operator is told by the error.
    if (s.code == Code::kFailedPrecondition) s.code = Code::kUnavailable;
    s.message = "destination " + d.name + ": " + s.message;
  }
  return s;
}

}  // namespace rbgate::spool
