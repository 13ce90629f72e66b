#include "gateway/notify/notify.h"

#include <curl/curl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstring>
#include <ctime>
#include <memory>

#include "spool/check/digest.h"
#include "spool/json.h"

namespace rbgate::gateway {
namespace {

// Printable ASCII only, on one line, at most `max` bytes: what goes into a header, a subject
// or a body line. Anything else becomes '?', so nothing a notice carries can add a header or
// break the message.
std::string Ascii(std::string_view s, std::size_t max = 400) {
  std::string out;
  out.reserve(std::min(s.size(), max));
  for (const char c : s) {
    if (out.size() == max) break;
    const auto u = static_cast<unsigned char>(c);
    out += u >= 0x20 && u < 0x7f ? c : (c == '\t' ? ' ' : '?');
  }
  return out;
}

// `text` wrapped at 76 columns, CRLF line ends, a leading '.' doubled (SMTP's transparency is
// libcurl's job, but a line of one '.' must never end the message early in any relay).
std::string Wrapped(std::string_view text) {
  std::string out;
  std::string line;
  const auto flush = [&] {
    if (!line.empty() && line[0] == '.') line.insert(0, ".");
    out += line + "\r\n";
    line.clear();
  };
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t end = text.find(' ', i);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view word = text.substr(i, end - i);
    if (!line.empty() && line.size() + 1 + word.size() > 76) flush();
    if (!line.empty()) line += ' ';
    line += word;
    i = end + 1;
  }
  if (!line.empty()) flush();
  return out;
}

std::string Subject(const std::vector<Notice>& notices) {
  if (notices.size() == 1) {
    const Notice& n = notices.front();
    return Ascii(fmt::format("[rbgate] {}{}: {}", n.event, n.route.empty() ? "" : " on " + n.route,
                             n.summary),
                 150);
  }
  return fmt::format("[rbgate] {} notices", notices.size());
}

std::size_t KeepBody(char* data, std::size_t size, std::size_t n, void* out) {
  auto* body = static_cast<std::string*>(out);
  if (body->size() < 2048) body->append(data, std::min(size * n, 2048 - body->size()));
  return size * n;
}

struct Reader {
  const std::string* text;
  std::size_t at = 0;
};
std::size_t ReadText(char* buf, std::size_t size, std::size_t n, void* data) {
  auto* r = static_cast<Reader*>(data);
  const std::size_t k = std::min(size * n, r->text->size() - r->at);
  std::memcpy(buf, r->text->data() + r->at, k);
  r->at += k;
  return k;
}

struct CurlFree {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

SendResult Failed(CURLcode rc, const char* errbuf, const std::string& where) {
  std::string reason = "other";
  switch (rc) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
      reason = "connect";
      break;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_USE_SSL_FAILED:
      reason = "tls";
      break;
    case CURLE_LOGIN_DENIED:
      reason = "auth";
      break;
    default:
      break;
  }
  std::string detail = curl_easy_strerror(rc);
  if (errbuf[0] != '\0') detail += std::string(": ") + errbuf;
  return {false, reason, Ascii(where + ": " + detail, 300)};
}

void Common(CURL* h, const ChannelOptions& c, char* errbuf) {
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, static_cast<long>(c.connect_timeout_seconds));
  curl_easy_setopt(h, CURLOPT_TIMEOUT, static_cast<long>(c.timeout_seconds));
  curl_easy_setopt(h, CURLOPT_URL, c.url.c_str());
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!c.ca_file.empty()) {
    curl_easy_setopt(h, CURLOPT_CAINFO, c.ca_file.c_str());
    curl_easy_setopt(h, CURLOPT_CAPATH, nullptr);  // only the CA named
  }
}

