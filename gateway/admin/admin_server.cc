#include "gateway/admin/admin_server.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>

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

// A thread per connection, made when none is free, up to `max`; past that, connections wait
// their turn. Threads stay once made (at most `max`), ready for the next burst.
class ElasticPool final : public httplib::TaskQueue {
 public:
  explicit ElasticPool(int max) : max_(static_cast<std::size_t>(std::max(max, 4))) {}
  ~ElasticPool() override { shutdown(); }

  void enqueue(std::function<void()> fn) override {
    std::lock_guard lock(mu_);
    jobs_.push_back(std::move(fn));
    if (idle_ < jobs_.size() && threads_.size() < max_) {
      threads_.emplace_back([this] { Run(); });
    } else {
      cv_.notify_one();
    }
  }

  void shutdown() override {
    {
      std::lock_guard lock(mu_);
      if (stop_) return;
      stop_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
  }

 private:
  void Run() {
    std::unique_lock lock(mu_);
    while (true) {
      ++idle_;
      cv_.wait(lock, [this] { return stop_ || !jobs_.empty(); });
      --idle_;
      if (jobs_.empty()) return;  // stopping, nothing left
      auto fn = std::move(jobs_.front());
      jobs_.pop_front();
      lock.unlock();
      fn();
      lock.lock();
    }
  }

  const std::size_t max_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  std::vector<std::thread> threads_;
  std::size_t idle_ = 0;
  bool stop_ = false;
};

// cpp-httplib listens with a backlog of 5: a burst of connections (or clients that connect and
// send nothing, which TCP_DEFER_ACCEPT leaves in the kernel's queue) would make new ones,
// the liveness probe's among them, wait for SYN retries. Listening again on the bound socket
// sets a longer queue.
template <class Base>
class Listener final : public Base {
 public:
  using Base::Base;
  bool Deepen(int backlog) { return ::listen(Base::svr_sock_, backlog) == 0; }
};

// The host a Host header names, without its port: "a.b:8490" -> "a.b", "[::1]:80" -> "::1".
std::string HostOf(std::string h) {
  if (!h.empty() && h.front() == '[') {
    const std::size_t close = h.find(']');
    return close == std::string::npos ? h : h.substr(1, close - 1);
  }
  if (const std::size_t colon = h.rfind(':'); colon != std::string::npos) h.resize(colon);
  for (char& c : h) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return h;
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
  g.ledger_ok = spool::LedgerAnswers(spool_.options().ledger, spool_.options().root).ok();
  g.quarantined = spool_.ledger().CountInState(spool::state::kQuarantined);
  for (const auto& d : spool_.options().destinations) {
    if (d.network()) g.destinations.push_back(d.name);
  }
  if (!g.destinations.empty())
    g.outbound = spool_.ledger().OutboundStatsSince("9");  // waiting only
  if (late_ != nullptr) g.late = late_->Current();
  if (!metrics_.notify_channels().empty()) g.notices = spool_.ledger().NoticeStatsByChannel();
  if (const auto& registry = spool_.options().check.registry) {
    for (const auto& e : registry->All()) {
      if (!e.built_in() || e.refused)
        g.schemas.push_back({e.schema->name(), e.refused.has_value()});
    }
    for (const auto& p : registry->AllHeld()) g.schemas.push_back({p.feed, true, true});
  }
  if (g.node = spool_.options().node; !g.node.empty()) {
    g.leads = spool_.ledger().Leads();
    g.nodes = spool_.ledger().Nodes();
  }
  return g;
}

std::string AdminServer::NotReady() const {
  std::string out;
  // A connection of its own, read-only: a ledger file gone or damaged shows here even while
  // the daemon's connection still holds it open.
  if (const spool::Status answers =
          spool::LedgerAnswers(spool_.options().ledger, spool_.options().root);
      !answers.ok()) {
    out += "ledger: " + answers.message + "\n";
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
  // Several nodes: a node whose lease ran out takes no new work (another may adopt its files).
  if (const std::string& node = spool_.options().node; !node.empty() && out.empty()) {
    const auto nodes = spool_.ledger().Nodes();
    const auto me = std::find_if(nodes.begin(), nodes.end(),
                                 [&](const spool::NodeRecord& n) { return n.node == node; });
    if (me == nodes.end() || me->lease_until_ms < spool::UnixMs()) {
      out += fmt::format(
          "lease: node {}'s lease {}; it takes no new work until it joins again\n", node,
          me == nodes.end() ? "is not on the ledger"
                            : "ran out at " + spool::IsoFromUnixMs(me->lease_until_ms));
    }
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
    server_ = std::make_unique<Listener<httplib::Server>>();
  } else {
    server_ = std::make_unique<Listener<httplib::SSLServer>>(options_.tls_cert.c_str(),
                                                             options_.tls_key.c_str());
    if (!server_->is_valid()) {
      error = fmt::format("admin: the certificate {} or key {} cannot be used", options_.tls_cert,
                          options_.tls_key);
      return false;
    }
  }
  if (!options_.users_file.empty()) {
    try {
      auth_ = std::make_unique<Auth>(AuthOptions{options_.users_file, options_.session_idle_seconds,
                                                 options_.session_max_seconds},
                                     spool_.ledger());
    } catch (const AuthError& e) {
      error = fmt::format("admin.users_file: {}", e.what());
      return false;
    }
    api_ =
        std::make_unique<ApiContext>(ApiContext{spool_, *auth_, !options_.tls_cert.empty(), late_});
    RegisterApi(*server_, *api_);
  }
  const int max_connections = options_.max_connections;
  server_->new_task_queue = [max_connections] { return new ElasticPool(max_connections); };
  server_->set_payload_max_length(1 << 20);
  server_->set_read_timeout(5, 0);
  server_->set_write_timeout(10, 0);
  server_->set_keep_alive_max_count(20);
  server_->set_keep_alive_timeout(5);
  // A client that connects and sends nothing is not accepted (no thread) until it sends.
  server_->set_socket_options([](int sock) {
    httplib::default_socket_options(sock);
    const int seconds = 5;
    ::setsockopt(sock, IPPROTO_TCP, TCP_DEFER_ACCEPT, &seconds, sizeof seconds);
  });
  // Only the names this server answers to (DNS rebinding): a missing Host (HTTP/1.0 probes)
  // passes, as no browser sends one.
  std::vector<std::string> names = {"localhost", "127.0.0.1", "::1", HostOf(host)};
  for (const auto& h : options_.hosts) names.push_back(HostOf(h));
  server_->set_pre_routing_handler([names](const httplib::Request& req, httplib::Response& res) {
    if (!req.has_header("Host")) return httplib::Server::HandlerResponse::Unhandled;
    const std::string asked = HostOf(req.get_header_value("Host"));
    if (std::find(names.begin(), names.end(), asked) != names.end())
      return httplib::Server::HandlerResponse::Unhandled;
    res.status = 421;
    res.set_content(fmt::format("this server does not answer to the name '{}' (admin.hosts)\n",
                                asked.substr(0, 100)),
                    "text/plain; charset=utf-8");
    return httplib::Server::HandlerResponse::Handled;
  });
  server_->Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain; charset=utf-8");
  });
  server_->Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
    const std::string problems = NotReady();
    res.status = problems.empty() ? 200 : 503;
    const std::string& node = spool_.options().node;
    res.set_content((problems.empty() ? "ready\n" : problems) +
                        (node.empty() ? "" : fmt::format("node: {}\n", node)),
                    "text/plain; charset=utf-8");
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
  const int backlog = std::max(options_.max_connections, 128);
  if (auto* plain = dynamic_cast<Listener<httplib::Server>*>(server_.get())) plain->Deepen(backlog);
  if (auto* tls = dynamic_cast<Listener<httplib::SSLServer>*>(server_.get())) tls->Deepen(backlog);
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  return true;
}

void AdminServer::Stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace rbgate::gateway
