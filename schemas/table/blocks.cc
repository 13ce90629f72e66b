#include "schemas/table/blocks.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <functional>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "schemas/table/rows.h"

namespace rbgate::schemas::table {
namespace {

namespace pd = parsers::delimited;

}  // namespace

// Helper threads kept for the whole file, so that each window does not start threads (and, on
// a virtual machine, wake an idle CPU) anew: measured, a third of two threads' gain was lost to
// that. Each takes the next block as it finishes one, so a slow block holds up less.
class BlockChecker::Crew {
 public:
  explicit Crew(std::size_t helpers) {
    for (std::size_t t = 0; t < helpers; ++t) threads_.emplace_back([this] { Work(); });
  }
  ~Crew() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    wake_.notify_all();
    for (auto& t : threads_) t.join();
  }
  // Runs fn(0) .. fn(n - 1) on the helpers and the calling thread; rethrows the first failure.
  void Run(std::size_t n, const std::function<void(std::size_t)>& fn) {
    std::vector<std::exception_ptr> failed(n);
    {
      std::lock_guard lock(mu_);
      fn_ = &fn;
      failed_ = &failed;
      n_ = n;
      next_.store(0);
      busy_ = threads_.size();
      ++round_;
    }
    wake_.notify_all();
    Take();
    {
      std::unique_lock lock(mu_);
      done_.wait(lock, [&] { return busy_ == 0; });
      fn_ = nullptr;
    }
    for (const auto& e : failed) {
      if (e) std::rethrow_exception(e);
    }
  }

 private:
  void Take() {
    for (std::size_t k; (k = next_.fetch_add(1)) < n_;) {
      try {
        (*fn_)(k);
      } catch (...) {
        (*failed_)[k] = std::current_exception();
      }
    }
  }
  void Work() {
    std::uint64_t seen = 0;
    while (true) {
      {
        std::unique_lock lock(mu_);
        wake_.wait(lock, [&] { return stop_ || round_ != seen; });
        if (stop_) return;
        seen = round_;
      }
      Take();
      std::lock_guard lock(mu_);
      if (--busy_ == 0) done_.notify_one();
    }
  }

