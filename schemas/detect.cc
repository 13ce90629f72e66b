#include "schemas/detect.h"

#include "parsers/bacs18/standard18.h"

namespace rbgate::schemas {

std::string_view DetectFeed(std::string_view head) noexcept {
  if (parsers::bacs18::LooksLikeStandard18(head)) return kFeedBacs18;
  // Bacs reports: XML whose report element appears early (after the declaration and the
  // BACSDocument and Data start tags).
  if (head.find("<?xml") != std::string_view::npos || head.find("<BACSDocument") != std::string_view::npos) {
    if (head.find("<ARUDD") != std::string_view::npos) return kFeedArudd;
  }
  return {};
}

}  // namespace rbgate::schemas
