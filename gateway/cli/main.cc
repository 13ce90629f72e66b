// rbgate: the file-interface gateway and validator of a council's Revenues and Benefits
// service. This is the command line; exceptions from start-up (bad options, unreadable
// tables or calendars) are caught here and become a one-line reason and exit code 2.
#include <fmt/format.h>
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>

#include "gateway/admin/auth.h"
#include "gateway/cli/operator.h"
#include "gateway/cli/schema_commands.h"
#include "gateway/cli/stdin_file.h"
#include "gateway/cli/transform.h"
#include "gateway/cli/voa.h"
#include "gateway/daemon/clock.h"
#include "gateway/daemon/config.h"
#include "gateway/daemon/daemon.h"
#include "gateway/gen/bacs18.h"
#include "gateway/gen/feeds.h"
#include "gateway/gen/reports.h"
#include "gateway/gen/voa.h"
#include "parsers/bacs18/rules.h"
#include "schemas/atlas/atlas.h"
#include "schemas/bacs_reports/report_rules.h"
#include "schemas/calendar.h"
#include "schemas/detect.h"
#include "schemas/feed_schema.h"
#include "schemas/json/rules.h"
#include "schemas/modulus.h"
#include "schemas/registry.h"
#include "schemas/table/rules.h"
#include "schemas/voa/ba_report.h"
#include "schemas/voa/rules.h"
#include "spool/check/check.h"
#include "spool/check/report.h"

