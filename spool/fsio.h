// Durable file operations for the spool. Every function reports failure as a Status and
// never throws; durability points (fsync of files and of the directories that name them)
// are explicit so that callers can batch them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "spool/status.h"

namespace rbgate::spool {

// fsync a file's data, or a directory's entries.
Status SyncFile(const std::string& path);
Status SyncDir(const std::string& dir);

// Creates `dir` and its parents (mode 0750). Succeeds if it exists as a directory. With
// `sync` false the parents are not fsynced (the caller's GroupSync does it).
Status MakeDirs(const std::string& dir, bool sync = true);

// Writes `bytes` to dir/name durably: a hidden temporary in `dir`, fsync, rename, fsync dir.
// With `sync` false the fsyncs are left to the caller (GroupSync), the rest is the same.
Status WriteFileDurably(const std::string& dir, const std::string& name, std::string_view bytes,
                        bool sync = true);

// rename(2) that refuses to replace an existing target (RENAME_NOREPLACE); kInvalidArgument
// "exists" when it does.
Status RenameNoReplace(const std::string& from, const std::string& to);

// Copies `from` to `to` through a hidden temporary beside `to`, fsyncs and renames it into
// place, then fsyncs the directory.
Status CopyDurably(const std::string& from, const std::string& to, bool sync = true);

// Writes all `n` bytes to `fd` (retrying short writes and EINTR); `what` names it in errors.
Status WriteAll(int fd, const char* p, std::size_t n, const std::string& what);

// Reads a small file whole (reports, metadata). kNotFound if missing.
Status ReadSmallFile(const std::string& path, std::string& out, std::size_t limit = 64 << 20);

// What lstat says of `path`, without following links.
enum class NodeKind { kMissing, kRegular, kDirectory, kSymlink, kFifo, kOther };
NodeKind KindOf(const std::string& path, std::uint64_t* size = nullptr,
                std::int64_t* mtime_ns = nullptr);

// Free bytes on the filesystem holding `path`, or -1.
std::int64_t FreeBytes(const std::string& path);

// Hashes a file read window by window (bounded memory).
Status Sha256File(const std::string& path, std::string& hex, std::uint64_t* size = nullptr);

}  // namespace rbgate::spool
