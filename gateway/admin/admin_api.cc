#include "gateway/admin/admin_api.h"

#include <fmt/format.h>
#include <httplib.h>
#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <ctime>
#include <map>
#include <set>
#include <span>

#include "gateway/rules/explain.h"
#include "schemas/dates.h"
#include "schemas/feed.h"
#include "schemas/feed_store.h"
#include "schemas/json/mask.h"
#include "schemas/registry.h"
#include "schemas/table/mask.h"
#include "spool/check/report.h"
#include "spool/fsio.h"
#include "spool/json.h"
#include "spool/original.h"

namespace rbgate::gateway {

// The console's files, embedded at build time (gateway/console/).
extern const std::string_view kConsoleIndexHtml;
extern const std::string_view kConsoleAppJs;
extern const std::string_view kConsoleStyleCss;

namespace {

constexpr const char* kJson = "application/json; charset=utf-8";
constexpr const char* kCookie = "rbgate_session";
constexpr std::size_t kMaxLinesPage = 500;
constexpr std::size_t kMaxLineShown = 4096;  // bytes of one line sent to the console

void Reply(httplib::Response& res, int status, const std::string& json) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(json, kJson);
}

void ReplyJson(httplib::Response& res, int status, const spool::Json& json) {
  Reply(res, status, spool::Dump(json));
}
// Text is not a document: it would go out as one JSON string.
void ReplyJson(httplib::Response& res, int status, const std::string& text) = delete;

void Refuse(httplib::Response& res, int status, std::string_view why) {
  spool::Json j = spool::Json::object();
  j["error"] = spool::Text(why);
  ReplyJson(res, status, j);
}

// Who is signed in, with the token their changes must carry.
spool::Json SignedIn(std::string_view user, std::string_view role, std::string_view csrf) {
  spool::Json j = spool::Json::object();
  j["user"] = spool::Text(user);
  j["role"] = spool::Text(role);
  j["csrf"] = spool::Text(csrf);
  return j;
}

// A list of records as JSON.
template <class T>
spool::Json ListJson(const std::vector<T>& records) {
  spool::Json out = spool::Json::array();
  for (const auto& r : records) out.push_back(spool::ToJson(r));
  return out;
}

std::string CookieValue(const httplib::Request& req, std::string_view name) {
  const std::string header = req.get_header_value("Cookie");
  std::size_t pos = 0;
  while (pos < header.size()) {
    std::size_t end = header.find(';', pos);
    if (end == std::string::npos) end = header.size();
    std::string_view part(header.data() + pos, end - pos);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (part.size() > name.size() && part.substr(0, name.size()) == name &&
        part[name.size()] == '=') {
      return std::string(part.substr(name.size() + 1));
    }
    pos = end + 1;
  }
  return {};
}

// "an officer", "a viewer".
std::string WithArticle(std::string_view role) {
  const bool vowel =
      !role.empty() && std::string_view("aeiou").find(role[0]) != std::string_view::npos;
  return (vowel ? "an " : "a ") + std::string(role);
}

// The request's user, or a refusal already written: 401 without valid credentials, 403 for
// a role below `least` or a session's state-changing request without its CSRF token.
std::optional<Principal> Authorize(ApiContext& ctx, const httplib::Request& req,
                                   httplib::Response& res, Role least, bool changes_state) {
  std::optional<Principal> who;
  const std::string auth = req.get_header_value("Authorization");
  if (auth.rfind("Bearer ", 0) == 0) {
    who = ctx.auth.FromToken(std::string_view(auth).substr(7));
    if (!who) {
      Refuse(res, 401, "the API token is not known");
      return std::nullopt;
    }
  } else {
    const std::string session = CookieValue(req, kCookie);
    if (session.empty()) {
      Refuse(res, 401, "sign in first");
      return std::nullopt;
    }
    who = ctx.auth.FromSession(session);
    if (!who) {
      Refuse(res, 401, "the session has expired or ended: sign in again");
      return std::nullopt;
    }
  }
  if (who->role < least) {
    Refuse(res, 403,
           fmt::format("{} is {}; this needs {} or above", who->user,
                       WithArticle(RoleName(who->role)), WithArticle(RoleName(least))));
    return std::nullopt;
  }
  if (changes_state && who->session) {
    const std::string token = req.get_header_value("X-CSRF-Token");
    if (token.empty() || token != who->csrf) {
      Refuse(res, 403, "missing or wrong CSRF token: reload the console");
      return std::nullopt;
    }
  }
  return who;
}

// A string member of a JSON object body; empty when absent. False when the body is not a
// JSON object.
bool BodyStrings(const httplib::Request& req, std::map<std::string, std::string>& out, bool& flag) {
  simdjson::dom::parser parser;
  simdjson::dom::object o;
  if (parser.parse(req.body).get(o) != simdjson::SUCCESS) return false;
  for (auto [key, value] : o) {
    std::string_view text;
    bool b = false;
    if (value.get(text) == simdjson::SUCCESS) {
      out[std::string(key)] = std::string(text);
    } else if (value.get(b) == simdjson::SUCCESS && key == "force_duplicate") {
      flag = b;
    }
  }
  return true;
}

int StatusOf(const spool::Status& s) {
  switch (s.code) {
    case spool::Code::kNotFound:
      return 404;
    case spool::Code::kFailedPrecondition:
    case spool::Code::kInvalidArgument:
    case spool::Code::kAborted:
      return 409;
    case spool::Code::kUnavailable:
      return 503;
    case spool::Code::kPermissionDenied:
      return 403;
    default:
      return 500;
  }
}

// "2026-11-30T09": the UTC hour `hours` hours ago, as the ledger's times begin.
std::string IsoHoursAgo(int hours) {
  const std::int64_t t = std::time(nullptr) - std::int64_t{hours} * 3600;
  return fmt::format("{}T{:02}", schemas::FormatIsoDate(static_cast<schemas::Day>(t / 86400)),
                     t % 86400 / 3600);
}

std::size_t NumberParam(const httplib::Request& req, const char* name, std::size_t fallback) {
  if (!req.has_param(name)) return fallback;
  const std::string v = req.get_param_value(name);
  std::size_t n = 0;
  const auto r = std::from_chars(v.data(), v.data() + v.size(), n);
  return r.ec == std::errc() && r.ptr == v.data() + v.size() ? n : fallback;
}

void Quarantine(ApiContext& ctx, const Principal&, const httplib::Request& req,
                httplib::Response& res) {
  const std::string feed = req.get_param_value("feed"), day = req.get_param_value("day"),
                    rule = req.get_param_value("rule");
  auto& ledger = ctx.spool.ledger();
  spool::Json files = spool::Json::array();
  for (const auto& f : ledger.List({std::string(spool::state::kQuarantined), feed, "", 0})) {
    if (!day.empty() && f.received_at.rfind(day, 0) != 0) continue;
    const auto findings = ledger.Findings(f.id);
    if (!rule.empty() && std::none_of(findings.begin(), findings.end(),
                                      [&](const auto& x) { return x.rule == rule; })) {
      continue;
    }
    spool::Json one = spool::Json::object();
    one["file"] = spool::ToJson(f);
    one["rules"] = ListJson(findings);
    files.push_back(std::move(one));
  }
  spool::Json out = spool::Json::object();
  out["files"] = std::move(files);
  ReplyJson(res, 200, out);
}

void File(ApiContext& ctx, const Principal&, const httplib::Request& req, httplib::Response& res) {
  const std::string id = req.matches[1];
  auto& ledger = ctx.spool.ledger();
  const auto f = ledger.Get(id);
  if (!f) return Refuse(res, 404, "no file " + id);
  spool::Json out = spool::Json::object();
  out["file"] = spool::ToJson(*f);
  out["transitions"] = ListJson(ledger.Transitions(id));
  out["findings"] = ListJson(ledger.Findings(id));
  out["deliveries"] = ListJson(ledger.Deliveries(id));
  out["actions"] = ListJson(ledger.Actions(id));
  ReplyJson(res, 200, out);
}

// A search over the ledger: `q` is a name (any part, any case), an id, the start of a SHA-256,
// or part of the business key (a Standard 18 file's service user number and serial, a
// report's); with a day (received), a feed and a state. Newest first, at most 200.
void Search(ApiContext& ctx, const Principal&, const httplib::Request& req,
            httplib::Response& res) {
  constexpr std::size_t kMost = 200;
  const auto lower = [](std::string text) {
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
  };
  const std::string q = lower(req.get_param_value("q")), day = req.get_param_value("day");
  if (!day.empty() && !schemas::ParseIsoDate(day)) {
    return Refuse(res, 400, fmt::format("{} is not a day (YYYY-MM-DD)", day));
  }
  const auto matches = [&](const spool::FileRecord& f) {
    if (!day.empty() && f.received_at.rfind(day, 0) != 0) return false;
    if (q.empty()) return true;
    return f.id == q || lower(f.name).find(q) != std::string::npos ||
           (q.size() >= 8 && f.sha256.rfind(q, 0) == 0) ||
           lower(f.business_key).find(q) != std::string::npos;
  };
  spool::Json files = spool::Json::array();
  bool more = false;
  const auto all =
      ctx.spool.ledger().List({req.get_param_value("state"), req.get_param_value("feed"), day, 0});
  for (auto it = all.rbegin(); it != all.rend(); ++it) {  // the ledger lists oldest first
    const auto& f = *it;
    if (!matches(f)) continue;
    if (files.size() == kMost) {
      more = true;
      break;
    }
    files.push_back(spool::ToJson(f));
  }
  spool::Json out = spool::Json::object();
  out["files"] = std::move(files);
  out["more"] = more;
  ReplyJson(res, 200, out);
}

// The findings as checking wrote them (report.json, personal bytes already masked).
void Findings(ApiContext& ctx, const Principal&, const httplib::Request& req,
              httplib::Response& res) {
  const std::string id = req.matches[1];
  if (!ctx.spool.ledger().Get(id)) return Refuse(res, 404, "no file " + id);
  std::string report;
  if (!spool::ReadSmallFile(ctx.spool.QuarantineDir(id) + "/report.json", report).ok()) {
    return Refuse(res, 404, id + " has no report: it is not in quarantine");
  }
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::array files;
  if (parser.parse(report).get(doc) != simdjson::SUCCESS ||
      doc["files"].get(files) != simdjson::SUCCESS) {
    return Refuse(res, 500, id + ": its report cannot be read");
  }
  // A VOA schedule that did not balance: the reconciliation made when it was checked (only
  // such a file has one).
  std::string balance;
  const std::string balance_json =
      spool::ReadSmallFile(ctx.spool.QuarantineDir(id) + "/balance.txt", balance).ok()
          ? spool::Dump(spool::Text(balance))
          : "null";
  if (files.size() == 0) {  // refused before checking (empty, too large): the reason says why
    return Reply(
        res, 200,
        fmt::format("{{\"findings\":[],\"suppressed\":{{}},\"balance\":{}}}", balance_json));
  }
  simdjson::dom::element first = files.at(0);
  const std::string diagnostics = simdjson::to_string(first["diagnostics"]);
  Reply(res, 200,
        fmt::format("{{\"findings\":{},\"suppressed\":{},\"balance\":{}}}", diagnostics,
                    simdjson::to_string(first["suppressed"]), balance_json));
}

void Lines(ApiContext& ctx, const Principal& who, const httplib::Request& req,
           httplib::Response& res) {
  const std::string id = req.matches[1];
  const auto f = ctx.spool.ledger().Get(id);
  if (!f) return Refuse(res, 404, "no file " + id);
  const bool asked = req.get_param_value("personal") == "1";
  if (asked && who.role < Role::kOfficer) {
    return Refuse(res, 403, fmt::format("{} is a viewer: personal data stays masked", who.user));
  }
  const std::size_t from = std::max<std::size_t>(1, NumberParam(req, "from", 1));
  const std::size_t count = std::min(kMaxLinesPage, NumberParam(req, "count", 100));
  // Any file whose original is kept, in quarantine or in the archive (decompressed as it is
  // read): streamed up to the page, never held whole.
  auto in = spool::OriginalReader::Open(ctx.spool, *f);
  if (!in.ok()) {
    return Refuse(res, in.status().code == spool::Code::kNotFound ? 404 : 503, in.status().message);
  }
  auto page = spool::ReadLines(**in, from, count, kMaxLineShown);
  if (!page.ok()) return Refuse(res, 503, page.status().message);
  const LineMasker mask(ctx.spool.options().check.registry.get(), f->feed);
  spool::Json lines = spool::Json::array();
  for (const auto& l : page->lines) {
    spool::Json one = spool::Json::object();
    one["n"] = l.n;
    one["text"] = spool::Text(asked ? l.text : mask(l.text, l.n == 1));
    if (l.cut) one["cut"] = true;
    lines.push_back(std::move(one));
  }
  const bool more = page->more;
  spool::Json out = spool::Json::object();
  out["from"] = from;
  out["lines"] = std::move(lines);
  out["more"] = more;
  out["personal"] = asked;
  ReplyJson(res, 200, out);
}

// An officer downloads a file's original, byte for byte (decompressed from the archive), once
// the download is on record with their name: a download that cannot be recorded is refused.
void Original(ApiContext& ctx, const Principal& who, const httplib::Request& req,
              httplib::Response& res) {
  const std::string id = req.matches[1];
  const auto f = ctx.spool.ledger().Get(id);
  if (!f) return Refuse(res, 404, "no file " + id);
  auto opened = spool::OriginalReader::Open(ctx.spool, *f);
  if (!opened.ok()) {
    return Refuse(res, opened.status().code == spool::Code::kNotFound ? 404 : 503,
                  opened.status().message);
  }
  const spool::ActionRecord record{
      {},
      who.user,
      "download",
      fmt::format("downloaded the original ({} bytes, SHA-256 {}) from the console{}", f->size,
                  f->sha256, (*opened)->archived() ? ", decompressed from the archive" : "")};
  if (auto st = ctx.spool.ledger().RecordAction(id, record); !st.ok()) {
    return Refuse(res, 503, "the download could not be put on record: " + st.message);
  }
  std::string name = f->name;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') c = '_';
  }
  res.status = 200;
  res.set_header("Cache-Control", "no-store");
  res.set_header("Content-Disposition", fmt::format("attachment; filename=\"{}\"", name));
  res.set_header("X-Content-SHA256", f->sha256);
  std::shared_ptr<spool::OriginalReader> reader = std::move(*opened);
  res.set_chunked_content_provider(
      "application/octet-stream", [reader](std::size_t, httplib::DataSink& sink) {
        std::vector<char> buffer(std::size_t{1} << 18);
        auto n = reader->Read(buffer);
        if (!n.ok()) return false;  // the client sees the transfer cut short, never bad bytes
        if (*n == 0) {
          sink.done();
          return true;
        }
        return sink.write(buffer.data(), *n);
      });
}

