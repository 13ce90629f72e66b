// The feeds defined by schema files: those shipped inside rbgate and those in the folders a
// council's configuration names (checks.schema_dirs). Lookups are thread-safe and hand out
// shared snapshots, so a reload never pulls a schema from under a check in progress. A file
// that fails to load, at start or on an edit, is refused with a finding and never changes a
// verdict: its feed serves the last good version (kept in the ledger across restarts), or, if
// it never had one, is held. A removed file's feed serves on; of two files claiming one feed,
// the one serving keeps it.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "schemas/feed_schema.h"
#include "schemas/schema_store.h"

namespace rbgate::schemas {

// A schema file shipped inside the binary.
struct BuiltinSchema {
  std::string_view name;  // the file's name, e.g. "vep.json"
  std::string_view text;
};

// Every schema shipped with rbgate (schemas/<feed>/*.json, embedded at build time).
std::span<const BuiltinSchema> BuiltinSchemas() noexcept;

class SchemaRegistry {
 public:
  // What a (re)load found wrong, one per file.
  struct Problem {
    std::string file;
    std::string feed;            // the feed the file claims (its "name", or its file name's stem)
    std::string message;         // file: JSON path: what is wrong
    bool kept_previous = false;  // the feed serves on with a version loaded before
    bool removed = false;        // the file was removed (its feed serves on)
    bool feed_guessed = false;   // `feed` is the file name's stem: the file names none
    // Not a refusal: a key of a schema now serving, kept as a custom property and unchecked.
    bool warning = false;
  };
  struct Entry {
    std::shared_ptr<const FeedSchema> schema;
    std::string origin;  // "built in: <file>", or the path of the file it was loaded from
    std::string sha256;  // of the schema file's bytes ("" for a built-in one)
    std::string since;   // when this version began serving (from the store), or ""
    // Loaded from the store, not the file: the file no longer loads, or is gone.
    bool from_store = false;
    // Its file was removed: it serves on until the configuration stops naming the feed.
    bool file_removed = false;
    // The feed's file as it is now, refused; this version serves in its place.
    std::optional<Problem> refused;
    bool built_in() const noexcept { return origin.rfind("built in", 0) == 0; }
  };

  // Loads the built-in schemas, then every *.json in `dirs` (a schema in a folder replaces a
  // built-in one of the same name). Problems are returned, not thrown: a bad file is skipped.
  // With a `store`, a feed whose file does not load (or whose files disagree) serves the
  // version that served last; with `record` too, each version that begins serving is
  // recorded there (the daemon's registry; an officer's commands only read).
  explicit SchemaRegistry(std::vector<std::string> dirs = {},
                          std::shared_ptr<SchemaStore> store = nullptr, bool record = false);

  // Loads again whatever changed in the folders since the last load (new, edited or removed
  // files). Returns what was refused or removed; a refused edit leaves the previous version
  // serving, and so does a removal. `loaded`, if given, receives a line for each feed
  // (re)loaded.
  std::vector<Problem> Reload(std::vector<std::string>* loaded = nullptr);
  // The problems of the first load.
  const std::vector<Problem>& initial_problems() const noexcept { return initial_; }

  std::optional<Entry> Find(std::string_view name) const;
  std::vector<Entry> All() const;
  // A feed that no version serves (its file has never loaded, and the store has none), with
  // why: files on a route naming it wait in the drop folder until it does.
  std::optional<Problem> Held(std::string_view name) const;
  std::vector<Problem> AllHeld() const;
  // From now on, each version that begins serving is recorded in the store, starting with
  // those serving now (the daemon, once it holds the spool). Without a store, nothing.
  void RecordServing();
  // For a feed no file defines (its file was removed while rbgate was stopped): the version
  // that served last, from the store, serving again. Else, when a refused file is not JSON
  // enough to name its feed, the feed is held on that file. False when neither.
  bool Restore(std::string_view name);

  // The feed a file's first bytes belong to, where that is reliable: a delimited schema with a
  // header row whose names match the file's first line exactly, or a JSON schema whose required
  // properties are all in the first line of JSON lines (and nothing else, when it allows no
  // others). Empty when none.
  std::string Detect(std::string_view head) const;
  const std::vector<std::string>& dirs() const noexcept { return dirs_; }
  // Whether some table schema refers to `feed`'s files (rbgate.references).
  bool IsReferenced(std::string_view feed) const;

 private:
  // A schema file as last read.
  struct FileState {
    std::filesystem::file_time_type mtime{};
    std::uintmax_t size = 0;
    std::shared_ptr<const FeedSchema> schema;  // null: refused (`problem`)
    std::string text, sha256, feed;
    std::optional<Problem> problem;
  };
  std::vector<Problem> Scan(bool initial, std::vector<std::string>* loaded);
  // Resolves which version serves `name` after a scan; the caller holds mu_.
  void Resolve(const std::string& name, const std::map<std::string, FileState>& files,
               const std::set<std::string>& changed, const std::set<std::string>& removed,
               std::vector<Problem>& problems, std::vector<std::string>* loaded);
  // The store's last served version of `name`, compiled; nullopt when none or it fails.
  std::optional<Entry> FromStore(const std::string& name) const;
  void Record(Entry& e, const std::string& text);

  std::vector<std::string> dirs_;
  std::shared_ptr<SchemaStore> store_;
  bool record_ = false;
  std::mutex scan_mu_;  // one scan at a time
  mutable std::mutex mu_;
  std::map<std::string, Entry, std::less<>> feeds_;
  std::map<std::string, Problem, std::less<>> held_;
  std::map<std::string, FileState> files_;  // by path, as last read
  std::vector<Problem> initial_;
};

}  // namespace rbgate::schemas
