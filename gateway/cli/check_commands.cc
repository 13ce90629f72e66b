// rbgate check, transform and rules: a file judged offline exactly as the daemon judges it.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "gateway/cli/command.h"
#include "gateway/cli/stdin_file.h"
#include "gateway/cli/transform.h"
#include "gateway/daemon/clock.h"
#include "gateway/daemon/config.h"
#include "gateway/daemon/daemon.h"
#include "gateway/rules/explain.h"
#include "schemas/detect.h"
#include "schemas/feed.h"
#include "schemas/feed_schema.h"
#include "schemas/registry.h"
#include "spool/check/check.h"
#include "spool/check/report.h"
#include "spool/openpgp.h"

namespace rbgate::cli {
namespace {

class CheckCommands final : public CommandGroup {
 public:
  explicit CheckCommands(CLI::App& app) {
    // rbgate check
    check_ = app.add_subcommand(
        "check", "Validate files before anyone sends them, with the daemon's rules and messages");
    check_->add_option("FILE", files, "Files to check ('-' for standard input)")
        ->required()
        ->type_name("");
    check_
        ->add_option("--feed", feed,
                     "Feed of the files (default: detected from content): a built-in feed or one "
                     "defined by a schema file ('rbgate schema list')")
        ->type_name("FEED");
    check_
        ->add_option("--reference", check_references,
                     "A reference map for schemas whose fields must appear in another feed's file "
                     "(rbgate.references), e.g. rsl-refmap=map.csv (repeatable)")
        ->type_name("FEED=FILE");
    check_
        ->add_option("--config", check_config,
                     "Check as the daemon of this configuration does: its schema folders (the "
                     "version serving, from the ledger when a file is refused), calendar, modulus "
                     "tables, reference maps and processing_days_against")
        ->type_name("FILE");
    check_->add_option("--route", check_route, "With --config: as this route does (its feed)")
        ->type_name("NAME");
    check_
        ->add_option("--schema-dir", check_schema_dirs,
                     "A folder of schema files whose feeds --feed may name (repeatable)")
        ->type_name("DIR");
    check_
        ->add_option("--schema", schema_file,
                     "Check against this schema: a Frictionless Table Schema, data resource or "
                     "Data Package, or a JSON Schema (see schemas/README.md)")
        ->type_name("FILE.json");
    check_
        ->add_option("--resource", check_resource,
                     "With a Data Package: the resource to check against (default: the one whose "
                     "path is the file's name, else the package's only one)")
        ->type_name("NAME");
    check_->add_option("--format", format, "Report format")
        ->check(CLI::IsMember({"text", "json"}))
        ->type_name("FORMAT")
        ->capture_default_str();
    tables_.Add(check_, true);
    check_->add_flag("--no-modulus", no_modulus, "Do not check accounts by modulus");
    check_
        ->add_option("--as-of", as_of_text,
                     "Judge processing days against this date (default: each file's "
                     "creation date)")
        ->type_name("YYYY-MM-DD");
    check_->add_flag("--show-personal-data", show_personal,
                     "Show account numbers, names and references unmasked");
    check_->add_option("--max-per-rule", cap, "Findings shown per rule before counting only")
        ->type_name("N")
        ->capture_default_str();
    check_->footer(
        "Exit status: 0 when no file has an error (warnings allowed), 1 when any file has an "
        "error, 2 for usage or I/O problems.\n"
        "Text output is compiler-style: FILE:LINE:COL: severity[rule]: message, then the record "
        "with a caret under the field, then a hint. JSON output:\n"
        "  {\"files\":[{\"path\",\"feed\",\"valid\",\"records\",\"diagnostics\":[{\"rule\","
        "\"severity\",\"line\",\"column\",\"offset\",\"record\",\"field\",\"message\",\"hint\"}],"
        "\"suppressed\":{\"<rule>\":count}}]}\n"
        "Lines and columns are 1-based, offsets 0-based bytes. 'rbgate rules' lists every rule.");

    // rbgate transform
    transform_ = app.add_subcommand(
        "transform",
        "Validate a bank report and turn it into rows to import (CSV or JSON lines), in one pass");
    transform_->add_option("FILE", transform_file, "The report")->required()->type_name("");
    transform_
        ->add_option("--feed", transform_feed, "Feed of the file (default: detected from content)")
        ->type_name("FEED");
    transform_->add_option("--format", transform_format, "Row format")
        ->check(CLI::IsMember({"csv", "jsonl"}))
        ->type_name("FORMAT")
        ->capture_default_str();
    transform_->add_option("-o,--output", transform_out, "Output file (default: standard output)")
        ->type_name("FILE");
    transform_
        ->add_option("--schema", transform_schema,
                     "A table schema: the file is checked against it and its data records "
                     "become rows (dates ISO 8601, money in pence)")
        ->type_name("FILE.json");
    transform_->footer(
        "One row per advice item (per user file for an input report), with the report's header "
        "fields; amounts in pence, sort codes as six digits. Columns: "
        "schemas/bacs_reports/README.md. The report is validated in the same pass: if it is "
        "invalid the findings go to standard error, the exit status is 1, and an output file is "
        "not written (rows already on standard output must not be imported).");
    for (CLI::App* command : {check_, transform_}) {
      command
          ->add_option("--threads", threads,
                       "Threads one large file is checked on (default: the cores available; 1: "
                       "one pass)")
          ->type_name("N")
          ->check(CLI::Range(0u, 1024u));
    }

    rules_ = app.add_subcommand("rules", "List every rule id with its severity and meaning");
    explain_ = app.add_subcommand("explain",
                                  "A rule's page: what it checks, why it matters, an example, "
                                  "how to fix the file, where it comes from");
    explain_->add_option("RULE", explain_rule, "Rule id (rbgate rules lists them)")
        ->required()
        ->type_name("");
  }

