#include "gateway/forward/transfer.h"

#include <curl/curl.h>
#include <fmt/format.h>
#include <openssl/evp.h>

#include <cstdio>
#include <memory>
#include <mutex>
#include <vector>

#include "spool/check/digest.h"

namespace rbgate::gateway {
namespace {

using spool::AttemptResult;
using Kind = AttemptResult::Kind;

struct CurlFree {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
  void operator()(std::FILE* f) const { std::fclose(f); }
};

// A list of strings for libcurl, freed with the attempt.
class Slist {
 public:
  void Add(const std::string& s) { list_.reset(curl_slist_append(list_.release(), s.c_str())); }
  curl_slist* get() const { return list_.get(); }

 private:
  std::unique_ptr<curl_slist, CurlFree> list_;
};

// What an attempt's callbacks share: the file read, the stop flag, the response kept.
struct Exchange {
  std::FILE* in = nullptr;
  const std::atomic<bool>* stop = nullptr;
  std::string status_line;        // HTTP: the response's first line
  std::string body;               // HTTP: its first bytes
  check::Sha256* hash = nullptr;  // SFTP download: the bytes hashed
  std::string host_key;           // SFTP: why the host key was refused
};

constexpr std::size_t kBodyKept = 512;

std::size_t ReadBody(char* buf, std::size_t size, std::size_t n, void* p) {
  return std::fread(buf, size, n, static_cast<Exchange*>(p)->in);
}

std::size_t KeepBody(char* buf, std::size_t size, std::size_t n, void* p) {
  auto* x = static_cast<Exchange*>(p);
  const std::size_t len = size * n;
  if (x->hash != nullptr) {
    x->hash->Update({buf, len});
  } else if (x->body.size() < kBodyKept) {
    x->body.append(buf, std::min(len, kBodyKept - x->body.size()));
  }
  return len;
}

std::size_t KeepStatusLine(char* buf, std::size_t size, std::size_t n, void* p) {
  auto* x = static_cast<Exchange*>(p);
  std::string_view line(buf, size * n);
  if (line.rfind("HTTP/", 0) == 0) {
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
    x->status_line = std::string(line);  // the last one wins (after a 100 Continue)
  }
  return size * n;
}

int Progress(void* p, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<Exchange*>(p)->stop->load() ? 1 : 0;
}

// Text from outside made fit for one log line: controls become spaces, cut short.
std::string OneLine(std::string_view s, std::size_t max = 300) {
  std::string out;
  for (char c : s) {
    if (out.size() >= max) {
      out += "...";
      break;
    }
    out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? ' ' : c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// "SHA256:..." as ssh-keygen -l prints it, from a key blob (raw, or base64 when len is 0).
std::string Fingerprint(const curl_khkey* key) {
  if (key == nullptr || key->key == nullptr) return "?";
  std::string raw;
  if (key->len == 0) {
    std::string_view b64(key->key);
    raw.resize(b64.size());
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(raw.data()),
                                  reinterpret_cast<const unsigned char*>(b64.data()),
                                  static_cast<int>(b64.size()));
    if (n < 0) return "?";
    std::size_t pad = 0;
    while (pad < b64.size() && b64[b64.size() - 1 - pad] == '=') ++pad;
    raw.resize(static_cast<std::size_t>(n) - pad);
  } else {
    raw.assign(key->key, key->len);
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  EVP_Digest(raw.data(), raw.size(), md, &md_len, EVP_sha256(), nullptr);
  std::string out(4 * ((md_len + 2) / 3) + 1, '\0');
  const int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), md, static_cast<int>(md_len));
  out.resize(static_cast<std::size_t>(n));
  while (!out.empty() && out.back() == '=') out.pop_back();
  return "SHA256:" + out;
}

std::string_view KeyType(const curl_khkey* key) {
  if (key == nullptr) return "?";
  switch (key->keytype) {
    case CURLKHTYPE_RSA1:
    case CURLKHTYPE_RSA:
      return "ssh-rsa";
    case CURLKHTYPE_DSS:
      return "ssh-dss";
    case CURLKHTYPE_ECDSA:
      return "ecdsa";
    case CURLKHTYPE_ED25519:
      return "ssh-ed25519";
    default:
      return "?";
  }
}

// The host key is always checked: only a key known_hosts holds for this host is accepted.
int CheckHostKey(CURL*, const curl_khkey* known, const curl_khkey* found, curl_khmatch match,
                 void* p) {
  auto* x = static_cast<Exchange*>(p);
  if (match == CURLKHMATCH_OK) return CURLKHSTAT_FINE;
  x->host_key = match == CURLKHMATCH_MISMATCH
                    ? fmt::format(
                          "the server's host key ({} {}) is not the one known_hosts holds for it "
                          "({}): it has changed, or this is not the server it claims to be",
                          KeyType(found), Fingerprint(found), Fingerprint(known))
                    : fmt::format(
                          "the server's host key ({} {}) is not in known_hosts: check it with the "
                          "server's owner, then add it",
                          KeyType(found), Fingerprint(found));
  return CURLKHSTAT_REJECT;
}

// A libcurl failure as an attempt result: the destination or the network, so retry.
AttemptResult Failed(CURLcode rc, const char* errbuf, const std::string& where, const Exchange& x) {
  std::string reason = "transfer";
  switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
      reason = "dns";
      break;
    case CURLE_COULDNT_CONNECT:
      reason = "connect";
      break;
    case CURLE_OPERATION_TIMEDOUT:
      reason = "timeout";
      break;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
      reason = x.host_key.empty() ? "tls" : "host-key";
      break;
    case CURLE_LOGIN_DENIED:
      reason = "auth";
      break;
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
      reason = "connection";
      break;
    case CURLE_REMOTE_ACCESS_DENIED:
    case CURLE_REMOTE_FILE_NOT_FOUND:
    case CURLE_REMOTE_DISK_FULL:
    case CURLE_QUOTE_ERROR:
      reason = "remote-path";
      break;
    case CURLE_ABORTED_BY_CALLBACK:
      reason = "stopped";
      break;
    case CURLE_SSH:
      reason = x.host_key.empty() ? "ssh" : "host-key";
      break;
    default:
      break;
  }
  std::string detail = x.host_key.empty() ? std::string(curl_easy_strerror(rc)) : x.host_key;
  if (x.host_key.empty() && errbuf != nullptr && errbuf[0] != '\0') {
    detail += std::string(": ") + errbuf;
  }
  return {Kind::kRetry, reason, OneLine(where + ": " + detail), 0};
}

// Options every attempt sets: timeouts, no signals, the stop flag.
void Common(CURL* h, const ForwardOptions& o, Exchange& x, char* errbuf) {
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, static_cast<long>(o.connect_timeout_seconds));
  curl_easy_setopt(h, CURLOPT_TIMEOUT, static_cast<long>(o.timeout_seconds));
  curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, Progress);
  curl_easy_setopt(h, CURLOPT_XFERINFODATA, &x);
}

