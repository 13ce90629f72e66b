#include "gateway/daemon/config.h"

#include <fmt/format.h>
#include <toml++/toml.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <set>
#include <tuple>

#include "schemas/detect.h"
#include "schemas/feed.h"
#include "schemas/registry.h"
#include "spool/fsio.h"
#include "spool/openpgp.h"
#include "spool/schema_store_sql.h"

namespace rbgate::gateway {
namespace {

std::string FeedList() {
  std::string out;
  for (const auto* f : schemas::BuiltinFeeds())
    out += (out.empty() ? "" : ", ") + std::string(f->name());
  return out;
}

std::string Where(const std::string& file, const toml::node* n) {
  if (n == nullptr) return file;
  return fmt::format("{}:{}:{}", file, n->source().begin.line, n->source().begin.column);
}

[[noreturn]] void Fail(const std::string& file, const toml::node* n, const std::string& key,
                       const std::string& why) {
  throw ConfigError(fmt::format("{}: {}: {}", Where(file, n), key, why));
}

std::string Resolve(const std::string& base_dir, const std::string& p) {
  if (p.empty() || p[0] == '/') return p;
  return base_dir + "/" + p;
}

// Typed access that names the key and line when the type is wrong.
class Reader {
 public:
  Reader(std::string file, const toml::table& t, std::string prefix)
      : file_(std::move(file)), t_(t), prefix_(std::move(prefix)) {}
  const std::string& prefix() const { return prefix_; }

  template <class T>
  std::optional<T> Get(const std::string& key) {
    const toml::node* n = t_.get(key);
    seen_.insert(key);
    if (n == nullptr) return std::nullopt;
    if constexpr (std::is_same_v<T, std::string>) {
      if (auto v = n->value<std::string>()) return *v;
      Fail(file_, n, prefix_ + key, "must be a string");
    } else if constexpr (std::is_same_v<T, bool>) {
      if (auto v = n->value<bool>()) return *v;
      Fail(file_, n, prefix_ + key, "must be true or false");
    } else {
      if (auto v = n->value<std::int64_t>()) {
        if (*v < 0) Fail(file_, n, prefix_ + key, "must not be negative");
        return static_cast<T>(*v);
      }
      Fail(file_, n, prefix_ + key, "must be a whole number");
    }
  }

  std::vector<std::string> Strings(const std::string& key, std::vector<std::string> fallback) {
    const toml::node* n = t_.get(key);
    seen_.insert(key);
    if (n == nullptr) return fallback;
    const toml::array* a = n->as_array();
    if (a == nullptr) Fail(file_, n, prefix_ + key, "must be a list of strings");
    std::vector<std::string> out;
    for (const auto& e : *a) {
      auto v = e.value<std::string>();
      if (!v) Fail(file_, &e, prefix_ + key, "must be a list of strings");
      out.push_back(*v);
    }
    return out;
  }

  const toml::table* Table(const std::string& key) {
    const toml::node* n = t_.get(key);
    seen_.insert(key);
    if (n == nullptr) return nullptr;
    if (!n->is_table()) Fail(file_, n, prefix_ + key, "must be a table");
    return n->as_table();
  }

  // Notes that `key` is read elsewhere (arrays of tables).
  void Known(const std::string& key) { seen_.insert(key); }

  // Unknown keys are mistakes (a misspelt key would otherwise be silently ignored).
  void NoOthers() {
    for (const auto& [k, v] : t_) {
      if (!seen_.count(std::string(k.str()))) {
        throw ConfigError(fmt::format("{}:{}:{}: {}{}: unknown key", file_, k.source().begin.line,
                                      k.source().begin.column, prefix_, k.str()));
      }
    }
  }