SendResult SendEmail(const ChannelOptions& c, const std::vector<Notice>& notices,
                     const std::string& message_id) {
  char date[64] = {};
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  static std::atomic<unsigned> sequence{0};
  const std::string id = !message_id.empty()
                             ? message_id
                             : fmt::format("{}.{}.{}@rbgate", now, ::getpid(), sequence++);
  const std::string message = EmailMessage(c, notices, date, id);

  std::unique_ptr<CURL, CurlFree> h(curl_easy_init());
  char errbuf[CURL_ERROR_SIZE] = {};
  Common(h.get(), c, errbuf);
  curl_easy_setopt(h.get(), CURLOPT_PROTOCOLS_STR, c.tls == "none" ? "smtp" : "smtp,smtps");
  curl_easy_setopt(
      h.get(), CURLOPT_USE_SSL,
      c.tls == "none" ? static_cast<long>(CURLUSESSL_NONE) : static_cast<long>(CURLUSESSL_ALL));
  if (!c.user.empty()) {
    curl_easy_setopt(h.get(), CURLOPT_USERNAME, c.user.c_str());
    curl_easy_setopt(h.get(), CURLOPT_PASSWORD, c.password.c_str());
  }
  const std::string from = "<" + c.from + ">";
  curl_easy_setopt(h.get(), CURLOPT_MAIL_FROM, from.c_str());
  curl_slist* raw = nullptr;
  for (const auto& to : c.to) raw = curl_slist_append(raw, ("<" + to + ">").c_str());
  std::unique_ptr<curl_slist, CurlFree> rcpt(raw);
  curl_easy_setopt(h.get(), CURLOPT_MAIL_RCPT, rcpt.get());
  Reader r{&message};
  curl_easy_setopt(h.get(), CURLOPT_READFUNCTION, ReadText);
  curl_easy_setopt(h.get(), CURLOPT_READDATA, &r);
  curl_easy_setopt(h.get(), CURLOPT_UPLOAD, 1L);
  const CURLcode rc = curl_easy_perform(h.get());
  if (rc != CURLE_OK) {
    long code = 0;
    curl_easy_getinfo(h.get(), CURLINFO_RESPONSE_CODE, &code);
    SendResult f = Failed(rc, errbuf, "SMTP " + Ascii(c.url, 200));
    if (code >= 400) f.reason = fmt::format("smtp-{}", code);
    return f;
  }
  return {true, "sent",
          fmt::format("sent to {} recipient{}", c.to.size(), c.to.size() == 1 ? "" : "s")};
}

