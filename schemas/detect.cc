#include "schemas/detect.h"

#include "parsers/bacs18/standard18.h"

namespace rbgate::schemas {

std::string_view DetectFeed(std::string_view head) noexcept {
  if (parsers::bacs18::LooksLikeStandard18(head)) return kFeedBacs18;
  // Bacs reports: XML whose report element appears early (after the declaration and the
  // BACSDocument and Data start tags).
  if (head.find("<VocaDocument") != std::string_view::npos &&
      (head.find("<NewAdvices") != std::string_view::npos ||
       head.find("<ServiceUserNumber") != std::string_view::npos)) {
    return kFeedDdic;
  }
  if (head.find("<?xml") != std::string_view::npos ||
      head.find("<BACSDocument") != std::string_view::npos) {
    if (head.find("<ARUDD") != std::string_view::npos) return kFeedArudd;
    if (head.find("<ARUCS") != std::string_view::npos) return kFeedArucs;
    if (head.find("<InputReport") != std::string_view::npos) return kFeedInput;
    if (head.find("<MessagingAdvices") != std::string_view::npos) {
      auto at = head.find("advice-type=");
      if (at != std::string_view::npos) {
        std::string_view v = head.substr(at + 13, 6);
        if (v.starts_with("ADDACS")) return kFeedAddacs;
        if (v.starts_with("AUDACC") || v.starts_with("AUDREJ")) return kFeedAuddis;
        if (v.starts_with("AWACS")) return kFeedAwacs;
      }
    }
  }
  return {};
}

}  // namespace rbgate::schemas
