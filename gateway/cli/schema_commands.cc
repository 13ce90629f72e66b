#include "gateway/cli/schema_commands.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "gateway/cli/command.h"
#include "gateway/daemon/config.h"
#include "schemas/feed.h"
#include "schemas/feed_schema.h"
#include "schemas/table/infer.h"
#include "spool/check/report.h"
#include "spool/json.h"
#include "spool/ledger.h"
#include "spool/spool.h"

namespace rbgate::gateway {
namespace {

// A problem's message without its file's name in front (the line names the file already).
std::string Reason(const schemas::SchemaRegistry::Problem& p) {
  const std::string prefix = p.file + ": ";
  return p.message.rfind(prefix, 0) == 0 ? p.message.substr(prefix.size()) : p.message;
}

// What an officer needs to know of an entry beyond its name: empty when all is well.
std::string Status(const schemas::SchemaRegistry::Entry& e) {
  if (e.built_in() && !e.refused) return {};
  std::string out;
  if (!e.sha256.empty()) {
    out = fmt::format("serving {}{}", e.sha256.substr(0, 12),
                      e.since.empty() ? "" : " since " + spool::ListedTime(e.since));
    if (e.from_store) out += " (the ledger's copy)";
  } else {
    out = "serving the built-in version";
  }
  if (e.file_removed) out += fmt::format("; {} removed", e.origin);
  if (e.refused) out += fmt::format("; {} refused: {}", e.refused->file, Reason(*e.refused));
  return e.refused || e.file_removed || e.from_store ? out : std::string();
}

}  // namespace

int SchemaList(const schemas::SchemaRegistry& registry, const std::string& format) {
  const auto entries = registry.All();
  const auto held = registry.AllHeld();
  int status = 0;
  for (const auto& e : entries) {
    if (e.refused || e.file_removed) status = 1;
  }
  for (const auto& p : registry.initial_problems()) {
    if (!p.warning) status = 1;
  }
  if (!held.empty()) status = 1;

  if (format == "json") {
    using spool::Json;
    using spool::Text;
    Json feeds = Json::array();
    for (const auto* f : schemas::BuiltinFeeds()) {
      Json j = Json::object();
      j["feed"] = Text(f->name());
      j["kind"] = Text(f->kind());
      j["origin"] = Text(f->origin());
      j["state"] = "serving";
      feeds.push_back(std::move(j));
    }
    const auto refused = [](const std::string& file, const std::string& reason) {
      Json j = Json::object();
      j["file"] = Text(file);
      j["reason"] = Text(reason);
      return j;
    };
    for (const auto& e : entries) {
      Json j = Json::object();
      j["feed"] = Text(e.schema->name());
      j["version"] = Text(e.schema->version());
      j["kind"] = e.schema->json ? "json" : "table";
      j["origin"] = Text(e.origin);
      j["sha256"] = Text(e.sha256);
      j["since"] = Text(e.since);
      j["state"] = "serving";
      j["from_ledger"] = e.from_store;
      j["file_removed"] = e.file_removed;
      if (e.refused) j["refused"] = refused(e.refused->file, e.refused->message);
      feeds.push_back(std::move(j));
    }
    for (const auto& p : held) {
      Json j = Json::object();
      j["feed"] = Text(p.feed);
      j["state"] = "held";
      j["refused"] = refused(p.file, p.message);
      feeds.push_back(std::move(j));
    }
    Json problems = Json::array();
    for (const auto& p : registry.initial_problems()) {
      Json j = Json::object();
      j["file"] = Text(p.file);
      j["feed"] = Text(p.feed);
      j["severity"] = p.warning ? "warning" : "error";
      j["message"] = Text(p.message);
      problems.push_back(std::move(j));
    }
    Json out = Json::object();
    out["feeds"] = std::move(feeds);
    out["problems"] = std::move(problems);
    std::printf("%s\n", spool::Dump(out).c_str());
    return status;
  }

  std::printf("%-13s %-8s %-9s %-12s %s\n", "FEED", "VERSION", "KIND", "SHA-256", "FROM");
  for (const auto* f : schemas::BuiltinFeeds()) {
    std::printf("%-13s %-8s %-9s %-12s %s\n", std::string(f->name()).c_str(), "-",
                std::string(f->kind()).c_str(), "-", std::string(f->origin()).c_str());
  }
  for (const auto& e : entries) {
    std::printf("%-13s %-8s %-9s %-12s %s\n", e.schema->name().c_str(),
                e.schema->version().empty() ? "-" : e.schema->version().c_str(),
                e.schema->json ? "json" : "table",
                e.sha256.empty() ? "-" : e.sha256.substr(0, 12).c_str(), e.origin.c_str());
    if (const std::string s = Status(e); !s.empty()) std::printf("  %s\n", s.c_str());
    // Other files claiming the feed, refused beside the one serving.
    for (const auto& p : registry.initial_problems()) {
      if (p.feed != e.schema->name() || (e.refused && p.file == e.refused->file) || p.removed)
        continue;
      std::printf("  %s %s: %s\n", p.file.c_str(), p.warning ? "warns" : "refused",
                  Reason(p).c_str());
    }
  }
  for (const auto& p : held) {
    std::printf("%-13s %-8s %-9s %-12s %s\n", p.feed.c_str(), "-", "held", "-", p.file.c_str());
    std::printf("  held: no version has ever loaded, its route's files wait; %s refused: %s\n",
                p.file.c_str(), Reason(p).c_str());
  }
  for (const auto& p : registry.initial_problems()) {
    if (p.feed.empty()) std::fprintf(stderr, "rbgate: %s\n", p.message.c_str());
  }
  return status;
}

namespace {

std::string Where(const std::string& file, const schemas::table::SchemaIssue& i) {
  return i.line > 0 ? fmt::format("{}:{}:{}", file, i.line, i.column) : file;
}

spool::Json IssuesJson(const std::vector<schemas::table::SchemaIssue>& issues) {
  spool::Json out = spool::Json::array();
  for (const auto& i : issues) {
    spool::Json j = spool::Json::object();
    j["path"] = spool::Text(i.path);
    j["line"] = i.line;
    j["column"] = i.column;
    j["message"] = spool::Text(i.problem);
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace

int SchemaInfer(const std::string& data, std::size_t rows, const std::string& name) {
  std::ifstream in(data, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "rbgate: %s: cannot be read: %s\n", data.c_str(), std::strerror(errno));
    return 2;
  }
  // The head is enough: at most 64 MiB, cut at the last whole line.
  std::string text(std::size_t{64} << 20, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (in.gcount() == static_cast<std::streamsize>(std::size_t{64} << 20))
    text.resize(text.rfind('\n') + 1);
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    std::fprintf(stderr, "rbgate: %s: is empty: nothing to draft from\n", data.c_str());
    return 2;
  }
  schemas::table::InferOptions options;
  options.rows = rows;
  options.name =
      name.empty() ? spool::Spool::SanitiseName(std::filesystem::path(data).stem().string()) : name;
  const std::string draft = schemas::table::InferSchema(text, options);
  std::fputs(draft.c_str(), stdout);
  // What was drafted loads: say so, or why not (a header that names a column twice, say).
  try {
    const auto schema = schemas::CompileFeedSchema(draft, "(draft)");
    std::fprintf(stderr,
                 "rbgate: drafted %s, from at most %zu rows: check every type and add the "
                 "rules only you know (keys, ranges, cross-field rules)\n",
                 schema.Describe().c_str(), rows);
  } catch (const schemas::table::SchemaError& e) {
    std::fprintf(stderr, "rbgate: the draft needs an edit before it loads: %s\n", e.what());
  }
  return 0;
}

int SchemaExport(const std::string& feed) {
  for (const auto& b : schemas::BuiltinSchemas()) {
    try {
      if (schemas::CompileFeedSchema(b.text, std::string(b.name)).name() != feed) continue;
    } catch (const schemas::table::SchemaError&) {
      continue;
    }
    std::fwrite(b.text.data(), 1, b.text.size(), stdout);
    return 0;
  }
  std::fprintf(stderr, "rbgate: %s has no schema file to export: %s\n", feed.c_str(),
               schemas::IsBuiltinFeed(feed)
                   ? "it is built in (C++ and an XSD; see schemas/README.md)"
                   : "no shipped feed has that name ('rbgate schema list')");
  return 1;
}

int SchemaCheck(const std::vector<std::string>& files, bool strict, const std::string& format) {
  int status = 0;
  spool::Json checked = spool::Json::array();
  for (std::size_t n = 0; n < files.size(); ++n) {
    const std::string& f = files[n];
    std::string text, describe;
    std::vector<schemas::table::SchemaIssue> errors, warnings;
    auto read = schemas::ReadSchemaFile(f);
    const bool readable = read.ok();
    if (!readable) {
      errors.push_back({"$", read.status().message});
      status = 2;
    } else {
      text = std::move(read).value();
      // A Data Package of several resources: each is checked, as --resource would pick it.
      std::vector<std::string> resources = schemas::table::PackageResourceNames(text);
      if (resources.size() < 2) resources = {""};
      for (const std::string& resource : resources) {
        try {
          const auto schema = schemas::CompileFeedSchema(text, f, {resource, ""});
          describe += (describe.empty() ? "" : "; ") + schema.Describe();
          warnings = schema.warnings();  // the package's keys: the same for each resource
        } catch (const schemas::table::SchemaError& e) {
          for (const auto& issue : e.issues()) {
            if (std::find_if(errors.begin(), errors.end(),
                             [&](const auto& i) { return i.path == issue.path; }) == errors.end())
              errors.push_back(issue);
          }
        }
      }
    }
    const bool ok = errors.empty() && (!strict || warnings.empty());
    if (!ok && status == 0) status = 1;
    if (format == "json") {
      spool::Json j = spool::Json::object();
      j["path"] = spool::Text(f);
      j["ok"] = ok;
      j["schema"] = spool::Text(describe);
      j["errors"] = IssuesJson(errors);
      j["warnings"] = IssuesJson(warnings);
      checked.push_back(std::move(j));
      continue;
    }
    for (const auto& i : errors)
      std::printf("%s: error: %s: %s\n", Where(f, i).c_str(), i.path.c_str(), i.problem.c_str());
    for (const auto& i : warnings) {
      std::printf("%s: %s: %s: %s\n", Where(f, i).c_str(), strict ? "error" : "warning",
                  i.path.c_str(), i.problem.c_str());
    }
    if (errors.empty()) {
      std::printf("%s: %s: %s\n", f.c_str(), describe.c_str(),
                  ok ? (warnings.empty() ? "ok" : "ok, with warnings")
                     : "refused (--strict: no custom properties)");
    }
  }
  if (format == "json") {
    spool::Json out = spool::Json::object();
    out["files"] = std::move(checked);
    std::printf("%s\n", spool::Dump(out).c_str());
  }
  return status;
}

}  // namespace rbgate::gateway

namespace rbgate::cli {
namespace {

class SchemaCommands final : public CommandGroup {
 public:
  explicit SchemaCommands(CLI::App& app) {
    // rbgate schema check
    auto* schema_cmd = app.add_subcommand("schema", "Work with table schemas, offline");
    schema_cmd->require_subcommand(1);
    schema_check_ =
        schema_cmd->add_subcommand("check",
                                   "Load schema files and say what each defines or what "
                                   "is wrong with it (file, JSON path, problem)");
    schema_check_->add_option("FILE", schema_files, "Schema files (JSON)")
        ->required()
        ->type_name("");
    schema_check_->add_flag("--strict", schema_strict,
                            "Refuse custom properties too (keys no specification defines)");
    schema_check_->add_option("--format", schema_format, "Output format")
        ->check(CLI::IsMember({"text", "json"}))
        ->type_name("FORMAT")
        ->capture_default_str();
    schema_check_->footer(
        "Every problem of every file is reported in one run: FILE[:LINE:COL]: error: JSON path: "
        "what is wrong. A key within a typo of a known one is an error with 'did you mean'; other "
        "keys no specification defines are kept as custom properties, unchecked, and listed as "
        "warnings.\nExit status: 0 every file loads (warnings allowed unless --strict); 1 some "
        "file has an error; 2 a file cannot be read.");
    schema_list_ = schema_cmd->add_subcommand(
        "list",
        "The feeds rbgate knows: built in, shipped as schema files, and those in the "
        "configuration's checks.schema_dirs, with versions and where each came from");
    schema_infer_ = schema_cmd->add_subcommand(
        "infer",
        "Draft a Table Schema from a delimited file, to adapt (like frictionless describe)");
    schema_infer_->add_option("DATA", infer_data, "A delimited file whose first line is its header")
        ->required()
        ->type_name("");
    schema_infer_->add_option("--rows", infer_rows, "Rows read after the header")
        ->type_name("N")
        ->capture_default_str();
    schema_infer_->add_option("--name", infer_name, "The feed's name (default: the file's)")
        ->type_name("NAME");
    schema_infer_->footer(
        "Prints a Data Resource: the delimiter and encoding, and per column the narrowest type "
        "every value fits (integer, pounds and pence, number, boolean, UK and ISO dates, "
        "date-times, NINO, postcode, sort code, else string), required when no value is empty, "
        "and an enum for few distinct values.\nExit status: 0 drafted; 2 the file cannot be read.");
    schema_export_ =
        schema_cmd->add_subcommand("export", "Print a shipped schema file, to copy and adapt");
    schema_export_->add_option("FEED", export_feed, "A shipped schema feed (rbgate schema list)")
        ->required()
        ->type_name("");
    schema_list_->add_option("--config", schema_config, "Configuration whose schema_dirs to load")
        ->type_name("FILE");
    schema_list_->add_option("--schema-dir", schema_dirs, "A folder of schema files (repeatable)")
        ->type_name("DIR");
    schema_list_->add_option("--format", schema_list_format, "Output format")
        ->check(CLI::IsMember({"text", "json"}))
        ->type_name("FORMAT")
        ->capture_default_str();
    schema_list_->footer(
        "Each feed's line names the version serving (the first 12 hex digits of its file's "
        "SHA-256) and where it came from; a line under it says what is wrong: a file refused, with "
        "the version serving in its place and since when, a file removed, or a feed held because "
        "none of its versions has ever loaded.\nExit status: 0 all schemas serve as their files "
        "say; 1 something needs an officer; 2 usage or I/O problems.");
  }