  std::mutex mu_;
  std::condition_variable wake_, done_;
  const std::function<void(std::size_t)>* fn_ = nullptr;
  std::vector<std::exception_ptr>* failed_ = nullptr;
  std::size_t n_ = 0;
  std::atomic<std::size_t> next_{0};
  std::size_t busy_ = 0;
  std::uint64_t round_ = 0;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

struct BlockChecker::Block {
  Block(const TableSchema& schema, ValidatorOptions options, std::size_t cap,
        pd::ParseOptions parse, const RowWriter* like)
      : rows(like != nullptr ? std::make_unique<RowWriter>(rows_out, *like) : nullptr),
        table_rows(rows ? std::make_unique<TableRows>(schema, *rows) : nullptr),
        diagnostics(cap),
        validator(schema, diagnostics, (options.typed = table_rows.get(), options)),
        parser(validator, diagnostics, std::move(parse)) {}
  // The transform's rows, written apart and joined in order.
  std::ostringstream rows_out;
  std::unique_ptr<RowWriter> rows;
  std::unique_ptr<TableRows> table_rows;
  parsers::DiagnosticCollector diagnostics;
  Validator validator;
  pd::Parser parser;
  std::size_t begin = 0;  // in the window
  std::size_t used = 0;
};

BlockChecker::BlockChecker(const TableSchema& schema, parsers::DiagnosticCollector& diagnostics,
                           const ValidatorOptions& options, unsigned threads, RowWriter* rows,
                           std::size_t min_block)
    : schema_(schema),
      diagnostics_(diagnostics),
      options_(options),
      threads_(std::max(threads, 1u)),
      rows_(rows),
      min_block_(std::max<std::size_t>(min_block, 1)),
      validator_(schema, diagnostics, options) {}

BlockChecker::~BlockChecker() = default;

std::unique_ptr<BlockChecker::Block> BlockChecker::Check(std::span<const char> window,
                                                         std::uint64_t offset, std::size_t begin,
                                                         std::size_t end, bool first,
                                                         bool last) const {
  ValidatorOptions options = options_;
  options.block = true;
  options.starts_file = first;
  pd::ParseOptions parse = schema_.ParseOptions();
  parse.report_mixed_line_ends = false;  // Join reports them, across blocks
  auto block =
      std::make_unique<Block>(schema_, options, diagnostics_.cap(), std::move(parse), rows_);
  block->begin = begin;
  block->used = block->parser.Feed(window.subspan(begin, end - begin), offset + begin, last);
  return block;
}

void BlockChecker::Join(Block& block) {
  const pd::ParseSummary& s = block.parser.summary();
  const std::uint64_t lines_before = line_ - 1;
  const auto line = [&](std::uint64_t n) { return n == 0 ? 0 : n + lines_before; };
  const std::uint64_t crlf_line = line(s.first_crlf_line), lf_line = line(s.first_lf_line);
  // The first line to end unlike the lines before it, across the blocks.
  if (!mixed_reported_) {
    const bool crlf = summary_.first_crlf_line > 0, lf = summary_.first_lf_line > 0;
    std::uint64_t at = 0;
    bool at_crlf = false;
    if (crlf && !lf && lf_line > 0) {
      at = lf_line;
    } else if (lf && !crlf && crlf_line > 0) {
      at = crlf_line;
      at_crlf = true;
    } else if (!crlf && !lf && crlf_line > 0 && lf_line > 0) {
      at_crlf = crlf_line > lf_line;
      at = std::max(crlf_line, lf_line);
    }
    if (at > 0) {
      mixed_reported_ = true;
      pd::ReportMixedLineEnds(diagnostics_, at, at_crlf);
    }
  }
  if (summary_.first_crlf_line == 0) summary_.first_crlf_line = crlf_line;
  if (summary_.first_lf_line == 0) summary_.first_lf_line = lf_line;
  summary_.bom |= s.bom;
  diagnostics_.Absorb(std::move(block.diagnostics), summary_.rows, lines_before);
  validator_.Absorb(block.validator, summary_.rows, lines_before);
  summary_.rows += s.rows;
  line_ = block.parser.line() + lines_before;
  if (rows_ != nullptr) {
    block.rows->Flush();
    rows_->Append(block.rows_out.view(), block.rows->rows());
  }
}

std::size_t BlockChecker::Feed(std::span<const char> window, std::uint64_t offset, bool last) {
  const char* base = window.data();
  const std::size_t size = window.size();
  std::size_t at = 0;  // where the next record starts
  // The rest of an over-long line the last window ended in.
  const auto skip_line = [&]() {
    const void* nl = std::memchr(base + at, '\n', size - at);
    if (nl == nullptr) {
      at = size;
      return;
    }
    at = static_cast<std::size_t>(static_cast<const char*>(nl) - base) + 1;
    ++line_;
    skipping_ = false;
  };
  if (skipping_) skip_line();
  // Cut what is left at line ends into blocks of about the same size.
  std::vector<std::size_t> cuts{at};
  const std::size_t rest = size - at;
  const std::size_t n = std::clamp<std::size_t>(rest / min_block_, 1, kBlocksPerThread * threads_);
  for (std::size_t k = 1; k < n; ++k) {
    const std::size_t want = at + rest * k / n;
    const void* nl = std::memchr(base + want, '\n', size - want);
    if (nl == nullptr) break;
    const auto cut = static_cast<std::size_t>(static_cast<const char*>(nl) - base) + 1;
    if (cut > cuts.back() && cut < size) cuts.push_back(cut);
  }
  cuts.push_back(size);
  const std::size_t blocks = cuts.size() - 1;
  std::vector<std::unique_ptr<Block>> checked(blocks);
  if (at < size || last) {
    if (!crew_) crew_ = std::make_unique<Crew>(threads_ - 1);
    crew_->Run(blocks, [&](std::size_t k) {
      checked[k] = Check(window, offset, cuts[k], cuts[k + 1], k == 0 && summary_.rows == 0,
                         last && k + 1 == blocks);
    });
  }
  // Join in order. A block stands only if the one before ended exactly where it starts; else
  // it is checked again from there.
  for (std::size_t k = 0; k < blocks && checked[k]; ++k) {
    std::unique_ptr<Block> block = std::move(checked[k]);
    if (block->begin != at || skipping_) {
      if (skipping_) skip_line();
      if (at >= cuts[k + 1] && !(last && k + 1 == blocks)) continue;
      block = Check(window, offset, at, cuts[k + 1], summary_.rows == 0, last && k + 1 == blocks);
      ++rechecked_;
    }
    Join(*block);
    at = block->begin + block->used;
    skipping_ = !block->parser.at_record_start();
  }
  if (skipping_ && at < size) skip_line();
  summary_.bytes = offset + (last ? size : at);
  return last ? size : at;
}

void BlockChecker::Finish() {
  pd::FinishInput(summary_, diagnostics_, skipping_);
  validator_.Finish();
}

}  // namespace rbgate::schemas::table
