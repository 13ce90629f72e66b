#include <doctest/doctest.h>

#include <set>
#include <string>

#include "gateway/admin/admin_api.h"

namespace rbgate::gateway {
namespace {

// The API is a table: who may call each route and whether it changes state are data, so a
// new route cannot forget either.
TEST_CASE("every API route names its least role, and every state change needs its CSRF token") {
  std::set<std::string> seen;
  int posts = 0;
  for (const ApiRoute& r : ApiRoutes()) {
    CAPTURE(r.pattern);
    CHECK(seen.insert(std::string(r.method) + " " + r.pattern).second);
    CHECK(static_cast<bool>(r.handler));
    CHECK(r.least >= Role::kViewer);
    const bool post = std::string(r.method) == "POST";
    CHECK((post || std::string(r.method) == "GET"));
    CHECK(r.changes_state == post);  // a GET never changes anything; a POST always needs it
    if (post) ++posts;
    const std::string pattern = r.pattern;
    if (pattern.ends_with("/approve") || pattern.ends_with("/sign-out")) {
      CHECK(r.least == Role::kApprover);
    }
    if (pattern.ends_with("/release") || pattern.ends_with("/reject") ||
        pattern.ends_with("/reprocess")) {
      CHECK(r.least == Role::kOfficer);
    }
  }
  // Logout, the four decisions and signing a user out everywhere; sign-in is the only open
  // route.
  CHECK(posts == 6);
  CHECK(seen.count("POST /api/login") == 0);
}

}  // namespace
}  // namespace rbgate::gateway