  std::optional<int> Run() override {
    if (*schema_check_) return gateway::SchemaCheck(schema_files, schema_strict, schema_format);
    if (*schema_infer_) return gateway::SchemaInfer(infer_data, infer_rows, infer_name);
    if (*schema_export_) return gateway::SchemaExport(export_feed);
    if (!*schema_list_) return std::nullopt;
    std::shared_ptr<schemas::SchemaRegistry> registry;
    if (!schema_config.empty()) {
      try {
        registry = gateway::LoadConfig(schema_config, /*check_feeds=*/false).spool.check.registry;
      } catch (const gateway::ConfigError& e) {
        std::fprintf(stderr, "rbgate: %s\n", e.what());
        return kExitUsage;
      }
    } else {
      registry = std::make_shared<schemas::SchemaRegistry>(schema_dirs);
    }
    return gateway::SchemaList(*registry, schema_list_format);
  }

 private:
  CLI::App* schema_check_ = nullptr;
  CLI::App* schema_list_ = nullptr;
  CLI::App* schema_infer_ = nullptr;
  CLI::App* schema_export_ = nullptr;
  std::vector<std::string> schema_files;
  bool schema_strict = false;
  std::string schema_format = "text";
  std::string infer_data, infer_name;
  std::size_t infer_rows = 10000;
  std::string export_feed;
  std::vector<std::string> schema_dirs;
  std::string schema_config;
  std::string schema_list_format = "text";
};

}  // namespace

std::unique_ptr<CommandGroup> AddSchemaCommands(CLI::App& app) {
  return std::make_unique<SchemaCommands>(app);
}

}  // namespace rbgate::cli
