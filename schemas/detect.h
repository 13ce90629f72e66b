// Feed detection from a file's first bytes, for when a route or `--feed` does not say.
#pragma once

#include <string_view>

namespace rbgate::schemas {

// Feeds rbgate knows, by their stable names.
inline constexpr std::string_view kFeedBacs18 = "bacs18";
inline constexpr std::string_view kFeedArudd = "arudd";
inline constexpr std::string_view kFeedArucs = "arucs";
inline constexpr std::string_view kFeedDdic = "ddic";
inline constexpr std::string_view kFeedAddacs = "addacs";
inline constexpr std::string_view kFeedAuddis = "auddis";
inline constexpr std::string_view kFeedAwacs = "awacs";
inline constexpr std::string_view kFeedInput = "input";  // the Bacs input report

// Every feed name, for options and configuration.
inline constexpr std::string_view kFeeds[] = {kFeedBacs18, kFeedArudd, kFeedArucs, kFeedAddacs,
                                              kFeedAuddis, kFeedAwacs, kFeedDdic,  kFeedInput};

// True for the Bacs messaging advices (one XSD, rules by advice type).
constexpr bool IsMessagingFeed(std::string_view feed) {
  return feed == kFeedAddacs || feed == kFeedAuddis || feed == kFeedAwacs;
}

// True for the returns reconciled against the items sent: ARUDD (debits), ARUCS (credits).
constexpr bool IsReturnsFeed(std::string_view feed) {
  return feed == kFeedArudd || feed == kFeedArucs;
}

// True for the Bacs XML reports (every feed but Standard 18).
constexpr bool IsXmlReportFeed(std::string_view feed) {
  return IsReturnsFeed(feed) || feed == kFeedDdic || feed == kFeedInput || IsMessagingFeed(feed);
}

// The feed `head` (the file's first bytes; 4 KiB is plenty) looks like, or empty.
std::string_view DetectFeed(std::string_view head) noexcept;

}  // namespace rbgate::schemas
