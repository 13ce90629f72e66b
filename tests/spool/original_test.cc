// A file's original read back as the console reads it: from quarantine as it is, or from the
// archive decompressed as it is read, in buffers of any size (zstd's output drained when a
// buffer fills just as the input runs out); a damaged archive is data loss, never bad bytes;
// pages of lines with their numbers, cuts and line endings.
#include "spool/original.h"

#include <doctest/doctest.h>

#include <fstream>
#include <random>

#include "spool/archive.h"
#include "tests/support/temp_dir.h"

namespace rbgate::spool {
namespace {

using testing::TempDir;

std::string Lines(std::size_t bytes, unsigned seed) {  // text lines of random lengths
  std::mt19937 random(seed);
  std::string out;
  while (out.size() < bytes) {
    const std::size_t n = random() % 140;
    for (std::size_t i = 0; i < n && out.size() < bytes; ++i) {
      out += static_cast<char>('A' + random() % 26);
    }
    if (out.size() < bytes) out += '\n';
  }
  return out;
}

void Write(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string Archived(const TempDir& dir, const std::string& bytes) {
  ArchiveWriter writer(dir / "a.zst", kArchiveLevel, false);
  writer.Write({bytes.data(), bytes.size()}, true);
  REQUIRE(writer.finished());
  return dir / "a.zst";
}

std::string ReadAll(OriginalReader& in, std::size_t buffer, Status* failed = nullptr) {
  std::string out;
  std::vector<char> b(buffer);
  for (;;) {
    auto n = in.Read(b);
    if (!n.ok()) {
      if (failed != nullptr) *failed = n.status();
      return out;
    }
    if (*n == 0) return out;
    out.append(b.data(), *n);
  }
}

TEST_CASE("an archived original reads back byte for byte, whatever the buffer") {
  TempDir dir;
  // Exactly two 1 MiB buffers, and a few bytes past; and small.
  for (const std::size_t size :
       {std::size_t{2} << 20, (std::size_t{2} << 20) + 3, std::size_t{5000}}) {
    const std::string bytes = Lines(size, static_cast<unsigned>(size));
    const std::string zst = Archived(dir, bytes);
    for (const std::size_t buffer : {std::size_t{1} << 20, std::size_t{4096}, std::size_t{7}}) {
      CAPTURE(size);
      CAPTURE(buffer);
      auto in = OriginalReader::OpenPath(zst, true);
      REQUIRE(in.ok());
      CHECK((*in)->archived());
      Status failed;
      CHECK(ReadAll(**in, buffer, &failed) == bytes);
      CHECK(failed.ok());
    }
    Write(dir / "plain", bytes);
    auto plain = OriginalReader::OpenPath(dir / "plain", false);
    REQUIRE(plain.ok());
    CHECK(ReadAll(**plain, 4096) == bytes);
  }
}

TEST_CASE("a damaged or cut archive is data loss") {
  TempDir dir;
  const std::string bytes = Lines(300000, 7);
  std::ifstream f(Archived(dir, bytes), std::ios::binary);
  const std::string z((std::istreambuf_iterator<char>(f)), {});
  Write(dir / "cut.zst", z.substr(0, z.size() - 50));
  std::string flipped = z;
  flipped[z.size() / 2] ^= 0x10;
  Write(dir / "flipped.zst", flipped);
  for (const char* name : {"cut.zst", "flipped.zst"}) {
    CAPTURE(name);
    auto in = OriginalReader::OpenPath(dir / name, true);
    REQUIRE(in.ok());
    Status failed;
    ReadAll(**in, 1 << 16, &failed);
    CHECK(failed.code == Code::kDataLoss);
  }
  CHECK(OriginalReader::OpenPath(dir / "none.zst", true).status().code == Code::kNotFound);
}

TEST_CASE("pages of lines: numbers, the last page, cuts, CR LF, empty lines") {
  TempDir dir;
  const std::string text = "one\r\ntwo\n\nfour is longer\nfive";  // no final line break
  for (const bool compressed : {false, true}) {
    CAPTURE(compressed);
    std::string path = dir / "t";
    if (compressed) {
      path = Archived(dir, text);
    } else {
      Write(path, text);
    }
    auto page = [&](std::uint64_t from, std::size_t count, std::size_t cut = 100) {
      auto in = OriginalReader::OpenPath(path, compressed);
      REQUIRE(in.ok());
      auto p = ReadLines(**in, from, count, cut);
      REQUIRE(p.ok());
      return *p;
    };
    const LinePage first = page(1, 2);
    REQUIRE(first.lines.size() == 2);
    CHECK(first.lines[0].n == 1);
    CHECK(first.lines[0].text == "one");  // the CR of CR LF goes
    CHECK(first.lines[1].text == "two");
    CHECK(first.more);
    const LinePage rest = page(3, 10, 4);
    REQUIRE(rest.lines.size() == 3);
    CHECK(rest.lines[0].n == 3);
    CHECK(rest.lines[0].text.empty());
    CHECK(rest.lines[1].text == "four");
    CHECK(rest.lines[1].cut);
    CHECK(rest.lines[2].text == "five");
    CHECK_FALSE(rest.lines[2].cut);
    CHECK_FALSE(rest.more);
    CHECK(page(5, 1).more == false);  // the page ends at the file's end
    CHECK(page(4, 1).more);
    CHECK(page(9, 5).lines.empty());
  }
}

TEST_CASE("a page far into a large archive, holding one buffer") {
  TempDir dir;
  std::string bytes;
  for (int i = 1; i <= 200000; ++i) bytes += "line " + std::to_string(i) + "\n";
  const std::string zst = Archived(dir, bytes);
  auto in = OriginalReader::OpenPath(zst, true);
  REQUIRE(in.ok());
  auto p = ReadLines(**in, 199990, 100, 4096);
  REQUIRE(p.ok());
  REQUIRE(p->lines.size() == 11);
  CHECK(p->lines.front().text == "line 199990");
  CHECK(p->lines.back().text == "line 200000");
  CHECK_FALSE(p->more);
}

}  // namespace
}  // namespace rbgate::spool