 private:
  std::string file_;
  const toml::table& t_;
  std::string prefix_;
  std::set<std::string> seen_;
};

// A secret (a key's passphrase, a token) from `<key>_file` or `<key>_env`; never from the
// configuration itself, which is read by more people than the secret should be.
std::string ReadSecret(const std::string& file, const std::string& dir, const toml::table& t,
                       Reader& r, const std::string& key, bool read) {
  if (t.get(key) != nullptr) {
    r.Known(key);
    Fail(file, t.get(key), r.prefix() + key,
         "a secret does not go in the configuration: name a file with " + key +
             "_file or an environment variable with " + key + "_env");
  }
  const auto from_file = r.Get<std::string>(key + "_file");
  const auto from_env = r.Get<std::string>(key + "_env");
  if (from_file && from_env) {
    Fail(file, t.get(key + "_env"), r.prefix() + key + "_env",
         "give " + key + "_file or " + key + "_env, not both");
  }
  if (!read) return {};  // an officer's command: the daemon's secrets are not its business
  if (from_file) {
    const std::string p = Resolve(dir, *from_file);
    std::FILE* f = std::fopen(p.c_str(), "rb");
    if (f == nullptr) {
      Fail(file, t.get(key + "_file"), r.prefix() + key + "_file",
           "cannot read " + p + ": " + std::strerror(errno));
    }
    std::string secret;
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) secret.append(buf, n);
    std::fclose(f);
    while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
    if (secret.empty())
      Fail(file, t.get(key + "_file"), r.prefix() + key + "_file", p + " is empty");
    return secret;
  }
  if (from_env) {
    const char* v = std::getenv(from_env->c_str());
    if (v == nullptr || *v == '\0') {
      Fail(file, t.get(key + "_env"), r.prefix() + key + "_env",
           "the environment variable " + *from_env + " is not set");
    }
    return v;
  }
  return {};
}

// A file the daemon must be able to read, named relative to the configuration.
std::string ReadableFile(const std::string& file, const std::string& dir, const toml::table& t,
                         Reader& r, const std::string& key, bool required, const std::string& why,
                         bool check) {
  const auto v = r.Get<std::string>(key);
  if (!v || v->empty()) {
    if (required) Fail(file, &t, r.prefix() + key, why);
    return {};
  }
  const std::string p = Resolve(dir, *v);
  if (check && ::access(p.c_str(), R_OK) != 0) {
    Fail(file, t.get(key), r.prefix() + key, "cannot read " + p + ": " + std::strerror(errno));
  }
  return p;
}

int Bounded(const std::string& file, const toml::table& t, Reader& r, const std::string& key,
            int fallback, int lo, int hi) {
  const auto v = r.Get<std::uint64_t>(key);
  if (!v) return fallback;
  if (*v < static_cast<std::uint64_t>(lo) || *v > static_cast<std::uint64_t>(hi)) {
    Fail(file, t.get(key), r.prefix() + key, fmt::format("must be from {} to {}", lo, hi));
  }
  return static_cast<int>(*v);
}

// A [[notify]] channel: who is told of what, and how (notify.h). `daemon`: its secrets and
// files are read and checked.
ChannelOptions ReadNotifyChannel(const std::string& file, const std::string& dir,
                                 const toml::table& t, Reader& r, bool daemon) {
  ChannelOptions o;
  o.name = r.Get<std::string>("name").value_or("");
  if (o.name.empty() || o.name != spool::Spool::SanitiseName(o.name)) {
    Fail(file, &t, "notify.name", "needs a name of letters, digits, '.', '-' or '_'");
  }
  o.type = r.Get<std::string>("type").value_or("");
  o.url = r.Get<std::string>("url").value_or("");
  for (char ch : o.url) {
    if (static_cast<unsigned char>(ch) <= 0x20 || ch == '"' || ch == '\\') {
      Fail(file, t.get("url"), "notify.url",
           "must not hold spaces, quotes, backslashes or control characters (percent-encode them)");
    }
  }
  const auto authority = [&](const std::string& scheme) {
    return o.url.substr(scheme.size(), o.url.find('/', scheme.size()) - scheme.size());
  };
  if (o.type == "email") {
    const bool smtps = o.url.rfind("smtps://", 0) == 0;
    if (!smtps && o.url.rfind("smtp://", 0) != 0) {
      Fail(file, t.get("url") ? t.get("url") : &t, "notify.url",
           "an email channel needs a url starting smtp:// (STARTTLS) or smtps://");
    }
    if (authority(smtps ? "smtps://" : "smtp://").find('@') != std::string::npos) {
      Fail(file, t.get("url"), "notify.url",
           "names a user in the url; use `user` (and password_file or password_env)");
    }
    o.from = r.Get<std::string>("from").value_or("");
    o.to = r.Strings("to", {});
    const auto address = [](const std::string& a) {
      const auto at = a.find('@');
      return at != std::string::npos && at > 0 && at + 1 < a.size() &&
             a.find_first_of("<>\"\\ \t\r\n,;") == std::string::npos;
    };
    if (!address(o.from)) {
      Fail(file, t.get("from") ? t.get("from") : &t, "notify.from",
           "an email channel needs from = \"rbgate@council.example\" (one address)");
    }
    if (o.to.empty()) Fail(file, &t, "notify.to", "an email channel needs to = [\"...\"]");
    for (const auto& a : o.to) {
      if (!address(a)) Fail(file, t.get("to"), "notify.to", "'" + a + "' is not one address");
    }
    o.user = r.Get<std::string>("user").value_or("");
    o.password = ReadSecret(file, dir, t, r, "password", daemon);
    o.tls = r.Get<std::string>("tls").value_or("required");
    if (o.tls != "required" && o.tls != "none") {
      Fail(file, t.get("tls"), "notify.tls", "must be \"required\" or \"none\"");
    }
    if (o.tls == "none" && smtps) {
      Fail(file, t.get("tls"), "notify.tls", "an smtps:// url is TLS from the start");
    }
  } else if (o.type == "webhook") {
    if (o.url.rfind("https://", 0) != 0 || o.url.size() <= 8) {
      Fail(file, t.get("url") ? t.get("url") : &t, "notify.url",
           "a webhook channel needs a url starting https://");
    }
    if (authority("https://").find('@') != std::string::npos) {
      Fail(file, t.get("url"), "notify.url", "names a user in the url; use token_file");
    }
    o.token = ReadSecret(file, dir, t, r, "token", daemon);
  } else {
    Fail(file, t.get("type") ? t.get("type") : &t, "notify.type",
         "must be \"email\" or \"webhook\"");
  }
  o.ca_file = ReadableFile(file, dir, t, r, "ca_file", false, "", daemon);
  for (const auto& e : r.Strings("events", {})) {
    if (!IsNoticeEvent(e)) {
      std::string known;
      for (const auto& i : NoticeEvents()) {
        known += known.empty() ? "" : ", ";
        known += i.name;
      }
      Fail(file, t.get("events"), "notify.events",
           fmt::format("'{}' is not an event ({})", e, known));
    }
    o.events.insert(e);
  }
  for (const auto& route : r.Strings("routes", {})) o.routes.insert(route);
  // Minutes, as officers think of a digest; seconds for the tests and the impatient.
  o.digest_seconds = Bounded(file, t, r, "digest_minutes", 0, 0, 1440) * 60;
  if (t.contains("digest_seconds")) {
    if (o.digest_seconds > 0) {
      Fail(file, t.get("digest_seconds"), r.prefix() + "digest_seconds",
           "give digest_minutes or digest_seconds, not both");
    }
    o.digest_seconds = Bounded(file, t, r, "digest_seconds", 0, 0, 86400);
  }
  o.console_url = r.Get<std::string>("console_url").value_or("");
  o.connect_timeout_seconds = Bounded(file, t, r, "connect_timeout_seconds", 10, 1, 300);
  o.timeout_seconds = Bounded(file, t, r, "timeout_seconds", 30, 1, 3600);
  o.retry_min_seconds = Bounded(file, t, r, "retry_min_seconds", 30, 1, 3600);
  o.retry_max_seconds = Bounded(file, t, r, "retry_max_seconds", 1800, 1, 86400);
  if (o.retry_max_seconds < o.retry_min_seconds) {
    Fail(file, t.get("retry_max_seconds"), r.prefix() + "retry_max_seconds",
         "must not be less than retry_min_seconds");
  }
  o.give_up_hours = Bounded(file, t, r, "give_up_hours", 24, 1, 720);
  return o;
}

// A partner's server, for a [[destination]] or a [[source]] of type sftp or https: where, how
// to prove who we are, how to check who they are, and how hard to try. `kind`: "destination" or
// "source", for messages (the keys are r.prefix()'s).
// `daemon`: the files and secrets are read and checked (an officer's commands, which may not
// be able to read them, do not need them).
ForwardOptions ReadEndpoint(const std::string& file, const std::string& dir, const toml::table& t,
                            Reader& r, const std::string& kind, const std::string& name,
                            const std::string& type, bool daemon) {
  ForwardOptions o;
  o.name = name;
  o.type = type;
  const std::string k = r.prefix();
  o.url = r.Get<std::string>("url").value_or("");
  const std::string scheme = o.type + "://";
  if (o.url.rfind(scheme, 0) != 0 || o.url.size() <= scheme.size()) {
    Fail(file, t.get("url") ? t.get("url") : &t, k + "url",
         "a " + o.type + " " + kind + " needs a url starting " + scheme);
  }
  const std::string authority =
      o.url.substr(scheme.size(), o.url.find('/', scheme.size()) - scheme.size());
  if (authority.find('@') != std::string::npos) {
    Fail(file, t.get("url"), k + "url",
         "names a user in the url; use `user` (and secrets from files or the environment)");
  }
  for (char ch : o.url) {
    if (static_cast<unsigned char>(ch) <= 0x20 || ch == '"' || ch == '\\') {
      Fail(file, t.get("url"), k + "url",
           "must not hold spaces, quotes, backslashes or control characters (percent-encode them)");
    }
  }
  if (o.type == "sftp") {
    if (o.url.back() != '/') {
      Fail(file, t.get("url"), k + "url", "an sftp url names a folder: end it with '/'");
    }
    o.user = r.Get<std::string>("user").value_or("");
    if (o.user.empty()) Fail(file, &t, k + "user", "an sftp " + kind + " needs a user");
    o.identity_file =
        ReadableFile(file, dir, t, r, "identity_file", true,
                     "an sftp " + kind + " needs identity_file (a private key)", daemon);
    o.known_hosts = ReadableFile(
        file, dir, t, r, "known_hosts", true,
        "an sftp " + kind + " needs known_hosts: the server's host key is always checked", daemon);
    o.key_passphrase = ReadSecret(file, dir, t, r, "key_passphrase", daemon);
  } else {
    if (kind == "destination") {
      o.method = r.Get<std::string>("method").value_or("POST");
      if (o.method != "POST" && o.method != "PUT") {
        Fail(file, t.get("method"), k + "method", "must be POST or PUT");
      }
      o.content_type = r.Get<std::string>("content_type").value_or("application/octet-stream");
      for (char ch : o.content_type) {
        if (static_cast<unsigned char>(ch) < 0x20) {
          Fail(file, t.get("content_type"), k + "content_type", "must be one line");
        }
      }
    }
    o.ca_file = ReadableFile(file, dir, t, r, "ca_file", false, "", daemon);
    o.client_cert = ReadableFile(file, dir, t, r, "client_cert", false, "", daemon);
    o.client_key = ReadableFile(file, dir, t, r, "client_key", false, "", daemon);
    if (o.client_cert.empty() != o.client_key.empty()) {
      Fail(file, &t, k + "client_key", "client_cert and client_key go together");
    }
    o.client_key_passphrase = ReadSecret(file, dir, t, r, "client_key_passphrase", daemon);
    o.token = ReadSecret(file, dir, t, r, "token", daemon);
  }
  o.connect_timeout_seconds = Bounded(file, t, r, "connect_timeout_seconds", 10, 1, 600);
  o.timeout_seconds = Bounded(file, t, r, "timeout_seconds", 300, 1, 86400);
  o.retry_min_seconds = Bounded(file, t, r, "retry_min_seconds", 2, 1, 3600);
  o.retry_max_seconds = Bounded(file, t, r, "retry_max_seconds", 600, 1, 86400);
  if (o.retry_max_seconds < o.retry_min_seconds) {
    Fail(file, t.get("retry_max_seconds"), k + "retry_max_seconds",
         "must not be less than retry_min_seconds");
  }
  if (kind == "destination") o.max_in_flight = Bounded(file, t, r, "max_in_flight", 2, 1, 64);
  o.circuit_failures = Bounded(file, t, r, "circuit_failures", 5, 1, 1000);
  o.circuit_open_seconds = Bounded(file, t, r, "circuit_open_seconds", 60, 1, 86400);
  return o;
}

// A [[source]]: a partner's folder collected into a route's drop folder (collector.h).
SourceOptions ReadSource(const std::string& file, const std::string& dir, const toml::table& t,
                         Reader& r, const std::set<std::string>& routes, bool daemon) {
  SourceOptions s;
  const std::string name = r.Get<std::string>("name").value_or("");
  if (name.empty() || name != spool::Spool::SanitiseName(name) || name.find('+') != name.npos) {
    Fail(file, t.get("name") ? t.get("name") : &t, "source.name",
         "needs a name of letters, digits, '.', '-' or '_'");
  }
  const std::string type = r.Get<std::string>("type").value_or("");
  if (type != "sftp" && type != "https") {
    Fail(file, t.get("type") ? t.get("type") : &t, "source.type", "must be \"sftp\" or \"https\"");
  }
  s.remote = ReadEndpoint(file, dir, t, r, "source", name, type, daemon);
  s.route = r.Get<std::string>("route").value_or("");
  if (routes.count(s.route) == 0) {
    Fail(file, t.get("route") ? t.get("route") : &t, "source.route",
         s.route.empty() ? "a source needs the route whose drop folder it feeds"
                         : "no [[route]] named '" + s.route + "'");
  }
  s.pattern = r.Get<std::string>("pattern").value_or("*");
  if (s.pattern.empty() || s.pattern.find('/') != std::string::npos) {
    Fail(file, t.get("pattern"), "source.pattern", "must be a file name pattern (no '/')");
  }
  s.poll_seconds = Bounded(file, t, r, "poll_seconds", 300, 1, 86400);
  s.settle_seconds = Bounded(file, t, r, "settle_seconds", 30, 0, 3600);
  // A schedule and a late alert, each a time and the days (a route's expect_by syntax).
  for (auto [key, days, field] :
       {std::tuple{"at", "on", &s.at}, std::tuple{"expect_by", "expect_on", &s.expect}}) {
    const auto when = r.Get<std::string>(key);
    const auto on = r.Get<std::string>(days);
    if (!when) {
      if (on)
        Fail(file, t.get(days), std::string("source.") + days, std::string("goes with ") + key);
      continue;
    }
    Expectation e;
    std::string why;
    if (!ParseExpectation(*when, on.value_or("working-days"), e, why)) {
      const bool days_wrong = why.rfind("expect_on", 0) == 0;
      // The parser names a route's keys; a source's are said as they are written.
      why.replace(0, why.find(' '), days_wrong ? days : key);
      Fail(file, t.get(days_wrong ? days : key), std::string("source.") + (days_wrong ? days : key),
           why);
    }
    *field = e;
  }
  s.after = r.Get<std::string>("after").value_or("");
  if (s.after != "delete" && s.after != "move" && s.after != "keep") {
    Fail(file, t.get("after") ? t.get("after") : &t, "source.after",
         "must say what is done on the server once the spool holds a file: \"delete\", "
         "\"move\" (to move_to) or \"keep\" (remembered, never collected twice)");
  }
  s.move_to = r.Get<std::string>("move_to").value_or("");
  if (type == "https" && s.after == "move") {
    Fail(file, t.get("after"), "source.after",
         "an https source can \"delete\" (HTTP DELETE) or \"keep\", not \"move\"");
  }
  if ((s.after == "move") != !s.move_to.empty()) {
    Fail(file, t.get("move_to") ? t.get("move_to") : &t, "source.move_to",
         "goes with after = \"move\": a folder on the server, ending in '/'");
  }
  if (!s.move_to.empty() &&
      (s.move_to.back() != '/' || s.move_to.find_first_of("\"\\") != std::string::npos)) {
    Fail(file, t.get("move_to"), "source.move_to",
         "must be a folder on the server ending in '/', without quotes or backslashes");
  }
  return s;
}

// OpenPGP fingerprints as the keyring gives them (upper case, no spaces), each one a key the
// keyring holds (a secret one when `secret`). Keys are looked up once a load, and only when
// `check` (the daemon's load): an officer's commands do not need the keyring.
class KeyNames {
 public:
  KeyNames(const std::string& file, const Config& c, bool check)
      : file_(file), c_(c), check_(check) {}

