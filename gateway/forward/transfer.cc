#include "gateway/forward/transfer.h"

#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <mutex>
#include <vector>

#include "gateway/forward/curl_session.h"
#include "spool/check/digest.h"

namespace rbgate::gateway {
namespace {

using spool::AttemptResult;
using Kind = AttemptResult::Kind;
using curl::Common;
using curl::CurlFree;
using curl::Exchange;
using curl::Failed;
using curl::KeepBody;
using curl::KeepStatusLine;
using curl::OneLine;
using curl::ReadBody;
using curl::Slist;

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
    std::string url = o_.url;
    if (auto at = url.find("{name}"); at != std::string::npos) url.replace(at, 6, item.name);
    curl::HttpsOptions(h, o_, x, errbuf, url);
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
    dir_ = curl::SftpFolder(base_);
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
    curl_easy_reset(h_.get());
    curl::SftpOptions(h_.get(), o_, x, errbuf, url);
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
