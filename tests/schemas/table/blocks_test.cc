// BlockChecker against the one-pass Parser and Validator it must equal: random files (quoted
// line ends, blank and empty rows, repeats, bad values, mixed line ends, a byte-order mark),
// random block sizes, windows, thread counts and caps; every finding, count and summary must
// be the same.
#include "schemas/table/blocks.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <random>
#include <sstream>
#include <string>

#include "parsers/delimited/delimited.h"
#include "parsers/windows.h"
#include "schemas/row_writer.h"
#include "schemas/table/rows.h"
#include "schemas/table/schema.h"
#include "schemas/table/validator.h"

namespace rbgate::schemas::table {
namespace {

std::string Render(const parsers::DiagnosticCollector& c, const parsers::delimited::ParseSummary& s,
                   std::uint64_t records) {
  std::string out = fmt::format("rows {} bytes {} end {} bom {} records {} errors {} warnings {}\n",
                                s.rows, s.bytes, parsers::delimited::LineEndName(s.line_end), s.bom,
                                records, c.errors(), c.warnings());
  for (const auto& d : c.diagnostics()) {
    out += fmt::format("{} @{} {}:{} r{} [{}] bytes={} p={} '{}' excerpt='{}' {}+{} masked",
                       d.rule->id, d.offset, d.line, d.column, d.record, d.field, d.bytes,
                       d.bytes_personal, d.message, d.excerpt, d.excerpt_pos, d.width);
    for (const auto& p : d.personal) out += fmt::format(" {}-{}", p.begin, p.end);
    out += "\n";
  }
  for (const auto& [rule, n] : c.suppressed()) out += fmt::format("suppressed {} {}\n", rule, n);
  return out;
}

// The findings, then the transform's rows (CSV).
std::string OnePass(const TableSchema& schema, std::string_view data, std::size_t cap) {
  parsers::DiagnosticCollector c(cap);
  const auto columns = schema.RowColumnViews();
  std::ostringstream out;
  std::string rows;
  {
    RowWriter writer(out, RowFormat::kCsv, columns);
    TableRows table_rows(schema, writer);
    Validator v(schema, c, {nullptr, &table_rows});
    parsers::delimited::Parser p(v, c, schema.ParseOptions());
    parsers::delimited::ParseBuffer(p, data);
    v.Finish();
    c.SortByPosition();
    rows = Render(c, p.summary(), v.records());
    rows += fmt::format("{} rows\n", writer.rows());
  }
  return rows + out.str();
}

std::string InBlocks(const TableSchema& schema, std::string_view data, std::size_t cap,
                     unsigned threads, std::size_t block, std::size_t window,
                     std::uint64_t* rechecked = nullptr) {
  parsers::DiagnosticCollector c(cap);
  REQUIRE(Validator::ChecksInBlocks(schema, {}));
  const auto columns = schema.RowColumnViews();
  std::ostringstream out;
  std::string rows;
  {
    RowWriter writer(out, RowFormat::kCsv, columns);
    BlockChecker b(schema, c, {}, threads, &writer, block);
    parsers::FeedInWindows(b, data, window);
    c.SortByPosition();
    if (rechecked != nullptr) *rechecked = b.rechecked();
    rows = Render(c, b.summary(), b.records());
    rows += fmt::format("{} rows\n", writer.rows());
  }
  return rows + out.str();
}

const char* const kSchema = R"({"fields":[
    {"name":"id","type":"integer","constraints":{"required":true,"unique":true}},
    {"name":"nino","rbgate":{"domain":"nino"}},
    {"name":"note"},
    {"name":"amount","type":"number","constraints":{"minimum":0,"maximum":1000}},
    {"name":"code","constraints":{"pattern":"[A-Z]{3}","enum":["ABC","XYZ","QQQ"]}}],
    "primaryKey":["code","amount"]})";

// A random file for kSchema: mostly good rows, with every kind of fault now and then.
std::string RandomFile(std::mt19937& rng) {
  const auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  const bool crlf = pick(2) == 0, mixed = pick(3) == 0;
  std::string out = pick(6) == 0 ? "\xEF\xBB\xBF" : "";
  const auto end = [&]() { out += (mixed && pick(40) == 0) != crlf ? "\r\n" : "\n"; };
  out += "id,nino,note,amount,code";
  end();
  const int rows = 20 + pick(400);
  const char* const codes[] = {"ABC", "XYZ", "QQQ", "abc", "AB"};
  for (int r = 0; r < rows; ++r) {
    switch (pick(40)) {
      case 0:
        end();  // blank
        continue;
      case 1:
      case 2:
        out += ",,,,";  // every field empty
        end();
        continue;
      case 3:
        out += fmt::format("{},AB123456C,\"a note\nover two lines\",1.5,ABC", r + 1);
        end();
        continue;
      case 4:
        out += fmt::format("{},AB123456C,\"say \"\"hi\"\"\r\nand\n\nmore\",2,XYZ", r + 1);
        end();
        continue;
      case 5:
        out += fmt::format("{},AB1\"23,note,3", r + 1);  // a stray quote, a field short
        end();
        continue;
      case 6:
        out += fmt::format("{},AB123456C,caf\xE9,4,QQQ", r + 1);  // not UTF-8
        end();
        continue;
      default:
        break;
    }
    const int id = pick(10) == 0 ? pick(r + 1) + 1 : r + 1;  // a repeat now and then
    out += fmt::format("{},{},{},{}.{},{}", pick(50) == 0 ? std::string("x") : std::to_string(id),
                       pick(20) == 0 ? "ZZ999" : "AB123456C", pick(3) == 0 ? "" : "n",
                       pick(30) == 0 ? 1200 : pick(50), pick(10),
                       codes[pick(30) == 0 ? 3 + pick(2) : pick(3)]);
    if (r + 1 < rows || pick(2) == 0) end();
  }
  return out;
}