namespace {

using namespace rbgate;

constexpr int kExitUsage = 2;

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

schemas::Day ParseDateOption(const std::string& text, std::string_view option = "--date") {
  auto d = schemas::ParseIsoDate(text);
  if (!d) throw UsageError(fmt::format("{}: '{}' is not a date YYYY-MM-DD", option, text));
  return *d;
}

// A date option checked and written as YYYY-MM-DD; empty stays empty (no bound).
std::string IsoDateOption(const std::string& text, std::string_view option) {
  return text.empty() ? std::string() : schemas::FormatIsoDate(ParseDateOption(text, option));
}

using gateway::DefaultModulusDir;

using gateway::Today;

std::string DefaultConfig() {
  if (const char* env = std::getenv("RBGATE_CONFIG"); env && *env) return env;
  return "rbgate.toml";
}

bool IsDirectory(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string FaultList(std::span<const gateway::GenFault> faults) {
  std::string out = "Faults (--fault, repeatable):\n";
  for (const auto& f : faults) {
    out += fmt::format("  {:<20} {} [{}]\n", f.name, f.what, f.rule);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "rbgate: validates, transforms and forwards the files a council's Revenues and Benefits "
      "service exchanges with DWP, HMRC, the VOA, banks (Bacs) and landlords.\n"
      "Every finding names its rule, line, column and field, in plain English."};
  app.name("rbgate");
  app.set_version_flag("--version", "rbgate 0.1.0");
  app.require_subcommand(1);
  // Commands inherit this; those whose 0 and 1 mean something of their own say so.
  app.footer(
      "Exit status: 0 done; 1 the command's answer is no (each command's --help says when); 2 "
      "usage, configuration or I/O problems.\nRun 'rbgate COMMAND --help' for a command's "
      "options.");

  // rbgate schema check
  auto* schema_cmd = app.add_subcommand("schema", "Work with table schemas, offline");
  schema_cmd->require_subcommand(1);
  auto* schema_check =
      schema_cmd->add_subcommand("check",
                                 "Load schema files and say what each defines or what "
                                 "is wrong with it (file, JSON path, problem)");
  std::vector<std::string> schema_files;
  schema_check->add_option("FILE", schema_files, "Schema files (JSON)")->required()->type_name("");
  bool schema_strict = false;
  std::string schema_format = "text";
  schema_check->add_flag("--strict", schema_strict,
                         "Refuse custom properties too (keys no specification defines)");
  schema_check->add_option("--format", schema_format, "Output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->type_name("FORMAT")
      ->capture_default_str();
  schema_check->footer(
      "Every problem of every file is reported in one run: FILE[:LINE:COL]: error: JSON path: "
      "what is wrong. A key within a typo of a known one is an error with 'did you mean'; other "
      "keys no specification defines are kept as custom properties, unchecked, and listed as "
      "warnings.\nExit status: 0 every file loads (warnings allowed unless --strict); 1 some "
      "file has an error; 2 a file cannot be read.");
  auto* schema_list = schema_cmd->add_subcommand(
      "list",
      "The feeds rbgate knows: built in, shipped as schema files, and those in the "
      "configuration's checks.schema_dirs, with versions and where each came from");
  auto* schema_infer = schema_cmd->add_subcommand(
      "infer", "Draft a Table Schema from a delimited file, to adapt (like frictionless describe)");
  std::string infer_data, infer_name;
  std::size_t infer_rows = 10000;
  schema_infer->add_option("DATA", infer_data, "A delimited file whose first line is its header")
      ->required()
      ->type_name("");
  schema_infer->add_option("--rows", infer_rows, "Rows read after the header")
      ->type_name("N")
      ->capture_default_str();
  schema_infer->add_option("--name", infer_name, "The feed's name (default: the file's)")
      ->type_name("NAME");
  schema_infer->footer(
      "Prints a Data Resource: the delimiter and encoding, and per column the narrowest type "
      "every value fits (integer, pounds and pence, number, boolean, UK and ISO dates, "
      "date-times, NINO, postcode, sort code, else string), required when no value is empty, "
      "and an enum for few distinct values.\nExit status: 0 drafted; 2 the file cannot be read.");
  auto* schema_export =
      schema_cmd->add_subcommand("export", "Print a shipped schema file, to copy and adapt");
  std::string export_feed;
  schema_export->add_option("FEED", export_feed, "A shipped schema feed (rbgate schema list)")
      ->required()
      ->type_name("");
  std::vector<std::string> schema_dirs;
  std::string schema_config;
  schema_list->add_option("--config", schema_config, "Configuration whose schema_dirs to load")
      ->type_name("FILE");
  schema_list->add_option("--schema-dir", schema_dirs, "A folder of schema files (repeatable)")
      ->type_name("DIR");
  std::string schema_list_format = "text";
  schema_list->add_option("--format", schema_list_format, "Output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->type_name("FORMAT")
      ->capture_default_str();
  schema_list->footer(
      "Each feed's line names the version serving (the first 12 hex digits of its file's "
      "SHA-256) and where it came from; a line under it says what is wrong: a file refused, with "
      "the version serving in its place and since when, a file removed, or a feed held because "
      "none of its versions has ever loaded.\nExit status: 0 all schemas serve as their files "
      "say; 1 something needs an officer; 2 usage or I/O problems.");

  // rbgate check
  auto* check = app.add_subcommand(
      "check", "Validate files before anyone sends them, with the daemon's rules and messages");
  std::vector<std::string> files;
  std::string feed, format = "text", modulus_dir, calendar_file, as_of_text;
  bool show_personal = false, no_modulus = false;
  std::size_t cap = 20;
  check->add_option("FILE", files, "Files to check ('-' for standard input)")
      ->required()
      ->type_name("");
  check
      ->add_option("--feed", feed,
                   "Feed of the files (default: detected from content): a built-in feed or one "
                   "defined by a schema file ('rbgate schema list')")
      ->type_name("FEED");
  std::vector<std::string> check_references;
  check
      ->add_option("--reference", check_references,
                   "A reference map for schemas whose fields must appear in another feed's file "
                   "(rbgate.references), e.g. rsl-refmap=map.csv (repeatable)")
      ->type_name("FEED=FILE");
  std::string check_config, check_route;
  check
      ->add_option("--config", check_config,
                   "Check as the daemon of this configuration does: its schema folders (the "
                   "version serving, from the ledger when a file is refused), calendar, modulus "
                   "tables, reference maps and processing_days_against")
      ->type_name("FILE");
  check->add_option("--route", check_route, "With --config: as this route does (its feed)")
      ->type_name("NAME");
  std::vector<std::string> check_schema_dirs;
  check
      ->add_option("--schema-dir", check_schema_dirs,
                   "A folder of schema files whose feeds --feed may name (repeatable)")
      ->type_name("DIR");
  std::string schema_file;
  check
      ->add_option("--schema", schema_file,
                   "Check against this schema: a Frictionless Table Schema, data resource or "
                   "Data Package, or a JSON Schema (see schemas/README.md)")
      ->type_name("FILE.json");
  std::string check_resource;
  check
      ->add_option("--resource", check_resource,
                   "With a Data Package: the resource to check against (default: the one whose "
                   "path is the file's name, else the package's only one)")
      ->type_name("NAME");
  check->add_option("--format", format, "Report format")
      ->check(CLI::IsMember({"text", "json"}))
      ->type_name("FORMAT")
      ->capture_default_str();
  check
      ->add_option("--modulus-dir", modulus_dir,
                   "Directory holding Vocalink's valacdos*.txt and scsubtab*.txt (default: "
                   "$RBGATE_MODULUS_DIR, else the set-up cache)")
      ->type_name("DIR");
  check->add_flag("--no-modulus", no_modulus, "Do not check accounts by modulus");
  check
      ->add_option("--calendar", calendar_file,
                   "Bank holidays in GOV.UK bank-holidays.json format (default: built in, "
                   "England and Wales 2018-2027)")
      ->type_name("FILE");
  check
      ->add_option("--as-of", as_of_text,
                   "Judge processing days against this date (default: each file's "
                   "creation date)")
      ->type_name("YYYY-MM-DD");
  check->add_flag("--show-personal-data", show_personal,
                  "Show account numbers, names and references unmasked");
  check->add_option("--max-per-rule", cap, "Findings shown per rule before counting only")
      ->type_name("N")
      ->capture_default_str();
  check->footer(
      "Exit status: 0 when no file has an error (warnings allowed), 1 when any file has an "
      "error, 2 for usage or I/O problems.\n"
      "Text output is compiler-style: FILE:LINE:COL: severity[rule]: message, then the record "
      "with a caret under the field, then a hint. JSON output:\n"
      "  {\"files\":[{\"path\",\"feed\",\"valid\",\"records\",\"diagnostics\":[{\"rule\","
      "\"severity\",\"line\",\"column\",\"offset\",\"record\",\"field\",\"message\",\"hint\"}],"
      "\"suppressed\":{\"<rule>\":count}}]}\n"
      "Lines and columns are 1-based, offsets 0-based bytes. 'rbgate rules' lists every rule.");

  // rbgate gen
  auto* gen =
      app.add_subcommand("gen", "Write synthetic feed files for tests, demos and benchmarks");
  auto* gen18 = gen->add_subcommand("bacs18", "A Bacs Standard 18 payment file");
  gen->require_subcommand(1);
  gateway::GenOptions g;
  std::string out_path, date_text, eol = "crlf";
  gen18->add_option("--records", g.records, "Data records (contras are added)")
      ->type_name("N")
      ->capture_default_str();
  gen18->add_option("--seed", g.seed, "Random seed; the same seed writes the same file")
      ->type_name("S")
      ->capture_default_str();
  gen18->add_flag("--multi-day", g.multi_day, "A multi-day file (106-byte records)");
  gen18->add_option("--fault", g.faults, "Inject a named fault (repeatable; listed below)")
      ->type_name("KIND");
  gen18->add_option("--date", date_text, "Creation date (default: today)")->type_name("YYYY-MM-DD");
  gen18->add_option("--sun", g.sun, "Service user number")->type_name("SUN")->capture_default_str();
  gen18->add_option("--serial", g.serial, "Submission serial number")
      ->type_name("SERIAL")
      ->capture_default_str();
  gen18->add_option("--line-ending", eol, "Record separator")
      ->check(CLI::IsMember({"crlf", "lf", "none"}))
      ->type_name("EOL")
      ->capture_default_str();
  gen18->add_option("--modulus-dir", modulus_dir, "As for check")->type_name("DIR");
  gen18->add_option("--calendar", calendar_file, "As for check")->type_name("FILE");
  gen18->add_option("-o,--output", out_path, "Output file")->required()->type_name("FILE");
  gen18->footer(FaultList(gateway::GenFaults()));
  // The shipped schema feeds.
  gateway::FeedGenOptions fg;
  auto* gen_payments =
      gen->add_subcommand("payments",
                          "An income-management payments file (schemas/payments: header, payments, "
                          "trailer with count and total)");
  auto* gen_vep = gen->add_subcommand("vep", "HMRC VEP alerts as JSON lines (schemas/vep)");
  auto* gen_shbe = gen->add_subcommand(
      "shbe", "A Single Housing Benefit Extract (schemas/shbe: header, claims, trailer)");
  auto* gen_atlas =
      gen->add_subcommand("atlas", "DWP ATLAS notifications (XML, schemas/atlas/atlas.xsd)");
  auto* gen_rsl_rents =
      gen->add_subcommand("rsl-rents",
                          "A landlord's rent changes (schemas/rsl; every pay reference in the map "
                          "that rsl-refmap writes for the same seed and records)");
  auto* gen_rsl_refmap =
      gen->add_subcommand("rsl-refmap", "A landlord's reference map (schemas/rsl)");
  for (auto* cmd : {gen_payments, gen_vep, gen_shbe, gen_atlas, gen_rsl_rents, gen_rsl_refmap}) {
    cmd->add_option("--records", fg.records, "Records")->type_name("N")->capture_default_str();
    cmd->add_option("--seed", fg.seed, "Random seed; the same seed writes the same file")
        ->type_name("S")
        ->capture_default_str();
    cmd->add_option("--fault", fg.faults, "Inject a named fault (repeatable; listed below)")
        ->type_name("KIND");
    cmd->add_option("--date", date_text, "The file's date (default: today)")
        ->type_name("YYYY-MM-DD");
    cmd->add_option("-o,--output", out_path, "Output file")->required()->type_name("FILE");
  }
  gen_payments->footer(FaultList(gateway::PaymentsFaults()));
  gen_vep->footer(FaultList(gateway::VepFaults()));
  gen_shbe->footer(FaultList(gateway::ShbeFaults()));
  gen_atlas->footer(FaultList(gateway::AtlasFaults()));
  gen_rsl_rents->footer(FaultList(gateway::RslFaults()));
  gateway::VoaGenOptions vg;
  auto* gen_ndr_list = gen->add_subcommand(
      "ndr-list", "A VOA non-domestic rating list, compiled list entries (schemas/voa)");
  gen_ndr_list->add_option("--records", vg.records, "List entries")
      ->type_name("N")
      ->capture_default_str();
  gen_ndr_list
      ->add_option("--councils", vg.councils,
                   "Billing authorities the entries are spread over (a country's list: ~300)")
      ->type_name("N")
      ->capture_default_str();
  auto* gen_ct_list = gen->add_subcommand(
      "ct-list", "A VOA council tax valuation list: one authority's dwellings and bands");
  gen_ct_list->add_option("--records", vg.records, "Dwellings")
      ->type_name("N")
      ->capture_default_str();
  std::string schedule_for;
  std::vector<std::string> schedules_before;
  std::uint64_t schedule_number = 1;
  auto* gen_ndr_schedule = gen->add_subcommand(
      "ndr-schedule", "A VOA schedule of alterations to a rating list (schemas/voa)");
  auto* gen_ct_schedule = gen->add_subcommand(
      "ct-schedule", "A VOA schedule of alterations to a council tax list (schemas/voa)");
  for (auto* cmd : {gen_ndr_schedule, gen_ct_schedule}) {
    cmd->add_option("--for", schedule_for,
                    "The list it alters (ndr-list or ct-list): the schedule balances to it, "
                    "unless a fault says otherwise")
        ->required()
        ->type_name("LIST");
    cmd->add_option("--records", vg.records, "Alterations")->type_name("N")->capture_default_str();
    cmd->add_option("--number", schedule_number, "The schedule's number")
        ->type_name("N")
        ->capture_default_str();
    cmd->add_option("--after", schedules_before,
                    "A schedule already applied to the list (repeatable, in order): this one "
                    "follows it")
        ->type_name("SCHEDULE");
    cmd->footer(FaultList(gateway::ScheduleFaults()));
  }
  gen_ct_list->footer(FaultList(gateway::CtListFaults()));
  auto* gen_smv = gen->add_subcommand(
      "ndr-smv", "VOA summary valuations: each hereditament's valuation, line by line");
  gen_smv->add_option("--records", vg.records, "Valuations")->type_name("N")->capture_default_str();
  gen_smv->footer(FaultList(gateway::SmvFaults()));
  auto* gen_ba_report = gen->add_subcommand(
      "ba-report", "A billing authority report to the VOA (Valuebill XML, schemas/voa)");
  gen_ba_report->add_option("--records", vg.records, "Property reports")
      ->type_name("N")
      ->capture_default_str();
  gen_ba_report->footer(FaultList(gateway::BaReportFaults()));
  for (auto* cmd :
       {gen_ndr_list, gen_ct_list, gen_ndr_schedule, gen_ct_schedule, gen_smv, gen_ba_report}) {
    cmd->add_option("--seed", vg.seed, "Random seed; the same seed writes the same file")
        ->type_name("S")
        ->capture_default_str();
    cmd->add_option("--fault", vg.faults, "Inject a named fault (repeatable; listed below)")
        ->type_name("KIND");
    cmd->add_option("--date", date_text, "The file's date (default: today)")
        ->type_name("YYYY-MM-DD");
    cmd->add_option("--ba", vg.ba, "Billing authority code (the first, with --councils)")
        ->type_name("CODE")
        ->capture_default_str();
    cmd->add_option("-o,--output", out_path, "Output file")->required()->type_name("FILE");
  }
  gen_ndr_list->footer(FaultList(gateway::NdrListFaults()));
  auto* gen_arudd = gen->add_subcommand("arudd", "A Bacs ARUDD report (unpaid Direct Debits, XML)");
  gateway::ReportGenOptions rg;
  gen_arudd->add_option("--records", rg.records, "Returned items")
      ->type_name("N")
      ->capture_default_str();
  gen_arudd->add_option("--seed", rg.seed, "Random seed")->type_name("S")->capture_default_str();
  gen_arudd->add_option("--fault", rg.faults, "Inject a named fault (repeatable; listed below)")
      ->type_name("KIND");
  gen_arudd->add_option("--date", date_text, "Processing date (default: today)")
      ->type_name("YYYY-MM-DD");
  std::string returning_file;
  gen_arudd
      ->add_option("--for", returning_file,
                   "Return items of this Standard 18 file (debits; credits with --arucs), "
                   "--records of them, for reconciliation tests and demos")
      ->type_name("FILE");
  gen_arudd->add_flag("--arucs", rg.credits,
                      "An ARUCS report (returned credits; its shape is inferred) instead");
  gen_arudd->add_option("-o,--output", out_path, "Output file")->required()->type_name("FILE");
  gen_arudd->footer(FaultList(gateway::AruddFaults()));
  auto* gen_ddic =
      gen->add_subcommand("ddic", "A DDIC report (Direct Debit indemnity claims, XML)");
  gen_ddic->add_option("--records", rg.records, "Advices")->type_name("N")->capture_default_str();
  gen_ddic->add_option("--seed", rg.seed, "Random seed")->type_name("S")->capture_default_str();
  gen_ddic->add_option("--fault", rg.faults, "Inject a named fault (repeatable)")
      ->type_name("KIND");
  gen_ddic->add_option("--date", date_text, "Date of debit (default: today)")
      ->type_name("YYYY-MM-DD");
  gen_ddic->add_option("-o,--output", out_path, "Output file")->required()->type_name("FILE");
  gen_ddic->footer(FaultList(gateway::DdicFaults()));
  auto* gen_input =
      gen->add_subcommand("input", "A Bacs input report (what Bacs accepted of a submission, XML)");
  gen_input
      ->add_option("--for", returning_file,
                   "Answer this Standard 18 file's submission (default: a made-up one)")
      ->type_name("FILE");
  gen_input->add_option("--records", rg.records, "Debits of a made-up submission")
      ->type_name("N")
      ->capture_default_str();
  gen_input->add_option("--seed", rg.seed, "Random seed")->type_name("S")->capture_default_str();
  gen_input->add_option("--fault", rg.faults, "Inject a named fault (repeatable)")
      ->type_name("KIND");
  gen_input->add_option("--date", date_text, "Report date (default: today)")
      ->type_name("YYYY-MM-DD");
  gen_input->add_option("-o,--output", out_path, "Output file")->required()->type_name("FILE");
  gen_input->footer(FaultList(gateway::InputFaults()));
  std::string advice_type;
  auto* gen_messaging =
      gen->add_subcommand("messaging", "A Bacs messaging advice: ADDACS, AUDDIS or AWACS (XML)");
  gen_messaging->add_option("--type", advice_type, "Advice type")
      ->required()
      ->check(CLI::IsMember({"ADDACS", "AUDACC", "AUDREJ", "AWACS"}))
      ->type_name("TYPE");
  gen_messaging->add_option("--records", rg.records, "Advices")
      ->type_name("N")
      ->capture_default_str();
  gen_messaging->add_option("--seed", rg.seed, "Random seed")
      ->type_name("S")
      ->capture_default_str();
  gen_messaging->add_option("--fault", rg.faults, "Inject a named fault (repeatable)")
      ->type_name("KIND");
  gen_messaging->add_option("--date", date_text, "Report date (default: today)")
      ->type_name("YYYY-MM-DD");
  gen_messaging->add_option("-o,--output", out_path, "Output file")->required()->type_name("FILE");
  gen_messaging->footer(FaultList(gateway::MessagingFaults()));

  // rbgate transform
  std::string transform_file, transform_format = "csv";
  auto* transform = app.add_subcommand(
      "transform",
      "Validate a bank report and turn it into rows to import (CSV or JSON lines), in one pass");
  transform->add_option("FILE", transform_file, "The report")->required()->type_name("");
  transform->add_option("--feed", feed, "Feed of the file (default: detected from content)")
      ->type_name("FEED");
  transform->add_option("--format", transform_format, "Row format")
      ->check(CLI::IsMember({"csv", "jsonl"}))
      ->type_name("FORMAT")
      ->capture_default_str();
  transform->add_option("-o,--output", out_path, "Output file (default: standard output)")
      ->type_name("FILE");
  std::string transform_schema;
  transform
      ->add_option("--schema", transform_schema,
                   "A table schema: the file is checked against it and its data records "
                   "become rows (dates ISO 8601, money in pence)")
      ->type_name("FILE.json");
  transform->footer(
      "One row per advice item (per user file for an input report), with the report's header "
      "fields; amounts in pence, sort codes as six digits. Columns: "
      "schemas/bacs_reports/README.md. The report is validated in the same pass: if it is "
      "invalid the findings go to standard error, the exit status is 1, and an output file is "
      "not written (rows already on standard output must not be imported).");

  // rbgate rules
  auto* rules_cmd = app.add_subcommand("rules", "List every rule id with its severity and meaning");

  // rbgate init / run and the operator's commands on a spool.
  std::string config_path = DefaultConfig(), init_dir, id, reason, since;
  bool once = false, force_duplicate = false;
  gateway::OperatorOptions op;
  auto* init =
      app.add_subcommand("init", "Create a ready spool in DIR: folders, rbgate.toml, ledger");
  init->add_option("DIR", init_dir, "Where the spool goes")->required()->type_name("");
  auto* run = app.add_subcommand(
      "run", "Run the gateway: watch the drop folders, check, archive or quarantine, deliver");
  run->add_flag("--once", once, "Process what is waiting, then exit (for batch schedules)");
  run->footer(
      "Stops cleanly on SIGTERM or SIGINT, finishing files in flight. Logs go to stderr, "
      "one event a line.");
  auto add_config = [&](CLI::App* cmd) {
    cmd->add_option("--config", config_path,
                    "Configuration file (default: $RBGATE_CONFIG, else "
                    "./rbgate.toml)")
        ->type_name("FILE");
  };
  auto add_listing = [&](CLI::App* cmd, bool feed) {
    if (feed) cmd->add_option("--feed", op.feed, "Only this feed")->type_name("FEED");
    cmd->add_option("--since", op.since,
                    "Only files received since (UTC, e.g. 2026-11-23 or "
                    "2026-11-23T09)")
        ->type_name("TIME");
    cmd->add_option("--format", op.format, "Output format")
        ->check(CLI::IsMember({"text", "json"}))
        ->type_name("FORMAT")
        ->capture_default_str();
    cmd->footer(
        "Exit status: 0 listed (whatever the files' outcomes); 2 usage, configuration or ledger "
        "problems.");
  };
  add_config(run);
  // rbgate voa balance
  auto* voa = app.add_subcommand("voa", "The VOA's lists and schedules of alterations");
  voa->require_subcommand(1);
  gateway::VoaBalanceOptions vb;
  auto* voa_balance = voa->add_subcommand(
      "balance",
      "Apply a schedule of alterations to the list it alters and reconcile the result with the "
      "VOA's figures: before, changes by heading, after, the VOA's figure, the difference and "
      "the records that explain it");
  voa_balance->add_option("SCHEDULE", vb.schedule, "The schedule of alterations")
      ->required()
      ->type_name("");
  voa_balance
      ->add_option("--list", vb.list,
                   "The list as it stood before the schedule (default: the list the ledger of "
                   "--config has on record)")
      ->type_name("FILE");
  voa_balance
      ->add_option("--feed", vb.feed,
                   "The schedule's feed (default: detected; ndr-schedule, ct-schedule or a "
                   "council's own)")
      ->type_name("FEED");
  voa_balance
      ->add_option("--list-feed", vb.list_feed,
                   "The list's feed (default: ndr-list or "
                   "ct-list, by the schedule's tax)")
      ->type_name("FEED");
  voa_balance->add_option("--schema-dir", vb.schema_dirs, "A folder of schema files (repeatable)")
      ->type_name("DIR");
  voa_balance->add_option("--format", vb.format, "Report format")
      ->check(CLI::IsMember({"text", "json", "csv"}))
      ->type_name("FORMAT")
      ->capture_default_str();
  voa_balance->footer(
      "Exit status: 0 balanced; 1 not balanced, or the schedule or list has errors (its "
      "findings on standard error); 2 usage or I/O.");
  auto* voa_lists = voa->add_subcommand(
      "lists", "The VOA lists the ledger has on record: entries and totals, and as after what");
  voa_lists->add_option("--format", op.format, "Output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->type_name("FORMAT");

  add_config(voa_balance);
  add_config(voa_lists);
  voa_balance->fallthrough();
  voa_lists->fallthrough();
  auto* quarantine = app.add_subcommand("quarantine", "Inspect and act on quarantined files");
  quarantine->require_subcommand(1);
  add_config(quarantine);
  auto* q_list = quarantine->add_subcommand("list", "Quarantined files, oldest first");
  add_listing(q_list, true);
  auto* q_show = quarantine->add_subcommand("show", "Why a file was quarantined, faults marked");
  q_show->add_option("ID", id, "File id")->required()->type_name("");
  q_show->add_flag("--show-personal-data", op.show_personal, "Show personal data unmasked");
  q_show->add_option("--format", op.format, "Output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->type_name("FORMAT");
  auto* q_release = quarantine->add_subcommand("release", "Send a quarantined file on, on record");
  q_release->add_option("ID", id, "File id")->required()->type_name("");
  q_release->add_option("--reason", reason, "Why (recorded with your user name)")
      ->required()
      ->type_name("TEXT");
  q_release->add_flag("--force-duplicate", force_duplicate,
                      "Send it even though an accepted file has the same bytes or business key");
  auto* q_reject = quarantine->add_subcommand("reject", "Reject a quarantined file, on record");
  q_reject->add_option("ID", id, "File id")->required()->type_name("");
  q_reject->add_option("--reason", reason, "Why (recorded with your user name)")
      ->required()
      ->type_name("TEXT");
  auto* q_reprocess = quarantine->add_subcommand(
      "reprocess", "Check a quarantined file again (after a schema or calendar fix)");
  q_reprocess->add_option("ID", id, "File id")->required()->type_name("");
  q_reprocess->add_option("--reason", reason, "Why (recorded)")->type_name("TEXT");
  auto* ledger = app.add_subcommand("ledger", "Every file and every step on record");
  ledger->require_subcommand(1);
  add_config(ledger);
  auto* l_list = ledger->add_subcommand("list", "Every file: name, SHA-256, feed, state, outcome");
  add_listing(l_list, true);
  auto* l_show = ledger->add_subcommand("show",
                                        "One file's record: transitions, findings, "
                                        "deliveries, actions");
  l_show->add_option("ID", id, "File id")->required()->type_name("");
  l_show->add_option("--format", op.format, "Output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->type_name("FORMAT");
  auto* l_purge = ledger->add_subcommand(
      "purge-items",
      "Forget reconciliation items (accounts, references, amounts) of days before a date");
  std::string purge_before;
  l_purge->add_option("--before", purge_before, "Processing or report days before this go")
      ->required()
      ->type_name("YYYY-MM-DD");
  auto* outbound = app.add_subcommand(
      "outbound", "The outbound queue: deliveries to network destinations, and approvals");
  outbound->require_subcommand(1);
  add_config(outbound);
  auto* o_list = outbound->add_subcommand(
      "list", "Items waiting for a network destination, and files awaiting approval");
  bool outbound_all = false;
  o_list->add_flag("--all", outbound_all, "Every item (delivered, refused, cancelled too)");
  add_listing(o_list, false);
  auto* o_retry = outbound->add_subcommand("retry", "Try a queued item now, on record");
  o_retry->add_option("ID", id, "Item id (rbgate outbound list)")->required()->type_name("");
  o_retry->add_option("--reason", reason, "Why (recorded with your user name)")
      ->required()
      ->type_name("TEXT");
  auto* o_cancel = outbound->add_subcommand("cancel", "Never send a queued item, on record");
  o_cancel->add_option("ID", id, "Item id (rbgate outbound list)")->required()->type_name("");
  o_cancel->add_option("--reason", reason, "Why (recorded with your user name)")
      ->required()
      ->type_name("TEXT");
  auto* approve = app.add_subcommand(
      "approve",
      "Four eyes: approve a file awaiting a second officer (not the one who dropped or released "
      "it), on record");
  add_config(approve);
  approve->add_option("ID", id, "File id (rbgate outbound list)")->required()->type_name("");
  approve->add_option("--reason", reason, "Why (recorded with your user name)")
      ->required()
      ->type_name("TEXT");
  approve->footer(
      "Exit status: 0 approved (the file goes on); 1 refused: you dropped, released or "
      "reprocessed it; 2 no such file, or it is not awaiting approval.");
  auto* stats = app.add_subcommand("stats", "Files, bytes, records and outcomes per feed and hour");
  add_config(stats);
  add_listing(stats, false);
  auto* admin = app.add_subcommand("admin", "Secrets for the web console's users file");
  admin->require_subcommand(1);
  auto* ad_hash = admin->add_subcommand(
      "hash-password", "Read a password on stdin; print its argon2id hash for the users file");
  auto* ad_token = admin->add_subcommand(
      "new-token", "Print a new API token (to give once) and the digest for the users file");
  admin->footer(
      "The users file (admin.users_file):\n"
      "  [[user]]\n  name = \"alice\"\n  role = \"officer\"   # viewer, officer or approver\n"
      "  password = \"$argon2id$...\"   # from rbgate admin hash-password\n"
      "  [[token]]\n  name = \"grafana\"\n  role = \"viewer\"\n"
      "  sha256 = \"...\"   # from rbgate admin new-token");
  auto* audit = app.add_subcommand("audit", "The ledger's tamper-evident audit chain");
  audit->require_subcommand(1);
  add_config(audit);
  auto* a_verify = audit->add_subcommand(
      "verify", "Check that no transition or action was edited, inserted or deleted");
  std::string audit_head;
  a_verify
      ->add_option("--head", audit_head,
                   "A head printed by an earlier run: check the chain still holds it")
      ->type_name("SEQ:HASH");
  a_verify->add_option("--format", op.format, "Output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->type_name("FORMAT");
  a_verify->footer(
      "Exit status: 0 intact; 1 tampered with (each problem printed, with where); 2 the ledger "
      "cannot be read.\nRecord the head it prints somewhere else (a ticket, a log): a later "
      "--head check then also detects a chain cut short or rewritten from the start.");
  auto* reconcile = app.add_subcommand(
      "reconcile",
      "Match returned debits (ARUDD) and credits (ARUCS) against the Standard 18 items sent");
  add_config(reconcile);
  gateway::ReconcileOptions rec;
  std::string rec_from, rec_to;
  reconcile->add_option("--from", rec_from, "Returns reported on or after this day")
      ->type_name("YYYY-MM-DD");
  reconcile->add_option("--to", rec_to, "Returns reported on or before this day")
      ->type_name("YYYY-MM-DD");
  reconcile->add_option("--format", rec.format, "Output format")
      ->check(CLI::IsMember({"text", "json", "csv"}))
      ->type_name("FORMAT")
      ->capture_default_str();
  reconcile->add_flag("--show-personal-data", rec.show_personal,
                      "Show references and account numbers in full");
  reconcile->footer(
      "Exit status: 0 every return matched once; 1 some are unmatched or returned twice; "
      "2 usage or ledger error.");
  // `rbgate ledger list --config F` as well as `rbgate ledger --config F list`.
  for (CLI::App* leaf : {q_list, q_show, q_release, q_reject, q_reprocess, l_list, l_show, l_purge,
                         a_verify, o_list, o_retry, o_cancel}) {
    leaf->fallthrough();
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : kExitUsage;
  }

  try {
    auto load_calendar = [&]() -> const schemas::Calendar& {
      static std::optional<schemas::Calendar> loaded;
      if (calendar_file.empty()) return schemas::Calendar::Default();
      loaded = schemas::Calendar::FromFile(calendar_file);
      return *loaded;
    };
    auto load_modulus = [&](bool required) -> std::optional<schemas::ModulusChecker> {
      std::string dir = modulus_dir.empty() ? DefaultModulusDir() : modulus_dir;
      if (modulus_dir.empty() && !required && !IsDirectory(dir)) return std::nullopt;
      return schemas::ModulusChecker::LoadDirectory(dir);
    };

    if (*init) return gateway::Init(init_dir);
    if (*voa_balance && !vb.list.empty()) return gateway::VoaBalance(vb);
    if (*transform) {
      check::CheckSettings transform_settings;
      transform_settings.registry = std::make_shared<schemas::SchemaRegistry>();
      if (!transform_schema.empty()) {
        try {
          transform_settings.schema = schemas::LoadFeedSchemaFile(transform_schema);
        } catch (const schemas::table::SchemaError& e) {
          throw UsageError(std::string("--schema: ") + e.what());
        }
        feed = transform_settings.schema->name();
      }
      const std::string detected =
          feed.empty() ? check::FeedOfFile(transform_file, transform_settings) : feed;
      if (detected.empty()) {
        // No known feed (or XML with a DOCTYPE): the check's finding says what it is instead.
        auto report = check::CheckFile(transform_file, {});
        if (!report->problem.empty()) throw UsageError(report->problem);
        std::fputs(check::RenderText(*report, {}).c_str(), stderr);
        std::fprintf(stderr, "%s: invalid; nothing transformed\n", transform_file.c_str());
        return 1;
      }
      // To a file: written beside it and renamed into place only if the report is valid.
      const std::string partial = out_path + ".partial";
      std::ofstream file;
      if (!out_path.empty()) {
        file.open(partial, std::ios::binary | std::ios::trunc);
        if (!file) throw UsageError(partial + ": cannot write");
      }
      std::ostream& out = out_path.empty() ? std::cout : file;
      std::string error;
      std::unique_ptr<check::FileReport> report;
      long long rows = gateway::TransformFile(transform_file, detected,
                                              schemas::RowFormatNamed(transform_format), out, error,
                                              &report, transform_settings);
      out.flush();
      if (!out_path.empty()) file.close();
      const bool valid = rows >= 0 && report->valid() && out;
      if (!out_path.empty() && (!valid || std::rename(partial.c_str(), out_path.c_str()) != 0)) {
        std::remove(partial.c_str());
      }
      if (rows < 0) throw UsageError(transform_file + ": " + error);
      if (!report->diagnostics.diagnostics().empty()) {
        std::fputs(check::RenderText(*report, {}).c_str(), stderr);
      }
      if (!valid) {
        std::fprintf(stderr, "%s: invalid; %s\n", transform_file.c_str(),
                     out_path.empty() ? "do not import the rows written"
                                      : ("nothing written to " + out_path).c_str());
        return 1;
      }
      std::fprintf(stderr, "%s: %lld rows\n", transform_file.c_str(), rows);
      return 0;
    }
    if (*run || *quarantine || *ledger || *stats || *reconcile || *audit || *outbound || *approve ||
        *voa) {
      gateway::Config config;
      try {
        config = gateway::LoadConfig(config_path, /*check_feeds=*/run->parsed(),
                                     /*daemon=*/run->parsed());
      } catch (const gateway::ConfigError& e) {
        std::fprintf(stderr, "rbgate: %s\n", e.what());
        return kExitUsage;
      }
      if (*run) {
        gateway::CheckResources resources;
        gateway::LoadCheckResources(config, resources, DefaultModulusDir());
        return gateway::RunDaemon(config, once);
      }
      if (*q_list) return gateway::QuarantineList(config, op);
      if (*q_show) return gateway::QuarantineShow(config, id, op);
      if (*q_release) return gateway::QuarantineRelease(config, id, reason, force_duplicate);
      if (*q_reject) return gateway::QuarantineReject(config, id, reason);
      if (*q_reprocess) return gateway::QuarantineReprocess(config, id, reason);
      if (*l_list) return gateway::LedgerList(config, op);
      if (*l_show) return gateway::LedgerShow(config, id, op);
      if (*l_purge) {
        return gateway::PurgeItems(config, IsoDateOption(purge_before, "--before"));
      }
      if (*stats) return gateway::Stats(config, op);
      if (*o_list) return gateway::OutboundList(config, outbound_all, op);
      if (*o_retry) return gateway::OutboundRetry(config, id, reason);
      if (*o_cancel) return gateway::OutboundCancel(config, id, reason);
      if (*approve) return gateway::Approve(config, id, reason);
      if (*voa_balance) return gateway::VoaBalanceOnRecord(config, vb);
      if (*voa_lists) return gateway::VoaLists(config, op);
      if (*a_verify) return gateway::AuditVerify(config, audit_head, op);
      if (*reconcile) {
        rec.from = IsoDateOption(rec_from, "--from");
        rec.to = IsoDateOption(rec_to, "--to");
        return gateway::Reconcile(config, rec);
      }
    }

    if (*ad_hash) {
      // From stdin, never the command line (which other users can read in /proc).
      std::string password;
      std::getline(std::cin, password);
      if (!password.empty() && password.back() == '\r') password.pop_back();
      if (password.size() < 12) {
        std::fprintf(stderr, "rbgate: a password must be at least 12 characters\n");
        return kExitUsage;
      }
      std::printf("%s\n", gateway::HashPassword(password).c_str());
      return 0;
    }
    if (*ad_token) {
      const auto [token, digest] = gateway::NewToken();
      std::printf("token (give it to its holder once; it is not kept): %s\n", token.c_str());
      std::printf(
          "for the users file:\n[[token]]\nname = \"...\"\nrole = \"viewer\"\nsha256 = \"%s\"\n",
          digest.c_str());
      return 0;
    }
    if (*rules_cmd) {
      std::vector<const parsers::Rule*> all{&schemas::kUnknownFeed};
      for (const auto* r : schemas::AllRules()) all.push_back(r);
      for (const auto* r : all) {
        std::cout << fmt::format("{:<42} {:<7} {}\n", r->id, parsers::SeverityName(r->severity),
                                 r->summary);
      }
      return 0;
    }

    if (*gen_arudd || *gen_messaging || *gen_ddic || *gen_input) {
      rg.processing_date = date_text.empty() ? Today() : ParseDateOption(date_text);
      gateway::SentSubmission submission;
      if (*gen_input && !returning_file.empty()) {
        submission = gateway::SubmissionOf(returning_file);
      } else if (!returning_file.empty()) {
        rg.returning = gateway::SentItemsOf(returning_file, rg.credits, rg.records);
        if (rg.returning.empty()) {
          throw UsageError(returning_file + ": no " + (rg.credits ? "credits" : "debits") +
                           " to return");
        }
        if (date_text.empty()) rg.processing_date = 0;  // dated after the items returned
      }
      std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
      if (!out) throw UsageError(out_path + ": cannot write");
      if (*gen_arudd) {
        gateway::GenerateArudd(rg, out);
      } else if (*gen_input) {
        gateway::GenerateInputReport(rg, submission, out);
      } else if (*gen_ddic) {
        gateway::GenerateDdic(rg, out);
      } else {
        gateway::GenerateMessaging(rg, advice_type, out);
      }
      out.flush();
      if (!out) throw UsageError(out_path + ": write failed");
      return 0;
    }

    if (*gen_payments || *gen_vep || *gen_shbe || *gen_atlas || *gen_rsl_rents || *gen_rsl_refmap) {
      fg.date = date_text.empty() ? Today() : ParseDateOption(date_text);
      std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
      if (!out) throw UsageError(out_path + ": cannot write");
      try {
        if (*gen_payments) {
          gateway::GeneratePayments(fg, out);
        } else if (*gen_shbe) {
          gateway::GenerateShbe(fg, out);
        } else if (*gen_atlas) {
          gateway::GenerateAtlas(fg, out);
        } else if (*gen_rsl_rents) {
          gateway::GenerateRslRents(fg, out);
        } else if (*gen_rsl_refmap) {
          gateway::GenerateRslRefmap(fg, out);
        } else {
          gateway::GenerateVep(fg, out);
        }
      } catch (const std::runtime_error& e) {
        throw UsageError(std::string("--fault: ") + e.what());
      }
      out.flush();
      if (!out) throw UsageError(out_path + ": write failed");
      return 0;
    }
    if (*gen_ndr_list || *gen_ct_list || *gen_ndr_schedule || *gen_ct_schedule || *gen_smv ||
        *gen_ba_report) {
      vg.date = date_text.empty() ? Today() : ParseDateOption(date_text);
      if (vg.ba.size() != 4 || vg.ba.find_first_not_of("0123456789") != std::string::npos ||
          vg.ba == "0000") {
        throw UsageError("--ba: '" + vg.ba + "' is not a billing authority code (0001-9999)");
      }
      std::optional<schemas::voa::ListState> before;
      if (*gen_ndr_schedule || *gen_ct_schedule) {
        check::CheckSettings list_settings;
        list_settings.registry = std::make_shared<schemas::SchemaRegistry>();
        std::string error;
        before = gateway::ReadListFile(schedule_for, *gen_ndr_schedule ? "ndr-list" : "ct-list",
                                       list_settings, std::string(), error);
        if (!before) throw UsageError("--for: " + error);
        const std::string feed = *gen_ndr_schedule ? "ndr-schedule" : "ct-schedule";
        const auto schema = list_settings.registry->Find(feed)->schema->table;
        for (const auto& earlier : schedules_before) {
          const auto applied =
              gateway::ReadScheduleFile(earlier, feed, list_settings, error, nullptr);
          if (!applied) throw UsageError("--after: " + error);
          schemas::voa::Balance(*before, *applied, schema->voa);
        }
      }
      std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
      if (!out) throw UsageError(out_path + ": cannot write");
      try {
        if (*gen_ndr_list) {
          gateway::GenerateNdrList(vg, out);
        } else if (*gen_ct_list) {
          gateway::GenerateCtList(vg, out);
        } else if (*gen_smv) {
          gateway::GenerateSmv(vg, out);
        } else if (*gen_ba_report) {
          gateway::GenerateBaReport(vg, out);
        } else {
          gateway::GenerateSchedule(vg, *before, schedule_number, out);
        }
      } catch (const std::runtime_error& e) {
        throw UsageError(std::string("--fault: ") + e.what());
      }
      out.flush();
      if (!out) throw UsageError(out_path + ": write failed");
      return 0;
    }
    if (*gen18) {
      const auto& cal = load_calendar();
      auto modulus = load_modulus(true);
      g.creation_date = date_text.empty() ? Today() : ParseDateOption(date_text);
      g.line_ending = eol == "crlf" ? "\r\n" : eol == "lf" ? "\n" : "";
      auto digits = [](const std::string& v, std::size_t n) {
        return v.size() == n && v.find_first_not_of("0123456789") == std::string::npos;
      };
      if (!digits(g.sun, 6)) throw UsageError("--sun: '" + g.sun + "' is not 6 digits");
      if (!digits(g.serial, 6) || g.serial == "000000") {
        throw UsageError("--serial: '" + g.serial + "' is not 6 digits, not all zeros");
      }
      std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
      if (!out) throw UsageError(out_path + ": cannot write");
      std::vector<char> buffer(1 << 20);
      out.rdbuf()->pubsetbuf(buffer.data(), static_cast<std::streamsize>(buffer.size()));
      gateway::GenerateBacs18(g, cal, *modulus, out);
      out.flush();
      if (!out) throw UsageError(out_path + ": write failed");
      return 0;
    }

    if (*schema_check) return gateway::SchemaCheck(schema_files, schema_strict, schema_format);
    if (*schema_infer) return gateway::SchemaInfer(infer_data, infer_rows, infer_name);
    if (*schema_export) return gateway::SchemaExport(export_feed);

    if (*schema_list) {
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

    // rbgate check
    check::CheckSettings settings;
    // With --config, exactly what the daemon has: its schemas, calendar, tables and references.
    gateway::Config daemon_config;
    gateway::CheckResources daemon_resources;
    if (!check_config.empty()) {
      if (!check_schema_dirs.empty() || !schema_file.empty() || !modulus_dir.empty() ||
          !calendar_file.empty() || !as_of_text.empty() || no_modulus) {
        throw UsageError("--config gives the schemas, calendar, modulus tables and dates");
      }
      try {
        daemon_config = gateway::LoadConfig(check_config, /*check_feeds=*/false);
        gateway::LoadCheckResources(daemon_config, daemon_resources, DefaultModulusDir());
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
      if (daemon_config.as_of == "today") settings.validator.as_of = Today();
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
    settings.progress = true;
    std::optional<schemas::ModulusChecker> modulus;
    if (check_config.empty()) {
      settings.validator.calendar = &load_calendar();
      if (!no_modulus) modulus = load_modulus(!modulus_dir.empty());
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
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rbgate: %s\n", e.what());
    return kExitUsage;
  }
}
