// libFuzzer target: the JSON syntax scanner (parsers/json/syntax.h) over arbitrary bytes,
// against simdjson. Whatever simdjson reads as JSON the scanner must accept, and whatever it
// refuses (but for depth, which the scanner does not limit) the scanner must place inside the
// text; a crash, a hang or a disagreement is a bug.
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "parsers/json/syntax.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const auto error = rbgate::parsers::json::FindSyntaxError(text);
  if (error && (error->offset > text.size() || error->line == 0 || error->column == 0))
    __builtin_trap();
  static simdjson::dom::parser parser;
  simdjson::dom::element root;
  // The scanner skips a byte order mark, as the schema loader does; simdjson does not.
  const auto code =
      parser.parse(text.rfind("\xEF\xBB\xBF", 0) == 0 ? text.substr(3) : text).get(root);
  if (code == simdjson::SUCCESS && error) __builtin_trap();
  if (code != simdjson::SUCCESS && code != simdjson::DEPTH_ERROR && !error) {
    // Numbers simdjson cannot hold are valid JSON all the same.
    if (code != simdjson::NUMBER_ERROR) __builtin_trap();
  }
  return 0;
}