  std::optional<int> Run() override {
    if (*transform_) return Transform();
    if (*rules_) return Rules();
    if (*explain_) return Explain();
    if (*check_) return Check();
    return std::nullopt;
  }

 private:
  int Transform() {
    check::CheckSettings transform_settings;
    transform_settings.threads = threads;
    transform_settings.registry = std::make_shared<schemas::SchemaRegistry>();
    if (!transform_schema.empty()) {
      try {
        transform_settings.schema = schemas::LoadFeedSchemaFile(transform_schema);
      } catch (const schemas::table::SchemaError& e) {
        throw UsageError(std::string("--schema: ") + e.what());
      }
      transform_feed = transform_settings.schema->name();
    }
    const std::string detected = transform_feed.empty()
                                     ? check::FeedOfFile(transform_file, transform_settings)
                                     : transform_feed;
    if (detected.empty()) {
      // No known feed (or XML with a DOCTYPE): the check's finding says what it is instead.
      auto report = check::CheckFile(transform_file, {});
      if (!report->problem.empty()) throw UsageError(report->problem);
      std::fputs(check::RenderText(*report, {}).c_str(), stderr);
      std::fprintf(stderr, "%s: invalid; nothing transformed\n", transform_file.c_str());
      return 1;
    }
    // To a file: written beside it and renamed into place only if the report is valid.
    const std::string partial = transform_out + ".partial";
    std::ofstream file;
    if (!transform_out.empty()) {
      file.open(partial, std::ios::binary | std::ios::trunc);
      if (!file) throw UsageError(partial + ": cannot write");
    }
    std::ostream& out = transform_out.empty() ? std::cout : file;
    std::string error;
    std::unique_ptr<check::FileReport> report;
    long long rows =
        gateway::TransformFile(transform_file, detected, schemas::RowFormatNamed(transform_format),
                               out, error, &report, transform_settings);
    out.flush();
    if (!transform_out.empty()) file.close();
    const bool valid = rows >= 0 && report->valid() && out;
    if (!transform_out.empty() &&
        (!valid || std::rename(partial.c_str(), transform_out.c_str()) != 0)) {
      std::remove(partial.c_str());
    }
    if (rows < 0) throw UsageError(transform_file + ": " + error);
    if (!report->diagnostics.diagnostics().empty()) {
      std::fputs(check::RenderText(*report, {}).c_str(), stderr);
    }
    if (!valid) {
      std::fprintf(stderr, "%s: invalid; %s\n", transform_file.c_str(),
                   transform_out.empty() ? "do not import the rows written"
                                         : ("nothing written to " + transform_out).c_str());
      return 1;
    }
    std::fprintf(stderr, "%s: %lld rows\n", transform_file.c_str(), rows);
    return 0;
  }

  int Rules() {
    for (const auto* r : gateway::EveryRule()) {
      std::cout << fmt::format("{:<42} {:<7} {}\n", r->id, parsers::SeverityName(r->severity),
                               r->summary);
    }
    return 0;
  }

