// The daemon's HTTP admin surface (cpp-httplib), on loopback unless configured otherwise,
// with TLS when a certificate and key are given:
//   GET /metrics  Prometheus text exposition (metrics.h)
//   GET /healthz  200 while the process lives
//   GET /readyz   200 when the ledger opens and answers, the spool is writable, free space
//                 is above the floor and (several nodes) this node's lease lasts; 503 with
//                 the failing checks otherwise; either way, the node's name when it has one
//   /api/..., /   the JSON API and the web console (admin_api.h), when a users file is set
// Requests are served on threads of its own, one per connection, made as clients come (up to
// AdminOptions::max_connections), so that slow clients never hold up /healthz; the daemon's
// work is not blocked. Each read waits at most 5 s, a connection serves at most 20 requests
// and idles at most 5 s between them. Left out: a deadline for a whole request (cpp-httplib
// 0.11 has no hook for it), so a client that dribbles a header line every few seconds holds
// its thread until it stops or the request is too long (8 KiB lines, 1 MiB bodies).
#pragma once

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gateway/admin/admin_api.h"
#include "gateway/admin/auth.h"
#include "gateway/admin/metrics.h"
#include "spool/spool.h"

namespace httplib {
class Server;
}

namespace rbgate::gateway {

struct AdminOptions {
  std::string listen = "127.0.0.1:8490";  // host:port; port 0 picks a free one; "" disables
  std::string tls_cert, tls_key;          // PEM files; both or neither
  // The console's and API's users (auth.h); empty: no API and no console, only the
  // monitoring paths.
  std::string users_file;
  std::int64_t session_idle_seconds = 1800;
  std::int64_t session_max_seconds = 12 * 3600;
  // The names the server answers to, besides localhost, 127.0.0.1, ::1 and the listen
  // address: a request whose Host header names another is refused (421), so that a web page
  // cannot read the admin server through a name rebound to this machine (DNS rebinding).
  std::vector<std::string> hosts;
  // Connections served at once (a thread each). Clients that connect and send nothing are
  // not accepted until they send (TCP_DEFER_ACCEPT), so they hold none.
  int max_connections = 1024;
};

class AdminServer {
 public:
  // `spool`, `metrics` and `late` (may be null) must outlive the server.
  AdminServer(const AdminOptions& options, spool::Spool& spool, const Metrics& metrics,
              const LateFeeds* late = nullptr);
  ~AdminServer();
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // Binds and starts serving; false with `error` when it cannot (a bad address, a port in
  // use, an unreadable certificate).
  bool Start(std::string& error);
  void Stop();
  int port() const noexcept { return port_; }
  std::string url() const;

  // What /readyz checks: empty when ready, else one line per failing check.
  std::string NotReady() const;
  Gauges ReadGauges() const;

 private:
  AdminOptions options_;
  spool::Spool& spool_;
  const Metrics& metrics_;
  const LateFeeds* late_;
  std::unique_ptr<Auth> auth_;
  std::unique_ptr<ApiContext> api_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace rbgate::gateway
