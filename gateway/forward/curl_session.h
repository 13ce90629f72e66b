// libcurl as every network exchange with a partner's server uses it: the options an SFTP or
// HTTPS request sets (timeouts, no signals, a stop flag; the host key always checked against
// known_hosts; the certificate always verified), the callbacks an exchange shares, and a failure
// said as an attempt's result. For the forwarders' transfers and the sources' collections.
#pragma once

#include <curl/curl.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "gateway/forward/transfer.h"
#include "spool/check/digest.h"
#include "spool/ledger.h"

namespace rbgate::gateway::curl {

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
  check::Sha256* hash = nullptr;  // a download: the bytes hashed (and written to `out`)
  std::FILE* out = nullptr;
  std::string host_key;  // SFTP: why the host key was refused
};

// libcurl's callbacks, each given the Exchange: the upload read from `in`; the response's body
// kept (its first bytes), or hashed and written to `out`; the HTTP status line kept; the
// transfer aborted once `stop` is set.
std::size_t ReadBody(char* buf, std::size_t size, std::size_t n, void* p);
std::size_t KeepBody(char* buf, std::size_t size, std::size_t n, void* p);
std::size_t KeepStatusLine(char* buf, std::size_t size, std::size_t n, void* p);
int Progress(void* p, curl_off_t, curl_off_t, curl_off_t, curl_off_t);
int CheckHostKey(CURL*, const curl_khkey* known, const curl_khkey* found, curl_khmatch match,
                 void* p);

// Text from outside made fit for one log line: controls become spaces, cut short.
std::string OneLine(std::string_view s, std::size_t max = 300);

// A libcurl failure as an attempt's result: the server or the network, so retry later; the
// reason a class for counting (connect, timeout, tls, host-key, auth, remote-path...).
spool::AttemptResult Failed(CURLcode rc, const char* errbuf, const std::string& where,
                            const Exchange& x);

// Options every request sets: timeouts, no signals, the stop flag.
void Common(CURL* h, const ForwardOptions& o, Exchange& x, char* errbuf);
// An SFTP request to `url` as o.user with o.identity_file, the host key checked.
void SftpOptions(CURL* h, const ForwardOptions& o, Exchange& x, char* errbuf,
                 const std::string& url);
// An HTTPS request to `url`, the certificate verified (against o.ca_file alone when given),
// with o's client certificate if any.
void HttpsOptions(CURL* h, const ForwardOptions& o, Exchange& x, char* errbuf,
                  const std::string& url);
// The folder an sftp:// url ending in '/' names, as the server's SFTP commands name it:
// decoded; /~/ is the login's home.
std::string SftpFolder(const std::string& base);

}  // namespace rbgate::gateway::curl
