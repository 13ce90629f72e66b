// Users, passwords, tokens, sessions and the sign-in limit, with a clock the test moves.
#include "gateway/admin/auth.h"

#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <string>

#include "spool/ledger.h"
#include "tests/support/temp_dir.h"

namespace rbgate::gateway {
namespace {

using testing::TempDir;

// The sessions' store: a real ledger (SQLite) in `dir`.
std::unique_ptr<spool::Ledger> Sessions(const TempDir& dir) {
  auto l = spool::OpenSqliteLedger(dir / "ledger.db");
  REQUIRE_MESSAGE(l.ok(), l.status().message);
  return std::move(l).value();
}

std::string UsersFile(const TempDir& dir, const std::string& text) {
  const std::string path = dir / "users.toml";
  std::ofstream(path) << text;
  return path;
}

TEST_CASE("passwords are argon2id hashes that verify, and tokens are kept as digests") {
  const std::string hash = HashPassword("correct horse battery staple");
  CHECK(hash.rfind("$argon2id$", 0) == 0);
  CHECK(hash.find("correct") == std::string::npos);
  CHECK(VerifyPassword(hash, "correct horse battery staple"));
  CHECK_FALSE(VerifyPassword(hash, "correct horse battery stapl"));
  CHECK(HashPassword("same") != HashPassword("same"));  // salted
  const auto [token, digest] = NewToken();
  CHECK(token.rfind("rbg_", 0) == 0);
  CHECK(token.size() == 68);
  CHECK(digest == TokenDigest(token));
  CHECK(digest.size() == 64);
}

TEST_CASE("a users file with a mistake is refused with the file, line and what is wrong") {
  TempDir dir;
  const std::string hash = HashPassword("a long enough password");
  auto ledger = Sessions(dir);
  const auto refused = [&](const std::string& text, const std::string& words) {
    CAPTURE(text);
    try {
      Auth auth({UsersFile(dir, text)}, *ledger);
      FAIL("loaded");
    } catch (const AuthError& e) {
      CHECK_MESSAGE(std::string(e.what()).find(words) != std::string::npos, e.what());
    }
  };
  refused("[[user]]\nname = \"a\"\nrole = \"officer\"\npassword = \"hunter2\"\n",
          "users.toml:1: user a: password must be an argon2id hash");
  refused("[[user]]\nname = \"a\"\nrole = \"admin\"\npassword = \"" + hash + "\"\n",
          "role must be viewer, officer or approver");
  refused("[[user]]\nname = \"a\"\nrole = \"viewer\"\npassword = \"" + hash +
              "\"\n[[user]]\nname = \"a\"\nrole = \"viewer\"\npassword = \"" + hash + "\"\n",
          "user a appears twice");
  refused("[[user]]\nname = \"a\"\nrole = \"viewer\"\npasswd = \"x\"\n",
          "user.passwd is not a key of a user");
  refused("[[token]]\nname = \"t\"\nrole = \"viewer\"\nsha256 = \"abc\"\n",
          "sha256 must be the 64 hex digits");
  refused("[admins]\n", "'admins' is not a section");
  refused("[[user]\n", "users.toml:1:");
  try {
    Auth auth({dir / "missing.toml"}, *ledger);
    FAIL("loaded");
  } catch (const AuthError& e) {
    CHECK(std::string(e.what()).find("missing.toml") != std::string::npos);
  }
}

TEST_CASE("sessions expire when idle and at their age; sign-ins are limited") {
  TempDir dir;
  const auto [token, digest] = NewToken();
  const std::string file = UsersFile(
      dir, "[[user]]\nname = \"alice\"\nrole = \"officer\"\npassword = \"" +
               HashPassword("alice's password") + "\"\n[[user]]\nname = \"bob\"\nrole = " +
               "\"approver\"\npassword = \"" + HashPassword("bob's password") + "\"\n" +
               "[[token]]\nname = \"grafana\"\nrole = \"viewer\"\nsha256 = \"" + digest + "\"\n");
  std::int64_t now = 1'000'000;  // milliseconds
  auto ledger = Sessions(dir);
  Auth auth({file, /*idle*/ 60, /*max*/ 300, /*failures*/ 3, /*window*/ 100}, *ledger,
            [&] { return now; });
  CHECK(auth.users() == 2);
  std::string session, csrf;
  std::int64_t retry = 0;
  REQUIRE(auth.SignIn("alice", "alice's password", "10.0.0.1", session, csrf, retry) ==
          Auth::Login::kOk);
  CHECK(session.size() == 64);
  CHECK(csrf.size() == 64);
  CHECK(csrf != session);
  auto who = auth.FromSession(session);
  REQUIRE(who);
  CHECK(who->user == "alice");
  CHECK(who->role == Role::kOfficer);
  CHECK(who->session);
  CHECK(who->csrf == csrf);
  // Used every 50 s: it stays alive until its age of 300 s.
  for (int i = 0; i < 5; ++i) {
    now += 50'000;
    CHECK(auth.FromSession(session));
  }
  now += 50'001;
  CHECK_FALSE(auth.FromSession(session));  // 300 s old
  REQUIRE(auth.SignIn("alice", "alice's password", "10.0.0.1", session, csrf, retry) ==
          Auth::Login::kOk);
  now += 60'000;
  CHECK_FALSE(auth.FromSession(session));  // idle for 60 s
  REQUIRE(auth.SignIn("alice", "alice's password", "10.0.0.1", session, csrf, retry) ==
          Auth::Login::kOk);
  auth.SignOut(session);
  CHECK_FALSE(auth.FromSession(session));

  // Tokens: the token itself, not its digest, and its role.
  const auto t = auth.FromToken(token);
  REQUIRE(t);
  CHECK(t->user == "grafana");
  CHECK(t->role == Role::kViewer);
  CHECK_FALSE(t->session);
  CHECK_FALSE(auth.FromToken(digest));
  CHECK_FALSE(auth.FromToken(""));

  // Three failures for bob: the fourth attempt is refused even with the right password,
  // until the window has passed; another user from another address is not affected.
  for (int i = 0; i < 3; ++i) {
    CHECK(auth.SignIn("bob", "guess", "10.0.0.2", session, csrf, retry) == Auth::Login::kRefused);
  }
  CHECK(auth.SignIn("bob", "bob's password", "10.0.0.3", session, csrf, retry) ==
        Auth::Login::kLimited);
  CHECK(retry == 100);
  CHECK(auth.SignIn("alice", "alice's password", "10.0.0.9", session, csrf, retry) ==
        Auth::Login::kOk);
  // The address that failed is limited for every user.
  CHECK(auth.SignIn("alice", "alice's password", "10.0.0.2", session, csrf, retry) ==
        Auth::Login::kLimited);
  now += 100'001;
  CHECK(auth.SignIn("bob", "bob's password", "10.0.0.3", session, csrf, retry) == Auth::Login::kOk);
  CHECK(auth.FromSession(session)->role == Role::kApprover);
  // An unknown user fails like a wrong password.
  CHECK(auth.SignIn("mallory", "x", "10.0.0.4", session, csrf, retry) == Auth::Login::kRefused);
}

TEST_CASE("sessions survive a restart, kept by their ids' digests; a user signed out everywhere") {
  TempDir dir;
  const auto users = [&](const std::string& alice_role, bool with_bob = true) {
    return UsersFile(dir, "[[user]]\nname = \"alice\"\nrole = \"" + alice_role +
                              "\"\npassword = \"" + HashPassword("alice's password") + "\"\n" +
                              (with_bob ? "[[user]]\nname = \"bob\"\nrole = \"approver\"\n"
                                          "password = \"" +
                                              HashPassword("bob's password") + "\"\n"
                                        : ""));
  };
  std::int64_t now = 1'000'000;
  std::string a1, a2, b1, csrf, ignored;
  std::int64_t retry = 0;
  {
    auto ledger = Sessions(dir);
    Auth auth({users("officer"), 1800, 43200}, *ledger, [&] { return now; });
    REQUIRE(auth.SignIn("alice", "alice's password", "10.0.0.1", a1, csrf, retry) ==
            Auth::Login::kOk);
    REQUIRE(auth.SignIn("alice", "alice's password", "10.0.0.5", a2, ignored, retry) ==
            Auth::Login::kOk);
    REQUIRE(auth.SignIn("bob", "bob's password", "10.0.0.2", b1, ignored, retry) ==
            Auth::Login::kOk);
  }
  // The ledger holds each id's SHA-256, never the id (the browser's cookie).
  for (const char* part : {"ledger.db", "ledger.db-wal"}) {
    std::ifstream in(dir / part, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(bytes.find(a1) == std::string::npos);
  }
  // A restart: a new Auth on the same ledger knows the session, its user and CSRF token.
  now += 600'000;
  auto ledger = Sessions(dir);
  {
    Auth auth({users("officer"), 1800, 43200}, *ledger, [&] { return now; });
    const auto who = auth.FromSession(a1);
    REQUIRE(who);
    CHECK(who->user == "alice");
    CHECK(who->role == Role::kOfficer);
    CHECK(who->csrf == csrf);
    CHECK_FALSE(auth.FromSession(TokenDigest(a1)));  // the digest is not a session
    // Signed out everywhere: both of alice's sessions, none of bob's.
    auto ended = auth.SignOutEverywhere("alice");
    REQUIRE(ended.ok());
    CHECK(*ended == 2);
    CHECK_FALSE(auth.FromSession(a1));
    CHECK_FALSE(auth.FromSession(a2));
    CHECK(auth.FromSession(b1));
    REQUIRE(auth.SignIn("alice", "alice's password", "10.0.0.1", a1, csrf, retry) ==
            Auth::Login::kOk);
  }
  // The users file decides the role now: alice demoted to viewer; bob removed, signed out.
  Auth auth({users("viewer", false), 1800, 43200}, *ledger, [&] { return now; });
  REQUIRE(auth.FromSession(a1));
  CHECK(auth.FromSession(a1)->role == Role::kViewer);
  CHECK_FALSE(auth.FromSession(b1));
  // Idle past its time across a restart: ended.
  now += 1'800'000 + 60'000;
  CHECK_FALSE(auth.FromSession(a1));
}

TEST_CASE("roles by name, in order") {
  CHECK(RoleNamed("viewer") == Role::kViewer);
  CHECK(RoleNamed("officer") == Role::kOfficer);
  CHECK(RoleNamed("approver") == Role::kApprover);
  CHECK_FALSE(RoleNamed("admin"));
  CHECK(Role::kViewer < Role::kOfficer);
  CHECK(Role::kOfficer < Role::kApprover);
  CHECK(RoleName(Role::kOfficer) == "officer");
}

}  // namespace
}  // namespace rbgate::gateway
