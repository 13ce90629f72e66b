#include "spool/check/check.h"

#include <fmt/format.h>
#include <sched.h>
#include <simdjson.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <functional>
#include <optional>
#include <thread>

#include "parsers/delimited/delimited.h"
#include "parsers/xml/rules.h"
#include "parsers/xml/xml_stream.h"
#include "schemas/detect.h"
#include "schemas/feed.h"
#include "schemas/json/json_validator.h"
#include "schemas/json/rules.h"
#include "schemas/table/blocks.h"
#include "schemas/table/rows.h"
#include "schemas/table/rules.h"
#include "schemas/table/validator.h"
#include "spool/check/digest.h"
#include "spool/check/mapped_input.h"

namespace rbgate::check {
namespace {

std::string HumanBytes(std::uint64_t n) {
  if (n >= (1ULL << 30)) return fmt::format("{:.1f} GiB", double(n) / double(1ULL << 30));
  return fmt::format("{:.0f} MiB", double(n) / double(1ULL << 20));
}

// The checking pass's other readers of the file: its SHA-256 and its archive copy. Each byte
// is given once, in order, whatever the checker re-reads. For a large file Give returns at
// once (the hash on a thread of its own, the compression on zstd's workers) and Settle waits
// until the bytes may be unmapped.
class Readers {
 public:
  Readers(const CheckHooks& hooks, std::int64_t size) : hooks_(hooks) {
    if (hooks.sha256 == nullptr) return;
    if (size > kLarge) {
      background_.emplace();
    } else {
      hash_.emplace();
    }
  }
  // `window` starts at `offset`; the bytes before `given_` were given already.
  void Give(std::span<const char> window, std::uint64_t offset, bool last) {
    const std::size_t skip = static_cast<std::size_t>(given_ - offset);
    const std::string_view fresh(window.data() + skip, window.size() - skip);
    given_ += fresh.size();
    if (background_) background_->Update(fresh);
    if (hash_) hash_->Update(fresh);
    if (hooks_.archive != nullptr) hooks_.archive->Write({fresh.data(), fresh.size()}, last);
  }
  void Settle() {
    if (background_) background_->Wait();
  }
  void Finish() {
    if (background_) *hooks_.sha256 = background_->HexDigest();
    if (hash_) *hooks_.sha256 = hash_->HexDigest();
  }

 private:
  static constexpr std::int64_t kLarge = std::int64_t{8} << 20;
  const CheckHooks& hooks_;
  std::optional<BackgroundSha256> background_;
  std::optional<Sha256> hash_;
  std::uint64_t given_ = 0;
};

}  // namespace

StatusOr<FileHead> ReadFileHead(const std::string& path, const CheckSettings& settings) {
  FileHead head;
  head.bytes.resize(schemas::kDetectionWindow + 1);
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr)
    return Error(Code::kUnavailable, path + ": cannot open: " + std::strerror(errno));
  head.bytes.resize(std::fread(head.bytes.data(), 1, head.bytes.size(), f));
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) return Error(Code::kUnavailable, path + ": cannot read");
  head.whole = head.bytes.size() <= schemas::kDetectionWindow;
  if (!head.whole) head.bytes.resize(schemas::kDetectionWindow);
  head.detection = schemas::DetectFeed(head.bytes, head.whole);
  head.feed = head.detection.feed;
  // A feed defined by a schema file, recognised by its header row (never past a DOCTYPE).
  if (head.feed.empty() && head.detection.doctype_line == 0 && settings.registry) {
    head.feed = settings.registry->Detect(head.bytes);
  }
  return head;
}

std::string FeedOfFile(const std::string& path, const CheckSettings& settings) {
  const auto head = ReadFileHead(path, settings);
  return head.ok() ? head->feed : std::string();
}

