#include "schemas/registry.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <system_error>

#include "schemas/table/validator.h"

namespace rbgate::schemas {
namespace {

namespace fs = std::filesystem;

// The first line of `head` split by `delimiter`, quotes removed (header rows are plain).
std::vector<std::string_view> FirstLineFields(std::string_view head, char delimiter) {
  if (head.substr(0, 3) == "\xEF\xBB\xBF") head.remove_prefix(3);
  std::string_view line = head.substr(0, head.find('\n'));
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::vector<std::string_view> out;
  while (true) {
    const std::size_t d = line.find(delimiter);
    std::string_view f = line.substr(0, d);
    if (f.size() >= 2 && f.front() == '"' && f.back() == '"') f = f.substr(1, f.size() - 2);
    out.push_back(f);
    if (d == std::string_view::npos) break;
    line.remove_prefix(d + 1);
  }
  return out;
}

}  // namespace

SchemaRegistry::SchemaRegistry(std::vector<std::string> dirs) : dirs_(std::move(dirs)) {
  for (const BuiltinSchema& b : BuiltinSchemas()) {
    try {
      auto schema = std::make_shared<const FeedSchema>(
          CompileFeedSchema(b.text, "(built in) " + std::string(b.name)));
      feeds_[schema->name()] = {schema, "built in: " + std::string(b.name), {}, 0};
    } catch (const table::SchemaError& e) {
      initial_.push_back({std::string(b.name), e.what(), false});
    }
  }
  auto problems = Scan(true, nullptr);
  initial_.insert(initial_.end(), problems.begin(), problems.end());
}

std::vector<SchemaRegistry::Problem> SchemaRegistry::Reload(std::vector<std::string>* loaded) {
  return Scan(false, loaded);
}

std::vector<SchemaRegistry::Problem> SchemaRegistry::Scan(bool initial,
                                                          std::vector<std::string>* loaded) {
  std::vector<Problem> problems;
  std::map<std::string, std::string> seen;  // file -> feed
  for (const std::string& dir : dirs_) {
    std::error_code ec;
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      if (e.path().extension() == ".json" && e.is_regular_file(ec)) files.push_back(e.path());
    }
    if (ec) {
      problems.push_back({dir, fmt::format("{}: cannot list the folder: {}", dir, ec.message())});
      continue;
    }
    std::sort(files.begin(), files.end());
    for (const fs::path& path : files) {
      const std::string file = path.string();
      const auto mtime = fs::last_write_time(path, ec);
      const auto size = fs::file_size(path, ec);
      {
        // Unchanged since the last load: nothing to do.
        std::lock_guard lock(mu_);
        if (const auto f = by_file_.find(file); f != by_file_.end()) {
          const auto it = feeds_.find(f->second);
          if (it != feeds_.end() && it->second.origin == file && it->second.mtime == mtime &&
              it->second.size == size) {
            seen[file] = f->second;
            continue;
          }
        }
      }
      {
        std::lock_guard lock(mu_);
        const auto r = refused_.find(file);
        if (r != refused_.end() && r->second == std::make_pair(mtime, size)) {
          if (const auto f = by_file_.find(file); f != by_file_.end()) seen[file] = f->second;
          continue;  // refused as it is; said already
        }
      }
      try {
        auto schema = std::make_shared<const FeedSchema>(LoadFeedSchemaFile(file));
        std::lock_guard lock(mu_);
        refused_.erase(file);
        const std::string& name = schema->name();
        if (const auto it = feeds_.find(name);
            it != feeds_.end() && it->second.origin != file && seen.count(it->second.origin) > 0) {
          problems.push_back({file, fmt::format("{}: feed {} is already defined by {}", file, name,
                                                it->second.origin)});
          continue;
        }
        // A file that now defines another feed gives up the one it defined before.
        if (const auto f = by_file_.find(file); f != by_file_.end() && f->second != name) {
          const auto old = feeds_.find(f->second);
          if (old != feeds_.end() && old->second.origin == file) feeds_.erase(old);
        }
        if (loaded != nullptr)
          loaded->push_back(fmt::format("{} from {}", schema->Describe(), file));
        feeds_[name] = {std::move(schema), file, mtime, size};
        by_file_[file] = name;
        seen[file] = name;
      } catch (const table::SchemaError& e) {
        std::lock_guard lock(mu_);
        const auto f = by_file_.find(file);
        const bool kept = !initial && f != by_file_.end() && feeds_.count(f->second) > 0;
        if (kept) seen[file] = f->second;
        refused_[file] = {mtime, size};
        problems.push_back({file, e.what(), kept});
      }
    }
  }
  // Files that went away take their feeds with them.
  std::lock_guard lock(mu_);
  for (auto it = by_file_.begin(); it != by_file_.end();) {
    if (seen.count(it->first) == 0) {
      const auto feed = feeds_.find(it->second);
      if (feed != feeds_.end() && feed->second.origin == it->first) {
        if (loaded != nullptr)
          loaded->push_back(fmt::format("{} removed with {}", it->second, it->first));
        feeds_.erase(feed);
      }
      it = by_file_.erase(it);
    } else {
      ++it;
    }
  }
  return problems;
}

