// Where the versions of schema files that served are kept (the ledger), so that a feed's last
// good version serves again after a restart when its file no longer loads, or is gone. The
// registry (schemas/registry.h) reads it; the daemon's registry also writes it. An
// implementation lives with the ledger (spool/schema_store_sqlite.h), so that this layer
// stays free of databases.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "parsers/status.h"

namespace rbgate::schemas {

// One version of a feed's schema file, as it served.
struct StoredSchema {
  std::string feed;
  std::string sha256;  // of `text`, lowercase hex
  std::string origin;  // the file it was loaded from
  std::string text;    // the file's bytes, as loaded
  std::string since;   // ISO 8601 UTC: when this version last began serving
};

class SchemaStore {
 public:
  virtual ~SchemaStore() = default;
  // The version of `feed` that began serving last, if any. Never throws; a store that cannot
  // be read answers nullopt and says why in `error`.
  virtual std::optional<StoredSchema> LastServed(std::string_view feed,
                                                 std::string* error = nullptr) const = 0;
  // The feed whose version served last from the file `origin`, if any: what a file that no
  // longer reads as JSON claimed.
  virtual std::optional<std::string> FeedServedFrom(std::string_view origin) const = 0;
  // Records that `s` (feed, sha256, origin, text) serves `s.feed` from now; a version served
  // before is kept once, by feed and hash. Sets `s.since`. Why not, when it could not be
  // recorded (the version still serves; it is tried again at the next load).
  virtual Status Serving(StoredSchema& s) = 0;
};

}  // namespace rbgate::schemas