SendResult SendWebhook(const ChannelOptions& c, const std::vector<Notice>& notices) {
  const std::string body = WebhookJson(c, notices);
  std::unique_ptr<CURL, CurlFree> h(curl_easy_init());
  char errbuf[CURL_ERROR_SIZE] = {};
  Common(h.get(), c, errbuf);
  curl_easy_setopt(h.get(), CURLOPT_PROTOCOLS_STR, "https");
  curl_slist* raw = curl_slist_append(nullptr, "Content-Type: application/json");
  // The same notices sent again (a retry after a lost answer) carry the same key, so a careful
  // receiver keeps one.
  const std::string key = "Idempotency-Key: " + check::Sha256Hex(body);
  raw = curl_slist_append(raw, key.c_str());
  const std::string auth = "Authorization: Bearer " + c.token;
  if (!c.token.empty()) raw = curl_slist_append(raw, auth.c_str());
  std::unique_ptr<curl_slist, CurlFree> headers(raw);
  curl_easy_setopt(h.get(), CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(h.get(), CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(h.get(), CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  std::string said;
  curl_easy_setopt(h.get(), CURLOPT_WRITEFUNCTION, KeepBody);
  curl_easy_setopt(h.get(), CURLOPT_WRITEDATA, &said);
  const CURLcode rc = curl_easy_perform(h.get());
  if (rc != CURLE_OK) return Failed(rc, errbuf, "POST " + Ascii(c.url, 200));
  long code = 0;
  curl_easy_getinfo(h.get(), CURLINFO_RESPONSE_CODE, &code);
  while (!said.empty() && std::isspace(static_cast<unsigned char>(said.back()))) said.pop_back();
  const std::string detail =
      Ascii(fmt::format("HTTP {}{}{}", code, said.empty() ? "" : ": ", said), 300);
  if (code >= 200 && code < 300) return {true, fmt::format("http-{}", code), detail};
  return {false, fmt::format("http-{}", code), detail};
}

}  // namespace

const std::vector<EventInfo>& NoticeEvents() {
  static const std::vector<EventInfo> kEvents = {
      {"quarantined", "a file was quarantined and waits for an officer"},
      {"approval-waiting", "a file waits for a second officer's approval"},
      {"feed-late", "a route that expects a file a day has had none"},
      {"destination-failing", "a network destination's circuit opened after failures"},
      {"source-failing", "a source could not be collected from"},
      {"schema-refused", "an edited schema file was refused; the last good version serves"},
      {"voa-unbalanced", "a VOA schedule does not balance against the list on record"},
      {"audit-failed", "the ledger's audit chain failed verification"},
      {"test", "a test notice (rbgate notify test)"},
  };
  return kEvents;
}

bool IsNoticeEvent(const std::string& name) {
  const auto& e = NoticeEvents();
  return std::any_of(e.begin(), e.end(), [&](const EventInfo& i) { return name == i.name; });
}

bool Wants(const ChannelOptions& channel, const Notice& n) {
  if (n.event == "test") return true;
  if (!channel.events.empty() && channel.events.count(n.event) == 0) return false;
  return channel.routes.empty() || n.route.empty() || channel.routes.count(n.route) > 0;
}

std::string FileLink(const ChannelOptions& channel, const Notice& n) {
  if (channel.console_url.empty() || n.file_id.empty()) return "";
  std::string base = channel.console_url;
  if (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/#/file/" + n.file_id;
}

std::string EmailMessage(const ChannelOptions& channel, const std::vector<Notice>& notices,
                         const std::string& date, const std::string& message_id) {
  std::string to;
  for (const auto& t : channel.to) to += (to.empty() ? "" : ", ") + Ascii(t, 200);
  std::string m = fmt::format(
      "Date: {}\r\nFrom: rbgate <{}>\r\nTo: {}\r\nSubject: {}\r\nMessage-ID: <{}>\r\n"
      "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n"
      "Content-Transfer-Encoding: 7bit\r\nAuto-Submitted: auto-generated\r\n\r\n",
      Ascii(date, 64), Ascii(channel.from, 200), to, Subject(notices), Ascii(message_id, 200));
  for (const Notice& n : notices) {
    m += Wrapped(Ascii(fmt::format("{} at {}{}{}: {}", n.event, n.at,
                                   n.route.empty() ? "" : ", route " + n.route,
                                   n.feed.empty() ? "" : ", feed " + n.feed, n.summary)));
    if (!n.file_id.empty()) m += Wrapped("File: " + Ascii(n.file_id, 100));
    if (const std::string link = FileLink(channel, n); !link.empty()) {
      m += Wrapped("Open it: " + Ascii(link, 300));
    }
    m += "\r\n";
  }
  m += Wrapped(
      "Sent by rbgate. This message names files by their ids only; their contents are in the "
      "console, for those allowed to see them.");
  return m;
}

std::string WebhookJson(const ChannelOptions& channel, const std::vector<Notice>& notices) {
  spool::Json list = spool::Json::array();
  std::string text;
  for (const Notice& n : notices) {
    spool::Json j = spool::Json::object();
    j["event"] = spool::Text(n.event);
    j["at"] = spool::Text(n.at);
    j["route"] = spool::Text(n.route);
    j["feed"] = spool::Text(n.feed);
    j["file_id"] = spool::Text(n.file_id);
    j["summary"] = spool::Text(n.summary);
    const std::string link = FileLink(channel, n);
    j["link"] = spool::Text(link);
    list.push_back(std::move(j));
    text += fmt::format("{}{}{}: {}{}", text.empty() ? "" : "\n", n.event,
                        n.route.empty() ? "" : " on " + n.route, n.summary,
                        link.empty() ? "" : " (" + link + ")");
  }
  spool::Json out = spool::Json::object();
  out["source"] = "rbgate";
  out["channel"] = spool::Text(channel.name);
  out["notices"] = std::move(list);
  out["text"] = spool::Text(text);
  return spool::Dump(out);
}

SendResult Send(const ChannelOptions& channel, const std::vector<Notice>& notices,
                const std::string& message_id) {
  if (notices.empty()) return {true, "nothing", "nothing to send"};
  if (channel.type == "email") return SendEmail(channel, notices, message_id);
  if (channel.type == "webhook") return SendWebhook(channel, notices);
  return {false, "config", "unknown channel type " + Ascii(channel.type, 40)};
}

}  // namespace rbgate::gateway
