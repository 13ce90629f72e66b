// A delimited or fixed-width file checked on several threads: each window of its bytes is cut
// into blocks at line ends, each block parsed and validated on a thread of its own, and the
// blocks joined in order so that every finding, line and record number and count is exactly
// what one Parser and Validator give (Validator::ChecksInBlocks says when that holds).
//
// Each block numbers its lines and records from 1; joining adds those before it. A cut may
// fall inside a quoted field that holds a line end: each block is checked on the guess that it
// starts a record, the guess is proved when the blocks are joined (the block before ended
// exactly there), and a block whose guess fails is checked again from where the one before
// really ended. So such files are right, only slower.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "parsers/delimited/delimited.h"
#include "parsers/diagnostic.h"
#include "schemas/row_writer.h"
#include "schemas/table/schema.h"
#include "schemas/table/validator.h"

namespace rbgate::schemas::table {

class BlockChecker {
 public:
  // The smallest block worth a thread of its own (and at least two records' room).
  static constexpr std::size_t kMinBlock = std::size_t{4} << 20;
  // A window is cut into up to this many blocks a thread, taken by the threads as each finishes
  // one: a block slower than the rest then holds up less of the window.
  static constexpr std::size_t kBlocksPerThread = 4;

  // REQUIRES: Validator::ChecksInBlocks(schema, options). `schema` and `diagnostics` must
  // outlive the checker; findings go to `diagnostics`. `rows`, if given, gets the transform's
  // rows (TableRows), each block's written apart and joined in order. `min_block`: smaller
  // only in tests.
  BlockChecker(const TableSchema& schema, parsers::DiagnosticCollector& diagnostics,
               const ValidatorOptions& options, unsigned threads, RowWriter* rows = nullptr,
               std::size_t min_block = kMinBlock);

  // As Parser::Feed: consecutive windows, each returning how many bytes it used; the rest is
  // presented again at the start of the next. A window is cut into at most `threads` blocks
  // of at least kMinBlock.
  ~BlockChecker();
  BlockChecker(const BlockChecker&) = delete;
  BlockChecker& operator=(const BlockChecker&) = delete;

  [[nodiscard]] std::size_t Feed(std::span<const char> window, std::uint64_t offset, bool last);
  // End-of-file findings, the parser's and the validator's. Call once.
  void Finish();

  const parsers::delimited::ParseSummary& summary() const noexcept { return summary_; }
  std::uint64_t records() const noexcept { return validator_.records(); }
  // Blocks checked again because a cut fell inside a record (for tests and the curious).
  std::uint64_t rechecked() const noexcept { return rechecked_; }

 private:
  struct Block;
  class Crew;
  // Checks bytes [begin, end) of the window (on the calling thread), its lines and records
  // numbered from 1. `first`: no record comes before it (its first may be the header row).
  std::unique_ptr<Block> Check(std::span<const char> window, std::uint64_t offset,
                               std::size_t begin, std::size_t end, bool first, bool last) const;
  // Joins a checked block to the file so far.
  void Join(Block& block);

  const TableSchema& schema_;
  parsers::DiagnosticCollector& diagnostics_;
  ValidatorOptions options_;
  unsigned threads_;
  RowWriter* rows_;
  std::size_t min_block_;
  Validator validator_;  // the whole file's: absorbs each block's leftovers
  parsers::delimited::ParseSummary summary_;
  std::uint64_t line_ = 1;       // where the next block starts
  bool skipping_ = false;        // inside an over-long line: skip to its end
  bool mixed_reported_ = false;  // lines ending unlike earlier ones, reported once
  std::uint64_t rechecked_ = 0;
  std::unique_ptr<Crew> crew_;  // the helper threads, made at the first window worth sharing
};

}  // namespace rbgate::schemas::table
