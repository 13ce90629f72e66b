// The JSON API over the quarantine and the ledger, and the web console it serves, on the
// admin server. Every request is authenticated (a console session cookie, or an API token as
// `Authorization: Bearer`); every state-changing request from a session carries its CSRF
// token (X-CSRF-Token); every action is recorded with the user and a mandatory reason, as
// the CLI records it.
//
//   POST /api/login {user, password}     a session (cookie) and its CSRF token
//   POST /api/logout                     ends it
//   GET  /api/me                         who is signed in, as what
//   GET  /api/quarantine?feed=&day=&rule=  quarantined files, with their rules
//   GET  /api/files?q=&day=&feed=&state=  search the ledger: name, id, SHA-256, business key
//   GET  /api/files/ID                   the ledger's record: transitions, findings, actions
//   GET  /api/files/ID/findings          the findings with line, column, width, message, hint,
//                                        and a VOA schedule's reconciliation if it did not balance
//   GET  /api/files/ID/lines?from=&count=&personal=1   a page of its original (quarantined or
//                                        archived)
//   GET  /api/files/ID/original          officer and up: the original, byte for byte; on record
//   POST /api/files/ID/release|reject|reprocess {reason[, force_duplicate]}   officer and up
//   GET  /api/approvals                  files awaiting a second officer, with who released them
//   POST /api/files/ID/approve {reason}  approver only; refused to the dropper and releaser
//   GET  /api/dashboard                  files and error rate per feed and hour, last 24 hours
//   GET  /api/reports/reconcile?from=&to=&sun=&reason=&status=&personal=1&format=csv
//                                        returns matched against what was sent (rbgate reconcile)
//   GET  /api/reports/voa-lists          the VOA's lists on record (rbgate voa lists)
//   GET  /api/rules                      every rule: id, severity, summary
//   GET  /api/rules/RULE                 the rule's page: what it checks, why, example, fix, source
//   GET  /  and /console/*               the console (embedded HTML, CSS, JavaScript)
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "gateway/admin/auth.h"
#include "gateway/daemon/late_feeds.h"
#include "schemas/feed.h"
#include "schemas/feed_schema.h"
#include "schemas/registry.h"
#include "spool/spool.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace rbgate::gateway {

struct ApiContext {
  spool::Spool& spool;
  Auth& auth;
  bool tls = false;                 // cookies are then Secure
  const LateFeeds* late = nullptr;  // routes that expect files, for the dashboard
};

// One route of the API: who may call it, and whether it changes state (then a session must
// send its CSRF token). The handler runs only for a caller the route admits.
struct ApiRoute {
  const char* method;  // "GET" or "POST"
  const char* pattern;
  Role least;          // the least role that may call it
  bool changes_state;  // a session's request needs its X-CSRF-Token
  void (*handler)(ApiContext& context, const Principal& who, const httplib::Request& req,
                  httplib::Response& res);
};
// Every route but sign-in (open to anyone) and the console's static files.
std::span<const ApiRoute> ApiRoutes() noexcept;

// Registers the API's and the console's routes. `ctx` must outlive the server.
void RegisterApi(httplib::Server& server, ApiContext& ctx);

// Masks a feed's lines as a viewer sees them: as its built-in feed says (BuiltinFeed::MaskLine),
// or by a schema file's feed (its personal fields, table or JSON), else every letter and digit
// (only the layout shows). The feed's schema is looked up once, when the masker is made, so a page
// of lines costs one lookup and a schema reloaded meanwhile does not change a page half-way.
class LineMasker {
 public:
  LineMasker(const schemas::SchemaRegistry* registry, std::string_view feed);
  // `first`: the file's first line (a header's column names are not masked).
  std::string operator()(std::string_view line, bool first) const;

 private:
  const schemas::BuiltinFeed* builtin_ = nullptr;
  std::shared_ptr<const schemas::FeedSchema> schema_;
};

}  // namespace rbgate::gateway
