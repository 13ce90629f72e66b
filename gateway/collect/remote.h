// A partner's folder that rbgate collects from: listed, each file fetched, then deleted or moved
// there. SFTP through libcurl (the host key always checked, as for destinations). Everything a
// server says is untrusted: names are checked before use (ListedName).
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "gateway/forward/transfer.h"
#include "spool/ledger.h"

namespace rbgate::gateway {

struct RemoteEntry {
  std::string name;
  std::uint64_t size = 0;
  std::string mtime;  // as the server lists it (to the minute), or to the second (ModifiedAt)
};

// What a listing line says, or nullopt for anything that is not a regular file: libcurl's SFTP
// long listing, "-rw-r--r--    1 owner    group        1234 Dec  7 11:12 name".
std::optional<RemoteEntry> ParseListingLine(std::string_view line);

// Whether `name` may be used as a file name here: not empty, at most 255 bytes, no '/', no
// control characters, no quote or backslash (the server's commands quote names), not hidden
// (hidden names are writers' temporaries, and the spool never takes them). Why not, if not.
bool ListedName(std::string_view name, std::string& why);

struct RemoteResult {
  bool ok = false;
  std::string reason;  // a class for counting: connect, host-key, auth, remote-path...
  std::string detail;  // plain English, never a secret
};

class RemoteFolder {
 public:
  // For o.type ("sftp"); nullptr for another.
  static std::unique_ptr<RemoteFolder> Make(const ForwardOptions& o);
  virtual ~RemoteFolder() = default;
  virtual RemoteResult List(std::vector<RemoteEntry>& out, const std::atomic<bool>& stop) = 0;
  // The file's modification time to the second (ISO 8601 UTC), where the listing has it to the
  // minute: what tells a file replaced within the minute. Empty when the server does not say.
  virtual std::string ModifiedAt(const std::string& name) = 0;
  // Writes the file's bytes to `out`, hashed: SHA-256 hex and the byte count.
  virtual RemoteResult Fetch(const std::string& name, std::FILE* out, std::string& sha256,
                             std::uint64_t& bytes, const std::atomic<bool>& stop) = 0;
  // Removes it; one already gone is done.
  virtual RemoteResult Delete(const std::string& name) = 0;
  // Moves it into the folder `to` (a path on the server, ending in '/'); one already there (and
  // gone from here) is done.
  virtual RemoteResult Move(const std::string& name, const std::string& to) = 0;
};

}  // namespace rbgate::gateway
