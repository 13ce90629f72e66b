// The daemon's log lines: the same fields as text and as JSON, and JSON that parses whatever
// a file name or reason holds.
#include "gateway/daemon/log.h"

#include <doctest/doctest.h>
#include <simdjson.h>

#include <string>

namespace rbgate::gateway::log {
namespace {

TEST_CASE("a log event as key=value text and as one JSON object") {
  const auto fields = {Word("id", "20261123-1"),          Word("feed", ""),
                       Text("name", "rent \"May\".csv"),  Number("records", std::int64_t{510}),
                       Number("sync_seconds", 0.1234, 3), Flag("once", true)};
  CHECK(Render(Format::kText, "2026-11-23T15:59:29.586Z", Level::kInfo, "delivered", fields) ==
        "2026-11-23T15:59:29.586Z info delivered id=20261123-1 feed=- "
        "name=\"rent \\\"May\\\".csv\" records=510 sync_seconds=0.123 once=true");
  CHECK(Render(Format::kJson, "2026-11-23T15:59:29.586Z", Level::kWarning, "delivered", fields) ==
        "{\"time\":\"2026-11-23T15:59:29.586Z\",\"level\":\"warning\",\"event\":\"delivered\","
        "\"id\":\"20261123-1\",\"feed\":\"-\",\"name\":\"rent \\\"May\\\".csv\",\"records\":510,"
        "\"sync_seconds\":0.123,\"once\":true}");
}

TEST_CASE("every JSON line parses, whatever the text fields hold") {
  simdjson::dom::parser parser;
  const std::string hostile[] = {"new\nline",
                                 "tab\there",
                                 "back\\slash",
                                 "\x01\x1f controls",
                                 "caf\xC3\xA9",
                                 "quote\"s",
                                 std::string("nul\0byte", 8)};
  for (const std::string& text : hostile) {
    CAPTURE(text);
    const std::string line =
        Render(Format::kJson, "t", Level::kError, "event \"x\"", {Text("reason", text)});
    CHECK(line.find('\n') == std::string::npos);
    simdjson::dom::element doc;
    REQUIRE(parser.parse(line).get(doc) == simdjson::SUCCESS);
    std::string_view reason;
    REQUIRE(doc["reason"].get(reason) == simdjson::SUCCESS);
    CHECK(reason == text);
    std::string_view level;
    REQUIRE(doc["level"].get(level) == simdjson::SUCCESS);
    CHECK(level == "error");
  }
}

}  // namespace
}  // namespace rbgate::gateway::log
