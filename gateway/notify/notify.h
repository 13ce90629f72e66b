// Telling people what needs them: a notice (a file quarantined, an approval waiting, a feed
// late, a destination failing...) sent to a channel, by email (SMTP through libcurl, STARTTLS
// required unless the channel says otherwise) or by webhook (an HTTPS POST of JSON, for Teams,
// Slack or a ticketing system). A notice carries a summary, the file's id and the console's
// link, never personal data: the summary is made by rbgate from its own words and the file's
// facts (route, feed, counts, rule ids), not from the file's contents.
//
// This file composes and sends; what to send when, retries and the record of what was sent
// belong to the notifier that uses it.
#pragma once

#include <set>
#include <string>
#include <vector>

namespace rbgate::gateway {

// A [[notify]] channel.
struct ChannelOptions {
  std::string name;
  std::string type;  // "email" or "webhook"
  // email: smtp://host[:port] (STARTTLS) or smtps://host[:port]; webhook: https://...
  std::string url;
  // email
  std::string from;
  std::vector<std::string> to;
  std::string user;
  std::string password;  // secret: from password_file
  // "required" (the default): STARTTLS or smtps, the certificate verified; "none": plain
  // SMTP, for a relay on this machine only.
  std::string tls = "required";
  // both
  std::string ca_file;
  std::string token;             // webhook: secret, sent as "Authorization: Bearer"
  std::set<std::string> events;  // what it is told; empty: every event
  std::set<std::string> routes;  // about which routes; empty: all (and events of none)
  int digest_seconds = 0;        // 0: each notice at once; N: gathered for N seconds
  std::string console_url;       // the console's address for links; "" for none
  int connect_timeout_seconds = 10;
  int timeout_seconds = 30;
  // A message not sent is tried again after retry_min_seconds, doubled each time up to
  // retry_max_seconds (with jitter), the channel resting meanwhile; given up after
  // give_up_hours (expired, on record).
  int retry_min_seconds = 30;
  int retry_max_seconds = 1800;
  int give_up_hours = 24;
};

// The events a channel can ask for, with what each means, for the configuration's checks and
// the documentation.
struct EventInfo {
  const char* name;
  const char* meaning;
};
const std::vector<EventInfo>& NoticeEvents();
bool IsNoticeEvent(const std::string& name);

struct Notice {
  std::string event;  // one of NoticeEvents()
  std::string route;  // "" when the event is about no route (the audit chain)
  std::string feed;
  std::string file_id;  // "" when about no file
  std::string summary;  // plain English, no personal data
  std::string at;       // ISO 8601 UTC
};

// Whether `channel` is told of `n`.
bool Wants(const ChannelOptions& channel, const Notice& n);

// The link to a file in the console ("" without a console address or a file).
std::string FileLink(const ChannelOptions& channel, const Notice& n);

// The email for `notices` (one, or a digest of several): RFC 5322 headers and a plain-text
// body, CRLF line ends, lines short, ASCII only (anything else replaced).
// `date`: an RFC 5322 date; `message_id`: unique, without the angle brackets.
std::string EmailMessage(const ChannelOptions& channel, const std::vector<Notice>& notices,
                         const std::string& date, const std::string& message_id);
// The webhook's JSON body: {"source":"rbgate","notices":[...],"text":"..."} ("text" is the
// summary as Slack and Teams' incoming webhooks show it).
std::string WebhookJson(const ChannelOptions& channel, const std::vector<Notice>& notices);

struct SendResult {
  bool ok = false;
  std::string reason;  // a short class for counting: connect, tls, auth, smtp-550, http-500...
  std::string detail;  // plain English; never a secret
};
// One attempt to send `notices` to `channel`. `message_id`: the email's Message-ID (without
// angle brackets), the same for each attempt at the same notices so that a receiver can drop a
// copy a lost answer made us send again; empty: a new one.
SendResult Send(const ChannelOptions& channel, const std::vector<Notice>& notices,
                const std::string& message_id = "");

}  // namespace rbgate::gateway