class HttpsTransfer final : public Transfer {
 public:
  explicit HttpsTransfer(ForwardOptions o) : o_(std::move(o)), h_(curl_easy_init()) {}

  AttemptResult Send(const std::string& path, const spool::OutboundItem& item,
                     const std::atomic<bool>& stop) override {
    std::unique_ptr<std::FILE, CurlFree> in(std::fopen(path.c_str(), "rb"));
    if (!in) return {Kind::kRetry, "spool", "cannot open " + path, 0};
    CURL* h = h_.get();
    curl_easy_reset(h);  // keeps the connection for the next attempt
    Exchange x;
    x.in = in.get();
    x.stop = &stop;
    char errbuf[CURL_ERROR_SIZE] = {};
    Common(h, o_, x, errbuf);
    std::string url = o_.url;
    if (auto at = url.find("{name}"); at != std::string::npos) url.replace(at, 6, item.name);
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!o_.ca_file.empty()) {
      curl_easy_setopt(h, CURLOPT_CAINFO, o_.ca_file.c_str());
      curl_easy_setopt(h, CURLOPT_CAPATH, nullptr);  // only the CA named
    }
    if (!o_.client_cert.empty()) curl_easy_setopt(h, CURLOPT_SSLCERT, o_.client_cert.c_str());
    if (!o_.client_key.empty()) curl_easy_setopt(h, CURLOPT_SSLKEY, o_.client_key.c_str());
    if (!o_.client_key_passphrase.empty()) {
      curl_easy_setopt(h, CURLOPT_KEYPASSWD, o_.client_key_passphrase.c_str());
    }
    Slist headers;
    headers.Add("Content-Type: " + o_.content_type);
    headers.Add("Idempotency-Key: " + item.sha256);
    headers.Add("Content-Disposition: attachment; filename=\"" + item.name + "\"");
    headers.Add("Expect:");  // no 100-continue round trip
    if (!o_.token.empty()) headers.Add("Authorization: Bearer " + o_.token);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(h, CURLOPT_READFUNCTION, ReadBody);
    curl_easy_setopt(h, CURLOPT_READDATA, &x);
    const auto size = static_cast<curl_off_t>(item.size);
    if (o_.method == "PUT") {
      curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, size);
    } else {
      curl_easy_setopt(h, CURLOPT_POST, 1L);
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, size);
    }
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, KeepStatusLine);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &x);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, KeepBody);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &x);
    const CURLcode rc = curl_easy_perform(h);
    if (rc != CURLE_OK) return Failed(rc, errbuf, o_.method + " " + url, x);
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    std::string said = x.status_line.empty() ? fmt::format("HTTP {}", code) : x.status_line;
    if (auto sp = said.find(' '); sp != std::string::npos && said.rfind("HTTP/", 0) == 0) {
      said = "HTTP " + said.substr(sp + 1);  // "HTTP 400 Bad Request"
    }
    if (!x.body.empty()) said += ": " + x.body;
    said = OneLine(said);
    const std::string reason = fmt::format("http-{}", code);
    if (code >= 200 && code < 300) return {Kind::kDelivered, reason, "accepted: " + said, 0};
    // 408 and 429 ask for a later try; any other 4xx is the server refusing this file.
    if (code >= 400 && code < 500 && code != 408 && code != 429) {
      return {Kind::kRefused, reason, said, 0};
    }
    return {Kind::kRetry, reason, said, 0};
  }

 private:
  ForwardOptions o_;
  std::unique_ptr<CURL, CurlFree> h_;
};