// The files waiting for a second officer's approval, each with who dropped it and any officer
// who released or reprocessed it (who may therefore not approve it).
void Approvals(ApiContext& ctx, const Principal&, const httplib::Request& req,
               httplib::Response& res) {
  auto& ledger = ctx.spool.ledger();
  spool::Json files = spool::Json::array();
  for (const auto& f : ledger.List({std::string(spool::state::kAwaitingApproval), "", "", 0})) {
    spool::Json acted = spool::Json::array();
    for (const auto& a : ledger.Actions(f.id)) {
      if (a.action.rfind("release", 0) == 0 || a.action == "reprocess") {
        acted.push_back(spool::Text(a.user));
      }
    }
    spool::Json one = spool::Json::object();
    one["file"] = spool::ToJson(f);
    one["released_by"] = std::move(acted);
    files.push_back(std::move(one));
  }
  spool::Json out = spool::Json::object();
  out["files"] = std::move(files);
  ReplyJson(res, 200, out);
}

// An officer's decision on a file, with the reason on record (the route says which role).
void Act(ApiContext& ctx, const Principal& who, const httplib::Request& req, httplib::Response& res,
         std::string_view action) {
  const std::string id = req.matches[1];
  std::map<std::string, std::string> body;
  bool force = false;
  if (!BodyStrings(req, body, force)) return Refuse(res, 400, "the body must be a JSON object");
  std::string reason = body["reason"];
  while (!reason.empty() && std::isspace(static_cast<unsigned char>(reason.back()))) {
    reason.pop_back();
  }
  if (reason.empty()) return Refuse(res, 400, "a reason is required; it goes on record");
  spool::Status st;
  if (action == "release") {
    st = ctx.spool.Release(id, reason, force, who.user);
  } else if (action == "reject") {
    st = ctx.spool.Reject(id, reason, who.user);
  } else if (action == "approve") {
    st = ctx.spool.Approve(id, reason, who.user);
  } else {
    st = ctx.spool.Reprocess(id, reason, who.user);
  }
  if (!st.ok()) return Refuse(res, StatusOf(st), st.message);
  const auto f = ctx.spool.ledger().Get(id);
  spool::Json out = spool::Json::object();
  out["file"] = f ? spool::ToJson(*f) : spool::Json(nullptr);
  ReplyJson(res, 200, out);
}

