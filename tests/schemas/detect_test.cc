#include "schemas/detect.h"

#include <doctest/doctest.h>

#include <string>

namespace rbgate::schemas {
namespace {

constexpr std::string_view kArudd =
    "<?xml version='1.0' encoding='UTF-8'?>\n<BACSDocument><Data><ARUDD><Header/></ARUDD></Data>"
    "</BACSDocument>\n";

TEST_CASE("known feeds are told by their content") {
  CHECK(DetectFeed("VOL1000042 ...", true).feed == "bacs18");
  CHECK(DetectFeed(kArudd, true).feed == "arudd");
  CHECK(DetectFeed("\xEF\xBB\xBF\n  " + std::string(kArudd), true).feed == "arudd");
  CHECK(
      DetectFeed("<!-- from the bank -->\n<?pi x?>" + std::string(kArudd.substr(38)), true).feed ==
      "arudd");
  CHECK(DetectFeed("<BACSDocument><Data><MessagingAdvices><MessagingAdvice advice-type=\"AUDACC\"",
                   false)
            .feed == "auddis");
  CHECK(DetectFeed("<VocaDocument><Data><Document><NewAdvices>", false).feed == "ddic");
}

TEST_CASE("a file of no known feed says what it is") {
  CHECK(DetectFeed("", true).seen == "an empty file");
  auto csv = DetectFeed("uprn,band,from\n100,A,2026-01-01\n", true);
  CHECK(csv.feed.empty());
  CHECK(csv.seen.starts_with("comma-separated text (3 fields on the first line)"));
  CHECK(DetectFeed("a*b*c*d\n", true).seen.starts_with("asterisk-separated text (4 fields"));
  auto prose = DetectFeed("Dear council,\nplease find attached.\n", true);
  CHECK(prose.seen.starts_with("text (2 lines in the file; the first is 13 bytes)"));
  CHECK(prose.seen.find("Dear") == std::string::npos);  // never the content itself
  CHECK(DetectFeed("%PDF-1.7\n...", true).seen == "a PDF document");
  CHECK(DetectFeed("PK\x03\x04rest", true).seen.starts_with("a ZIP archive"));
  CHECK(DetectFeed("\xFF\xFE<\0?\0", true).seen.starts_with("UTF-16 text"));
  std::string binary;
  for (int i = 0; i < 4096; ++i) binary += static_cast<char>((i * 7919 + 13) % 256);
  auto b = DetectFeed(binary, false);
  CHECK(b.seen.starts_with("binary: "));
  CHECK(b.seen.ends_with("% of the first 4 KiB are not text"));
  // Windows-1252 text with a few pound signs is still text.
  CHECK(DetectFeed("name,amount\nA,\xA3"
                   "10\nB,\xA3"
                   "20\n",
                   true)
            .seen.starts_with("comma"));
}

TEST_CASE("XML is recognised first; a DOCTYPE is refused whatever follows") {
  const std::string subset(100000, ' ');
  auto d = DetectFeed("<?xml version='1.0'?>\n<!DOCTYPE BACSDocument [" + subset, false);
  CHECK(d.feed.empty());
  CHECK(d.doctype_line == 2);
  CHECK(d.doctype_column == 1);
  CHECK(d.doctype_name == "BACSDocument");
  auto arudd_with_doctype = DetectFeed(
      "<!DOCTYPE x SYSTEM \"file:///etc/passwd\">" + std::string(kArudd.substr(38)), true);
  CHECK(arudd_with_doctype.feed == "arudd");  // refused, but still said which it was
  CHECK(arudd_with_doctype.doctype_line == 1);
}

TEST_CASE("XML with no report element in the window names its root") {
  std::string deep = "<?xml version='1.0'?>\n<BACSDocument>";
  while (deep.size() < kDetectionWindow) deep += "<x>";
  auto d = DetectFeed(deep.substr(0, kDetectionWindow), false);
  CHECK(d.feed.empty());
  CHECK(d.seen ==
        "XML whose root is BACSDocument, but no report element rbgate knows in the "
        "first 64 KiB");
  CHECK(DetectFeed("<Foo/>", true).seen ==
        "XML whose root is Foo, but no report element rbgate knows in the file");
  CHECK(DetectFeed("<?xml version='1.0'?>" + std::string(70000, ' '), false)
            .seen.starts_with("XML whose prolog runs past"));
  CHECK(DetectFeed("<BACSDocument><MessagingAdvices><MessagingAdvice advice-type=\"NOPE12\"", true)
            .seen.find("advice-type rbgate does not know ('NOPE12')") != std::string::npos);
}

}  // namespace
}  // namespace rbgate::schemas