  std::string Fingerprint(const toml::table& t, const std::string& key, const std::string& where,
                          const std::string& value, bool secret) {
    const toml::node* n = t.get(key);
    if (c_.openpgp_home.empty()) {
      Fail(file_, n, where, "needs the keyring: add [openpgp] home (GNUPGHOME) first");
    }
    std::string fpr;
    for (char ch : value) {
      if (ch == ' ') continue;
      fpr += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    }
    if ((fpr.size() != 40 && fpr.size() != 64) ||
        fpr.find_first_not_of("0123456789ABCDEF") != std::string::npos) {
      Fail(file_, n, where,
           "'" + value + "' is not a key's full fingerprint (40 hex digits: gpg --fingerprint)");
    }
    if (!check_) return fpr;
    if (!keys_) {
      auto listed = spool::openpgp::ListKeys(c_.openpgp_home);
      if (!listed.ok())
        Fail(file_, n, where, "the keyring cannot be read: " + listed.status().message);
      keys_ = std::move(listed).value();
    }
    for (const auto& k : *keys_) {
      if (k.fingerprint != fpr) continue;
      if (secret && !k.secret) {
        Fail(file_, n, where,
             fpr +
                 " is a partner's public key; signing needs the council's "
                 "own secret key");
      }
      return fpr;
    }
    Fail(file_, n, where,
         "no key " + fpr + " in the keyring " + c_.openpgp_home + " (rbgate keys list)");
  }