// The progress line on a terminal for a large file, whatever its feed: a callback for
// ForEachWindow, or none. The line is cleared when the object goes.
class Progress {
 public:
  Progress(const std::string& path, std::int64_t size, const CheckSettings& settings)
      : path_(path), show_(settings.progress && size > (64 << 20) && ::isatty(STDERR_FILENO)) {}
  ~Progress() {
    if (show_) std::fprintf(stderr, "\r\033[K");
  }
  std::function<void(std::uint64_t, std::uint64_t)> callback() const {
    if (!show_) return nullptr;
    return [this](std::uint64_t done, std::uint64_t total) {
      std::fprintf(stderr, "\rchecking %s %3d%% (%s of %s)", path_.c_str(),
                   static_cast<int>(100 * done / (total ? total : 1)), HumanBytes(done).c_str(),
                   HumanBytes(total).c_str());
    };
  }

 private:
  const std::string& path_;
  bool show_;
};

// Reads the file window by window through `consume` (which returns how many bytes it used),
// giving each byte once to the hash and the archive beside it (`readers`), with the progress
// line on a terminal; false, with why in report.problem, when it cannot be read through.
template <class Consume>
bool ReadThrough(const std::string& path, std::int64_t size, std::size_t window_bytes,
                 const CheckSettings& settings, Readers& readers, FileReport& report,
                 Consume&& consume) {
  InputError error;
  bool lost = false;  // a check that used more than it was given: its findings mean nothing
  std::optional<Progress> progress(std::in_place, path, size, settings);
  const bool ok = ForEachWindow(
      path, window_bytes,
      [&](std::span<const char> window, std::uint64_t offset, bool last) {
        readers.Give(window, offset, last);
        std::size_t used = consume(window, offset, last);
        if (!RBGATE_INVARIANT(used <= window.size(), "a check used more bytes than it was given")) {
          lost = true;
          used = window.size();
        }
        readers.Settle();
        return used;
      },
      error, progress->callback());
  progress.reset();
  if (!ok) report.problem = error.message;
  if (ok && lost) {
    report.problem = path +
                     ": an internal error lost the check's place in the file (counted in "
                     "rbgate_invariant_failures_total); it cannot be judged until rbgate is mended";
  }
  return ok && !lost;
}

// A built-in feed: the feed's own check, fed the file window by window.
void CheckBuiltin(const std::string& path, std::int64_t size, const CheckSettings& settings,
                  const schemas::BuiltinFeed& feed, FileReport& report, const CheckHooks& hooks) {
  auto made = feed.MakeCheck(static_cast<std::uint64_t>(size), settings.validator,
                             report.diagnostics, {hooks.items, hooks.rows, hooks.session});
  if (!made.ok()) {
    report.problem = path + ": " + made.status().message;
    return;
  }
  const std::unique_ptr<schemas::FeedCheck> check = std::move(made).value();
  Readers readers(hooks, size);
  if (!ReadThrough(path, size, settings.window_bytes, settings, readers, report,
                   [&](std::span<const char> window, std::uint64_t offset, bool last) {
                     const std::size_t used = check->Feed(window, offset, last);
                     return used;
                   })) {
    return;
  }
  schemas::FeedFacts facts;
  check->Finish(facts);
  report.records = facts.records;
  report.bytes = facts.bytes > 0 ? facts.bytes : static_cast<std::uint64_t>(size);
  report.separator = std::move(facts.separator);
  report.business_key = std::move(facts.business_key);
  readers.Finish();
  if (hooks.rows != nullptr) hooks.rows->Flush();
  report.diagnostics.SortByPosition();
}

// How many threads a file of `size` bytes is checked on: one for a file too small to share.
unsigned ThreadsFor(const CheckSettings& settings, std::int64_t size) {
  cpu_set_t set;
  CPU_ZERO(&set);
  const unsigned cores = ::sched_getaffinity(0, sizeof set, &set) == 0
                             ? static_cast<unsigned>(std::max(1, CPU_COUNT(&set)))
                             : std::max(1u, std::thread::hardware_concurrency());
  const unsigned asked = settings.threads == 0 ? cores : settings.threads;
  const auto blocks = static_cast<std::uint64_t>(size) / schemas::table::BlockChecker::kMinBlock;
  return static_cast<unsigned>(std::min<std::uint64_t>(asked, std::max<std::uint64_t>(blocks, 1)));
}

