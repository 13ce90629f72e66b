// The archive: each accepted original, zstd-compressed, written and synced, and verified by
// decompressing and hashing before the original may go.
#pragma once

#include <string>

#include "spool/status.h"

namespace rbgate::spool {

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