  int Check() {
    check::CheckSettings settings;
    // With --config, exactly what the daemon has: its schemas, calendar, tables and references.
    gateway::Config daemon_config;
    gateway::CheckResources daemon_resources;
    if (!check_config.empty()) {
      if (!check_schema_dirs.empty() || !schema_file.empty() || !tables_.modulus_dir.empty() ||
          !tables_.calendar_file.empty() || !as_of_text.empty() || no_modulus) {
        throw UsageError("--config gives the schemas, calendar, modulus tables and dates");
      }
      try {
        daemon_config = gateway::LoadConfig(check_config, /*check_feeds=*/false);
        gateway::LoadCheckResources(daemon_config, daemon_resources, gateway::DefaultModulusDir());
      } catch (const std::exception& e) {
        std::fprintf(stderr, "rbgate: %s\n", e.what());
        return kExitUsage;
      }
      if (!check_route.empty()) {
        const auto& routes = daemon_config.spool.routes;
        const auto route = std::find_if(routes.begin(), routes.end(),
                                        [&](const auto& r) { return r.name == check_route; });
        if (route == routes.end()) {
          throw UsageError("--route: '" + check_route + "' is no route of " + check_config);
        }
        if (!feed.empty()) throw UsageError("--route names the feed; --feed is not needed");
        feed = route->feed;  // empty: detected, as the route does
      }
      settings = daemon_config.spool.check;
      if (daemon_config.as_of == "today") settings.validator.as_of = gateway::Today();
    } else if (!check_route.empty()) {
      throw UsageError("--route needs --config");
    } else {
      settings.registry = std::make_shared<schemas::SchemaRegistry>(check_schema_dirs);
    }
    for (const auto& p : settings.registry->initial_problems()) {
      if (p.warning) continue;
      if (check_config.empty()) throw UsageError("--schema-dir: " + p.message);
      // The daemon serves on: so does this check, and says with what.
      const auto serving = settings.registry->Find(p.feed);
      std::fprintf(stderr, "rbgate: warning: %s (%s)\n", p.message.c_str(),
                   serving
                       ? ("judged by the version serving, " + serving->sha256.substr(0, 12)).c_str()
                       : "its feed has no version serving");
    }
    if (!feed.empty() && !schemas::IsBuiltinFeed(feed) && !settings.registry->Find(feed)) {
      throw UsageError("--feed: '" + feed + "' is no feed rbgate knows ('rbgate schema list')");
    }
    if (!schema_file.empty()) {
      try {
        schemas::table::ResourceChoice choice{check_resource,
                                              files.size() == 1 ? files.front() : std::string()};
        settings.schema = schemas::LoadFeedSchemaFile(schema_file, choice);
      } catch (const schemas::table::SchemaError& e) {
        throw UsageError(std::string("--schema: ") + e.what());
      }
      if (!feed.empty()) throw UsageError("--schema names the feed; --feed is not needed");
      // Foreign keys into the package's other resources: their data files, as the package
      // names them (a --reference for the same resource overrides).
      if (settings.schema->table) {
        const auto& t = *settings.schema->table;
        for (const auto& pr : t.package_resources) {
          if (pr.path.empty()) continue;  // unchecked, and the check says so
          const auto ref = std::find_if(t.references.begin(), t.references.end(),
                                        [&](const auto& r) { return r.feed == pr.name; });
          if (ref == t.references.end()) continue;  // every package resource has its reference
          std::string error;
          auto values = schemas::table::LoadReferenceValues(*pr.schema, ref->key, pr.path, error);
          if (!values) throw UsageError("--schema: resource " + pr.name + ": " + error);
          settings.references[pr.name] = std::move(values);
        }
      }
    } else if (!check_resource.empty()) {
      throw UsageError("--resource needs --schema (a Data Package)");
    }
    for (const auto& r : check_references) {
      const auto eq = r.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == r.size()) {
        throw UsageError("--reference: '" + r + "' is not FEED=FILE");
      }
      const std::string ref_feed = r.substr(0, eq), ref_file = r.substr(eq + 1);
      const auto entry = settings.registry->Find(ref_feed);
      if (!entry || !entry->schema->table) {
        throw UsageError("--reference: '" + ref_feed + "' is no table-schema feed");
      }
      // The key is whatever field the checked schemas' references name for this feed.
      std::string key;
      const auto keys_of = [&](const schemas::table::TableSchema& t) {
        for (const auto& ref : t.references) {
          if (ref.feed == ref_feed) key = ref.key;
        }
      };
      if (settings.schema && settings.schema->table) keys_of(*settings.schema->table);
      for (const auto& e : settings.registry->All()) {
        if (key.empty() && e.schema->table) keys_of(*e.schema->table);
      }
      if (key.empty()) throw UsageError("--reference: no schema refers to " + ref_feed);
      std::string error;
      auto values =
          schemas::table::LoadReferenceValues(*entry->schema->table, key, ref_file, error);
      if (!values) throw UsageError("--reference: " + error);
      settings.references[ref_feed] = std::move(values);
    }
    settings.feed = feed;
    settings.cap_per_rule = cap;
    settings.threads = threads;
    settings.progress = true;
    std::optional<schemas::ModulusChecker> modulus;
    if (check_config.empty()) {
      settings.validator.calendar = &tables_.LoadCalendar();
      if (!no_modulus) modulus = tables_.LoadModulus(!tables_.modulus_dir.empty());
      settings.validator.modulus = modulus ? &*modulus : nullptr;
    }
    if (!as_of_text.empty()) {
      settings.validator.as_of = schemas::ParseIsoDate(as_of_text);
      if (!settings.validator.as_of) {
        throw UsageError("--as-of: '" + as_of_text + "' is not a date YYYY-MM-DD");
      }
    }
    check::RenderOptions render{show_personal};
    std::vector<std::unique_ptr<check::FileReport>> reports;
    bool any_error = false, any_problem = false;
    std::set<std::string> noted;
    if (std::count(files.begin(), files.end(), "-") > 1) {
      throw UsageError("standard input ('-') can be checked once");
    }
    std::optional<gateway::StdinFile> stdin_file;
    for (const auto& f : files) {
      if (f == "-") stdin_file.emplace();
      auto r = check::CheckFile(f == "-" ? stdin_file->path() : f, settings);
      if (f == "-") r->path = "<stdin>";
      if (!r->problem.empty()) {
        std::fprintf(stderr, "rbgate: %s\n", r->problem.c_str());
        any_problem = true;
      } else if (!r->valid()) {
        any_error = true;
      }
      if (format == "text") {
        std::fputs(check::RenderText(*r, render).c_str(), stdout);
      }
      // What the check left out away from the ledger, said once per feed.
      if (const auto* known = schemas::FindBuiltinFeed(r->feed);
          known != nullptr && !known->offline_note().empty() && noted.insert(r->feed).second) {
        std::fprintf(stderr, "note: %s\n", std::string(known->offline_note()).c_str());
      }
      reports.push_back(std::move(r));
    }
    if (format == "json") std::fputs(check::RenderJson(reports, render).c_str(), stdout);
    std::fflush(stdout);
    if (any_problem) return kExitUsage;
    return any_error ? 1 : 0;
  }

