// A receiving HTTPS server for the forwarding tests: what a council's document store or a
// bank's gateway would be, with faults on demand. It stores each upload under the name in its
// Content-Disposition and honours Idempotency-Key as a careful server does: a key already
// stored is answered 200 again without storing twice. Every request is a line in
// STORE/requests.log ("stored KEY NAME", "replayed KEY NAME", "failed ...", "refused ...").
//
//   https_sink --cert C --key K --store DIR --port-file F [--port P] [--client-ca CA]
//
// POST /_mode with a body sets how the next uploads are answered:
//   ok            201, stored
//   fail N        500 for the next N uploads (nothing stored), then ok
//   hang S        store, then wait S seconds before answering (a client gives up first)
//   reject        400 with a reason in the body
//
// With --serve DIR it is also a partner's server that files are collected from: GET /files/
// lists DIR's files as JSON ([{"name", "size", "modified"}]), GET (and HEAD) /files/NAME serves
// one, DELETE /files/NAME removes it; with --token T, each of those wants "Bearer T".
#include <httplib.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>

namespace {

std::string Arg(int argc, char** argv, const std::string& name) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == name) return argv[i + 1];
  }
  return {};
}

struct Sink {
  std::string dir;
  std::mutex mu;
  std::set<std::string> stored;  // idempotency keys
  std::string mode = "ok";
  int arg = 0;

  void Log(const std::string& line) {
    std::ofstream(dir + "/requests.log", std::ios::app) << line << '\n';
  }
};

std::string NameOf(const httplib::Request& req) {
  const std::string cd = req.get_header_value("Content-Disposition");
  const auto at = cd.find("filename=\"");
  if (at == std::string::npos) return "unnamed";
  const auto end = cd.find('"', at + 10);
  std::string name = cd.substr(at + 10, end - at - 10);
  for (char& c : name) {
    if (c == '/' || c == '\\') c = '_';
  }
  return name;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string cert = Arg(argc, argv, "--cert"), key = Arg(argc, argv, "--key");
  const std::string client_ca = Arg(argc, argv, "--client-ca");
  Sink sink;
  sink.dir = Arg(argc, argv, "--store");
  const std::string port_file = Arg(argc, argv, "--port-file");
  if (cert.empty() || key.empty() || sink.dir.empty() || port_file.empty()) {
    std::fprintf(stderr, "usage: https_sink --cert C --key K --store DIR --port-file F\n");
    return 2;
  }
  {
    // Keys stored before a restart are remembered, as a real server's database would.
    std::ifstream log(sink.dir + "/requests.log");
    for (std::string event, key, rest; log >> event >> key && std::getline(log, rest);) {
      if (event == "stored") sink.stored.insert(key);
    }
  }
  httplib::SSLServer server(cert.c_str(), key.c_str(),
                            client_ca.empty() ? nullptr : client_ca.c_str());
  if (!server.is_valid()) {
    std::fprintf(stderr, "https_sink: cannot load the certificate or key\n");
    return 2;
  }
  server.Post("/_mode", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(sink.mu);
    const auto sp = req.body.find(' ');
    sink.mode = req.body.substr(0, sp);
    sink.arg = sp == std::string::npos ? 0 : std::stoi(req.body.substr(sp + 1));
    res.set_content("mode " + req.body + "\n", "text/plain");
  });
  const auto upload = [&](const httplib::Request& req, httplib::Response& res) {
    const std::string idem = req.get_header_value("Idempotency-Key");
    const std::string name = NameOf(req);
    std::string mode;
    int arg = 0;
    {
      std::lock_guard lock(sink.mu);
      if (sink.stored.count(idem)) {
        sink.Log("replayed " + idem + " " + name);
        res.status = 200;
        res.set_content("already have it\n", "text/plain");
        return;
      }
      mode = sink.mode;
      arg = sink.arg;
      if (mode == "fail") {
        if (--sink.arg <= 0) sink.mode = "ok";
        sink.Log("failed " + idem + " " + name);
        res.status = 500;
        res.set_content("temporarily unavailable\n", "text/plain");
        return;
      }
      if (mode == "reject") {
        sink.Log("refused " + idem + " " + name);
        res.status = 400;
        res.set_content("field 'reference' is missing from line 3", "text/plain");
        return;
      }
      if (idem.empty() || req.get_header_value("Content-Type").empty()) {
        sink.Log("refused-headers " + idem + " " + name);
        res.status = 422;
        res.set_content("no Idempotency-Key or Content-Type", "text/plain");
        return;
      }
      std::ofstream(sink.dir + "/" + name, std::ios::binary) << req.body;
      sink.stored.insert(idem);
      sink.Log("stored " + idem + " " + name + " " + req.method + " " +
               req.get_header_value("Authorization"));
    }
    if (mode == "hang") std::this_thread::sleep_for(std::chrono::seconds(arg));
    res.status = 201;
    res.set_content("stored\n", "text/plain");
  };
  const std::string serve = Arg(argc, argv, "--serve"), token = Arg(argc, argv, "--token");
  const auto allowed = [&](const httplib::Request& req, httplib::Response& res) {
    if (token.empty() || req.get_header_value("Authorization") == "Bearer " + token) return true;
    res.status = 401;
    return false;
  };
  if (!serve.empty()) {
    server.Get("/files/", [&](const httplib::Request& req, httplib::Response& res) {
      if (!allowed(req, res)) return;
      std::string out = "[";
      for (const auto& e : std::filesystem::directory_iterator(serve)) {
        const std::string name = e.path().filename().string();
        struct stat st {};
        if (!e.is_regular_file() || name[0] == '.' || ::stat(e.path().c_str(), &st) != 0) continue;
        out += (out.size() > 1 ? "," : "") + std::string("{\"name\":\"") + name +
               "\",\"size\":" + std::to_string(st.st_size) + ",\"modified\":\"" +
               std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec) + "\"}";
      }
      res.set_content(out + "]", "application/json");
    });
    server.Get(R"(/files/([^/]+))", [&](const httplib::Request& req, httplib::Response& res) {
      if (!allowed(req, res)) return;
      std::ifstream in(serve + "/" + req.matches[1].str(), std::ios::binary);
      if (!in) {
        res.status = 404;
        return;
      }
      std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      res.set_content(body, "application/octet-stream");
    });
    server.Delete(R"(/files/([^/]+))", [&](const httplib::Request& req, httplib::Response& res) {
      if (!allowed(req, res)) return;
      res.status = std::filesystem::remove(serve + "/" + req.matches[1].str()) ? 204 : 404;
    });
  }
  server.Post(R"(/upload.*)", upload);
  server.Put(R"(/upload.*)", upload);
  // --port P: that port (a restart where the client expects it); else any free one.
  const std::string fixed = Arg(argc, argv, "--port");
  int port = 0;
  if (fixed.empty()) {
    port = server.bind_to_any_port("127.0.0.1");
  } else if (server.bind_to_port("127.0.0.1", std::stoi(fixed))) {
    port = std::stoi(fixed);
  }
  if (port <= 0) {
    std::fprintf(stderr, "https_sink: cannot bind\n");
    return 2;
  }
  {
    std::ofstream out(port_file + ".tmp");
    out << port << '\n';
  }
  std::rename((port_file + ".tmp").c_str(), port_file.c_str());
  server.listen_after_bind();
  return 0;
}
