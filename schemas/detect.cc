#include "schemas/detect.h"

#include "parsers/bacs18/standard18.h"

namespace rbgate::schemas {

std::string_view DetectFeed(std::string_view head) noexcept {
  if (parsers::bacs18::LooksLikeStandard18(head)) return kFeedBacs18;
  return {};
}

}  // namespace rbgate::schemas
