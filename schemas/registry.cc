#include "schemas/registry.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <openssl/evp.h>
#include <simdjson.h>

#include <algorithm>
#include <system_error>

#include "parsers/json/syntax.h"
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

SchemaRegistry::SchemaRegistry(std::vector<std::string> dirs, std::shared_ptr<SchemaStore> store,
                               bool record)
    : dirs_(std::move(dirs)), store_(std::move(store)), record_(record && store_ != nullptr) {
  for (const BuiltinSchema& b : BuiltinSchemas()) {
    try {
      auto schema = std::make_shared<const FeedSchema>(
          CompileFeedSchema(b.text, "(built in) " + std::string(b.name)));
      Entry e;
      e.schema = schema;
      e.origin = "built in: " + std::string(b.name);
      feeds_[schema->name()] = std::move(e);
    } catch (const table::SchemaError& e) {
      initial_.push_back({std::string(b.name), "", e.what(), false});
    }
  }
  auto problems = Scan(true, nullptr);
  initial_.insert(initial_.end(), problems.begin(), problems.end());
}

std::vector<SchemaRegistry::Problem> SchemaRegistry::Reload(std::vector<std::string>* loaded) {
  return Scan(false, loaded);
}

namespace {

std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &n, EVP_sha256(), nullptr);
  std::string hex;
  for (unsigned int i = 0; i < n; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

// The feed a schema file that does not load claims: its top-level "name" when the JSON can be
// read that far, else what it claimed when last read, else what it served as (the store),
// else its file name's stem (`guessed`).
std::string ClaimedFeed(std::string_view text, const fs::path& path, const std::string& before,
                        const SchemaStore* store, bool& guessed) {
  guessed = false;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::string_view name;
  if (parser.parse(text.data(), text.size()).get(doc) == simdjson::SUCCESS &&
      doc["name"].get(name) == simdjson::SUCCESS && !name.empty()) {
    return std::string(name);
  }
  if (!before.empty()) return before;
  if (store != nullptr) {
    if (auto feed = store->FeedServedFrom(path.string())) return *feed;
  }
  guessed = true;
  return path.stem().string();
}

}  // namespace

std::vector<SchemaRegistry::Problem> SchemaRegistry::Scan(bool initial,
                                                          std::vector<std::string>* loaded) {
  std::lock_guard scan(scan_mu_);
  std::vector<Problem> problems;
  // Read what changed; files_ is written only here, under scan_mu_.
  std::map<std::string, FileState> files;
  std::set<std::string> changed;
  for (const std::string& dir : dirs_) {
    std::error_code ec;
    std::vector<fs::path> paths;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      if (e.path().extension() == ".json" && e.is_regular_file(ec)) paths.push_back(e.path());
    }
    if (ec) {
      if (initial) {
        problems.push_back(
            {dir, "", fmt::format("{}: cannot list the folder: {}", dir, ec.message())});
      }
      continue;
    }
    std::sort(paths.begin(), paths.end());
    for (const fs::path& path : paths) {
      const std::string file = path.string();
      FileState st;
      st.mtime = fs::last_write_time(path, ec);
      st.size = fs::file_size(path, ec);
      const auto before = files_.find(file);
      if (before != files_.end() && before->second.mtime == st.mtime &&
          before->second.size == st.size) {
        files[file] = before->second;  // unchanged since the last load
        continue;
      }
      changed.insert(file);
      try {
        auto text = ReadSchemaFile(file);
        if (!text.ok()) throw table::SchemaError(file, "$", text.status().message);
        st.text = std::move(text).value();
        st.sha256 = Sha256Hex(st.text);
        st.schema = std::make_shared<const FeedSchema>(CompileFeedSchema(st.text, file));
        st.feed = st.schema->name();
      } catch (const table::SchemaError& e) {
        st.schema.reset();
        bool guessed = false;
        st.feed = ClaimedFeed(st.text, path, before != files_.end() ? before->second.feed : "",
                              store_.get(), guessed);
        st.problem = Problem{file, st.feed, e.what(), false};
        st.problem->feed_guessed = guessed;
      }
      files[file] = std::move(st);
    }
  }
  std::set<std::string> removed;
  for (const auto& [file, st] : files_) {
    if (files.count(file) == 0) removed.insert(file);
  }

  // Which version serves each feed a file claims, claimed or served before.
  std::set<std::string> names;
  for (const auto& [file, st] : files) names.insert(st.feed);
  std::lock_guard lock(mu_);
  for (const auto& [name, e] : feeds_) {
    if (!e.built_in()) names.insert(name);
  }
  for (const auto& [name, h] : held_) names.insert(name);
  for (const std::string& name : names) Resolve(name, files, changed, removed, problems, loaded);
  files_ = std::move(files);
  return problems;
}

