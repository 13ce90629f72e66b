// The feeds defined by schema files: those shipped inside rbgate and those in the folders a
// council's configuration names (checks.schema_dirs). Lookups are thread-safe and hand out
// shared snapshots, so a reload never pulls a schema from under a check in progress. A file
// that fails to load on reload is refused with a finding and its previous version keeps
// serving.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "schemas/feed_schema.h"

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
  struct Entry {
    std::shared_ptr<const FeedSchema> schema;
    std::string origin;  // "built in", or the file's path
    std::filesystem::file_time_type mtime{};
    std::uintmax_t size = 0;
  };
  // What a (re)load found wrong, one per file.
  struct Problem {
    std::string file;
    std::string message;  // file: JSON path: what is wrong
    bool kept_previous = false;
  };

  // Loads the built-in schemas, then every *.json in `dirs` (a schema in a folder replaces a
  // built-in one of the same name). Problems are returned, not thrown: a bad file is skipped.
  explicit SchemaRegistry(std::vector<std::string> dirs = {});

  // Loads again whatever changed in the folders since the last load (new, edited or removed
  // files). Returns what was refused; a refused edit leaves the previous version serving.
  // `loaded`, if given, receives a line for each feed (re)loaded or removed.
  std::vector<Problem> Reload(std::vector<std::string>* loaded = nullptr);
  // The problems of the first load.
  const std::vector<Problem>& initial_problems() const noexcept { return initial_; }

  std::optional<Entry> Find(std::string_view name) const;
  std::vector<Entry> All() const;
  // The feed a file's first bytes belong to, where that is reliable: a delimited schema with a
  // header row whose names match the file's first line exactly, or a JSON schema whose required
  // properties are all in the first line of JSON lines (and nothing else, when it allows no
  // others). Empty when none.
  std::string Detect(std::string_view head) const;
  const std::vector<std::string>& dirs() const noexcept { return dirs_; }
  // Whether some table schema refers to `feed`'s files (rbgate.references).
  bool IsReferenced(std::string_view feed) const;

 private:
  std::vector<Problem> Scan(bool initial, std::vector<std::string>* loaded);

  std::vector<std::string> dirs_;
  mutable std::mutex mu_;
  std::map<std::string, Entry, std::less<>> feeds_;
  std::map<std::string, std::string> by_file_;  // file -> feed name, for removals
  // Files refused, with the size and time they were refused at: not tried (or reported)
  // again until they change.
  std::map<std::string, std::pair<std::filesystem::file_time_type, std::uintmax_t>> refused_;
  std::vector<Problem> initial_;
};

}  // namespace rbgate::schemas
