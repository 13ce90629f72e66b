// A file's original, wherever the spool keeps it now: in quarantine as it was received, or in
// the archive (zstd, decompressed as it is read, never whole). Read forward in pieces, for the
// console's file view and an officer's download. A decrypting route's original is its
// ciphertext: that is what is kept.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "spool/ledger.h"
#include "spool/status.h"

struct ZSTD_DCtx_s;

namespace rbgate::spool {

class Spool;

class OriginalReader {
 public:
  // f's original: quarantine/<id>/original, else its archive copy. kNotFound when neither is
  // kept (removed by retention, or refused before it was kept).
  static StatusOr<std::unique_ptr<OriginalReader>> Open(const Spool& spool, const FileRecord& f);
  // The file at `path`, as it is or (`compressed`) a zstd archive.
  static StatusOr<std::unique_ptr<OriginalReader>> OpenPath(const std::string& path,
                                                            bool compressed);
  ~OriginalReader();
  OriginalReader(const OriginalReader&) = delete;
  OriginalReader& operator=(const OriginalReader&) = delete;

  // The next bytes, up to out.size(); 0 at the end. kDataLoss for a damaged archive.
  StatusOr<std::size_t> Read(std::span<char> out);
  bool archived() const noexcept { return dctx_ != nullptr; }
  const std::string& path() const noexcept { return path_; }

 private:
  OriginalReader(int fd, std::string path, bool compressed);
  int fd_ = -1;
  std::string path_;
  ZSTD_DCtx_s* dctx_ = nullptr;
  std::vector<char> in_;  // compressed bytes read, not yet decompressed: [in_pos_, in_end_)
  std::size_t in_pos_ = 0, in_end_ = 0;
  bool eof_ = false;
  std::size_t last_ = 0;  // zstd's last hint: 0 when a frame has just ended
};

struct OriginalLine {
  std::uint64_t n = 0;  // 1-based
  std::string text;     // without its line ending, cut at the page's limit
  bool cut = false;
};
struct LinePage {
  std::vector<OriginalLine> lines;
  bool more = false;  // lines follow the page
};

// Lines [from, from + count) of what `in` reads, each cut at `max_line` bytes. Lines before the
// page are counted, not kept: memory stays at one buffer and the page.
StatusOr<LinePage> ReadLines(OriginalReader& in, std::uint64_t from, std::size_t count,
                             std::size_t max_line);

}  // namespace rbgate::spool
