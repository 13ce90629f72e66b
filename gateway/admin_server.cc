#include "gateway/admin_server.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <httplib.h>
#include <unistd.h>

#include <charconv>
#include <chrono>

namespace rbgate::gateway {
namespace {

constexpr const char* kPrometheusType = "text/plain; version=0.0.4; charset=utf-8";

// "host:port" (IPv6 as "[::1]:port") into its parts; false when it is not one.
bool SplitListen(const std::string& listen, std::string& host, int& port) {
  const std::size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const char* begin = listen.data() + colon + 1;
  const char* end = listen.data() + listen.size();
  return std::from_chars(begin, end, port).ptr == end && port >= 0 && port <= 65535;
}

}  // namespace

AdminServer::AdminServer(const AdminOptions& options, spool::Spool& spool, const Metrics& metrics,
                         const LateFeeds* late)
    : options_(options), spool_(spool), metrics_(metrics), late_(late) {}

AdminServer::~AdminServer() { Stop(); }

std::string AdminServer::url() const {
  std::string host;
  int ignored = 0;
  SplitListen(options_.listen, host, ignored);
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return fmt::format("{}://{}:{}", options_.tls_cert.empty() ? "http" : "https", host, port_);
}

Gauges AdminServer::ReadGauges() const {
  Gauges g;
  g.backlog = spool_.Backlog();
  g.now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  g.free_bytes = spool_.FreeSpace();
  g.min_free_bytes = spool_.options().min_free_bytes;
  std::string why;
  g.ledger_ok = spool::SqliteLedgerAnswers(spool_.options().root + "/ledger.db", why);
  g.quarantined = spool_.ledger().CountInState(spool::state::kQuarantined);
  for (const auto& d : spool_.options().destinations) {
    if (d.network()) g.destinations.push_back(d.name);
  }
  if (!g.destinations.empty())
    g.outbound = spool_.ledger().OutboundStatsSince("9");  // waiting only
  if (late_ != nullptr) g.late = late_->Current();
  if (const auto& registry = spool_.options().check.registry) {
    for (const auto& e : registry->All()) {
      if (!e.built_in() || e.refused)
        g.schemas.push_back({e.schema->name(), e.refused.has_value()});
    }
    for (const auto& p : registry->AllHeld()) g.schemas.push_back({p.feed, true, true});
  }
  return g;
}

std::string AdminServer::NotReady() const {
  std::string out;
  // A connection of its own, read-only: a ledger file gone or damaged shows here even while
  // the daemon's connection still holds it open.
  if (std::string why; !spool::SqliteLedgerAnswers(spool_.options().root + "/ledger.db", why)) {
    out += "ledger: " + why + "\n";
  }
  // Writable: a file can be made and removed in work/, where every claimed file goes.
  const std::string probe = spool_.options().root + "/work/.readyz-" + std::to_string(::getpid());
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    out += "spool: work/ is not writable\n";
  } else {
    ::close(fd);
    ::unlink(probe.c_str());
  }
  if (spool_.LowOnSpace()) {
    out += fmt::format("space: {} bytes free, below the floor of {}\n", spool_.FreeSpace(),
                       spool_.options().min_free_bytes);
  }
  return out;
}

bool AdminServer::Start(std::string& error) {
  std::string host;
  if (!SplitListen(options_.listen, host, port_)) {
    error = fmt::format("admin.listen \"{}\" is not host:port", options_.listen);
    return false;
  }
  if (options_.tls_cert.empty() != options_.tls_key.empty()) {
    error = "admin.tls_cert and admin.tls_key go together";
    return false;
  }
  if (options_.tls_cert.empty()) {
    server_ = std::make_unique<httplib::Server>();
  } else {
    server_ =
        std::make_unique<httplib::SSLServer>(options_.tls_cert.c_str(), options_.tls_key.c_str());
    if (!server_->is_valid()) {
      error = fmt::format("admin: the certificate {} or key {} cannot be used", options_.tls_cert,
                          options_.tls_key);
      return false;
    }
  }
  if (!options_.users_file.empty()) {
    try {
      auth_ = std::make_unique<Auth>(AuthOptions{options_.users_file, options_.session_idle_seconds,
                                                 options_.session_max_seconds});
    } catch (const AuthError& e) {
      error = fmt::format("admin.users_file: {}", e.what());
      return false;
    }
    api_ =
        std::make_unique<ApiContext>(ApiContext{spool_, *auth_, !options_.tls_cert.empty(), late_});
    RegisterApi(*server_, *api_);
  }
  server_->new_task_queue = [] { return new httplib::ThreadPool(4); };
  server_->set_payload_max_length(1 << 20);
  server_->set_read_timeout(10, 0);
  server_->set_write_timeout(10, 0);
  server_->Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain; charset=utf-8");
  });
  server_->Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
    const std::string problems = NotReady();
    res.status = problems.empty() ? 200 : 503;
    res.set_content(problems.empty() ? "ready\n" : problems, "text/plain; charset=utf-8");
  });
  server_->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics_.Render(ReadGauges()), kPrometheusType);
  });
  if (port_ == 0) {
    port_ = server_->bind_to_any_port(host);
    if (port_ < 0) port_ = 0;
  } else if (!server_->bind_to_port(host, port_)) {
    port_ = 0;
  }
  if (port_ == 0) {
    error =
        fmt::format("admin: cannot listen on {} (in use, or not an address here)", options_.listen);
    return false;
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  return true;
}

void AdminServer::Stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace rbgate::gateway
