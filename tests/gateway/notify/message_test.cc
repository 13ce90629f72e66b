// What a notice becomes: an email that nothing in a notice can add a header to, and a
// webhook body that is JSON whatever the summary holds.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "gateway/notify/notifier.h"
#include "gateway/notify/notify.h"

namespace rbgate::gateway {
namespace {

ChannelOptions Email() {
  ChannelOptions c;
  c.name = "officers";
  c.type = "email";
  c.from = "rbgate@council.example";
  c.to = {"team@council.example"};
  c.console_url = "https://rbgate.council.example:8490/";
  return c;
}

Notice Quarantined() {
  Notice n;
  n.event = "quarantined";
  n.route = "rents";
  n.feed = "rents";
  n.file_id = "20261207-084500-a1b2c3";
  n.summary = "3 errors (rents.amount at line 12)";
  n.at = "2026-12-07T08:45:00.000Z";
  return n;
}

TEST_CASE("notify: an email's headers and body") {
  const std::string m =
      EmailMessage(Email(), {Quarantined()}, "Mon, 07 Dec 2026 08:45:00 +0000", "1.2.3@rbgate");
  CHECK(m.find("Subject: [rbgate] quarantined on rents: 3 errors (rents.amount at line 12)\r\n") !=
        std::string::npos);
  CHECK(m.find("To: team@council.example\r\n") != std::string::npos);
  CHECK(m.find("Message-ID: <1.2.3@rbgate>\r\n") != std::string::npos);
  CHECK(m.find("Open it: https://rbgate.council.example:8490/#/file/20261207-084500-a1b2c3\r\n") !=
        std::string::npos);
  // Headers end at the first empty line; every line ends CRLF and is short.
  CHECK(m.find("\r\n\r\n") < m.find("quarantined at"));
  std::size_t start = 0;
  while (start < m.size()) {
    const std::size_t end = m.find("\r\n", start);
    REQUIRE(end != std::string::npos);
    CHECK(end - start <= 200);
    CHECK(m.substr(start, end - start).find('\n') == std::string::npos);
    start = end + 2;
  }
}

TEST_CASE("notify: nothing a notice holds can add a header or end the message") {
  Notice n = Quarantined();
  n.summary = "bad\r\nBcc: everyone@example\r\n.\r\nQUIT";
  n.route = "rents\nX-Injected: 1";
  const std::string m = EmailMessage(Email(), {n}, "date", "id@rbgate");
  CHECK(m.find("\r\nBcc:") == std::string::npos);
  CHECK(m.find("\nX-Injected") == std::string::npos);
  CHECK(m.find("\r\n.\r\n") == std::string::npos);
  for (const char c : m) {
    const auto u = static_cast<unsigned char>(c);
    CHECK((u == '\r' || u == '\n' || (u >= 0x20 && u < 0x7f)));
  }
}

TEST_CASE("notify: a digest, and the webhook's JSON whatever the summary") {
  Notice a = Quarantined(), b = Quarantined();
  b.event = "approval-waiting";
  b.summary = "\"quoted\" \\ and \xff bytes";
  const std::string m = EmailMessage(Email(), {a, b}, "date", "id@rbgate");
  CHECK(m.find("Subject: [rbgate] 2 notices\r\n") != std::string::npos);
  ChannelOptions hook = Email();
  hook.type = "webhook";
  const auto j = nlohmann::json::parse(WebhookJson(hook, {a, b}));
  CHECK(j["source"] == "rbgate");
  REQUIRE(j["notices"].size() == 2);
  CHECK(j["notices"][1]["event"] == "approval-waiting");
  CHECK(j["notices"][0]["link"] ==
        "https://rbgate.council.example:8490/#/file/20261207-084500-a1b2c3");
  CHECK(j["text"].get<std::string>().find("quarantined on rents") == 0);
}

TEST_CASE("notify: who is told of what") {
  ChannelOptions c = Email();
  Notice n = Quarantined();
  CHECK(Wants(c, n));  // no lists: everything
  c.events = {"feed-late"};
  CHECK_FALSE(Wants(c, n));
  c.events = {"quarantined"};
  c.routes = {"bacs"};
  CHECK_FALSE(Wants(c, n));
  c.routes = {"rents"};
  CHECK(Wants(c, n));
  n.event = "test";  // a test reaches every channel
  c.events = {"feed-late"};
  CHECK(Wants(c, n));
  CHECK(IsNoticeEvent("audit-failed"));
  CHECK_FALSE(IsNoticeEvent("lunch"));
}

TEST_CASE("notify: a file's event in the chain, in rbgate's words, to each channel once") {
  spool::ChainEvent e;
  e.at = "2026-12-07T08:45:00.000Z";
  e.state = "quarantined";
  e.file.id = "20261207-084500-a1b2c3";
  e.file.name = "Q JOHNSON rent arrears.csv";  // a name may say anything: never repeated
  e.file.route = "rents";
  e.file.feed = "rsl-rents";
  e.file.errors = 3;
  e.file.warnings = 1;
  e.findings = {{"table.pattern", "warning", 1},
                {"table.required", "error", 2},
                {"rsl.unknown-ref", "error", 1},
                {"table.enum", "error", 1},
                {"table.type", "error", 1}};
  auto n = NoticeOfChainEvent(e);
  REQUIRE(n);
  CHECK(n->notice.event == "quarantined");
  CHECK_FALSE(n->voa_unbalanced);
  CHECK(n->notice.summary ==
        "file 20261207-084500-a1b2c3 (rsl-rents) was quarantined with 3 errors and 1 warning "
        "(table.required, rsl.unknown-ref, table.enum and 2 more); it waits for an officer");
  CHECK(n->notice.summary.find("JOHNSON") == std::string::npos);

  e.findings = {{"voa.balance", "error", 1}};
  e.file.feed = "ct-schedule";
  n = NoticeOfChainEvent(e);
  REQUIRE(n);
  CHECK(n->voa_unbalanced);
  CHECK(n->notice.summary.find("does not balance") != std::string::npos);
  // A channel that asks for VOA schedules hears of it as such; one for quarantines, as that;
  // one for everything, once.
  ChannelOptions voa = Email(), quarantine = Email(), all = Email();
  voa.name = "voa";
  voa.events = {"voa-unbalanced"};
  quarantine.name = "q";
  quarantine.events = {"quarantined"};
  all.name = "all";
  all.digest_seconds = 600;
  const auto rows = NoticeRows({voa, quarantine, all}, n->notice, 1'000'000, true);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].event == "voa-unbalanced");
  CHECK(rows[1].event == "quarantined");
  CHECK(rows[2].event == "voa-unbalanced");
  CHECK(rows[0].next_at_ms == 1'000'000);
  CHECK(rows[2].next_at_ms == 1'600'000);  // the digest's window

  e.state = "awaiting-approval";
  e.file.records = 1;
  n = NoticeOfChainEvent(e);
  REQUIRE(n);
  CHECK(n->notice.event == "approval-waiting");
  CHECK(n->notice.summary.find("(ct-schedule, 1 record)") != std::string::npos);
  e.state = "archived";
  CHECK_FALSE(NoticeOfChainEvent(e));
}

}  // namespace
}  // namespace rbgate::gateway