void SchemaRegistry::Resolve(const std::string& name, const std::map<std::string, FileState>& files,
                             const std::set<std::string>& changed,
                             const std::set<std::string>& removed, std::vector<Problem>& problems,
                             std::vector<std::string>* loaded) {
  std::vector<std::string> good, bad;
  for (const auto& [file, st] : files) {
    if (st.feed != name) continue;
    (st.schema ? good : bad).push_back(file);
  }
  const auto has = [](const std::vector<std::string>& v, const std::string& f) {
    return std::find(v.begin(), v.end(), f) != v.end();
  };
  const auto cur = feeds_.find(name);
  if (good.empty() && bad.empty() && cur == feeds_.end()) {
    // Held on a file that names no feed (Restore): held while that file is refused.
    if (const auto h = held_.find(name); h != held_.end()) {
      const auto f = files.find(h->second.file);
      if (f == files.end() || !f->second.problem) {
        held_.erase(h);
      } else {
        h->second.message = f->second.problem->message;
      }
    }
    return;
  }
  const std::string cur_file =
      cur != feeds_.end() && !cur->second.built_in() ? cur->second.origin : std::string();
  bool news = false;  // something about this feed changed in this scan: say what follows
  for (const auto& f : good) news = news || changed.count(f) > 0;
  for (const auto& f : bad) news = news || changed.count(f) > 0;

  // The file that serves: the one serving already, else the only good one, else the one the
  // store says served last. Of two that disagree, a newcomer never takes over.
  std::string pick;
  if (!cur_file.empty() && has(good, cur_file)) {
    pick = cur_file;
  } else if (!cur_file.empty() && has(bad, cur_file)) {
    // The serving file is refused now: the version before serves on; newcomers wait.
  } else if (good.size() == 1) {
    pick = good[0];
  } else if (good.size() > 1 && store_) {
    if (const auto last = store_->LastServed(name); last && has(good, last->origin))
      pick = last->origin;
  }
  const std::string holder = !pick.empty() ? pick : cur_file;
  for (const auto& f : good) {
    if (f == pick || !(news || changed.count(f) > 0)) continue;
    std::string others;
    for (const auto& g : good) {
      if (g != f) others += (others.empty() ? "" : ", ") + g;
    }
    problems.push_back(
        {f, name,
         holder.empty()
             ? fmt::format("{}: feed {} is defined by {} too; neither serves until one of the "
                           "files is removed or renamed",
                           f, name, others)
             : fmt::format("{}: feed {} is already defined by {}; this file is refused (rename "
                           "the feed, or remove one of the files)",
                           f, name, holder),
         false});
  }

  std::optional<Problem> refusal;  // the feed's own file, refused now
  for (const auto& f : bad) {
    const Problem& p = *files.at(f).problem;
    if (!refusal || f == cur_file) refusal = p;
  }
  if (!refusal && pick.empty() && good.size() > 1) {
    refusal = Problem{good[0], name,
                      fmt::format("{}: feed {} is defined by {} files ({}); none is chosen",
                                  good[0], name, good.size(), fmt::join(good, ", ")),
                      false};
  }

  if (!pick.empty()) {
    const FileState& st = files.at(pick);
    if (cur != feeds_.end() && cur->second.origin == pick && cur->second.sha256 == st.sha256 &&
        !cur->second.from_store) {
      cur->second.refused.reset();
      cur->second.file_removed = false;
      return;  // unchanged
    }
    Entry e;
    e.schema = st.schema;
    e.origin = pick;
    e.sha256 = st.sha256;
    Record(e, st.text);
    if (loaded != nullptr) loaded->push_back(fmt::format("{} from {}", e.schema->Describe(), pick));
    for (const auto& w : e.schema->warnings()) {
      Problem p{pick, name, fmt::format("{}: {}: {}", pick, w.path, w.problem), true};
      p.warning = true;
      problems.push_back(std::move(p));
    }
    feeds_[name] = std::move(e);
    held_.erase(name);
    return;
  }

  // No file serves it: the version serving keeps serving, or the store's last good one.
  Entry* serving = cur != feeds_.end() ? &cur->second : nullptr;
  if ((serving == nullptr || serving->built_in()) && (refusal || good.size() > 1)) {
    if (auto stored = FromStore(name)) {
      feeds_[name] = std::move(*stored);
      serving = &feeds_[name];
    }
  }
  // Its file is gone, or now defines another feed (an edited "name"): a removal either way.
  const auto now = cur_file.empty() ? files.end() : files.find(cur_file);
  const bool renamed = now != files.end() && now->second.feed != name && changed.count(cur_file);
  const bool was_removed = !cur_file.empty() && (removed.count(cur_file) > 0 || renamed);
  if (serving != nullptr) {
    serving->refused = refusal;
    if (was_removed && good.empty() && bad.empty()) {
      serving->file_removed = true;
      problems.push_back(
          {cur_file, name,
           fmt::format("{}: {}; feed {} serves on with the version loaded from it until the "
                       "configuration stops naming the feed",
                       cur_file,
                       renamed ? fmt::format("now defines feed {}", now->second.feed) : "removed",
                       name),
           true, true});
    }
    if (refusal && (news || was_removed)) {
      Problem p = *refusal;
      p.kept_previous = true;
      problems.push_back(std::move(p));
    }
    return;
  }
  if (refusal) {
    const bool said = held_.count(name) > 0 && !news;
    held_[name] = *refusal;
    if (!said) problems.push_back(*refusal);
  }
}

