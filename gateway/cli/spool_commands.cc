// rbgate init and run, and the operator's commands on a spool and its ledger: quarantine,
// ledger, outbound, approve, stats, voa, audit and reconcile (their work: operator.cc, voa.cc).
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "gateway/cli/command.h"
#include "gateway/cli/operator.h"
#include "gateway/cli/voa.h"
#include "gateway/daemon/config.h"
#include "gateway/daemon/daemon.h"

namespace rbgate::cli {
namespace {

class SpoolCommands final : public CommandGroup {
 public:
  explicit SpoolCommands(CLI::App& app) {
    // rbgate init / run and the operator's commands on a spool.
    init_ = app.add_subcommand("init", "Create a ready spool in DIR: folders, rbgate.toml, ledger");
    init_->add_option("DIR", init_dir, "Where the spool goes")->required()->type_name("");
    run_ = app.add_subcommand(
        "run", "Run the gateway: watch the drop folders, check, archive or quarantine, deliver");
    run_->add_flag("--once", once, "Process what is waiting, then exit (for batch schedules)");
    run_->footer(
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
    add_config(run_);
    // rbgate voa balance
    voa_ = app.add_subcommand("voa", "The VOA's lists and schedules of alterations");
    voa_->require_subcommand(1);
    voa_balance_ = voa_->add_subcommand(
        "balance",
        "Apply a schedule of alterations to the list it alters and reconcile the result with the "
        "VOA's figures: before, changes by heading, after, the VOA's figure, the difference and "
        "the records that explain it");
    voa_balance_->add_option("SCHEDULE", vb.schedule, "The schedule of alterations")
        ->required()
        ->type_name("");
    voa_balance_
        ->add_option("--list", vb.list,
                     "The list as it stood before the schedule (default: the list the ledger of "
                     "--config has on record)")
        ->type_name("FILE");
    voa_balance_
        ->add_option("--feed", vb.feed,
                     "The schedule's feed (default: detected; ndr-schedule, ct-schedule or a "
                     "council's own)")
        ->type_name("FEED");
    voa_balance_
        ->add_option("--list-feed", vb.list_feed,
                     "The list's feed (default: ndr-list or "
                     "ct-list, by the schedule's tax)")
        ->type_name("FEED");
    voa_balance_
        ->add_option("--schema-dir", vb.schema_dirs, "A folder of schema files (repeatable)")
        ->type_name("DIR");
    voa_balance_->add_option("--format", vb.format, "Report format")
        ->check(CLI::IsMember({"text", "json", "csv"}))
        ->type_name("FORMAT")
        ->capture_default_str();
    voa_balance_->footer(
        "Exit status: 0 balanced; 1 not balanced, or the schedule or list has errors (its "
        "findings on standard error); 2 usage or I/O.");
    voa_lists_ = voa_->add_subcommand(
        "lists", "The VOA lists the ledger has on record: entries and totals, and as after what");
    voa_lists_->add_option("--format", op.format, "Output format")
        ->check(CLI::IsMember({"text", "json"}))
        ->type_name("FORMAT");

    add_config(voa_balance_);
    add_config(voa_lists_);
    voa_balance_->fallthrough();
    voa_lists_->fallthrough();
    quarantine_ = app.add_subcommand("quarantine", "Inspect and act on quarantined files");
    quarantine_->require_subcommand(1);
    add_config(quarantine_);
    q_list_ = quarantine_->add_subcommand("list", "Quarantined files, oldest first");
    add_listing(q_list_, true);
    q_show_ = quarantine_->add_subcommand("show", "Why a file was quarantined, faults marked");
    q_show_->add_option("ID", id, "File id")->required()->type_name("");
    q_show_->add_flag("--show-personal-data", op.show_personal, "Show personal data unmasked");
    q_show_->add_option("--format", op.format, "Output format")
        ->check(CLI::IsMember({"text", "json"}))
        ->type_name("FORMAT");
    q_release_ = quarantine_->add_subcommand("release", "Send a quarantined file on, on record");
    q_release_->add_option("ID", id, "File id")->required()->type_name("");
    q_release_->add_option("--reason", reason, "Why (recorded with your user name)")
        ->required()
        ->type_name("TEXT");
    q_release_->add_flag("--force-duplicate", force_duplicate,
                         "Send it even though an accepted file has the same bytes or business key");
    q_reject_ = quarantine_->add_subcommand("reject", "Reject a quarantined file, on record");
    q_reject_->add_option("ID", id, "File id")->required()->type_name("");
    q_reject_->add_option("--reason", reason, "Why (recorded with your user name)")
        ->required()
        ->type_name("TEXT");
    q_reprocess_ = quarantine_->add_subcommand(
        "reprocess", "Check a quarantined file again (after a schema or calendar fix)");
    q_reprocess_->add_option("ID", id, "File id")->required()->type_name("");
    q_reprocess_->add_option("--reason", reason, "Why (recorded)")->type_name("TEXT");
    ledger_ = app.add_subcommand("ledger", "Every file and every step on record");
    ledger_->require_subcommand(1);
    add_config(ledger_);
    l_list_ = ledger_->add_subcommand("list", "Every file: name, SHA-256, feed, state, outcome");
    add_listing(l_list_, true);
    l_show_ = ledger_->add_subcommand("show",
                                      "One file's record: transitions, findings, "
                                      "deliveries, actions");
    l_show_->add_option("ID", id, "File id")->required()->type_name("");
    l_show_->add_option("--format", op.format, "Output format")
        ->check(CLI::IsMember({"text", "json"}))
        ->type_name("FORMAT");
    l_purge_ = ledger_->add_subcommand(
        "purge-items",
        "Forget reconciliation items (accounts, references, amounts) of days before a date");
    l_purge_->add_option("--before", purge_before, "Processing or report days before this go")
        ->required()
        ->type_name("YYYY-MM-DD");
    l_migrate_ = ledger_->add_subcommand(
        "migrate",
        "Copy this spool's SQLite ledger, its whole history and audit chain, into an empty "
        "PostgreSQL database (for several nodes); verified, the original unchanged");
    l_migrate_->add_option("--to", migrate_to, "The PostgreSQL ledger: postgresql://...")
        ->required()
        ->type_name("URL");
    l_migrate_
        ->add_option("--password-file", migrate_password_file,
                     "PostgreSQL's password (else PGPASSWORD or ~/.pgpass)")
        ->type_name("FILE");
    l_backup_ = ledger_->add_subcommand(
        "backup",
        "Copy the ledger to FILE while rbgate runs (SQLite's online backup), checked as a "
        "restore would be; for PostgreSQL, says which tool to use");
    l_backup_->add_option("FILE", backup_to, "Where the copy goes (replaced whole)")
        ->required()
        ->type_name("");
    archive_ = app.add_subcommand("archive", "The archive of originals, and retention");
    archive_->require_subcommand(1);
    add_config(archive_);
    ar_purge_ = archive_->add_subcommand(
        "purge",
        "Delete archived originals and rejected files' quarantine folders older than "
        "[archive] and [quarantine] retain_days, each on record (the daemon does it daily)");
    ar_purge_->add_flag("--dry-run", purge_dry_run, "Say what would go; delete nothing");
    keys_ = app.add_subcommand("keys", "The OpenPGP keyring ([openpgp] home)");
    keys_->require_subcommand(1);
    add_config(keys_);
    k_list_ = keys_->add_subcommand("list", "Each key, whose it is, and when it expires");
    k_list_->add_option("--format", op.format, "Output format")
        ->check(CLI::IsMember({"text", "json"}))
        ->type_name("FORMAT")
        ->capture_default_str();
    users_ = app.add_subcommand("users", "The web console's users ([admin] users_file)");
    users_->require_subcommand(1);
    add_config(users_);
    u_sign_out_ = users_->add_subcommand(
        "sign-out", "End every console session of a user now (a lost laptop, someone leaving)");
    u_sign_out_->add_option("USER", id, "User name")->required()->type_name("");
    sources_ = app.add_subcommand("sources", "The [[source]]s: partners' folders collected from");
    sources_->require_subcommand(1);
    add_config(sources_);
    s_list_ = sources_->add_subcommand(
        "list", "Each source: where from, into which route, what it has collected");
    s_list_->add_option("--format", op.format, "Output format")
        ->check(CLI::IsMember({"text", "json"}))
        ->type_name("FORMAT")
        ->capture_default_str();
    outbound_ = app.add_subcommand(
        "outbound", "The outbound queue: deliveries to network destinations, and approvals");
    outbound_->require_subcommand(1);
    add_config(outbound_);
    o_list_ = outbound_->add_subcommand(
        "list", "Items waiting for a network destination, and files awaiting approval");
    o_list_->add_flag("--all", outbound_all, "Every item (delivered, refused, cancelled too)");
    add_listing(o_list_, false);
    o_retry_ = outbound_->add_subcommand("retry", "Try a queued item now, on record");
    o_retry_->add_option("ID", id, "Item id (rbgate outbound list)")->required()->type_name("");
    o_retry_->add_option("--reason", reason, "Why (recorded with your user name)")
        ->required()
        ->type_name("TEXT");
    o_cancel_ = outbound_->add_subcommand("cancel", "Never send a queued item, on record");
    o_cancel_->add_option("ID", id, "Item id (rbgate outbound list)")->required()->type_name("");
    o_cancel_->add_option("--reason", reason, "Why (recorded with your user name)")
        ->required()
        ->type_name("TEXT");
    approve_ = app.add_subcommand(
        "approve",
        "Four eyes: approve a file awaiting a second officer (not the one who dropped or released "
        "it), on record");
    add_config(approve_);
    approve_->add_option("ID", id, "File id (rbgate outbound list)")->required()->type_name("");
    approve_->add_option("--reason", reason, "Why (recorded with your user name)")
        ->required()
        ->type_name("TEXT");
    approve_->footer(
        "Exit status: 0 approved (the file goes on); 1 refused: you dropped, released or "
        "reprocessed it; 2 no such file, or it is not awaiting approval.");
    stats_ = app.add_subcommand("stats", "Files, bytes, records and outcomes per feed and hour");
    add_config(stats_);
    add_listing(stats_, false);
    nodes_ = app.add_subcommand(
        "nodes", "The nodes sharing the ledger: leases, unfinished files, which one leads");
    add_config(nodes_);
    nodes_->add_option("--format", op.format, "Output format")
        ->check(CLI::IsMember({"text", "json"}))
        ->type_name("FORMAT")
        ->capture_default_str();
    nodes_->footer("Exit status: 0 listed; 2 configuration or ledger problems.");
    audit_ = app.add_subcommand("audit", "The ledger's tamper-evident audit chain");
    audit_->require_subcommand(1);
    add_config(audit_);
    a_verify_ = audit_->add_subcommand(
        "verify", "Check that no transition or action was edited, inserted or deleted");
    a_verify_
        ->add_option("--head", audit_head,
                     "A head printed by an earlier run: check the chain still holds it")
        ->type_name("SEQ:HASH");
    a_verify_->add_option("--format", op.format, "Output format")
        ->check(CLI::IsMember({"text", "json"}))
        ->type_name("FORMAT");
    a_verify_->footer(
        "Exit status: 0 intact; 1 tampered with (each problem printed, with where); 2 the ledger "
        "cannot be read.\nRecord the head it prints somewhere else (a ticket, a log): a later "
        "--head check then also detects a chain cut short or rewritten from the start.");
    reconcile_ = app.add_subcommand(
        "reconcile",
        "Match returned debits (ARUDD) and credits (ARUCS) against the Standard 18 items sent");
    add_config(reconcile_);
    reconcile_->add_option("--from", rec_from, "Returns reported on or after this day")
        ->type_name("YYYY-MM-DD");
    reconcile_->add_option("--to", rec_to, "Returns reported on or before this day")
        ->type_name("YYYY-MM-DD");
    reconcile_->add_option("--format", rec.format, "Output format")
        ->check(CLI::IsMember({"text", "json", "csv"}))
        ->type_name("FORMAT")
        ->capture_default_str();
    reconcile_->add_flag("--show-personal-data", rec.show_personal,
                         "Show references and account numbers in full");
    reconcile_->footer(
        "Exit status: 0 every return matched once; 1 some are unmatched or returned twice; "
        "2 usage or ledger error.");
    // `rbgate ledger list --config F` as well as `rbgate ledger --config F list`.
    for (CLI::App* leaf : {q_list_, q_show_, q_release_, q_reject_, q_reprocess_, l_list_, l_show_,
                           l_purge_, l_migrate_, l_backup_, ar_purge_, a_verify_, o_list_, o_retry_,
                           o_cancel_, s_list_, k_list_, u_sign_out_}) {
      leaf->fallthrough();
    }
  }

  std::optional<int> Run() override {
    if (*init_) return gateway::Init(init_dir);
    if (*voa_balance_ && !vb.list.empty()) return gateway::VoaBalance(vb);
    if (*run_ || *quarantine_ || *ledger_ || *archive_ || *stats_ || *nodes_ || *reconcile_ ||
        *audit_ || *outbound_ || *approve_ || *voa_ || *sources_ || *keys_ || *users_) {
      gateway::Config config;
      try {
        config = gateway::LoadConfig(config_path, /*check_feeds=*/run_->parsed(),
                                     /*daemon=*/run_->parsed());
      } catch (const gateway::ConfigError& e) {
        std::fprintf(stderr, "rbgate: %s\n", e.what());
        return kExitUsage;
      }
      if (*run_) {
        gateway::CheckResources resources;
        gateway::LoadCheckResources(config, resources, gateway::DefaultModulusDir());
        return gateway::RunDaemon(config, once);
      }
      if (*q_list_) return gateway::QuarantineList(config, op);
      if (*q_show_) return gateway::QuarantineShow(config, id, op);
      if (*q_release_) return gateway::QuarantineRelease(config, id, reason, force_duplicate);
      if (*q_reject_) return gateway::QuarantineReject(config, id, reason);
      if (*q_reprocess_) return gateway::QuarantineReprocess(config, id, reason);
      if (*l_list_) return gateway::LedgerList(config, op);
      if (*l_show_) return gateway::LedgerShow(config, id, op);
      if (*l_purge_) {
        return gateway::PurgeItems(config, IsoDateOption(purge_before, "--before"));
      }
      if (*ar_purge_) return gateway::ArchivePurge(config, purge_dry_run);
      if (*l_backup_) return gateway::LedgerBackup(config, backup_to);
      if (*l_migrate_) return gateway::LedgerMigrate(config, migrate_to, migrate_password_file);
      if (*stats_) return gateway::Stats(config, op);
      if (*nodes_) return gateway::Nodes(config, op);
      if (*o_list_) return gateway::OutboundList(config, outbound_all, op);
      if (*s_list_) return gateway::SourcesList(config, op);
      if (*k_list_) return gateway::KeysList(config, op);
      if (*u_sign_out_) return gateway::SignOutUser(config, id);
      if (*o_retry_) return gateway::OutboundRetry(config, id, reason);
      if (*o_cancel_) return gateway::OutboundCancel(config, id, reason);
      if (*approve_) return gateway::Approve(config, id, reason);
      if (*voa_balance_) return gateway::VoaBalanceOnRecord(config, vb);
      if (*voa_lists_) return gateway::VoaLists(config, op);
      if (*a_verify_) return gateway::AuditVerify(config, audit_head, op);
      if (*reconcile_) {
        rec.from = IsoDateOption(rec_from, "--from");
        rec.to = IsoDateOption(rec_to, "--to");
        return gateway::Reconcile(config, rec);
      }
    }
    return std::nullopt;
  }

 private:
  CLI::App* init_ = nullptr;
  CLI::App* run_ = nullptr;
  CLI::App* voa_ = nullptr;
  CLI::App* voa_balance_ = nullptr;
  CLI::App* voa_lists_ = nullptr;
  CLI::App* quarantine_ = nullptr;
  CLI::App* q_list_ = nullptr;
  CLI::App* q_show_ = nullptr;
  CLI::App* q_release_ = nullptr;
  CLI::App* q_reject_ = nullptr;
  CLI::App* q_reprocess_ = nullptr;
  CLI::App* ledger_ = nullptr;
  CLI::App* l_list_ = nullptr;
  CLI::App* l_show_ = nullptr;
  CLI::App* l_purge_ = nullptr;
  CLI::App* l_migrate_ = nullptr;
  CLI::App* l_backup_ = nullptr;
  CLI::App* archive_ = nullptr;
  CLI::App* ar_purge_ = nullptr;
  bool purge_dry_run = false;
  std::string backup_to;
  std::string migrate_to, migrate_password_file;
  CLI::App* outbound_ = nullptr;
  CLI::App* o_list_ = nullptr;
  CLI::App* sources_ = nullptr;
  CLI::App* users_ = nullptr;
  CLI::App* u_sign_out_ = nullptr;
  CLI::App* keys_ = nullptr;
  CLI::App* k_list_ = nullptr;
  CLI::App* s_list_ = nullptr;
  CLI::App* o_retry_ = nullptr;
  CLI::App* o_cancel_ = nullptr;
  CLI::App* approve_ = nullptr;
  CLI::App* stats_ = nullptr;
  CLI::App* nodes_ = nullptr;
  CLI::App* audit_ = nullptr;
  CLI::App* a_verify_ = nullptr;
  CLI::App* reconcile_ = nullptr;
  std::string config_path = DefaultConfig(), init_dir, id, reason, since;
  bool once = false, force_duplicate = false;
  gateway::OperatorOptions op;
  gateway::VoaBalanceOptions vb;
  std::string purge_before;
  bool outbound_all = false;
  std::string audit_head;
  gateway::ReconcileOptions rec;
  std::string rec_from, rec_to;
};

}  // namespace

std::unique_ptr<CommandGroup> AddSpoolCommands(CLI::App& app) {
  return std::make_unique<SpoolCommands>(app);
}

}  // namespace rbgate::cli
