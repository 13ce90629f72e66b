#include "spool/fsio.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "spool/check/digest.h"
#include "spool/check/mapped_input.h"

namespace rbgate::spool {
namespace {

struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

std::string DirOf(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string BaseOf(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

Status WriteAll(int fd, const char* p, std::size_t n, const std::string& what) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return FromErrno(errno, what, "write");
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return Status::Ok();
}

Status FromErrno(int err, const std::string& what, const char* call) {
  Code code = Code::kInternal;
  switch (err) {
    case ENOSPC:
    case EDQUOT:
    case EAGAIN:
    case EINTR:
    case EBUSY:
    case EMFILE:
    case ENFILE:
    case ENOMEM:
      code = Code::kUnavailable;
      break;
    case ENOENT:
      code = Code::kNotFound;
      break;
    case EACCES:
    case EPERM:
    case EISDIR:
    case ELOOP:
    case ENXIO:
      code = Code::kInvalidArgument;
      break;
    default:
      break;
  }
  return Error(code, what + ": " + call + ": " + std::strerror(err));
}

Status SyncFile(const std::string& path) {
  Fd f(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (f.fd < 0) return FromErrno(errno, path, "open");
  if (::fsync(f.fd) != 0) return FromErrno(errno, path, "fsync");
  return Status::Ok();
}

Status SyncDir(const std::string& dir) {
  Fd f(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (f.fd < 0) return FromErrno(errno, dir, "open");
  if (::fsync(f.fd) != 0) return FromErrno(errno, dir, "fsync");
  return Status::Ok();
}

Status MakeDirs(const std::string& dir, bool sync) {
  if (dir.empty()) return Status::Ok();
  struct stat st;
  if (::stat(dir.c_str(), &st) == 0) {
    return S_ISDIR(st.st_mode) ? Status::Ok()
                               : Error(Code::kFailedPrecondition, dir + ": not a directory");
  }
  std::string parent = DirOf(dir);
  if (parent != dir) {
    if (Status s = MakeDirs(parent, sync); !s.ok()) return s;
  }
  if (::mkdir(dir.c_str(), 0750) != 0 && errno != EEXIST) return FromErrno(errno, dir, "mkdir");
  return sync ? SyncDir(parent) : Status::Ok();
}

Status WriteFileDurably(const std::string& dir, const std::string& name, std::string_view bytes,
                        bool sync) {
  const std::string tmp = dir + "/.rbgate-tmp-" + name;
  const std::string dst = dir + "/" + name;
  {
    Fd f(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0640));
    if (f.fd < 0) return FromErrno(errno, tmp, "open");
    if (Status s = WriteAll(f.fd, bytes.data(), bytes.size(), tmp); !s.ok()) {
      ::unlink(tmp.c_str());
      return s;
    }
    if (sync && ::fsync(f.fd) != 0) {
      int e = errno;
      ::unlink(tmp.c_str());
      return FromErrno(e, tmp, "fsync");
    }
  }
  if (::rename(tmp.c_str(), dst.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    return FromErrno(e, dst, "rename");
  }
  return sync ? SyncDir(dir) : Status::Ok();
}

Status RenameNoReplace(const std::string& from, const std::string& to) {
  if (::syscall(SYS_renameat2, AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) !=
      0) {
    if (errno == EEXIST) return Error(Code::kInvalidArgument, to + ": exists");
    return FromErrno(errno, from + " -> " + to, "rename");
  }
  return Status::Ok();
}

Status CopyDurably(const std::string& from, const std::string& to, bool sync) {
  Fd in(::open(from.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (in.fd < 0) return FromErrno(errno, from, "open");
  const std::string tmp = DirOf(to) + "/.rbgate-tmp-" + BaseOf(to);
  {
    Fd out(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0640));
    if (out.fd < 0) return FromErrno(errno, tmp, "open");
    std::string buffer(1 << 20, '\0');
    while (true) {
      ssize_t n = ::read(in.fd, buffer.data(), buffer.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        int e = errno;
        ::unlink(tmp.c_str());
        return FromErrno(e, from, "read");
      }
      if (n == 0) break;
      if (Status s = WriteAll(out.fd, buffer.data(), static_cast<std::size_t>(n), tmp); !s.ok()) {
        ::unlink(tmp.c_str());
        return s;
      }
    }
    if (sync && ::fsync(out.fd) != 0) {
      int e = errno;
      ::unlink(tmp.c_str());
      return FromErrno(e, tmp, "fsync");
    }
  }
  if (::rename(tmp.c_str(), to.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    return FromErrno(e, to, "rename");
  }
  return sync ? SyncDir(DirOf(to)) : Status::Ok();
}

Status ReadSmallFile(const std::string& path, std::string& out, std::size_t limit) {
  Fd f(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (f.fd < 0) return FromErrno(errno, path, "open");
  out.clear();
  char buffer[65536];
  while (true) {
    ssize_t n = ::read(f.fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      return FromErrno(errno, path, "read");
    }
    if (n == 0) break;
    out.append(buffer, static_cast<std::size_t>(n));
    if (out.size() > limit) return Error(Code::kInvalidArgument, path + ": too large");
  }
  return Status::Ok();
}

NodeKind KindOf(const std::string& path, std::uint64_t* size, std::int64_t* mtime_ns) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return NodeKind::kMissing;
  if (size) *size = static_cast<std::uint64_t>(st.st_size);
  if (mtime_ns) *mtime_ns = st.st_mtim.tv_sec * 1'000'000'000LL + st.st_mtim.tv_nsec;
  if (S_ISREG(st.st_mode)) return NodeKind::kRegular;
  if (S_ISDIR(st.st_mode)) return NodeKind::kDirectory;
  if (S_ISLNK(st.st_mode)) return NodeKind::kSymlink;
  if (S_ISFIFO(st.st_mode)) return NodeKind::kFifo;
  return NodeKind::kOther;
}

std::int64_t FreeBytes(const std::string& path) {
  struct statvfs v;
  if (::statvfs(path.c_str(), &v) != 0) return -1;
  return static_cast<std::int64_t>(v.f_bavail) * static_cast<std::int64_t>(v.f_frsize);
}

Status Sha256File(const std::string& path, std::string& hex, std::uint64_t* size) {
  check::Sha256 h;
  std::uint64_t total = 0;
  check::InputError error;
  bool ok = check::ForEachWindow(
      path, std::size_t{8} << 20,
      [&](std::span<const char> w, std::uint64_t, bool) {
        h.Update({w.data(), w.size()});
        total += w.size();
        return w.size();
      },
      error);
  if (!ok) return Error(Code::kInvalidArgument, error.message);
  hex = h.HexDigest();
  if (size) *size = total;
  return Status::Ok();
}

}  // namespace rbgate::spool