std::optional<SchemaRegistry::Entry> SchemaRegistry::Find(std::string_view name) const {
  std::lock_guard lock(mu_);
  const auto it = feeds_.find(name);
  if (it == feeds_.end()) return std::nullopt;
  return it->second;
}

std::vector<SchemaRegistry::Entry> SchemaRegistry::All() const {
  std::lock_guard lock(mu_);
  std::vector<Entry> out;
  for (const auto& [name, entry] : feeds_) out.push_back(entry);
  return out;
}

// The first element of the JSON array `head` starts, when it is an object whole within
// `head`: its text. Strings are skipped as strings (a brace inside one is text), and nesting
// is counted, not followed, so a hostile head costs one pass.
static std::string_view FirstArrayObject(std::string_view head) {
  std::size_t i = head.find_first_not_of(" \t\r\n", 1);
  if (i == std::string_view::npos || head[i] != '{') return {};
  const std::size_t begin = i;
  std::size_t depth = 0;
  bool in_string = false;
  for (; i < head.size(); ++i) {
    const char c = head[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if ((c == '}' || c == ']') && --depth == 0) {
      return head.substr(begin, i + 1 - begin);
    }
  }
  return {};
}

// The first JSON record of `head`, if it starts as JSON lines or a JSON array and the record
// is whole within it: its keys.
static std::optional<std::vector<std::string>> FirstRecordKeys(std::string_view head) {
  if (head.substr(0, 3) == "\xEF\xBB\xBF") head.remove_prefix(3);
  const std::size_t start = head.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return std::nullopt;
  head.remove_prefix(start);
  simdjson::dom::parser parser;
  simdjson::dom::object record;
  const std::string text(head[0] == '{'   ? head.substr(0, head.find('\n'))
                         : head[0] == '[' ? FirstArrayObject(head)
                                          : std::string_view());
  if (text.empty() || parser.parse(text).get(record) != simdjson::SUCCESS) return std::nullopt;
  std::vector<std::string> keys;
  for (auto [key, value] : record) keys.emplace_back(key);
  return keys;
}

std::string SchemaRegistry::Detect(std::string_view head) const {
  // JSON lines: a JSON schema whose record requires properties, all of them in the first line
  // and (when it allows no others) nothing else.
  if (const auto keys = FirstRecordKeys(head)) {
    std::lock_guard lock(mu_);
    for (const auto& [name, entry] : feeds_) {
      const auto& json = entry.schema->json;
      if (!json || json->nodes.empty() || json->nodes[0].required.empty()) continue;
      const json::Node& root = json->nodes[0];
      const auto has = [&](const std::string& k) {
        return std::find(keys->begin(), keys->end(), k) != keys->end();
      };
      bool match = std::all_of(root.required.begin(), root.required.end(), has);
      if (match && root.additional == -2) {
        match = std::all_of(keys->begin(), keys->end(), [&](const std::string& k) {
          return std::any_of(root.properties.begin(), root.properties.end(),
                             [&](const json::Node::Property& p) { return p.name == k; });
        });
      }
      if (match) return name;
    }
    return {};
  }
  std::lock_guard lock(mu_);
  for (const auto& [name, entry] : feeds_) {
    const auto& table = entry.schema->table;
    if (!table || !table->header || table->fixed_width) continue;
    const auto fields = FirstLineFields(head, table->dialect.delimiter);
    if (fields.size() != table->fields.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < fields.size() && same; ++i)
      same = fields[i] == table->fields[i].name;
    if (same) return name;
  }
  // A multi-record file starting with its header record: the first line is, without a fault,
  // the header record of exactly one feed (its code, its number of fields, every field's type
  // and constraints). Two that fit detect neither, and the route must name one.
  const std::string_view first = head.substr(0, head.find('\n') + 1);
  std::string found;
  int claims = 0;
  for (const auto& [name, entry] : feeds_) {
    const auto& table = entry.schema->table;
    if (!table || table->header || table->fixed_width || !table->records.enabled ||
        !table->records.header || table->records.column < 0 || first.empty()) {
      continue;
    }
    const auto fields = FirstLineFields(head, table->dialect.delimiter);
    const auto column = static_cast<std::size_t>(table->records.column);
    if (fields.size() != table->records.header->fields.size() || column >= fields.size() ||
        fields[column] != table->records.header->code) {
      continue;
    }
    parsers::DiagnosticCollector findings(1);
    table::Validator validator(*table, findings);
    parsers::delimited::Parser parser(validator, findings, table->ParseOptions());
    (void)parser.Feed(first, 0, true);
    if (findings.errors() == 0 && validator.records() == 1) {
      found = name;
      ++claims;
    }
  }
  return claims == 1 ? found : std::string();
}

bool SchemaRegistry::IsReferenced(std::string_view feed) const {
  std::lock_guard lock(mu_);
  for (const auto& [name, entry] : feeds_) {
    if (!entry.schema->table) continue;
    for (const auto& r : entry.schema->table->references) {
      if (r.feed == feed) return true;
    }
  }
  return false;
}

}  // namespace rbgate::schemas