void Dashboard(ApiContext& ctx, const Principal&, const httplib::Request& req,
               httplib::Response& res) {
  // Per feed and hour: files, and how many were quarantined.
  struct Hour {
    std::uint64_t files = 0, quarantined = 0, records = 0, bytes = 0;
  };
  std::map<std::string, std::map<std::string, Hour>> feeds;
  for (const auto& r : ctx.spool.ledger().Stats(IsoHoursAgo(23))) {
    Hour& h = feeds[r.feed.empty() ? "unknown" : r.feed][r.hour];
    h.files += r.files;
    h.records += r.records;
    h.bytes += r.bytes;
    if (r.outcome == "quarantined") h.quarantined += r.files;
  }
  spool::Json late = spool::Json::array();
  if (ctx.late != nullptr) {
    for (const auto& s : ctx.late->Current()) {
      spool::Json one = spool::Json::object();
      one["route"] = spool::Text(s.route);
      one["expected_by"] = spool::Text(s.expect.by_text);
      one["on"] = spool::Text(s.expect.on_text);
      one["late"] = s.late;
      one["last_arrival"] = s.last_arrival;
      late.push_back(std::move(one));
    }
  }
  spool::Json list = spool::Json::array();
  for (const auto& [feed, hours] : feeds) {
    spool::Json per_hour = spool::Json::array();
    for (const auto& [hour, h] : hours) {
      spool::Json one = spool::Json::object();
      one["hour"] = spool::Text(hour);
      one["files"] = h.files;
      one["quarantined"] = h.quarantined;
      one["records"] = h.records;
      one["bytes"] = h.bytes;
      per_hour.push_back(std::move(one));
    }
    spool::Json one = spool::Json::object();
    one["feed"] = spool::Text(feed);
    one["hours"] = std::move(per_hour);
    list.push_back(std::move(one));
  }
  spool::Json out = spool::Json::object();
  out["since"] = spool::Text(IsoHoursAgo(23));
  out["expected"] = std::move(late);
  out["feeds"] = std::move(list);
  ReplyJson(res, 200, out);
}