  CLI::App* check_ = nullptr;
  CLI::App* transform_ = nullptr;
  CLI::App* rules_ = nullptr;
  CLI::App* explain_ = nullptr;
  std::string explain_rule;

  int Explain() {
    const parsers::Rule* rule = nullptr;
    for (const auto* r : gateway::EveryRule()) {
      if (r->id == explain_rule) rule = r;
    }
    if (rule == nullptr) {
      std::string near;
      const std::string family = explain_rule.substr(0, explain_rule.find('.'));
      for (const auto* r : gateway::EveryRule()) {
        if (r->id.substr(0, r->id.find('.')) == family) near += "\n  " + std::string(r->id);
      }
      std::fprintf(stderr, "rbgate: no rule %s (rbgate rules lists them)%s%s\n",
                   explain_rule.c_str(), near.empty() ? "" : "; of its family:", near.c_str());
      return kExitUsage;
    }
    std::cout << fmt::format("{} ({}): {}\n\n", rule->id, parsers::SeverityName(rule->severity),
                             rule->summary);
    const auto& pages = gateway::RulePages();
    if (const auto it = pages.find(std::string(rule->id)); it != pages.end()) {
      std::cout << gateway::RenderPage(it->second);
    } else {
      std::cout << "What to do: " << rule->hint << "\n";
    }
    return 0;
  }
  TableOptions tables_;
  std::vector<std::string> files;
  std::string feed, format = "text", as_of_text;
  bool show_personal = false, no_modulus = false;
  std::size_t cap = 20;
  unsigned threads = 0;
  std::vector<std::string> check_references;
  std::string check_config, check_route;
  std::vector<std::string> check_schema_dirs;
  std::string schema_file;
  std::string check_resource;
  std::string transform_file, transform_format = "csv";
  std::string transform_schema;
  std::string transform_feed, transform_out;
};

}  // namespace

std::unique_ptr<CommandGroup> AddCheckCommands(CLI::App& app) {
  return std::make_unique<CheckCommands>(app);
}

}  // namespace rbgate::cli
