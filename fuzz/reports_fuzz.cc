// libFuzzer target: every built-in XML feed end to end over arbitrary bytes, through the
// feed's own check (schemas/feed.h): the hardened XML layer with its real XSD plugged in, its
// rules and its transform to CSV rows, on the same events. The first byte picks the feed. Crashes,
// sanitizer reports and hangs are bugs; so is a CSV row count that differs from the rows the writer
// says it wrote.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "schemas/bacs_reports/arudd.h"
#include "schemas/bacs_reports/returned_items.h"
#include "schemas/feed.h"

namespace {

using namespace rbgate;
namespace br = schemas::bacs_reports;

// The items a report's check records (returned items), encoded as the ledger keeps them:
// each must read back as the item it was.
struct Items final : schemas::ItemSink {
  void OnItem(std::string_view kind, std::uint64_t line, std::string_view day,
              std::string_view text) override {
    if (text.find('\n') != std::string_view::npos) std::abort();  // one line an item
    if (kind == br::kReturnedKind && !br::DecodeReturned({line, day, text})) std::abort();
  }
};

// Every built-in XML feed, as the catalogue lists them.
std::vector<const schemas::BuiltinFeed*> XmlFeeds() {
  std::vector<const schemas::BuiltinFeed*> out;
  for (const auto* f : schemas::BuiltinFeeds()) {
    if (f->kind() == "xml") out.push_back(f);
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const std::vector<const schemas::BuiltinFeed*> kFeeds = XmlFeeds();
  const schemas::BuiltinFeed& feed = *kFeeds[data[0] % kFeeds.size()];
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);

  parsers::DiagnosticCollector diagnostics(8);
  Items items;
  std::ostringstream csv;
  std::uint64_t rows = 0;
  {
    // The check exactly as rbgate runs it: the feed's XSD, rules and transform in one pass.
    std::optional<schemas::RowWriter> writer;
    if (!feed.transform_columns().empty()) {
      writer.emplace(csv, schemas::RowFormat::kCsv, feed.transform_columns());
    }
    auto made = feed.MakeCheck(bytes.size(), {}, diagnostics,
                               {&items, writer ? &*writer : nullptr, nullptr});
    if (!made.ok()) std::abort();  // a built-in XSD that does not compile
    auto check = std::move(made).value();
    // In two pieces, so that events straddle a boundary.
    const std::size_t half = bytes.size() / 2;
    (void)check->Feed({bytes.data(), half}, 0, false);
    (void)check->Feed({bytes.data() + half, bytes.size() - half}, half, true);
    schemas::FeedFacts facts;
    check->Finish(facts);
    if (writer) {
      writer->Flush();
      rows = writer->rows();
    }
  }
  // Every row ends "\r\n"; a quoted field may hold more line ends, never fewer.
  const std::string out = csv.str();
  std::size_t line_ends = 0;
  for (std::size_t at = out.find("\r\n"); at != std::string::npos; at = out.find("\r\n", at + 2)) {
    ++line_ends;
  }
  if (!feed.transform_columns().empty() && line_ends < rows + 1) std::abort();
  return 0;
}