void Static(httplib::Response& res, std::string_view body, const char* type) {
  res.set_header("Cache-Control", "no-cache");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("X-Frame-Options", "DENY");
  res.set_header("Content-Security-Policy",
                 "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                 "frame-ancestors 'none'");
  res.set_content(std::string(body), type);
}

}  // namespace

LineMasker::LineMasker(const schemas::SchemaRegistry* registry, std::string_view feed)
    : builtin_(schemas::FindBuiltinFeed(feed)) {
  if (builtin_ == nullptr && registry != nullptr && !feed.empty()) {
    if (auto entry = registry->Find(feed); entry && (entry->schema->table || entry->schema->json)) {
      schema_ = std::move(entry->schema);
    }
  }
}

std::string LineMasker::operator()(std::string_view line, bool first) const {
  if (builtin_ != nullptr) return builtin_->MaskLine(line);
  if (schema_ && schema_->table) return schemas::table::MaskLine(*schema_->table, line, first);
  if (schema_) return schemas::json::MaskLine(*schema_->json, line);
  return schemas::MaskEveryLetter(line);
}

namespace {

void Login(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  // JSON only: a cross-site form can post text/plain or form data without a preflight.
  const std::string type = req.get_header_value("Content-Type");
  if (type.substr(0, type.find(';')) != "application/json")
    return Refuse(res, 415, "sign-in takes a JSON body (Content-Type: application/json)");
  std::map<std::string, std::string> body;
  bool ignored = false;
  if (!BodyStrings(req, body, ignored)) return Refuse(res, 400, "the body must be a JSON object");
  std::string session, csrf;
  std::int64_t retry_after = 0;
  switch (ctx.auth.SignIn(body["user"], body["password"], req.remote_addr, session, csrf,
                          retry_after)) {
    case Auth::Login::kLimited:
      res.set_header("Retry-After", std::to_string(retry_after));
      return Refuse(res, 429,
                    fmt::format("too many failed sign-ins: try again in {} seconds", retry_after));
    case Auth::Login::kRefused:
      return Refuse(res, 401, "wrong user name or password");
    case Auth::Login::kUnavailable:
      return Refuse(res, 503, "the ledger cannot record the session now: try again shortly");
    case Auth::Login::kOk:
      break;
  }
  res.set_header("Set-Cookie", fmt::format("{}={}; Path=/; HttpOnly; SameSite=Strict{}", kCookie,
                                           session, ctx.tls ? "; Secure" : ""));
  const auto who = ctx.auth.FromSession(session);
  ReplyJson(res, 200, SignedIn(who->user, RoleName(who->role), csrf));
}

void Logout(ApiContext& ctx, const Principal&, const httplib::Request& req,
            httplib::Response& res) {
  ctx.auth.SignOut(CookieValue(req, kCookie));
  res.set_header("Set-Cookie",
                 fmt::format("{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0", kCookie));
  Reply(res, 200, "{}");
}

void Me(ApiContext&, const Principal& who, const httplib::Request&, httplib::Response& res) {
  ReplyJson(res, 200, SignedIn(who.user, RoleName(who.role), who.csrf));
}

// A report a feed's store makes over its records (schemas/feed_store.h: MakeReport): the
// banks' returns reconciled (reconcile), the VOA's lists on record (voa-lists). Personal data
// is shown only to an officer who asks.
void Report(ApiContext& ctx, const Principal& who, const httplib::Request& req,
            httplib::Response& res) {
  const bool asked = req.get_param_value("personal") == "1";
  if (asked && who.role < Role::kOfficer) {
    return Refuse(res, 403, fmt::format("{} is a viewer: personal data stays masked", who.user));
  }
  schemas::ReportQuery query;
  query.param = [&req](std::string_view name) { return req.get_param_value(std::string(name)); };
  query.show_personal = asked;
  if (req.has_param("format")) query.format = req.get_param_value("format");
  auto out = schemas::MakeReport(std::string(req.matches[1]), ctx.spool.ledger(), query);
  if (!out.ok()) {
    const auto code = out.status().code;
    return Refuse(res,
                  code == spool::Code::kNotFound          ? 404
                  : code == spool::Code::kInvalidArgument ? 400
                                                          : 503,
                  out.status().message);
  }
  res.status = 200;
  res.set_header("Cache-Control", "no-store");
  if (!out->file_name.empty()) {
    res.set_header("Content-Disposition",
                   fmt::format("attachment; filename=\"{}\"", out->file_name));
  }
  res.set_content(out->body, out->content_type);
}

// Every rule, as `rbgate rules` lists them: the console's index of pages.
void Rules(ApiContext&, const Principal&, const httplib::Request&, httplib::Response& res) {
  spool::Json rules = spool::Json::array();
  for (const auto* r : EveryRule()) {
    spool::Json one = spool::Json::object();
    one["rule"] = spool::Text(r->id);
    one["severity"] = spool::Text(parsers::SeverityName(r->severity));
    one["summary"] = spool::Text(r->summary);
    rules.push_back(std::move(one));
  }
  spool::Json out = spool::Json::object();
  out["rules"] = std::move(rules);
  ReplyJson(res, 200, out);
}

// A rule's page (rbgate explain RULE), for the console's link from each finding.
void ExplainRule(ApiContext&, const Principal&, const httplib::Request& req,
                 httplib::Response& res) {
  const std::string id = req.matches[1];
  const parsers::Rule* rule = nullptr;
  for (const auto* r : EveryRule()) {
    if (r->id == id) rule = r;
  }
  const auto& pages = RulePages();
  const auto page = pages.find(id);
  if (rule == nullptr || page == pages.end()) return Refuse(res, 404, "no rule " + id);
  spool::Json sections = spool::Json::array();
  for (const auto name : kPageSections) {
    const auto it = page->second.sections.find(std::string(name));
    if (it == page->second.sections.end()) continue;
    spool::Json one = spool::Json::object();
    one["name"] = spool::Text(name);
    one["text"] = spool::Text(it->second);
    sections.push_back(std::move(one));
  }
  spool::Json out = spool::Json::object();
  out["rule"] = spool::Text(rule->id);
  out["severity"] = spool::Text(parsers::SeverityName(rule->severity));
  out["summary"] = spool::Text(rule->summary);
  out["hint"] = spool::Text(rule->hint);
  out["sections"] = std::move(sections);
  ReplyJson(res, 200, out);
}

// An approver ends every session of a user (a lost laptop, someone leaving), on every node.
void SignOutUser(ApiContext& ctx, const Principal&, const httplib::Request& req,
                 httplib::Response& res) {
  const std::string user = req.matches[1];
  if (!ctx.auth.Knows(user)) return Refuse(res, 404, "no user " + user + " in the users file");
  auto ended = ctx.auth.SignOutEverywhere(user);
  if (!ended.ok()) return Refuse(res, 503, ended.status().message);
  spool::Json j = spool::Json::object();
  j["user"] = spool::Text(user);
  j["ended"] = *ended;
  ReplyJson(res, 200, j);
}

template <const char* kAction>
void Decide(ApiContext& ctx, const Principal& who, const httplib::Request& req,
            httplib::Response& res) {
  Act(ctx, who, req, res, kAction);
}
constexpr char kRelease[] = "release", kReject[] = "reject", kReprocess[] = "reprocess",
               kApprove[] = "approve";

}  // namespace