TEST_CASE("Checked in blocks on threads, a file gets exactly the one-pass findings") {
  const auto schema = CompileSchema(kSchema, "feed.json");
  std::mt19937 rng(20261207);
  std::uint64_t rechecks = 0;
  for (int i = 0; i < 300; ++i) {
    const std::string data = RandomFile(rng);
    const std::size_t cap = rng() % 3 == 0 ? 2 : 50;
    const unsigned threads = 2 + rng() % 6;
    const std::size_t block = std::size_t{1} << (rng() % 12);
    const std::size_t window = rng() % 4 == 0 ? 0 : 256 + rng() % 4000;
    CAPTURE(i);
    CAPTURE(threads);
    CAPTURE(block);
    CAPTURE(window);
    std::uint64_t rechecked = 0;
    CHECK(InBlocks(*schema, data, cap, threads, block, window, &rechecked) ==
          OnePass(*schema, data, cap));
    rechecks += rechecked;
  }
  CHECK(rechecks > 0);  // some cuts fell inside quoted line ends, and were mended
}

TEST_CASE("Blocks: runs of empty rows and repeats across cuts, and fixed-width lines") {
  const auto schema = CompileSchema(kSchema, "feed.json");
  std::string data = "id,nino,note,amount,code\n";
  for (int r = 1; r <= 200; ++r) {
    data += r > 50 && r < 150 ? std::string(",,,,\n")
                              : fmt::format("{},AB123456C,n,1.{},ABC\n", r % 7, r);
  }
  for (const std::size_t block : {1, 8, 64, 300, 5000}) {
    CAPTURE(block);
    CHECK(InBlocks(*schema, data, 1000, 4, block, 0) == OnePass(*schema, data, 1000));
  }
  const auto fixed = CompileSchema(R"({"fields":[
      {"name":"a","constraints":{"unique":true},"rbgate":{"start":1,"width":2}},
      {"name":"b","type":"integer","rbgate":{"start":3,"width":3}}]})",
                                   "fixed.json");
  std::string lines;
  for (int r = 0; r < 300; ++r)
    lines += fmt::format("{:02}{}\n", r % 60, r % 13 == 0 ? "1x" : "123");
  for (const std::size_t block : {1, 16, 100}) {
    CHECK(InBlocks(*fixed, lines, 1000, 3, block, 0) == OnePass(*fixed, lines, 1000));
  }
}

TEST_CASE("Blocks: a byte-order mark taken in one window, the header row in the next") {
  const auto schema = CompileSchema(kSchema, "feed.json");
  const std::string data = "\xEF\xBB\xBFid,nino,note,amount,cod\n1,AB123456C,n,1,ABC\n";
  const std::string want = OnePass(*schema, data, 100);
  CHECK(want.find("table.header") != std::string::npos);
  for (const std::size_t window : {4, 5, 9, 40}) {
    CAPTURE(window);
    CHECK(InBlocks(*schema, data, 100, 2, 1, window) == want);
  }
}

TEST_CASE("Blocks: an over-long record across cuts and windows") {
  const auto schema = CompileSchema(kSchema, "feed.json");
  std::string data = "id,nino,note,amount,code\n1,AB123456C,n,1,ABC\n2,AB123456C,";
  data += std::string(std::size_t{3} << 20, 'y');  // past the 1 MiB record limit
  data += ",2,ABC\n3,AB123456C,n,3,ABC\n4,AB123456C,\"";
  data += std::string(std::size_t{3} << 19, 'q') + "\n" + std::string(std::size_t{3} << 19, 'q');
  data += "\",4,ABC\n5,AB123456C,n,5,ABC\n";
  const std::string want = OnePass(*schema, data, 100);
  CHECK(want.find("csv.limit.record") != std::string::npos);
  for (const std::size_t window : {std::size_t{0}, std::size_t{5} << 20}) {
    for (const std::size_t block :
         {std::size_t{1} << 16, std::size_t{1} << 20, std::size_t{4} << 20}) {
      CAPTURE(window);
      CAPTURE(block);
      CHECK(InBlocks(*schema, data, 100, 3, block, window) == want);
    }
  }
}

}  // namespace
}  // namespace rbgate::schemas::table