// Typed-row sinks fed as one (absent ones skipped).
class TypedTee final : public schemas::table::TypedRowSink {
 public:
  explicit TypedTee(std::initializer_list<schemas::table::TypedRowSink*> sinks) {
    for (auto* s : sinks) {
      if (s != nullptr) sinks_.push_back(s);
    }
  }
  schemas::table::TypedRowSink* sink() {
    if (sinks_.size() > 1) return this;
    return sinks_.empty() ? nullptr : sinks_[0];
  }
  void OnTypedRow(const parsers::delimited::Row& row, std::span<const schemas::table::Value> v,
                  std::span<const bool> present, bool valid) override {
    for (auto* s : sinks_) s->OnTypedRow(row, v, present, valid);
  }
  void OnOtherRecord(const parsers::delimited::Row& row, std::string_view role,
                     std::span<const schemas::table::Value> v,
                     std::span<const bool> present) override {
    for (auto* s : sinks_) s->OnOtherRecord(row, role, v, present);
  }

 private:
  std::vector<schemas::table::TypedRowSink*> sinks_;
};

// Delimited and fixed-width feeds: the schema's dialect frames rows, its validator judges them.
void CheckTable(const std::string& path, std::int64_t size, const CheckSettings& settings,
                const schemas::FeedSchema& feed, FileReport& report, const CheckHooks& hooks) {
  const auto& schema = *feed.table;
  report.windows1252 = schema.encoding == parsers::delimited::Encoding::kWindows1252;
  // The transform, if asked for, is written from the same pass.
  std::optional<schemas::table::TableRows> rows;
  if (hooks.rows != nullptr) rows.emplace(schema, *hooks.rows);
  // Reference maps: those given, else the last accepted file of each feed the spool kept.
  schemas::table::ReferenceSets references = settings.references;
  if (!settings.reference_dir.empty() && settings.reference_cache && settings.registry) {
    for (const auto& r : schema.references) {
      if (references.count(r.feed) > 0) continue;
      const auto entry = settings.registry->Find(r.feed);
      if (!entry || !entry->schema->table) continue;
      if (auto values = settings.reference_cache->Get(*entry->schema->table, r.key,
                                                      settings.reference_dir + "/" + r.feed)) {
        references[r.feed] = std::move(values);
      }
    }
  }
  // Checks across records that the schema's binding asks for (summary valuations).
  const auto across = schemas::MakeTableRecordCheck(schema, report.diagnostics);
  // The resource's bytes and hash, when its descriptor states them.
  if (schema.bytes && static_cast<std::uint64_t>(size) != *schema.bytes) {
    parsers::ReportAt(
        report.diagnostics, schemas::table::rules::kResourceBytes, 1, 1, {},
        fmt::format("the file is {} bytes; its descriptor says {}", size, *schema.bytes));
  }
  std::optional<Sha256> resource_hash;
  std::uint64_t hashed = 0;
  if (!schema.hash_hex.empty()) resource_hash.emplace(schema.hash_algorithm);
  TypedTee typed(
      {rows ? &*rows : nullptr, hooks.session ? hooks.session->typed() : nullptr, across.get()});
  const schemas::table::ValidatorOptions options{settings.validator.modulus, typed.sink(),
                                                 &references};
  // A large file on every core, where its schema allows (the transform's rows written by each
  // block apart, joined in order); else in one pass.
  const unsigned threads = ThreadsFor(settings, size);
  const bool only_rows = typed.sink() == nullptr || (rows && typed.sink() == &*rows);
  const schemas::table::ValidatorOptions in_blocks{options.modulus, nullptr, &references};
  std::optional<schemas::table::BlockChecker> blocks;
  std::optional<schemas::table::Validator> validator;
  std::optional<parsers::delimited::Parser> parser;
  if (threads > 1 && only_rows && schemas::table::Validator::ChecksInBlocks(schema, in_blocks)) {
    blocks.emplace(schema, report.diagnostics, in_blocks, threads, rows ? hooks.rows : nullptr);
  } else {
    validator.emplace(schema, report.diagnostics, options);
    parser.emplace(*validator, report.diagnostics, schema.ParseOptions());
  }
  const std::size_t window =
      std::max({settings.window_bytes, std::size_t{4} << 20,
                blocks ? threads * schemas::table::BlockChecker::kBlocksPerThread *
                             schemas::table::BlockChecker::kMinBlock
                       : 0});
  Readers readers(hooks, size);
  if (!ReadThrough(path, size, window, settings, readers, report,
                   [&](std::span<const char> window, std::uint64_t offset, bool last) {
                     if (resource_hash) {  // windows overlap where a record was left unfinished
                       const auto skip = static_cast<std::size_t>(hashed - offset);
                       resource_hash->Update({window.data() + skip, window.size() - skip});
                       hashed = offset + window.size();
                     }
                     return blocks ? blocks->Feed(window, offset, last)
                                   : parser->Feed(window, offset, last);
                   })) {
    return;
  }
  if (blocks) {
    blocks->Finish();
  } else {
    parser->Finish();
    validator->Finish();
  }
  if (resource_hash) {
    if (const std::string hex = resource_hash->HexDigest(); hex != schema.hash_hex) {
      parsers::ReportAt(report.diagnostics, schemas::table::rules::kResourceHash, 1, 1, {},
                        fmt::format("the file's {} is {}; its descriptor says {}",
                                    schema.hash_algorithm, hex, schema.hash_hex));
    }
  }
  if (across) across->Finish();
  if (hooks.rows != nullptr) hooks.rows->Flush();
  const auto& summary = blocks ? blocks->summary() : parser->summary();
  report.records = blocks ? blocks->records() : validator->records();
  report.bytes = summary.bytes;
  report.separator = std::string(parsers::delimited::LineEndName(summary.line_end));
  readers.Finish();
  report.diagnostics.SortByPosition();
}

