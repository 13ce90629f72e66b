// Who may use the admin API and web console, and as what. Users and API tokens come from a
// TOML file (admin.users_file) with argon2id password hashes (libsodium) and SHA-256 token
// digests; no secret is kept in the clear. Sessions are kept in the ledger (SessionStore, by
// their ids' SHA-256), so a restart signs nobody out, and expire when idle and at a fixed age;
// failed logins are limited per user and per client address. Thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "spool/ledger.h"

namespace rbgate::gateway {

// What a user may do. Each role may do everything the one before may.
enum class Role : std::uint8_t {
  kViewer,    // look: quarantine, ledger, dashboard; personal data always masked
  kOfficer,   // and release, reject, reprocess; may ask to see personal data
  kApprover,  // and approve (four-eyes, for routes that require it)
};
std::optional<Role> RoleNamed(std::string_view name) noexcept;
std::string_view RoleName(Role role) noexcept;

struct Principal {
  std::string user;
  Role role = Role::kViewer;
  bool session = false;  // signed in through the console (CSRF applies); false: an API token
  std::string csrf;      // the session's CSRF token
};

struct AuthOptions {
  std::string users_file;
  std::int64_t session_idle_seconds = 1800;
  std::int64_t session_max_seconds = 12 * 3600;
  int max_failures = 5;  // failed logins per user, and per address, within the window
  std::int64_t failure_window_seconds = 900;
};

struct AuthError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// An argon2id hash of `password` in libsodium's string form ($argon2id$v=19$...).
std::string HashPassword(std::string_view password);
bool VerifyPassword(const std::string& hash, std::string_view password);
// A new random API token, and the SHA-256 (hex) the users file keeps of it.
std::pair<std::string, std::string> NewToken();
std::string TokenDigest(std::string_view token);

class Auth {
 public:
  // Loads the users file. Throws AuthError naming the file and what is wrong. `sessions` (the
  // ledger) must outlive this. `clock` gives Unix milliseconds (sessions outlive a restart);
  // tests pass their own.
  Auth(AuthOptions options, spool::SessionStore& sessions,
       std::function<std::int64_t()> clock = {});

  enum class Login { kOk, kRefused, kLimited, kUnavailable };
  // Checks the password; on success, a new session and its CSRF token. kLimited (with
  // `retry_after` seconds) when too many recent failures for the user or the address;
  // kUnavailable when the ledger cannot record the session.
  Login SignIn(const std::string& user, std::string_view password, const std::string& address,
               std::string& session, std::string& csrf, std::int64_t& retry_after);
  // The signed-in user of `session`, with the role the users file gives them now, its use noted
  // (to the minute); nullopt when unknown, expired, or the user is no longer in the file.
  std::optional<Principal> FromSession(const std::string& session);
  std::optional<Principal> FromToken(std::string_view token) const;
  void SignOut(const std::string& session);
  // Every session of `user` ended (an approver's act: a lost laptop, someone leaving); how
  // many there were.
  spool::StatusOr<std::uint64_t> SignOutEverywhere(const std::string& user);
  bool Knows(const std::string& user) const { return users_.count(user) > 0; }

  std::size_t users() const noexcept { return users_.size(); }

 private:
  struct Account {
    Role role;
    std::string hash;  // password hash, or a token's SHA-256
  };
  std::int64_t Now() const { return clock_(); }
  // Failures within the window for `key`, oldest dropped; REQUIRES: mu_ held.
  std::deque<std::int64_t>& Failures(const std::string& key);

  AuthOptions options_;
  std::function<std::int64_t()> clock_;
  std::map<std::string, Account> users_;
  std::map<std::string, Account> tokens_;  // by digest; the name is kept in `hash`
  spool::SessionStore& sessions_;
  std::mutex mu_;  // guards failures_
  std::map<std::string, std::deque<std::int64_t>> failures_;
};

}  // namespace rbgate::gateway