  std::vector<std::string> Fingerprints(const toml::table& t, Reader& r, const std::string& key,
                                        const std::string& where) {
    std::vector<std::string> out;
    for (const auto& v : r.Strings(key, {})) out.push_back(Fingerprint(t, key, where, v, false));
    return out;
  }

 private:
  const std::string& file_;
  const Config& c_;
  bool check_;
  std::optional<std::vector<spool::openpgp::Key>> keys_;
};

}  // namespace

Config LoadConfig(const std::string& path, bool check_feeds, bool daemon) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    throw ConfigError(fmt::format("{}:{}:{}: {}", path, e.source().begin.line,
                                  e.source().begin.column, e.description()));
  }
  const std::string dir =
      path.find('/') == std::string::npos ? "." : path.substr(0, path.rfind('/'));
  Config c;
  c.path = path;
  Reader top(path, root, "");

  if (const toml::table* t = top.Table("spool")) {
    Reader r(path, *t, "spool.");
    c.spool.root = Resolve(dir, r.Get<std::string>("root").value_or("."));
    c.spool.min_free_bytes =
        static_cast<std::int64_t>(r.Get<std::uint64_t>("min_free_mb").value_or(64)) << 20;
    c.spool.max_file_bytes = r.Get<std::uint64_t>("max_file_mb").value_or(16384) << 20;
    r.NoOthers();
  } else {
    c.spool.root = dir;
  }
  if (const toml::table* t = top.Table("ledger")) {
    Reader r(path, *t, "ledger.");
    c.spool.ledger.url = r.Get<std::string>("url").value_or("");
    if (!c.spool.ledger.url.empty() && !spool::IsPostgresUrl(c.spool.ledger.url)) {
      Fail(path, t->get("url"), "ledger.url",
           "must be a postgresql:// URL (empty: the SQLite ledger in the spool root)");
    }
    if (!c.spool.ledger.url.empty()) {
      if (spool::Status st = spool::CheckLedgerUrl(c.spool.ledger.url); !st.ok()) {
        Fail(path, t->get("url"), "ledger.url", st.message);
      }
    }
    // Every command needs the ledger, so the password is read for officers' commands too.
    c.spool.ledger.password = ReadSecret(path, dir, *t, r, "password", true);
    r.NoOthers();
  }
  // Retention: how long originals are kept after their work is done (0: for ever).
  for (const char* table : {"archive", "quarantine"}) {
    if (const toml::table* t = top.Table(table)) {
      Reader r(path, *t, std::string(table) + ".");
      const auto days = r.Get<std::uint64_t>("retain_days").value_or(0);
      if (days > 36500) {
        Fail(path, t->get("retain_days"), std::string(table) + ".retain_days",
             "must be 0 (for ever) to 36500 days");
      }
      (std::string_view(table) == "archive" ? c.retention.archive_days
                                            : c.retention.quarantine_days) = static_cast<int>(days);
      r.NoOthers();
    }
  }
  if (const toml::table* t = top.Table("daemon")) {
    Reader r(path, *t, "daemon.");
    c.workers = static_cast<int>(r.Get<std::uint64_t>("workers").value_or(2));
    if (c.workers < 1 || c.workers > 64)
      Fail(path, t->get("workers"), "daemon.workers", "must be 1 to 64");
    c.node = r.Get<std::string>("node").value_or("");
    if (c.node.size() > 64 ||
        c.node.find_first_not_of("abcdefghijklmnopqrstuvwxyz"
                                 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") != std::string::npos) {
      Fail(path, t->get("node"), "daemon.node",
           "letters, digits, '-', '_' and '.', at most 64 (it names files)");
    }
    c.lease_seconds = static_cast<int>(r.Get<std::uint64_t>("lease_seconds").value_or(30));
    if (c.lease_seconds < 3 || c.lease_seconds > 600) {
      Fail(path, t->get("lease_seconds"), "daemon.lease_seconds", "must be 3 to 600");
    }
    c.rescan_seconds = static_cast<int>(r.Get<std::uint64_t>("rescan_seconds").value_or(10));
    if (c.rescan_seconds < 1)
      Fail(path, t->get("rescan_seconds"), "daemon.rescan_seconds", "must be at least 1");
    c.log_level = r.Get<std::string>("log_level").value_or("info");
    if (c.log_level != "info" && c.log_level != "debug" && c.log_level != "warning") {
      Fail(path, t->get("log_level"), "daemon.log_level", "must be debug, info or warning");
    }
    c.log_format = r.Get<std::string>("log_format").value_or("text");
    if (c.log_format != "text" && c.log_format != "json") {
      Fail(path, t->get("log_format"), "daemon.log_format", "must be text or json");
    }
    r.NoOthers();
  }
  if (const toml::table* t = top.Table("openpgp")) {
    Reader r(path, *t, "openpgp.");
    if (auto home = r.Get<std::string>("home"); home && !home->empty()) {
      c.openpgp_home = Resolve(dir, *home);
      if (check_feeds && spool::KindOf(c.openpgp_home) != spool::NodeKind::kDirectory) {
        Fail(path, t->get("home"), "openpgp.home",
             "is not a folder: the keyring (GNUPGHOME) must be there");
      }
    }
    c.openpgp_warn_days = Bounded(path, *t, r, "warn_days", 30, 1, 365);
    r.NoOthers();
  }
  if (const toml::table* t = top.Table("admin")) {
    Reader r(path, *t, "admin.");
    c.admin.listen = r.Get<std::string>("listen").value_or(c.admin.listen);
    c.admin.tls_cert = Resolve(dir, r.Get<std::string>("tls_cert").value_or(""));
    c.admin.tls_key = Resolve(dir, r.Get<std::string>("tls_key").value_or(""));
    c.admin.users_file = Resolve(dir, r.Get<std::string>("users_file").value_or(""));
    c.admin.hosts = r.Strings("hosts", {});
    if (const auto v = r.Get<std::int64_t>("max_connections")) {
      if (*v < 4 || *v > 4096)
        Fail(path, t->get("max_connections"), "admin.max_connections", "must be 4 to 4096");
      c.admin.max_connections = static_cast<int>(*v);
    }
    for (auto [key, field] : {std::pair{"session_idle_seconds", &c.admin.session_idle_seconds},
                              std::pair{"session_max_seconds", &c.admin.session_max_seconds}}) {
      if (auto v = r.Get<std::uint64_t>(key)) {
        if (*v < 1) Fail(path, t->get(key), std::string("admin.") + key, "must be at least 1");
        *field = static_cast<std::int64_t>(*v);
      }
    }
    if (c.admin.tls_cert.empty() != c.admin.tls_key.empty()) {
      Fail(path, t->get(c.admin.tls_cert.empty() ? "tls_key" : "tls_cert"),
           c.admin.tls_cert.empty() ? "admin.tls_key" : "admin.tls_cert",
           "tls_cert and tls_key go together");
    }
    r.NoOthers();
  }
  if (const toml::table* t = top.Table("checks")) {
    Reader r(path, *t, "checks.");
    c.calendar_file = Resolve(dir, r.Get<std::string>("calendar").value_or(""));
    c.modulus_dir = Resolve(dir, r.Get<std::string>("modulus_dir").value_or(""));
    for (const auto& d : r.Strings("schema_dirs", {})) c.schema_dirs.push_back(Resolve(dir, d));
    c.spool.store.authorities = r.Strings("voa_authorities", {});
    for (const auto& ba : c.spool.store.authorities) {
      if (ba.size() != 4 || ba.find_first_not_of("0123456789") != std::string::npos ||
          ba == "0000") {
        Fail(path, t->get("voa_authorities"), "checks.voa_authorities",
             "'" + ba + "' is not a billing authority code (four digits, 0001-9999)");
      }
    }
    c.as_of = r.Get<std::string>("processing_days_against").value_or("creation-date");
    if (c.as_of != "creation-date" && c.as_of != "today") {
      Fail(path, t->get("processing_days_against"), "checks.processing_days_against",
           "must be \"creation-date\" or \"today\"");
    }
    r.NoOthers();
  }

  top.Known("destination");
  top.Known("route");
  top.Known("notify");
  std::set<std::string> channel_names;
  if (const toml::node* n = root.get("notify")) {
    const toml::array* a = n->as_array();
    if (a == nullptr) Fail(path, n, "notify", "must be [[notify]] tables");
    for (const auto& e : *a) {
      const toml::table* t = e.as_table();
      if (t == nullptr) Fail(path, &e, "notify", "must be [[notify]] tables");
      Reader r(path, *t, "notify.");
      ChannelOptions ch = ReadNotifyChannel(path, dir, *t, r, check_feeds);
      if (!channel_names.insert(ch.name).second) {
        Fail(path, t->get("name"), "notify.name", "'" + ch.name + "' is defined twice");
      }
      r.NoOthers();
      c.notify.push_back(std::move(ch));
    }
  }
  c.spool.openpgp_home = c.openpgp_home;
  KeyNames key_names(path, c, check_feeds);
  std::set<std::string> destination_names;
  if (const toml::node* n = root.get("destination")) {
    const toml::array* a = n->as_array();
    if (a == nullptr) Fail(path, n, "destination", "must be [[destination]] tables");
    for (const auto& e : *a) {
      const toml::table* t = e.as_table();
      if (t == nullptr) Fail(path, &e, "destination", "must be [[destination]] tables");
      Reader r(path, *t, "destination.");
      spool::DestinationOptions d;
      d.name = r.Get<std::string>("name").value_or("");
      if (d.name.empty() || d.name != spool::Spool::SanitiseName(d.name)) {
        Fail(path, t, "destination.name", "needs a name of letters, digits, '.', '-' or '_'");
      }
      if (!destination_names.insert(d.name).second) {
        Fail(path, t->get("name"), "destination.name", "'" + d.name + "' is defined twice");
      }
      d.type = r.Get<std::string>("type").value_or("directory");
      if (d.type == "sftp" || d.type == "https") {
        c.forwards.push_back(
            ReadEndpoint(path, dir, *t, r, "destination", d.name, d.type, check_feeds));
      } else if (d.type == "directory") {
        auto p = r.Get<std::string>("path");
        if (!p || p->empty())
          Fail(path, t, "destination.path", "a directory destination needs a path");
        d.path = Resolve(dir, *p);
      } else {
        Fail(path, t->get("type"), "destination.type",
             "'" + d.type +
                 "' is not a destination type this version knows (directory, sftp, https)");
      }
      d.encrypt_to = key_names.Fingerprints(*t, r, "encrypt_to", "destination.encrypt_to");
      if (auto signer = r.Get<std::string>("sign_with")) {
        if (d.encrypt_to.empty()) {
          Fail(path, t->get("sign_with"), "destination.sign_with",
               "goes with encrypt_to (a signed copy is an encrypted one)");
        }
        d.sign_with =
            key_names.Fingerprint(*t, "sign_with", "destination.sign_with", *signer, true);
      }
      r.NoOthers();
      c.spool.destinations.push_back(d);
    }
  }

  // The schema files' feeds: routes may name them. A file that does not load is refused
  // here, with its JSON path, so that a route never names a feed that is not there.
  // A schema file that does not load leaves its feed undefined (the daemon logs it): a route
  // naming that feed is refused below, with the schema's fault; the rest still works, so an
  // officer's commands never fail for a broken schema.
  // The ledger keeps every version that served, so a feed whose file no longer loads serves
  // its last good version, across restarts too (only the daemon records new ones).
  std::shared_ptr<schemas::SchemaStore> store;
  if (!c.schema_dirs.empty()) {
    auto opened = spool::OpenSchemaStore(c.spool.ledger, c.spool.root,
                                         daemon && spool::MakeDirs(c.spool.root).ok());
    if (opened.ok()) {
      store = std::move(opened).value();
    } else {
      // The daemon says so; schemas then serve from files only.
      c.schema_store_problem = opened.status().message;
    }
  }
  c.spool.check.registry = std::make_shared<schemas::SchemaRegistry>(c.schema_dirs, store);
  std::set<std::string> route_names;
  if (const toml::node* n = root.get("route")) {
    const toml::array* a = n->as_array();
    if (a == nullptr) Fail(path, n, "route", "must be [[route]] tables");
    for (const auto& e : *a) {
      const toml::table* t = e.as_table();
      if (t == nullptr) Fail(path, &e, "route", "must be [[route]] tables");
      Reader r(path, *t, "route.");
      spool::RouteOptions route;
      route.name = r.Get<std::string>("name").value_or("");
      if (route.name.empty() || route.name != spool::Spool::SanitiseName(route.name)) {
        Fail(path, t, "route.name",
             "needs a name of letters, digits, '.', '-' or '_' (it names "
             "the drop folder incoming/<name>)");
      }
      if (!route_names.insert(route.name).second) {
        Fail(path, t->get("name"), "route.name", "'" + route.name + "' is defined twice");
      }
      route.feed = r.Get<std::string>("feed").value_or("auto");
      // A feed whose file was removed while rbgate was stopped serves its last version from
      // the ledger; one whose file has never loaded is held (its files wait in the folder).
      const auto& registry = *c.spool.check.registry;
      if (route.feed != "auto" && !schemas::IsBuiltinFeed(route.feed) &&
          !registry.Find(route.feed) && !registry.Held(route.feed) &&
          !c.spool.check.registry->Restore(route.feed) && check_feeds) {
        std::string schema_feeds, refused;
        for (const auto& e : c.spool.check.registry->All()) schema_feeds += ", " + e.schema->name();
        for (const auto& p : c.spool.check.registry->initial_problems()) {
          if (p.warning) continue;
          refused += "; refused: " + p.message;
        }
        Fail(path, t->get("feed"), "route.feed",
             fmt::format("'{}' is not a feed (auto, {}{}){}", route.feed, FeedList(), schema_feeds,
                         refused));
      }
      if (route.feed == "auto") route.feed.clear();
      std::string transform = r.Get<std::string>("transform").value_or("none");
      if (transform != "none" && transform != "csv" && transform != "jsonl") {
        Fail(path, t->get("transform"), "route.transform",
             "'" + transform + "' is not a transform (none, csv or jsonl)");
      }
      if (transform != "none" && !route.feed.empty() &&
          schemas::BuiltinColumns(route.feed).empty()) {
        const auto entry = c.spool.check.registry->Find(route.feed);
        if (check_feeds && !entry && !c.spool.check.registry->Held(route.feed)) {
          Fail(path, t->get("transform"), "route.transform",
               "feed " + route.feed +
                   " has no transform; Bacs reports and schema-file feeds have rows");
        }
      }
      if (transform != "none") route.transform = transform;
      const auto by = r.Get<std::string>("expect_by");
      const auto on = r.Get<std::string>("expect_on");
      if (by) {
        Expectation e;
        std::string why;
        if (!ParseExpectation(*by, on.value_or("working-days"), e, why)) {
          Fail(path, t->get(on && why.rfind("expect_on", 0) == 0 ? "expect_on" : "expect_by"),
               why.rfind("expect_on", 0) == 0 ? "route.expect_on" : "route.expect_by", why);
        }
        c.expectations[route.name] = e;
      } else if (on) {
        Fail(path, t->get("expect_on"), "route.expect_on", "goes with expect_by");
      }
      const std::string approval = r.Get<std::string>("approval").value_or("none");
      if (approval != "none" && approval != "required") {
        Fail(path, t->get("approval"), "route.approval", "must be \"required\" or \"none\"");
      }
      route.approval = approval == "required";
      route.destinations = r.Strings("destinations", {});
      for (const auto& d : route.destinations) {
        if (!destination_names.count(d)) {
          Fail(path, t->get("destinations"), "route.destinations",
               "no [[destination]] named '" + d + "'");
        }
      }
      if (const toml::table* o = r.Table("openpgp")) {
        Reader pr(path, *o, "route.openpgp.");
        const std::string decrypt = pr.Get<std::string>("decrypt").value_or("none");
        if (decrypt != "none" && decrypt != "required" && decrypt != "optional") {
          Fail(path, o->get("decrypt"), "route.openpgp.decrypt",
               "must be \"required\", \"optional\" or \"none\"");
        }
        if (decrypt != "none") route.openpgp.decrypt = decrypt;
        route.openpgp.signed_by =
            key_names.Fingerprints(*o, pr, "signed_by", "route.openpgp.signed_by");
        if (route.openpgp.any() && c.openpgp_home.empty()) {
          Fail(path, o, "route.openpgp", "needs the keyring: add [openpgp] home (GNUPGHOME) first");
        }
        pr.NoOthers();
        // Decrypted content never waits in outbound/ as it is: a network destination must
        // encrypt it again.
        for (const auto& dname : route.destinations) {
          for (const auto& d : c.spool.destinations) {
            if (d.name == dname && !route.openpgp.decrypt.empty() && d.network() && !d.encrypts()) {
              Fail(path, o, "route.openpgp",
                   "route " + route.name + " decrypts its files, and destination " + d.name + " (" +
                       d.type +
                       ") does not encrypt them again: give it encrypt_to (the partner's key), "
                       "or its copies would wait in outbound/ decrypted");
            }
          }
        }
      }
      if (const toml::table* s = r.Table("settle")) {
        Reader sr(path, *s, "route.settle.");
        route.settle.ignore_suffixes = sr.Strings("ignore_suffixes", {".part", ".tmp"});
        route.settle.done_marker = sr.Get<std::string>("done_marker").value_or("");
        route.settle.stable_seconds =
            static_cast<int>(sr.Get<std::uint64_t>("stable_seconds").value_or(2));
        sr.NoOthers();
      }
      r.NoOthers();
      c.spool.routes.push_back(route);
    }
  }
  if (c.spool.routes.empty())
    throw ConfigError(path + ": no [[route]]: nothing would be collected");
  // A channel's routes are routes defined here (checked once they are all read).
  if (const toml::array* a = root.get("notify") ? root.get("notify")->as_array() : nullptr) {
    for (std::size_t i = 0; i < c.notify.size() && i < a->size(); ++i) {
      for (const auto& r : c.notify[i].routes) {
        if (route_names.count(r) == 0) {
          const toml::table* t = (*a)[i].as_table();
          Fail(path, t != nullptr && t->get("routes") ? t->get("routes") : &(*a)[i],
               "notify.routes", "no [[route]] named '" + r + "'");
        }
      }
    }
  }
  top.Known("source");
  std::set<std::string> source_names;
  if (const toml::node* n = root.get("source")) {
    const toml::array* a = n->as_array();
    if (a == nullptr) Fail(path, n, "source", "must be [[source]] tables");
    for (const auto& e : *a) {
      const toml::table* t = e.as_table();
      if (t == nullptr) Fail(path, &e, "source", "must be [[source]] tables");
      Reader r(path, *t, "source.");
      SourceOptions s = ReadSource(path, dir, *t, r, route_names, check_feeds);
      if (!source_names.insert(s.remote.name).second ||
          destination_names.count(s.remote.name) > 0) {
        Fail(path, t->get("name"), "source.name",
             "'" + s.remote.name + "' is defined twice (sources and destinations share names)");
      }
      r.NoOthers();
      c.sources.push_back(std::move(s));
    }
  }
  top.NoOthers();
  return c;
}