// JSON feeds: JSON lines window by window; a JSON array whole (up to json::kMaxArray).
void CheckJson(const std::string& path, std::int64_t size, const CheckSettings& settings,
               const schemas::FeedSchema& feed, FileReport& report, const CheckHooks& hooks,
               const FileHead* head) {
  namespace js = schemas::json;
  const auto& schema = *feed.json;
  js::JsonValidator validator(schema, report.diagnostics);
  if (hooks.rows != nullptr) validator.SetRows(hooks.rows);  // the transform, in the same pass
  Readers readers(hooks, size);
  bool array = schema.container == js::Container::kArray;
  if (schema.container == js::Container::kDetect) {
    std::optional<StatusOr<FileHead>> read;
    if (head == nullptr && (read = ReadFileHead(path, {}))->ok()) head = &read->value();
    array = head != nullptr && js::StartsAsArray(head->bytes);
  }
  if (array && static_cast<std::uint64_t>(size) > js::kMaxArray) {
    parsers::ReportAt(report.diagnostics, js::rules::kSize, 1, 1, {},
                      fmt::format("the JSON array is {}; the limit is {}", HumanBytes(size),
                                  HumanBytes(js::kMaxArray)));
    array = false;
    report.bytes = static_cast<std::uint64_t>(size);
    report.separator = "json array";
    return;
  }
  std::string whole;  // an array, read whole, with simdjson's padding
  if (!ReadThrough(path, size, std::max<std::size_t>(settings.window_bytes, 2 * js::kMaxLine),
                   settings, readers, report,
                   [&](std::span<const char> window, std::uint64_t offset, bool last) {
                     if (!array) return validator.FeedLines(window, offset, last);
                     whole.append(window.data(), window.size());
                     return window.size();
                   })) {
    return;
  }
  if (array) {
    const std::size_t n = whole.size();
    whole.resize(n + simdjson::SIMDJSON_PADDING);
    validator.ValidateArray({whole.data(), n});
  }
  validator.Finish();
  if (hooks.rows != nullptr) hooks.rows->Flush();
  report.records = validator.records();
  report.bytes = static_cast<std::uint64_t>(size);
  report.separator = array ? "json array" : "json lines";
  readers.Finish();
  report.diagnostics.SortByPosition();
}

