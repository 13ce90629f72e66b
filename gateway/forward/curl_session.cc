// libcurl as every network exchange with a partner's server uses it (curl_session.h).
#include "gateway/forward/curl_session.h"

#include <fmt/format.h>
#include <openssl/evp.h>

namespace rbgate::gateway::curl {

using Kind = spool::AttemptResult::Kind;

namespace {

constexpr std::size_t kBodyKept = 512;

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

}  // namespace

std::size_t ReadBody(char* buf, std::size_t size, std::size_t n, void* p) {
  return std::fread(buf, size, n, static_cast<Exchange*>(p)->in);
}

std::size_t KeepBody(char* buf, std::size_t size, std::size_t n, void* p) {
  auto* x = static_cast<Exchange*>(p);
  const std::size_t len = size * n;
  if (x->out != nullptr && std::fwrite(buf, 1, len, x->out) != len) return 0;  // disk full
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
std::string OneLine(std::string_view s, std::size_t max) {
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
spool::AttemptResult Failed(CURLcode rc, const char* errbuf, const std::string& where,
                            const Exchange& x) {
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

void SftpOptions(CURL* h, const ForwardOptions& o, Exchange& x, char* errbuf,
                 const std::string& url) {
  Common(h, o, x, errbuf);
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "sftp");
  curl_easy_setopt(h, CURLOPT_USERNAME, o.user.c_str());
  curl_easy_setopt(h, CURLOPT_SSH_AUTH_TYPES, static_cast<long>(CURLSSH_AUTH_PUBLICKEY));
  curl_easy_setopt(h, CURLOPT_SSH_PRIVATE_KEYFILE, o.identity_file.c_str());
  curl_easy_setopt(h, CURLOPT_SSH_PUBLIC_KEYFILE, "");  // derived from the private key
  if (!o.key_passphrase.empty()) curl_easy_setopt(h, CURLOPT_KEYPASSWD, o.key_passphrase.c_str());
  curl_easy_setopt(h, CURLOPT_SSH_KNOWNHOSTS, o.known_hosts.c_str());
  curl_easy_setopt(h, CURLOPT_SSH_KEYFUNCTION, CheckHostKey);
  curl_easy_setopt(h, CURLOPT_SSH_KEYDATA, &x);
}

void HttpsOptions(CURL* h, const ForwardOptions& o, Exchange& x, char* errbuf,
                  const std::string& url) {
  Common(h, o, x, errbuf);
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!o.ca_file.empty()) {
    curl_easy_setopt(h, CURLOPT_CAINFO, o.ca_file.c_str());
    curl_easy_setopt(h, CURLOPT_CAPATH, nullptr);  // only the CA named
  }
  if (!o.client_cert.empty()) curl_easy_setopt(h, CURLOPT_SSLCERT, o.client_cert.c_str());
  if (!o.client_key.empty()) curl_easy_setopt(h, CURLOPT_SSLKEY, o.client_key.c_str());
  if (!o.client_key_passphrase.empty()) {
    curl_easy_setopt(h, CURLOPT_KEYPASSWD, o.client_key_passphrase.c_str());
  }
}

std::string SftpFolder(const std::string& base) {
  std::string dir;
  std::unique_ptr<CURLU, void (*)(CURLU*)> u(curl_url(), curl_url_cleanup);
  char* p = nullptr;
  if (curl_url_set(u.get(), CURLUPART_URL, base.c_str(), 0) == CURLUE_OK &&
      curl_url_get(u.get(), CURLUPART_PATH, &p, CURLU_URLDECODE) == CURLUE_OK) {
    dir = p;
    curl_free(p);
  }
  if (dir.rfind("/~/", 0) == 0) dir = dir.substr(3);
  return dir;
}

}  // namespace rbgate::gateway::curl
