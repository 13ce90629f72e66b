// The metrics' exposition text: counters by route, feed and outcome, cumulative histogram
// buckets, escaped label values (a council's own feed names them), and the gauges.
#include "gateway/admin/metrics.h"

#include <doctest/doctest.h>

#include <string>

namespace rbgate::gateway {
namespace {

bool HasLine(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

TEST_CASE("counters, a cumulative histogram and gauges in the exposition format") {
  Metrics m;
  m.FileDone("auto", "bacs18", "delivered", 1000, 10, 0.003);
  m.FileDone("auto", "bacs18", "delivered", 500, 5, 0.2);
  m.FileDone("auto", "", "quarantined", 7, 0, 400);
  m.Findings({{"bacs18.modulus.failed", "error", 3}, {"bacs18.modulus.failed", "error", 2}});
  m.Paused("unavailable");
  Gauges g;
  g.backlog = {{"auto", 2, 1'000'000'000}, {"rents", 0, 0}};
  g.now_ns = 61'500'000'000;
  g.free_bytes = 123;
  g.min_free_bytes = 64;
  g.ledger_ok = true;
  g.quarantined = 4;
  const std::string text = m.Render(g);
  CAPTURE(text);
  CHECK(HasLine(text, "# TYPE rbgate_files_total counter"));
  CHECK(
      HasLine(text, "rbgate_files_total{route=\"auto\",feed=\"bacs18\",outcome=\"delivered\"} 2"));
  CHECK(HasLine(text,
                "rbgate_bytes_total{route=\"auto\",feed=\"bacs18\",outcome=\"delivered\"} 1500"));
  CHECK(HasLine(text,
                "rbgate_files_total{route=\"auto\",feed=\"unknown\",outcome=\"quarantined\"} 1"));
  CHECK(
      HasLine(text, "rbgate_findings_total{rule=\"bacs18.modulus.failed\",severity=\"error\"} 5"));
  CHECK(HasLine(text, "rbgate_paused_total{code=\"unavailable\"} 1"));
  const std::string b = "rbgate_processing_seconds_bucket{route=\"auto\",feed=\"bacs18\",le=";
  CHECK(HasLine(text, b + "\"0.005\"} 1"));
  CHECK(HasLine(text, b + "\"0.1\"} 1"));
  CHECK(HasLine(text, b + "\"0.25\"} 2"));
  CHECK(HasLine(text, b + "\"300\"} 2"));
  CHECK(HasLine(text, b + "\"+Inf\"} 2"));
  // Past the last bucket: only +Inf counts it.
  CHECK(HasLine(text,
                "rbgate_processing_seconds_bucket{route=\"auto\",feed=\"unknown\",le=\"300\"} 0"));
  CHECK(HasLine(text,
                "rbgate_processing_seconds_bucket{route=\"auto\",feed=\"unknown\",le=\"+Inf\"} 1"));
  CHECK(HasLine(text, "rbgate_processing_seconds_count{route=\"auto\",feed=\"bacs18\"} 2"));
  CHECK(HasLine(text, "rbgate_files_waiting{route=\"auto\"} 2"));
  CHECK(HasLine(text, "rbgate_oldest_waiting_seconds{route=\"auto\"} 60.500"));
  CHECK(HasLine(text, "rbgate_oldest_waiting_seconds{route=\"rents\"} 0.000"));
  CHECK(HasLine(text, "rbgate_quarantined_files 4"));
  CHECK(HasLine(text, "rbgate_ledger_up 1"));
  CHECK(HasLine(text, "rbgate_spool_free_bytes 123"));
}

TEST_CASE("label values are escaped as the exposition format says") {
  CHECK(PromLabel("plain-feed_1") == "plain-feed_1");
  CHECK(PromLabel("a\"b\\c\nd") == "a\\\"b\\\\c\\nd");
  Metrics m;
  m.FileDone("auto", "council \"own\"\nfeed", "delivered", 1, 1, 0.1);
  const std::string text = m.Render({});
  CHECK(text.find("feed=\"council \\\"own\\\"\\nfeed\"") != std::string::npos);
  // No raw line break inside a sample: every line is a comment or ends with a value.
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = text.find('\n', start);
    const std::string line = text.substr(start, end - start);
    CAPTURE(line);
    CHECK((line.rfind("# ", 0) == 0 || line.rfind("rbgate_", 0) == 0));
    start = end + 1;
  }
}

}  // namespace
}  // namespace rbgate::gateway
