// The daemon's HTTP admin surface (cpp-httplib), on loopback unless configured otherwise,
// with TLS when a certificate and key are given:
//   GET /metrics  Prometheus text exposition (metrics.h)
//   GET /healthz  200 while the process lives
//   GET /readyz   200 when the ledger opens and answers, the spool is writable and free space
//                 is above the floor; 503 with the failing checks otherwise
//   /api/..., /   the JSON API and the web console (admin_api.h), when a users file is set
// Requests are served on a small pool of its own threads; the daemon's work is not blocked.
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "gateway/admin_api.h"
#include "gateway/auth.h"
#include "gateway/metrics.h"
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
