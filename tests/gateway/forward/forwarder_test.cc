// The forwarders' arithmetic (backoff, circuit breaker) and the network destinations'
// configuration: what is refused, with the key and line, and that secrets come only from
// files or the environment.
#include "gateway/forward/forwarder.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include "gateway/daemon/config.h"
#include "gateway/daemon/daemon.h"
#include "tests/support/temp_dir.h"

namespace rbgate::gateway {
namespace {

using testing::TempDir;
using testing::WriteFile;

TEST_CASE("backoff doubles from the minimum to the maximum, jittered over its upper half") {
  CHECK(BackoffMs(1, 2, 600, 0.0) == 1000);
  CHECK(BackoffMs(1, 2, 600, 0.999) == 1999);
  CHECK(BackoffMs(2, 2, 600, 0.0) == 2000);
  CHECK(BackoffMs(3, 2, 600, 0.5) == 6000);
  CHECK(BackoffMs(9, 2, 600, 0.0) == 256'000);
  CHECK(BackoffMs(10, 2, 600, 0.0) == 300'000);  // capped at 600 s, then jittered
  CHECK(BackoffMs(10, 2, 600, 0.999) <= 600'000);
  CHECK(BackoffMs(1'000'000, 2, 600, 0.0) == 300'000);  // no overflow however many attempts
  for (std::uint64_t a = 1; a < 40; ++a) {
    const auto lo = BackoffMs(a, 1, 30, 0.0), hi = BackoffMs(a, 1, 30, 0.9999);
    CHECK(lo >= 500);
    CHECK(hi <= 30'000);
    CHECK(lo <= hi);
  }
}

TEST_CASE("the circuit opens after failures in a row, lets one probe through, closes on success") {
  Breaker b(3, 10);
  CHECK(b.Allow(0));
  CHECK(!b.Failed(0));
  CHECK(!b.Failed(1));
  b.Succeeded();  // a success in between: the count starts again
  CHECK(!b.Failed(2));
  CHECK(!b.Failed(3));
  CHECK(b.Failed(4));  // the third in a row opens it
  CHECK(b.open(5));
  CHECK(!b.Allow(5));
  CHECK(!b.Allow(10'003));
  CHECK(b.Allow(10'004));   // half-open: one probe
  CHECK(!b.Allow(10'005));  // and only one
  CHECK(b.Failed(10'006));  // the probe failed: open again, for the full time
  CHECK(!b.Allow(20'005));
  CHECK(b.Allow(20'006));
  b.Idle();  // the probe found nothing to send
  CHECK(b.Allow(20'007));
  b.Succeeded();
  CHECK(!b.tripped());
  CHECK(b.Allow(20'008));
  CHECK(b.Allow(20'008));
}

// A configuration with one network destination table `dest` (and a route to it).
std::string WithDestination(const TempDir& dir, const std::string& dest) {
  const std::string path = dir / "rbgate.toml";
  WriteFile(path, "[spool]\nroot = \".\"\n" + dest +
                      "\n[[route]]\nname = \"auto\"\ndestinations = [\"net\"]\n");
  return path;
}

std::string Refusal(const std::string& path, bool daemon = true) {
  try {
    LoadConfig(path, daemon);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST_CASE("an sftp destination: host keys always checked, secrets from files or the environment") {
  TempDir dir;
  WriteFile(dir / "id", "key");
  WriteFile(dir / "known_hosts", "[127.0.0.1]:2222 ssh-ed25519 AAAA");
  WriteFile(dir / "pass", "s3cret phrase\n");
  const std::string base =
      "[[destination]]\nname = \"net\"\ntype = \"sftp\"\nurl = \"sftp://127.0.0.1:2222/in/\"\n"
      "user = \"rbgate\"\nidentity_file = \"id\"\n";
  {
    const auto c = LoadConfig(WithDestination(
        dir, base + "known_hosts = \"known_hosts\"\nkey_passphrase_file = \"pass\"\n"
                    "max_in_flight = 4\nretry_max_seconds = 60\n"));
    REQUIRE(c.forwards.size() == 1);
    const ForwardOptions& o = c.forwards[0];
    CHECK(o.key_passphrase == "s3cret phrase");  // the line ending is not part of it
    CHECK(o.known_hosts == dir / "known_hosts");
    CHECK(o.max_in_flight == 4);
    CHECK(o.retry_max_seconds == 60);
    CHECK(o.timeout_seconds == 300);
    CHECK(c.spool.destinations[0].network());
  }
  CHECK(Refusal(WithDestination(dir, base))
            .find("destination.known_hosts: an sftp destination "
                  "needs known_hosts") != std::string::npos);
  CHECK(Refusal(WithDestination(dir, base + "known_hosts = \"missing\"\n")).find("cannot read") !=
        std::string::npos);
  const std::string literal =
      Refusal(WithDestination(dir, base + "known_hosts = \"known_hosts\"\nkey_passphrase = "
                                          "\"hunter2\"\n"));
  CHECK(literal.find("rbgate.toml:10:") != std::string::npos);  // the line and column
  CHECK(literal.find("a secret does not go in the configuration") != std::string::npos);
  CHECK(literal.find("hunter2") == std::string::npos);
  ::unsetenv("RBGATE_TEST_UNSET");
  CHECK(Refusal(WithDestination(dir, base + "known_hosts = \"known_hosts\"\n"
                                            "key_passphrase_env = \"RBGATE_TEST_UNSET\"\n"))
            .find("the environment variable RBGATE_TEST_UNSET is not set") != std::string::npos);
  // An officer's commands neither need nor read the daemon's secrets.
  CHECK(Refusal(WithDestination(dir, base + "known_hosts = \"known_hosts\"\n"
                                            "key_passphrase_env = \"RBGATE_TEST_UNSET\"\n"),
                false)
            .empty());
  CHECK(Refusal(WithDestination(dir,
                                "[[destination]]\nname = \"net\"\ntype = \"sftp\"\nurl = "
                                "\"sftp://bob:pw@127.0.0.1/in/\"\nuser = \"rbgate\"\n"))
            .find("names a user in the url") != std::string::npos);
  CHECK(Refusal(WithDestination(dir,
                                "[[destination]]\nname = \"net\"\ntype = \"sftp\"\nurl = "
                                "\"sftp://127.0.0.1/in\"\n"))
            .find("end it with '/'") != std::string::npos);
}

TEST_CASE("an https destination: verified always, a token from the environment, limits checked") {
  TempDir dir;
  WriteFile(dir / "ca.pem", "ca");
  const std::string base =
      "[[destination]]\nname = \"net\"\ntype = \"https\"\nurl = "
      "\"https://dms.example/upload/{name}\"\nca_file = \"ca.pem\"\n";
  ::setenv("RBGATE_TEST_TOKEN", "tok-123", 1);
  {
    const auto c = LoadConfig(WithDestination(
        dir, base + "method = \"PUT\"\ntoken_env = \"RBGATE_TEST_TOKEN\"\ncontent_type = "
                    "\"text/csv\"\n"));
    REQUIRE(c.forwards.size() == 1);
    CHECK(c.forwards[0].token == "tok-123");
    CHECK(c.forwards[0].method == "PUT");
    CHECK(c.forwards[0].content_type == "text/csv");
  }
  CHECK(Refusal(WithDestination(dir, base + "method = \"GET\"\n")).find("must be POST or PUT") !=
        std::string::npos);
  CHECK(Refusal(WithDestination(dir, base + "token = \"tok-123\"\n"))
            .find("token_file or an environment variable with token_env") != std::string::npos);
  CHECK(Refusal(WithDestination(dir, base + "token_file = \"ca.pem\"\ntoken_env = "
                                            "\"RBGATE_TEST_TOKEN\"\n"))
            .find("not both") != std::string::npos);
  CHECK(Refusal(WithDestination(dir, base + "client_cert = \"ca.pem\"\n"))
            .find("client_cert and client_key go together") != std::string::npos);
  CHECK(Refusal(WithDestination(dir, base + "max_in_flight = 0\n")).find("from 1 to 64") !=
        std::string::npos);
  CHECK(Refusal(WithDestination(dir, base + "retry_min_seconds = 30\nretry_max_seconds = 10\n"))
            .find("must not be less than retry_min_seconds") != std::string::npos);
  CHECK(Refusal(WithDestination(dir, base + "verify = false\n")).find("unknown key") !=
        std::string::npos);  // there is no way to turn verification off
  CHECK(Refusal(WithDestination(dir,
                                "[[destination]]\nname = \"net\"\ntype = \"https\"\nurl = "
                                "\"http://dms.example/\"\n"))
            .find("starting https://") != std::string::npos);
  CHECK(Refusal(WithDestination(dir, "[[destination]]\nname = \"net\"\ntype = \"ftp\"\n"))
            .find("(directory, sftp, https)") != std::string::npos);
}

TEST_CASE("who acts: SUDO_USER counts only for root, so nobody else can pass for a colleague") {
  ::setenv("SUDO_USER", "approver-bob", 1);
  if (::geteuid() == 0) {
    CHECK(OsUser() == "approver-bob");
  } else {
    CHECK(OsUser() != "approver-bob");
  }
  ::unsetenv("SUDO_USER");
  CHECK(OsUser() != "approver-bob");
}

TEST_CASE("a route's approval is required or none") {
  TempDir dir;
  const std::string path = dir / "rbgate.toml";
  WriteFile(path,
            "[spool]\nroot = \".\"\n[[route]]\nname = \"dd\"\napproval = \"required\"\n"
            "[[route]]\nname = \"hb\"\n");
  const auto c = LoadConfig(path);
  CHECK(c.spool.routes[0].approval);
  CHECK(!c.spool.routes[1].approval);
  WriteFile(path, "[spool]\nroot = \".\"\n[[route]]\nname = \"dd\"\napproval = \"yes\"\n");
  CHECK(Refusal(path).find("route.approval: must be \"required\" or \"none\"") !=
        std::string::npos);
}

}  // namespace
}  // namespace rbgate::gateway
