// The archive: each accepted original, zstd-compressed, written and synced, and verified by
// decompressing and hashing before the original may go.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "spool/check/byte_sink.h"
#include "spool/status.h"

struct ZSTD_CCtx_s;

namespace rbgate::spool {

// The zstd level the spool archives at (chosen by measurement: docs/performance.md, the spool).
inline constexpr int kArchiveLevel = 1;

// Writes a file's zstd archive copy as its bytes arrive (the frame carries its own checksum),
// to `path`, created here. For a `large` input the compression runs on zstd's worker threads,
// one per core, while the caller goes on. Nothing is synced here.
class ArchiveWriter final : public check::ByteSink {
 public:
  ArchiveWriter(std::string path, int level, bool large);
  ~ArchiveWriter();
  ArchiveWriter(const ArchiveWriter&) = delete;
  ArchiveWriter& operator=(const ArchiveWriter&) = delete;

  // The next bytes of the input, each given once and in order; `last` ends the frame. After a
  // failure the rest is ignored and status() says why.
  void Write(std::span<const char> bytes, bool last) override;
  const Status& status() const { return status_; }
  bool finished() const { return finished_ && status_.ok(); }
  const std::string& path() const { return path_; }
  // Syncs the file (for callers outside the spool's group sync).
  Status Sync();

 private:
  std::string path_;
  int fd_ = -1;
  ZSTD_CCtx_s* cctx_ = nullptr;
  std::vector<char> buffer_;
  Status status_;
  bool finished_ = false;
  bool pooled_;  // a small file's context, given back for the next
  static constexpr std::uint64_t kWriteBehind = std::uint64_t{8} << 20;
  std::uint64_t written_ = 0;  // bytes written
  std::uint64_t started_ = 0;  // bytes whose writeback has been started
};

// Compresses `src` into `dst` (through a hidden temporary, fsynced, renamed, directory
// fsynced) and verifies that `dst` decompresses to bytes whose SHA-256 is `sha256`.
// kDataLoss when verification fails (the bad archive is removed); kUnavailable on a full disk.
// With `sync` false, the fsyncs are left to the caller (GroupSync) before relying on it.
Status ArchiveFile(const std::string& src, const std::string& dst, const std::string& sha256,
                   int level = 3, bool sync = true);

// Decompresses `archive` and checks its SHA-256 (and, if `out` is non-empty, writes the bytes
// there durably: for restoring an original).
Status VerifyArchive(const std::string& archive, const std::string& sha256,
                     const std::string& out = {});

}  // namespace rbgate::spool