class SftpTransfer final : public Transfer {
 public:
  explicit SftpTransfer(ForwardOptions o) : o_(std::move(o)), h_(curl_easy_init()) {
    base_ = o_.url;
    if (base_.empty() || base_.back() != '/') base_ += '/';
    // The folder as the server's SFTP commands name it: decoded; /~/ is the login's home.
    std::unique_ptr<CURLU, void (*)(CURLU*)> u(curl_url(), curl_url_cleanup);
    char* p = nullptr;
    if (curl_url_set(u.get(), CURLUPART_URL, base_.c_str(), 0) == CURLUE_OK &&
        curl_url_get(u.get(), CURLUPART_PATH, &p, CURLU_URLDECODE) == CURLUE_OK) {
      dir_ = p;
      curl_free(p);
    }
    if (dir_.rfind("/~/", 0) == 0) dir_ = dir_.substr(3);
  }

  AttemptResult Send(const std::string& path, const spool::OutboundItem& item,
                     const std::atomic<bool>& stop) override {
    std::unique_ptr<std::FILE, CurlFree> in(std::fopen(path.c_str(), "rb"));
    if (!in) return {Kind::kRetry, "spool", "cannot open " + path, 0};
    const std::string part = "." + item.name + ".part";
    Exchange x;
    x.in = in.get();
    x.stop = &stop;
    char errbuf[CURL_ERROR_SIZE] = {};
    Begin(x, errbuf, base_ + part);
    CURL* h = h_.get();
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, ReadBody);
    curl_easy_setopt(h, CURLOPT_READDATA, &x);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(item.size));
    Slist after;
    // OpenSSH's rename never replaces: a file already under the name makes it fail.
    after.Add(fmt::format("rename \"{}{}\" \"{}{}\"", dir_, part, dir_, item.name));
    curl_easy_setopt(h, CURLOPT_POSTQUOTE, after.get());
    const CURLcode rc = curl_easy_perform(h);
    const std::string where = "upload to " + base_ + item.name;
    if (rc == CURLE_OK) return {Kind::kDelivered, "sftp", "uploaded and renamed into place", 0};
    if (rc != CURLE_QUOTE_ERROR) return Failed(rc, errbuf, where, x);
    // The rename failed: is the file already there (an earlier attempt whose confirmation a
    // crash lost)? The same bytes are a delivery; other bytes under its name are a refusal.
    const AttemptResult rename_failed = Failed(rc, errbuf, where + " (rename)", x);
    std::string have;
    const CURLcode got = Hash(item.name, have, stop);
    if (got == CURLE_REMOTE_FILE_NOT_FOUND) return rename_failed;
    if (got != CURLE_OK) return rename_failed;
    Remove(part, item.name);
    if (have == item.sha256) {
      return {Kind::kDelivered, "sftp", "already in place with the same SHA-256", 0};
    }
    return {Kind::kRefused, "conflict",
            fmt::format("{} already holds a different file named {} (SHA-256 {})", base_, item.name,
                        have),
            0};
  }

 private:
  // A fresh set of options on the kept handle (and so the kept SSH connection).
  void Begin(Exchange& x, char* errbuf, const std::string& url) {
    CURL* h = h_.get();
    curl_easy_reset(h);
    Common(h, o_, x, errbuf);
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "sftp");
    curl_easy_setopt(h, CURLOPT_USERNAME, o_.user.c_str());
    curl_easy_setopt(h, CURLOPT_SSH_AUTH_TYPES, static_cast<long>(CURLSSH_AUTH_PUBLICKEY));
    curl_easy_setopt(h, CURLOPT_SSH_PRIVATE_KEYFILE, o_.identity_file.c_str());
    curl_easy_setopt(h, CURLOPT_SSH_PUBLIC_KEYFILE, "");  // derived from the private key
    if (!o_.key_passphrase.empty())
      curl_easy_setopt(h, CURLOPT_KEYPASSWD, o_.key_passphrase.c_str());
    curl_easy_setopt(h, CURLOPT_SSH_KNOWNHOSTS, o_.known_hosts.c_str());
    curl_easy_setopt(h, CURLOPT_SSH_KEYFUNCTION, CheckHostKey);
    curl_easy_setopt(h, CURLOPT_SSH_KEYDATA, &x);
  }

  CURLcode Hash(const std::string& name, std::string& hex, const std::atomic<bool>& stop) {
    check::Sha256 sha;
    Exchange x;
    x.stop = &stop;
    x.hash = &sha;
    char errbuf[CURL_ERROR_SIZE] = {};
    Begin(x, errbuf, base_ + name);
    curl_easy_setopt(h_.get(), CURLOPT_WRITEFUNCTION, KeepBody);
    curl_easy_setopt(h_.get(), CURLOPT_WRITEDATA, &x);
    const CURLcode rc = curl_easy_perform(h_.get());
    if (rc == CURLE_OK) hex = sha.HexDigest();
    return rc;
  }

  // Best effort: a temporary left behind is overwritten by the next upload anyway.
  void Remove(const std::string& part, const std::string& name) {
    std::atomic<bool> never{false};
    Exchange x;
    x.stop = &never;
    char errbuf[CURL_ERROR_SIZE] = {};
    Begin(x, errbuf, base_ + name);  // a file that is there: the stat after the rm succeeds
    Slist cmds;
    cmds.Add(fmt::format("rm \"{}{}\"", dir_, part));
    curl_easy_setopt(h_.get(), CURLOPT_NOBODY, 1L);
    curl_easy_setopt(h_.get(), CURLOPT_QUOTE, cmds.get());
    curl_easy_perform(h_.get());
  }

  ForwardOptions o_;
  std::unique_ptr<CURL, CurlFree> h_;
  std::string base_, dir_;
};

}  // namespace

void InitCurl() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::unique_ptr<Transfer> Transfer::Make(const ForwardOptions& opts) {
  InitCurl();
  if (opts.type == "https") return std::make_unique<HttpsTransfer>(opts);
  if (opts.type == "sftp") return std::make_unique<SftpTransfer>(opts);
  return nullptr;
}

}  // namespace rbgate::gateway
