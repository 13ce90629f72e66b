// A partner's folder that rbgate collects from: listed, each file fetched, then deleted or moved
// there. SFTP through libcurl (the host key always checked, as for destinations), or HTTPS (the
// certificate always verified): a url ending in '/' is a listing, a JSON array of files
// ({"name": "...", "size": N, "modified": "..."}, or plain names), each fetched at url + name
// and deleted with DELETE; a url not ending in '/' is one file, collected when its bytes change.
// Everything a server says is untrusted: names are checked before use (ListedName), listings
// are bounded (64 MiB).
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

// A JSON listing's files; false with `why` for a listing that is not one.
bool ParseJsonListing(std::string_view json, std::vector<RemoteEntry>& out, std::string& why);

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
  // For o.type ("sftp" or "https"); nullptr for another.
  static std::unique_ptr<RemoteFolder> Make(const ForwardOptions& o);
  virtual ~RemoteFolder() = default;
  virtual RemoteResult List(std::vector<RemoteEntry>& out, const std::atomic<bool>& stop) = 0;
  // What the listing said of `e`, made exact where the server can say more: SFTP's time to the
  // second (the listing has it to the minute: a file replaced within the minute is new);
  // HTTPS's size and version (ETag or Last-Modified) where the listing gave none. Left as
  // listed when the server does not say.
  virtual void Refine(RemoteEntry& e) = 0;
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