std::string DefaultModulusDir() {
  if (const char* env = std::getenv("RBGATE_MODULUS_DIR")) return env;
  return RBGATE_MODULUS_CACHE;
}

std::string ExampleConfig() {
  return R"toml(# rbgate configuration. Relative paths are relative to this file's folder.
# Check it with: rbgate run --config rbgate.toml --once  (a mistake names its key and line)

[spool]
root = "."              # holds incoming/ work/ quarantine/ archive/ outbound/ and ledger.db
min_free_mb = 64        # below this much free space, take no new work (resume when freed)
max_file_mb = 16384     # larger files are quarantined unread

[ledger]
url = ""                # empty: SQLite in the spool root; several nodes share a PostgreSQL one:
                        # "postgresql://rbgate@db.example/rbgate?sslmode=verify-full&sslrootcert=/etc/rbgate/db-ca.pem"
# password_file = "/etc/rbgate/ledger.pass"   # or password_env; never in the URL

[archive]
retain_days = 0         # archived originals deleted after this many days, each on record; 0: kept
                        # for ever. Files still waiting (approval, forwarding) keep theirs.
[quarantine]
retain_days = 0         # rejected files' quarantine folders likewise; quarantined ones always wait

[daemon]
workers = 2             # files checked and delivered at once
rescan_seconds = 10     # a full look at the drop folders, besides inotify's events
# node = ""             # several nodes on one spool (a PostgreSQL ledger): this one's name
                        # (default: the host name); each holds its files in flight...
# lease_seconds = 30    # ...for this long unless renewed; a dead node's go to another after it
log_level = "info"      # debug, info or warning
log_format = "text"     # or "json": one JSON object a line (time, level, event, id, route, ...)

[admin]
listen = "127.0.0.1:8490"   # /metrics, /healthz, /readyz; "" for none; port 0 picks a free one
tls_cert = ""               # PEM certificate and key: HTTPS instead of HTTP
tls_key = ""
users_file = ""             # the web console's and API's users (rbgate admin hash-password);
                            # empty: no console, only /metrics, /healthz and /readyz
session_idle_seconds = 1800 # a console session ends after this long unused...
session_max_seconds = 43200 # ...and at this age whatever
hosts = []                  # names it answers to besides localhost and the listen address
max_connections = 1024      # connections served at once (slow clients hold one each)

[checks]
calendar = ""           # GOV.UK bank-holidays.json; empty: the built-in 2018-2027 calendar
modulus_dir = ""        # Vocalink's valacdos/scsubtab; empty: $RBGATE_MODULUS_DIR or the set-up cache
processing_days_against = "today"   # or "creation-date" (judge each file by its own date)
schema_dirs = []        # folders of schema files defining more feeds (schemas/README.md); edits
                        # are picked up without a restart
voa_authorities = []    # billing authority codes (e.g. ["0114"]) whose VOA lists the ledger keeps
                        # from list files, to balance schedules against; empty: all a list holds

# Where outputs go. A directory destination delivers by atomic rename.
[[destination]]
name = "delivered"
type = "directory"
path = "delivered"

# Network destinations (docs/operators.md: Forwarding): delivered from a durable queue, exactly once.
# [[destination]]
# name = "bank"
# type = "sftp"
# url = "sftp://bacs-gw.example:22/inbound/"
# user = "rbgate"
# identity_file = "/etc/rbgate/id_ed25519"
# known_hosts = "/etc/rbgate/known_hosts"   # the host key is always checked
# key_passphrase_file = "/etc/rbgate/id_ed25519.pass"   # secrets: *_file or *_env only
#
# [[destination]]
# name = "dms"
# type = "https"
# url = "https://dms.example/api/documents/{name}"
# method = "PUT"                            # or POST
# ca_file = "/etc/rbgate/ca.pem"            # the certificate is always verified
# token_env = "RBGATE_DMS_TOKEN"            # sent as Authorization: Bearer
# encrypt_to = ["0123 4567 89AB CDEF ..."]  # OpenPGP: each copy encrypted to these keys (full
# sign_with = "FEDC BA98 ..."               # fingerprints) and signed with the council's; sent
                                            # as <name>.pgp. Needs [openpgp] home.

# Who is told of what (docs/operators.md: Notifications); try them with rbgate notify test.
# [[notify]]
# name = "officers"
# type = "email"
# url = "smtp://mail.council.example:587"   # STARTTLS required; or smtps://
# from = "rbgate@council.example"
# to = ["revenues-systems@council.example"]
# user = "rbgate"
# password_file = "/etc/rbgate/smtp.pass"   # secrets: *_file or *_env only
# events = ["quarantined", "approval-waiting", "feed-late"]   # empty: every event
# routes = []                               # empty: every route
# console_url = "https://rbgate.council.example:8490"   # links to each file
#
# [[notify]]
# name = "teams"
# type = "webhook"
# url = "https://council.webhook.office.com/webhookb2/..."
# token_file = "/etc/rbgate/teams.token"    # if the receiver wants a bearer token
# digest_minutes = 15                       # gathered into one message; 0: each at once

# OpenPGP: the keyring (a GnuPG home: the council's service keys, partners' public keys).
# rbgate keys list shows them; keys expiring within warn_days are said daily (log, metrics).
# [openpgp]
# home = "/etc/rbgate/gnupg"
# warn_days = 30

# Partners' folders collected from, each into a route's drop folder: listed every poll_seconds,
# a file collected once it has held still for settle_seconds, and deleted, moved or kept
# (remembered, never collected twice) on the server only once the spool holds it.
# [[source]]
# name = "landlord-a"
# type = "sftp"
# url = "sftp://sftp.landlord.example/outgoing/"
# user = "council"
# identity_file = "/etc/rbgate/landlord-a.key"
# known_hosts = "/etc/rbgate/known_hosts"    # the server's host key is always checked
# route = "auto"
# pattern = "*.csv"
# poll_seconds = 300
# at = "06:30"                               # or a schedule: listed on these days from this
# on = "working-days"                        # time until a file is collected
# expect_by = "06:45"                        # nothing collected by then: source-late, feed-late
# after = "move"                             # "delete", "move" (to move_to) or "keep"
# move_to = "/outgoing/collected/"

# Drop folders: incoming/<name>/. Files are claimed once settled, checked, and then either
# archived and delivered, or quarantined for an officer (rbgate quarantine list).
[[route]]
name = "auto"
feed = "auto"           # detect from content; or name it: "bacs18", "payments", "vep", or a
                        # feed of a schema file in checks.schema_dirs
transform = "none"      # forward the file as it came; "csv" or "jsonl": Bacs reports also
                        # go with their rows for the R&B system (<name>.csv), made as checked
destinations = ["delivered"]
approval = "none"       # "required": four eyes; a second officer runs rbgate approve ID
# expect_by = "07:00"   # a file is due by this local time (TZ); none by then: feed-late in the
# expect_on = "working-days"   # log, /metrics and the console; or "every-day", "mon,wed,fri"

[route.settle]
ignore_suffixes = [".part", ".tmp"]   # a writer's temporary names; hidden files are never taken
done_marker = ""        # e.g. ".done": take FILE only once FILE.done appears
stable_seconds = 2      # otherwise: size and mtime unchanged this long

# A route taking OpenPGP files (needs [openpgp] home): each is decrypted into work/ only, its
# signature judged, its content checked and delivered; the ciphertext is what is archived.
# [route.openpgp]
# decrypt = "required"  # only files encrypted to the council's key; "optional": plain ones too
# signed_by = []        # senders' key fingerprints: a file must carry a good signature by one
)toml";
}

}  // namespace rbgate::gateway