std::unique_ptr<FileReport> CheckFile(const std::string& path, const CheckSettings& settings,
                                      const std::string& feed, const CheckHooks& hooks,
                                      const FileHead* head) {
  auto report = std::make_unique<FileReport>(settings.cap_per_rule);
  report->path = path;
  std::int64_t size = FileSize(path);
  if (size < 0) {
    InputError e;
    // Let ForEachWindow say precisely why (missing, unreadable, not a regular file).
    ForEachWindow(
        path, settings.window_bytes, [](auto, auto, bool) { return 0; }, e);
    report->problem = e.message.empty() ? path + ": cannot read" : e.message;
    return report;
  }
  report->feed = feed.empty() ? settings.feed : feed;
  // A schema file's feed: the one given, or one of the registry's.
  const auto check_schema = [&](const schemas::FeedSchema& schema) {
    report->feed = schema.name();
    if (schema.json) {
      CheckJson(path, size, settings, schema, *report, hooks, head);
    } else {
      CheckTable(path, size, settings, schema, *report, hooks);
    }
  };
  if (settings.schema && (report->feed.empty() || report->feed == settings.schema->name())) {
    check_schema(*settings.schema);
    return report;
  }
  const auto from_registry = [&](const std::string& name) -> bool {
    if (!settings.registry || schemas::IsBuiltinFeed(name)) return false;
    const auto entry = settings.registry->Find(name);
    if (!entry) return false;
    report->schema_version = entry->schema->version();
    report->schema_sha256 = entry->sha256;
    check_schema(*entry->schema);
    return true;
  };
  if (!report->feed.empty() && from_registry(report->feed)) return report;
  if (report->feed.empty()) {
    // No feed named: the content says, or its account of what it is instead is the verdict.
    std::optional<StatusOr<FileHead>> read;
    if (head == nullptr) {
      read = ReadFileHead(path, settings);
      if (!read->ok()) {
        report->problem = read->status().message;
        return report;
      }
      head = &read->value();
    }
    const schemas::Detection* detected = &head->detection;
    report->feed = detected->feed;
    report->bytes = static_cast<std::uint64_t>(size);
    if (detected->doctype_line > 0) {
      parsers::ReportAt(report->diagnostics, parsers::xml::rules::kDoctype, detected->doctype_line,
                        detected->doctype_column, {},
                        parsers::xml::DoctypeMessage(detected->doctype_name));
      report->separator = "xml";
      return report;
    }
    // A feed defined by a schema file, recognised by its header row.
    if (report->feed.empty() && !head->feed.empty() && from_registry(head->feed)) return report;
    if (report->feed.empty()) {
      parsers::ReportAt(report->diagnostics, schemas::kUnknownFeed, 1, 1, {}, detected->seen);
      return report;
    }
  }
  const auto* builtin = schemas::FindBuiltinFeed(report->feed);
  if (builtin == nullptr) {
    report->problem = path + ": unknown feed '" + report->feed + "'";
    return report;
  }
  CheckBuiltin(path, size, settings, *builtin, *report, hooks);
  return report;
}

}  // namespace rbgate::check