std::span<const ApiRoute> ApiRoutes() noexcept {
  static const ApiRoute kRoutes[] = {
      {"POST", "/api/logout", Role::kViewer, true, &Logout},
      {"GET", "/api/me", Role::kViewer, false, &Me},
      {"GET", "/api/quarantine", Role::kViewer, false, &Quarantine},
      {"GET", "/api/files", Role::kViewer, false, &Search},
      {"GET", R"(/api/files/([0-9A-Za-z-]+))", Role::kViewer, false, &File},
      {"GET", R"(/api/files/([0-9A-Za-z-]+)/findings)", Role::kViewer, false, &Findings},
      // Personal data unmasked only for an officer (the handler decides, per request).
      {"GET", R"(/api/files/([0-9A-Za-z-]+)/lines)", Role::kViewer, false, &Lines},
      {"GET", R"(/api/files/([0-9A-Za-z-]+)/original)", Role::kOfficer, false, &Original},
      {"GET", "/api/approvals", Role::kViewer, false, &Approvals},
      {"POST", R"(/api/files/([0-9A-Za-z-]+)/release)", Role::kOfficer, true, &Decide<kRelease>},
      {"POST", R"(/api/files/([0-9A-Za-z-]+)/reject)", Role::kOfficer, true, &Decide<kReject>},
      {"POST", R"(/api/files/([0-9A-Za-z-]+)/reprocess)", Role::kOfficer, true,
       &Decide<kReprocess>},
      // Four eyes: an approval needs the approver role (and is refused to the same person).
      {"POST", R"(/api/files/([0-9A-Za-z-]+)/approve)", Role::kApprover, true, &Decide<kApprove>},
      {"GET", "/api/dashboard", Role::kViewer, false, &Dashboard},
      {"GET", R"(/api/reports/([a-z0-9-]+))", Role::kViewer, false, &Report},
      {"GET", "/api/rules", Role::kViewer, false, &Rules},
      {"GET", R"(/api/rules/([0-9A-Za-z._-]+))", Role::kViewer, false, &ExplainRule},
      {"POST", R"(/api/users/([0-9A-Za-z._@-]+)/sign-out)", Role::kApprover, true, &SignOutUser},
  };
  return kRoutes;
}

