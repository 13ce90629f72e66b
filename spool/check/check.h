// `rbgate check`: validates files exactly as the daemon will, and reports every finding.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "parsers/diagnostic.h"
#include "parsers/status.h"
#include "schemas/detect.h"
#include "schemas/feed.h"
#include "schemas/feed_schema.h"
#include "schemas/feed_store.h"
#include "schemas/registry.h"
#include "schemas/table/validator.h"
#include "spool/check/byte_sink.h"

namespace rbgate::check {

struct CheckSettings {
  std::string feed;  // empty: detect from content
  schemas::CheckOptions validator;
  std::size_t cap_per_rule = 20;
  std::size_t window_bytes = std::size_t{16} << 20;
  bool progress = false;  // a progress line on stderr for large files
  // Threads one large file is checked on, where its feed allows (0: the cores available).
  unsigned threads = 0;
  // A council's schema (a table schema, or a JSON Schema): files are checked against it,
  // whatever their content looks like. Its name is the feed's.
  std::optional<schemas::FeedSchema> schema;
  // The feeds defined by schema files (shipped, and the configuration's schema_dirs): routes
  // and --feed may name them, and a delimited one with a header row is detected by it.
  std::shared_ptr<schemas::SchemaRegistry> registry;
  // Reference maps for schemas with rbgate.references, by feed (rbgate check --reference).
  schemas::table::ReferenceSets references;
  // Where the spool keeps the last accepted file of each referenced feed (<dir>/<feed>), read
  // through `reference_cache` for references `references` does not give.
  std::string reference_dir;
  std::shared_ptr<schemas::table::ReferenceCache> reference_cache;
};

struct FileReport {
  std::string path;
  std::string feed;
  std::string problem;  // non-empty: the file could not be checked (I/O, unknown feed)
  parsers::DiagnosticCollector diagnostics;
  std::uint64_t records = 0;
  std::uint64_t bytes = 0;
  std::string separator;
  // The schema that judged it, for a schema-file feed: its version (as the file says) and the
  // SHA-256 of the file's bytes. Empty for built-in feeds, and when nothing judged it.
  std::string schema_version, schema_sha256;
  bool windows1252 = false;  // its text is Windows-1252: shown converted to UTF-8
  // What identifies the submission whatever its bytes (empty when the feed has none or the
  // file is too broken to say): for a payment file, SUN, serial, processing days and totals.
  std::string business_key;

  explicit FileReport(std::size_t cap) : diagnostics(cap) {}
  bool valid() const noexcept { return problem.empty() && diagnostics.errors() == 0; }
};

// What else the checking pass feeds, so that nothing reads a file twice.
struct CheckHooks {
  std::string* sha256 = nullptr;  // the file's SHA-256
  // The items the feed keeps on record (a payment file's, a report's returned items).
  schemas::ItemSink* items = nullptr;
  // The session of the feed's store (schemas::OpenFeedSession): told what its feed's check
  // tells it, and fed a table feed's records as typed values (a list's entries).
  schemas::FeedSession* session = nullptr;
  // A feed's transform (rows for the R&B system), written as it is validated. The
  // writer must have the feed's columns (BuiltinFeed::transform_columns).
  schemas::RowWriter* rows = nullptr;
  // The archive copy, compressed from the same reads (finished only if the file was read
  // through).
  ByteSink* archive = nullptr;
};

// A file's first bytes (up to schemas::kDetectionWindow), read once, and what they say of its
// feed: a built-in feed's (schemas::DetectFeed), else the schema-file feed of the settings'
// registry they fit (SchemaRegistry::Detect), else none.
struct FileHead {
  std::string bytes;
  bool whole = false;  // `bytes` is the entire file
  std::string feed;    // empty: no feed rbgate knows (detection.seen says what it is)
  schemas::Detection detection;
};
// kUnavailable, saying why, when the file cannot be read.
StatusOr<FileHead> ReadFileHead(const std::string& path, const CheckSettings& settings);
// The feed a file's head says (FileHead::feed), or empty (unknown or unreadable: CheckFile then
// says which).
std::string FeedOfFile(const std::string& path, const CheckSettings& settings);

// Checks one file. Never throws for a bad file: the findings are in the report. `feed`
// overrides settings.feed when non-empty. A hook's output is complete only when the file was
// read through (`hooks.sha256` is left empty otherwise). The file is read once: for a large
// file the hash runs on a thread of its own and the compression on zstd's, beside the check.
// `head`, if the caller read it already (ReadFileHead), is not read again.
std::unique_ptr<FileReport> CheckFile(const std::string& path, const CheckSettings& settings,
                                      const std::string& feed = {}, const CheckHooks& hooks = {},
                                      const FileHead* head = nullptr);

}  // namespace rbgate::check
