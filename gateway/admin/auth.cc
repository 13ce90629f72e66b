#include "gateway/admin/auth.h"

#include <fmt/format.h>
#include <sodium.h>
#include <toml++/toml.h>

#include "spool/check/digest.h"

namespace rbgate::gateway {
namespace {

std::string RandomHex(std::size_t bytes) {
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  std::string hex(bytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(raw.data()),
                 raw.size());
  hex.pop_back();
  return hex;
}

bool SameText(std::string_view a, std::string_view b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

void InitSodium() {
  if (sodium_init() < 0) throw AuthError("libsodium could not be initialised");
}

}  // namespace

std::optional<Role> RoleNamed(std::string_view name) noexcept {
  if (name == "viewer") return Role::kViewer;
  if (name == "officer") return Role::kOfficer;
  if (name == "approver") return Role::kApprover;
  return std::nullopt;
}

std::string_view RoleName(Role role) noexcept {
  switch (role) {
    case Role::kViewer:
      return "viewer";
    case Role::kOfficer:
      return "officer";
    case Role::kApprover:
      break;
  }
  return "approver";
}

std::string HashPassword(std::string_view password) {
  InitSodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    throw AuthError("out of memory hashing a password");
  }
  return out;
}

bool VerifyPassword(const std::string& hash, std::string_view password) {
  InitSodium();
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

std::string TokenDigest(std::string_view token) {
  check::Sha256 h;
  h.Update(token);
  return h.HexDigest();
}

std::pair<std::string, std::string> NewToken() {
  InitSodium();
  std::string token = "rbg_" + RandomHex(32);
  std::string digest = TokenDigest(token);
  return {std::move(token), std::move(digest)};
}

Auth::Auth(AuthOptions options, spool::SessionStore& sessions, std::function<std::int64_t()> clock)
    : options_(std::move(options)),
      clock_(clock ? std::move(clock) : [] { return spool::UnixMs(); }),
      sessions_(sessions) {
  InitSodium();
  const std::string& file = options_.users_file;
  toml::table top;
  try {
    top = toml::parse_file(file);
  } catch (const toml::parse_error& e) {
    throw AuthError(fmt::format("{}:{}:{}: {}", file, e.source().begin.line,
                                e.source().begin.column, e.description()));
  }
  const auto fail = [&](const toml::node& at, const std::string& what) {
    throw AuthError(fmt::format("{}:{}: {}", file, at.source().begin.line, what));
  };
  for (const auto& [key, value] : top) {
    if (key != "user" && key != "token") {
      fail(value, fmt::format("'{}' is not a section of a users file (user, token)", key.str()));
    }
  }
  const auto entries = [&](std::string_view kind, const char* secret) {
    const toml::array* list = top[kind].as_array();
    if (list == nullptr) return;
    for (const toml::node& n : *list) {
      const toml::table* t = n.as_table();
      if (t == nullptr) fail(n, fmt::format("[[{}]] must be a table", kind));
      std::string name, role_name, hash;
      for (const auto& [k, v] : *t) {
        const auto text = v.value<std::string>();
        if (!text) fail(v, fmt::format("{}.{} must be a string", kind, k.str()));
        if (k == "name") {
          name = *text;
        } else if (k == "role") {
          role_name = *text;
        } else if (k == secret) {
          hash = *text;
        } else {
          fail(v, fmt::format("{}.{} is not a key of a {} (name, role, {})", kind, k.str(), kind,
                              secret));
        }
      }
      const auto role = RoleNamed(role_name);
      if (name.empty()) fail(n, fmt::format("a {} without a name", kind));
      if (!role)
        fail(n, fmt::format("{} {}: role must be viewer, officer or approver", kind, name));
      if (kind == "user" && hash.rfind("$argon2id$", 0) != 0) {
        fail(n, fmt::format("user {}: password must be an argon2id hash from rbgate admin "
                            "hash-password, never the password itself",
                            name));
      }
      if (kind == "token" &&
          (hash.size() != 64 || hash.find_first_not_of("0123456789abcdef") != std::string::npos)) {
        fail(n, fmt::format("token {}: sha256 must be the 64 hex digits rbgate admin new-token "
                            "prints",
                            name));
      }
      auto& map = kind == "user" ? users_ : tokens_;
      const std::string key = kind == "user" ? name : hash;
      if (!map.emplace(key, Account{*role, kind == "user" ? hash : name}).second) {
        fail(n, fmt::format("{} {} appears twice", kind, name));
      }
    }
  };
  entries("user", "password");
  entries("token", "sha256");
}

std::deque<std::int64_t>& Auth::Failures(const std::string& key) {
  auto& q = failures_[key];
  while (!q.empty() && q.front() <= Now() - options_.failure_window_seconds * 1000) q.pop_front();
  return q;
}

Auth::Login Auth::SignIn(const std::string& user, std::string_view password,
                         const std::string& address, std::string& session, std::string& csrf,
                         std::int64_t& retry_after) {
  const std::string by_user = "user:" + user, by_address = "address:" + address;
  {
    std::lock_guard lock(mu_);
    for (const std::string* key : {&by_user, &by_address}) {
      auto& q = Failures(*key);
      if (static_cast<int>(q.size()) >= options_.max_failures) {
        retry_after = std::max<std::int64_t>(
            1, (q.front() + options_.failure_window_seconds * 1000 - Now() + 999) / 1000);
        return Login::kLimited;
      }
    }
  }
  // Outside the lock: a hash check takes ~0.1 s on purpose. An unknown user costs the same.
  static const std::string kDummy = HashPassword("not a password anyone has");
  const auto it = users_.find(user);
  const bool ok =
      VerifyPassword(it == users_.end() ? kDummy : it->second.hash, password) && it != users_.end();
  std::lock_guard lock(mu_);
  if (!ok) {
    Failures(by_user).push_back(Now());
    Failures(by_address).push_back(Now());
    return Login::kRefused;
  }
  failures_.erase(by_user);
  session = RandomHex(32);
  csrf = RandomHex(32);
  const std::int64_t now = Now();
  // Sessions long ended go as new ones begin.
  (void)sessions_.PurgeSessions(now - options_.session_idle_seconds * 1000,
                                now - options_.session_max_seconds * 1000);
  if (!sessions_.AddSession({TokenDigest(session), user, csrf, now, now}).ok()) {
    session.clear();
    csrf.clear();
    return Login::kUnavailable;
  }
  return Login::kOk;
}

std::optional<Principal> Auth::FromSession(const std::string& session) {
  if (session.empty()) return std::nullopt;
  const std::string key = TokenDigest(session);
  const auto s = sessions_.GetSession(key);
  if (!s) return std::nullopt;
  const auto account = users_.find(s->user);
  const std::int64_t now = Now();
  if (account == users_.end() || now - s->seen_ms >= options_.session_idle_seconds * 1000 ||
      now - s->started_ms >= options_.session_max_seconds * 1000) {
    (void)sessions_.EndSession(key);
    return std::nullopt;
  }
  // Its use noted to the minute (or a tenth of the idle time, if less): a ledger write a minute
  // a session, not one a request; a session then ends at most that much after its idle time.
  const std::int64_t grain = std::min<std::int64_t>(60'000, options_.session_idle_seconds * 100);
  if (now - s->seen_ms >= grain) (void)sessions_.TouchSession(key, now);
  return Principal{s->user, account->second.role, true, s->csrf};
}

std::optional<Principal> Auth::FromToken(std::string_view token) const {
  const std::string digest = TokenDigest(token);
  for (const auto& [stored, account] : tokens_) {
    if (SameText(stored, digest)) return Principal{account.hash, account.role, false, {}};
  }
  return std::nullopt;
}

void Auth::SignOut(const std::string& session) {
  if (!session.empty()) (void)sessions_.EndSession(TokenDigest(session));
}

spool::StatusOr<std::uint64_t> Auth::SignOutEverywhere(const std::string& user) {
  return sessions_.EndSessionsOf(user);
}

}  // namespace rbgate::gateway