void RegisterApi(httplib::Server& server, ApiContext& ctx) {
  // Signing in is the one route open to anyone.
  server.Post("/api/login", [&ctx](const httplib::Request& req, httplib::Response& res) {
    Login(ctx, req, res);
  });
  for (const ApiRoute& route : ApiRoutes()) {
    auto handler = [&ctx, &route](const httplib::Request& req, httplib::Response& res) {
      const auto who = Authorize(ctx, req, res, route.least, route.changes_state);
      if (who) route.handler(ctx, *who, req, res);
    };
    if (std::string_view(route.method) == "POST") {
      server.Post(route.pattern, handler);
    } else {
      server.Get(route.pattern, handler);
    }
  }
  server.Get("/", [](const httplib::Request&, httplib::Response& res) {
    Static(res, kConsoleIndexHtml, "text/html; charset=utf-8");
  });
  server.Get("/favicon.ico",
             [](const httplib::Request&, httplib::Response& res) { res.status = 204; });
  server.Get("/console/app.js", [](const httplib::Request&, httplib::Response& res) {
    Static(res, kConsoleAppJs, "text/javascript; charset=utf-8");
  });
  server.Get("/console/style.css", [](const httplib::Request&, httplib::Response& res) {
    Static(res, kConsoleStyleCss, "text/css; charset=utf-8");
  });
}

}  // namespace rbgate::gateway
