// What a server's listing says, and which names may be used here: every byte a server sends is
// untrusted.
#include "gateway/collect/remote.h"

#include <doctest/doctest.h>

namespace rbgate::gateway {
namespace {

TEST_CASE("collect: listing lines, files only, names whatever they hold") {
  auto e = ParseListingLine("-rw-r--r--    1 root     root         3736 Dec  7 11:12 a1.s18");
  REQUIRE(e);
  CHECK(e->name == "a1.s18");
  CHECK(e->size == 3736);
  CHECK(e->mtime == "Dec 7 11:12");
  e = ParseListingLine("-rw-r-----    1 u        g               4 Jan 30  2025 rent roll  2.csv");
  REQUIRE(e);
  CHECK(e->name == "rent roll  2.csv");  // spaces kept, as the server named it
  CHECK(e->mtime == "Jan 30 2025");
  CHECK_FALSE(ParseListingLine("drwxr-xr-x    2 root     root         4096 Dec  7 11:12 done"));
  CHECK_FALSE(ParseListingLine("lrwxrwxrwx    1 root     root           10 Dec  7 11:12 l -> x"));
  CHECK_FALSE(ParseListingLine("-rw-r--r--    1 root     root"));
  CHECK_FALSE(ParseListingLine("-rw-r--r--    1 root     root        12a4 Dec  7 11:12 x"));
  CHECK_FALSE(ParseListingLine("-rw-r--r-- 1 r r 99999999999999999999999 Dec 7 11:12 x"));
  CHECK_FALSE(ParseListingLine(""));
}

TEST_CASE("collect: an HTTPS listing is a JSON array of files") {
  std::vector<RemoteEntry> files;
  std::string why;
  REQUIRE(ParseJsonListing(
      R"([{"name":"r1.csv","size":120,"modified":"2026-12-07T08:00:00Z"},"r2.csv"])", files, why));
  REQUIRE(files.size() == 2);
  CHECK(files[0].name == "r1.csv");
  CHECK(files[0].size == 120);
  CHECK(files[0].mtime == "2026-12-07T08:00:00Z");
  CHECK(files[1].name == "r2.csv");
  CHECK(files[1].size == 0);  // asked for with HEAD (Refine)
  files.clear();
  CHECK_FALSE(ParseJsonListing("<html>index</html>", files, why));
  CHECK(why.find("not JSON") == 0);
  CHECK_FALSE(ParseJsonListing(R"({"files":[]})", files, why));
  CHECK(why == "not a JSON array of files");
  CHECK_FALSE(ParseJsonListing(R"([{"size":3}])", files, why));
  CHECK(why.find("without a \"name\"") != std::string::npos);
}

TEST_CASE("collect: names used here are plain") {
  std::string why;
  CHECK(ListedName("rents-2026-12-07.csv", why));
  CHECK(ListedName("rent roll.csv", why));
  CHECK_FALSE(ListedName(".rents.csv.part", why));
  CHECK(why.find("hidden") != std::string::npos);
  CHECK_FALSE(ListedName("../../etc/passwd", why));
  CHECK_FALSE(ListedName("a\"; rm -rf /", why));
  CHECK_FALSE(ListedName("a\\b", why));
  CHECK_FALSE(ListedName(std::string("a\nb"), why));
  CHECK_FALSE(ListedName("", why));
  CHECK_FALSE(ListedName(std::string(256, 'a'), why));
  CHECK(ListedName(std::string(255, 'a'), why));
}

}  // namespace
}  // namespace rbgate::gateway
