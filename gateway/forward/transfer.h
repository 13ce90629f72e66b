// One delivery attempt to a network destination, over libcurl: SFTP (upload under a
// temporary name, then rename into place; the host key always checked against known_hosts)
// or HTTPS (POST or PUT, the certificate always verified, an Idempotency-Key header carrying
// the output's SHA-256). An attempt says delivered, refused (the destination will not take
// this file: quarantine it) or retry (the destination or the network failed: try later),
// with a reason class for counting and a plain-English detail that never holds a secret.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "spool/ledger.h"

namespace rbgate::gateway {

// A network destination's configuration ([[destination]] with type sftp or https).
struct ForwardOptions {
  std::string name;
  std::string type;  // "sftp" or "https"
  // sftp://host[:port]/absolute/dir/ (or /~/dir/ under the login's home); for https, the
  // address to send to, where "{name}" stands for the output's name.
  std::string url;
  // sftp
  std::string user, identity_file, known_hosts;
  std::string key_passphrase;  // secret: from key_passphrase_file or _env
  // https
  std::string method = "POST";  // or PUT
  std::string content_type = "application/octet-stream";
  std::string ca_file, client_cert, client_key;
  std::string client_key_passphrase;  // secret
  std::string token;                  // secret: sent as "Authorization: Bearer"
  // Both
  int connect_timeout_seconds = 10;
  int timeout_seconds = 300;
  int retry_min_seconds = 2;      // the first retry's delay; doubled each time, with jitter
  int retry_max_seconds = 600;    // the longest delay between attempts
  int max_in_flight = 2;          // transfers at once to this destination
  int circuit_failures = 5;       // failures in a row that open the circuit
  int circuit_open_seconds = 60;  // how long an open circuit stops attempts
};

class Transfer {
 public:
  // For opts.type; nullptr for a type that is not a network one.
  static std::unique_ptr<Transfer> Make(const ForwardOptions& opts);
  virtual ~Transfer() = default;
  // Sends the file at `path` as item.name. `stop` set aborts the transfer (a retry).
  // retry_at_ms is left for the caller (backoff).
  virtual spool::AttemptResult Send(const std::string& path, const spool::OutboundItem& item,
                                    const std::atomic<bool>& stop) = 0;
};

// curl_global_init, once, before any thread uses libcurl.
void InitCurl();

}  // namespace rbgate::gateway