std::optional<SchemaRegistry::Entry> SchemaRegistry::FromStore(const std::string& name) const {
  if (!store_) return std::nullopt;
  const auto last = store_->LastServed(name);
  if (!last) return std::nullopt;
  try {
    Entry e;
    e.schema = std::make_shared<const FeedSchema>(CompileFeedSchema(last->text, last->origin));
    if (e.schema->name() != name) return std::nullopt;
    e.origin = last->origin;
    e.sha256 = last->sha256;
    e.since = last->since;
    e.from_store = true;
    return e;
  } catch (const table::SchemaError&) {
    return std::nullopt;  // a version this build no longer loads
  }
}

void SchemaRegistry::Record(Entry& e, const std::string& text) {
  if (!store_) return;
  if (!record_) {
    // An officer's command: the version the daemon began serving, if this is it.
    if (const auto last = store_->LastServed(e.schema->name()); last && last->sha256 == e.sha256)
      e.since = last->since;
    return;
  }
  StoredSchema s{e.schema->name(), e.sha256, e.origin, text, ""};
  // Not recorded (the ledger busy or failing): it serves all the same, without a "since", and
  // is recorded at the next load.
  if (const Status recorded = store_->Serving(s); recorded.ok()) e.since = s.since;
}

void SchemaRegistry::RecordServing() {
  std::lock_guard scan(scan_mu_);
  std::lock_guard lock(mu_);
  if (!store_) return;
  record_ = true;
  for (auto& [name, e] : feeds_) {
    if (e.built_in() || e.from_store) continue;
    if (const auto f = files_.find(e.origin); f != files_.end()) Record(e, f->second.text);
  }
}

bool SchemaRegistry::Restore(std::string_view name) {
  std::lock_guard lock(mu_);
  if (feeds_.count(name) > 0 || held_.count(name) > 0) return true;
  auto stored = FromStore(std::string(name));
  if (!stored) {
    // A file that is not JSON enough to name its feed, which never served: it may be this
    // feed's, so the feed is held on it rather than called undefined.
    for (auto& [feed, p] : held_) {
      if (p.feed_guessed) {
        p.feed_guessed = false;  // one guess: a second unknown feed is a mistake
        Problem alias = p;
        alias.feed = std::string(name);
        held_[alias.feed] = std::move(alias);
        return true;
      }
    }
    return false;
  }
  stored->file_removed = true;
  held_.erase(std::string(name));
  feeds_[std::string(name)] = std::move(*stored);
  return true;
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

std::optional<SchemaRegistry::Problem> SchemaRegistry::Held(std::string_view name) const {
  std::lock_guard lock(mu_);
  const auto it = held_.find(name);
  if (it == held_.end()) return std::nullopt;
  return it->second;
}

std::vector<SchemaRegistry::Problem> SchemaRegistry::AllHeld() const {
  std::lock_guard lock(mu_);
  std::vector<Problem> out;
  for (const auto& [name, p] : held_) out.push_back(p);
  return out;
}

// The first element of the JSON array `head` starts, when it is an object whole within
// `head`: its text. Strings are skipped as strings (a brace inside one is text), and nesting
// is counted, not followed, so a hostile head costs one pass.
static std::string_view FirstArrayObject(std::string_view head) {
  const std::size_t begin = head.find_first_not_of(" \t\r\n", 1);
  if (begin == std::string_view::npos || head[begin] != '{') return {};
  const std::size_t end = parsers::json::ClosingBracket(head, begin);
  return end == std::string_view::npos ? std::string_view() : head.substr(begin, end - begin);
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
