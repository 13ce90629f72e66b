// libFuzzer target: the Bacs report feeds end to end over arbitrary bytes: the hardened XML
// layer with each feed's real XSD plugged in, the feed's own rules (ARUDD/ARUCS, messaging,
// DDIC, input report) and its transform to CSV rows, on the same events. The first byte picks
// the feed. Crashes, sanitizer reports and hangs are bugs; so is a CSV row count that differs
// from the rows the writer says it wrote.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

#include "parsers/xml/xml_stream.h"
#include "schemas/bacs_reports/arudd.h"
#include "schemas/bacs_reports/report_schemas.h"
#include "schemas/bacs_reports/rows.h"
#include "schemas/detect.h"

namespace {

using namespace rbgate;
namespace br = schemas::bacs_reports;

struct Returned final : br::ReturnedItemSink {
  void OnReturnedItem(const br::ReturnedItem& i) override {
    if (i.reference.size() > (1u << 20)) std::abort();  // views must be of this call's data
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static constexpr std::string_view kFeeds[] = {
      schemas::kFeedArudd,  schemas::kFeedArucs, schemas::kFeedAddacs,
      schemas::kFeedAuddis, schemas::kFeedAwacs, schemas::kFeedDdic,
      schemas::kFeedInput,  schemas::kFeedAtlas, schemas::kFeedBaReport};
  const std::string_view feed = kFeeds[data[0] % std::size(kFeeds)];
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);

  parsers::DiagnosticCollector diagnostics(8);
  Returned returned;
  const auto validator = br::MakeReportValidator(feed, diagnostics, &returned);
  std::ostringstream csv;
  std::uint64_t rows = 0;
  {
    br::RowWriter writer(csv, br::RowFormat::kCsv, br::TransformColumns(feed));
    auto row_sink = br::MakeRowSink(feed, writer);  // null for a feed without rows (ATLAS)
    std::optional<parsers::xml::TeeSink> both;
    if (row_sink) both.emplace(*validator, *row_sink);
    parsers::xml::XmlLimits limits;
    limits.max_text = 1 << 16;
    parsers::xml::XmlStreamParser parser(
        both ? static_cast<parsers::xml::XmlSink&>(*both) : *validator, diagnostics, limits,
        br::ReportSchema(feed));
    // In two pieces, so that events straddle a boundary.
    const std::size_t half = bytes.size() / 2;
    parser.Feed({bytes.data(), half}, false);
    parser.Feed({bytes.data() + half, bytes.size() - half}, true);
    writer.Flush();
    rows = writer.rows();
  }
  // Every row ends "\r\n"; a quoted field may hold more line ends, never fewer.
  const std::string out = csv.str();
  std::size_t line_ends = 0;
  for (std::size_t at = out.find("\r\n"); at != std::string::npos; at = out.find("\r\n", at + 2)) {
    ++line_ends;
  }
  if (line_ends < rows + 1) std::abort();
  return 0;
}
