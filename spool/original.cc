#include "spool/original.h"

#include <fcntl.h>
#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "spool/spool.h"

namespace rbgate::spool {

StatusOr<std::unique_ptr<OriginalReader>> OriginalReader::Open(const Spool& spool,
                                                               const FileRecord& f) {
  for (const auto& [path, compressed] : {std::pair{spool.QuarantineDir(f.id) + "/original", false},
                                         std::pair{spool.ArchivePath(f), true}}) {
    auto opened = OpenPath(path, compressed);
    if (opened.ok() || opened.status().code != Code::kNotFound) return opened;
  }
  return Error(Code::kNotFound, f.id +
                                    ": no copy of its original is kept (not in quarantine, "
                                    "and not in the archive: removed by retention, or never "
                                    "kept)");
}

StatusOr<std::unique_ptr<OriginalReader>> OriginalReader::OpenPath(const std::string& path,
                                                                   bool compressed) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return FromErrno(errno, path, "open");
  return std::unique_ptr<OriginalReader>(new OriginalReader(fd, path, compressed));
}

OriginalReader::OriginalReader(int fd, std::string path, bool compressed)
    : fd_(fd), path_(std::move(path)) {
  if (compressed) {
    dctx_ = ZSTD_createDCtx();
    in_.resize(ZSTD_DStreamInSize());
  }
}

OriginalReader::~OriginalReader() {
  if (fd_ >= 0) ::close(fd_);
  if (dctx_ != nullptr) ZSTD_freeDCtx(dctx_);
}

StatusOr<std::size_t> OriginalReader::Read(std::span<char> out) {
  if (dctx_ == nullptr) {
    for (;;) {
      const ssize_t n = ::read(fd_, out.data(), out.size());
      if (n >= 0) return static_cast<std::size_t>(n);
      if (errno != EINTR) return FromErrno(errno, path_, "read");
    }
  }
  ZSTD_outBuffer o{out.data(), out.size(), 0};
  while (o.pos == 0) {
    if (in_pos_ == in_end_ && !eof_) {
      const ssize_t n = ::read(fd_, in_.data(), in_.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return FromErrno(errno, path_, "read");
      }
      in_pos_ = 0;
      in_end_ = static_cast<std::size_t>(n);
      eof_ = n == 0;
    }
    if (in_pos_ == in_end_ && eof_ && last_ == 0) return std::size_t{0};
    // At the end of the input zstd may still hold output it decoded when the last buffer
    // filled: asked again with no input, it gives it.
    ZSTD_inBuffer i{in_.data(), in_end_, in_pos_};
    last_ = ZSTD_decompressStream(dctx_, &o, &i);
    in_pos_ = i.pos;
    if (ZSTD_isError(last_)) {
      return Error(Code::kDataLoss, path_ + ": zstd: " + ZSTD_getErrorName(last_));
    }
    if (o.pos == 0 && in_pos_ == in_end_ && eof_ && last_ != 0) {
      return Error(Code::kDataLoss, path_ + ": truncated zstd frame");
    }
  }
  return o.pos;
}

StatusOr<LinePage> ReadLines(OriginalReader& in, std::uint64_t from, std::size_t count,
                             std::size_t max_line) {
  LinePage page;
  std::vector<char> buffer(std::size_t{1} << 20);
  std::uint64_t line = 1;  // the line the next byte belongs to
  const std::uint64_t end = from + count;
  auto take = [&](const char* p, std::size_t n) {  // bytes of `line`, within the page
    if (page.lines.empty() || page.lines.back().n != line) page.lines.push_back({line, {}, false});
    OriginalLine& l = page.lines.back();
    const std::size_t room = max_line > l.text.size() ? max_line - l.text.size() : 0;
    l.text.append(p, std::min(n, room));
    if (n > room) l.cut = true;
  };
  for (;;) {
    auto got = in.Read(buffer);
    if (!got.ok()) return got.status();
    if (*got == 0) break;
    const char* p = buffer.data();
    const char* const stop = p + *got;
    while (p < stop) {
      if (line >= end) {  // a byte past the page: more follow
        page.more = true;
        break;
      }
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', stop - p));
      const char* piece_end = nl != nullptr ? nl : stop;
      if (line >= from) take(p, piece_end - p);
      if (nl == nullptr) break;
      ++line;
      p = nl + 1;
    }
    if (page.more) break;
  }
  for (auto& l : page.lines) {
    if (!l.cut && !l.text.empty() && l.text.back() == '\r') l.text.pop_back();
  }
  return page;
}

}  // namespace rbgate::spool
