// rbgate gen: synthetic feed files for tests, demos and benchmarks (gateway/gen/), every
// one of them with faults to inject by name.
#include <fmt/format.h>

#include <fstream>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "gateway/cli/command.h"
#include "gateway/cli/voa.h"
#include "gateway/daemon/clock.h"
#include "gateway/gen/bacs18.h"
#include "gateway/gen/faults.h"
#include "gateway/gen/feeds.h"
#include "gateway/gen/reports.h"
#include "gateway/gen/voa.h"
#include "schemas/registry.h"
#include "schemas/voa/balance.h"
#include "spool/check/check.h"

namespace rbgate::cli {
namespace {

std::string FaultList(std::span<const gateway::GenFault> faults) {
  std::string out = "Faults (--fault, repeatable):\n";
  for (const auto& f : faults) {
    out += fmt::format("  {:<20} {} [{}]\n", f.name, f.what, f.rule);
  }
  return out;
}

class GenCommands final : public CommandGroup {
 public:
  explicit GenCommands(CLI::App& app) {
    // rbgate gen
    auto* gen =
        app.add_subcommand("gen", "Write synthetic feed files for tests, demos and benchmarks");
    gen18_ = gen->add_subcommand("bacs18", "A Bacs Standard 18 payment file");
    gen->require_subcommand(1);
    gen18_->add_option("--records", g.records, "Data records (contras are added)")
        ->type_name("N")
        ->capture_default_str();
    gen18_->add_option("--seed", g.seed, "Random seed; the same seed writes the same file")
        ->type_name("S")
        ->capture_default_str();
    gen18_->add_flag("--multi-day", g.multi_day, "A multi-day file (106-byte records)");
    gen18_->add_option("--fault", g.faults, "Inject a named fault (repeatable; listed below)")
        ->type_name("KIND");
    gen18_->add_option("--date", date_text, "Creation date (default: today)")
        ->type_name("YYYY-MM-DD");
    gen18_->add_option("--sun", g.sun, "Service user number")
        ->type_name("SUN")
        ->capture_default_str();
    gen18_->add_option("--serial", g.serial, "Submission serial number")
        ->type_name("SERIAL")
        ->capture_default_str();
    gen18_->add_option("--line-ending", eol, "Record separator")
        ->check(CLI::IsMember({"crlf", "lf", "none"}))
        ->type_name("EOL")
        ->capture_default_str();
    tables_.Add(gen18_, false);
    gen18_->add_option("-o,--output", out_path, "Output file")->required()->type_name("FILE");
    // The shipped schema feeds.
    gen_payments_ = gen->add_subcommand(
        "payments",
        "An income-management payments file (schemas/payments: header, payments, "
        "trailer with count and total)");
    gen_vep_ = gen->add_subcommand("vep", "HMRC VEP alerts as JSON lines (schemas/vep)");
    gen_shbe_ = gen->add_subcommand(
        "shbe", "A Single Housing Benefit Extract (schemas/shbe: header, claims, trailer)");
    gen_atlas_ =
        gen->add_subcommand("atlas", "DWP ATLAS notifications (XML, schemas/atlas/atlas.xsd)");
    gen_rsl_rents_ = gen->add_subcommand(
        "rsl-rents",
        "A landlord's rent changes (schemas/rsl; every pay reference in the map "
        "that rsl-refmap writes for the same seed and records)");
    gen_rsl_refmap_ = gen->add_subcommand("rsl-refmap", "A landlord's reference map (schemas/rsl)");
    gen_dd_ = gen->add_subcommand(
        "dd-instructions",
        "A council's own Direct Debit instructions (XML, schemas/dd_instructions)");
    tables_.Add(gen_dd_, false);
    for (auto* cmd : {gen_payments_, gen_vep_, gen_shbe_, gen_atlas_, gen_rsl_rents_,
                      gen_rsl_refmap_, gen_dd_}) {
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
    gen_ndr_list_ = gen->add_subcommand(
        "ndr-list", "A VOA non-domestic rating list, compiled list entries (schemas/voa)");
    gen_ndr_list_->add_option("--records", vg.records, "List entries")
        ->type_name("N")
        ->capture_default_str();
    gen_ndr_list_
        ->add_option("--councils", vg.councils,
                     "Billing authorities the entries are spread over (a country's list: ~300)")
        ->type_name("N")
        ->capture_default_str();
    gen_ct_list_ = gen->add_subcommand(
        "ct-list", "A VOA council tax valuation list: one authority's dwellings and bands");
    gen_ct_list_->add_option("--records", vg.records, "Dwellings")
        ->type_name("N")
        ->capture_default_str();
    gen_ndr_schedule_ = gen->add_subcommand(
        "ndr-schedule", "A VOA schedule of alterations to a rating list (schemas/voa)");
    gen_ct_schedule_ = gen->add_subcommand(
        "ct-schedule", "A VOA schedule of alterations to a council tax list (schemas/voa)");
    for (auto* cmd : {gen_ndr_schedule_, gen_ct_schedule_}) {
      cmd->add_option("--for", schedule_for,
                      "The list it alters (ndr-list or ct-list): the schedule balances to it, "
                      "unless a fault says otherwise")
          ->required()
          ->type_name("LIST");
      cmd->add_option("--records", vg.records, "Alterations")
          ->type_name("N")
          ->capture_default_str();
      cmd->add_option("--number", schedule_number, "The schedule's number")
          ->type_name("N")
          ->capture_default_str();
      cmd->add_option("--after", schedules_before,
                      "A schedule already applied to the list (repeatable, in order): this one "
                      "follows it")
          ->type_name("SCHEDULE");
    }
    gen_smv_ = gen->add_subcommand(
        "ndr-smv", "VOA summary valuations: each hereditament's valuation, line by line");
    gen_smv_->add_option("--records", vg.records, "Valuations")
        ->type_name("N")
        ->capture_default_str();
    gen_ba_report_ = gen->add_subcommand(
        "ba-report", "A billing authority report to the VOA (Valuebill XML, schemas/voa)");
    gen_ba_report_->add_option("--records", vg.records, "Property reports")
        ->type_name("N")
        ->capture_default_str();
    for (auto* cmd : {gen_ndr_list_, gen_ct_list_, gen_ndr_schedule_, gen_ct_schedule_, gen_smv_,
                      gen_ba_report_}) {
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
    gen_arudd_ = gen->add_subcommand("arudd", "A Bacs ARUDD report (unpaid Direct Debits, XML)");
    gen_arudd_->add_option("--records", rg.records, "Returned items")
        ->type_name("N")
        ->capture_default_str();
    gen_arudd_->add_option("--seed", rg.seed, "Random seed")->type_name("S")->capture_default_str();
    gen_arudd_->add_option("--fault", rg.faults, "Inject a named fault (repeatable; listed below)")
        ->type_name("KIND");
    gen_arudd_->add_option("--date", date_text, "Processing date (default: today)")
        ->type_name("YYYY-MM-DD");
    gen_arudd_
        ->add_option("--for", returning_file,
                     "Return items of this Standard 18 file (debits; credits with --arucs), "
                     "--records of them, for reconciliation tests and demos")
        ->type_name("FILE");
    gen_arudd_->add_flag("--arucs", rg.credits,
                         "An ARUCS report (returned credits; its shape is inferred) instead");
    gen_arudd_->add_option("-o,--output", out_path, "Output file")->required()->type_name("FILE");
    gen_ddic_ = gen->add_subcommand("ddic", "A DDIC report (Direct Debit indemnity claims, XML)");
    gen_ddic_->add_option("--records", rg.records, "Advices")
        ->type_name("N")
        ->capture_default_str();
    gen_ddic_->add_option("--seed", rg.seed, "Random seed")->type_name("S")->capture_default_str();
    gen_ddic_->add_option("--fault", rg.faults, "Inject a named fault (repeatable)")
        ->type_name("KIND");
    gen_ddic_->add_option("--date", date_text, "Date of debit (default: today)")
        ->type_name("YYYY-MM-DD");
    gen_ddic_->add_option("-o,--output", out_path, "Output file")->required()->type_name("FILE");
    gen_input_ = gen->add_subcommand(
        "input", "A Bacs input report (what Bacs accepted of a submission, XML)");
    gen_input_
        ->add_option("--for", returning_file,
                     "Answer this Standard 18 file's submission (default: a made-up one)")
        ->type_name("FILE");
    gen_input_->add_option("--records", rg.records, "Debits of a made-up submission")
        ->type_name("N")
        ->capture_default_str();
    gen_input_->add_option("--seed", rg.seed, "Random seed")->type_name("S")->capture_default_str();
    gen_input_->add_option("--fault", rg.faults, "Inject a named fault (repeatable)")
        ->type_name("KIND");
    gen_input_->add_option("--date", date_text, "Report date (default: today)")
        ->type_name("YYYY-MM-DD");
    gen_input_->add_option("-o,--output", out_path, "Output file")->required()->type_name("FILE");
    gen_messaging_ =
        gen->add_subcommand("messaging", "A Bacs messaging advice: ADDACS, AUDDIS or AWACS (XML)");
    gen_messaging_->add_option("--type", advice_type, "Advice type")
        ->required()
        ->check(CLI::IsMember({"ADDACS", "AUDACC", "AUDREJ", "AWACS"}))
        ->type_name("TYPE");
    gen_messaging_->add_option("--records", rg.records, "Advices")
        ->type_name("N")
        ->capture_default_str();
    gen_messaging_->add_option("--seed", rg.seed, "Random seed")
        ->type_name("S")
        ->capture_default_str();
    gen_messaging_->add_option("--fault", rg.faults, "Inject a named fault (repeatable)")
        ->type_name("KIND");
    gen_messaging_->add_option("--date", date_text, "Report date (default: today)")
        ->type_name("YYYY-MM-DD");
    gen_messaging_->add_option("-o,--output", out_path, "Output file")
        ->required()
        ->type_name("FILE");
    for (auto* cmd : gen->get_subcommands({})) {
      if (const auto faults = gateway::FaultsOf(cmd->get_name())) cmd->footer(FaultList(*faults));
    }
  }

  std::optional<int> Run() override {
    if (*gen_arudd_ || *gen_messaging_ || *gen_ddic_ || *gen_input_) {
      rg.processing_date = date_text.empty() ? gateway::Today() : ParseDateOption(date_text);
      gateway::SentSubmission submission;
      if (*gen_input_ && !returning_file.empty()) {
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
      if (*gen_arudd_) {
        gateway::GenerateArudd(rg, out);
      } else if (*gen_input_) {
        gateway::GenerateInputReport(rg, submission, out);
      } else if (*gen_ddic_) {
        gateway::GenerateDdic(rg, out);
      } else {
        gateway::GenerateMessaging(rg, advice_type, out);
      }
      out.flush();
      if (!out) throw UsageError(out_path + ": write failed");
      return 0;
    }

    if (*gen_payments_ || *gen_vep_ || *gen_shbe_ || *gen_atlas_ || *gen_rsl_rents_ ||
        *gen_rsl_refmap_) {
      fg.date = date_text.empty() ? gateway::Today() : ParseDateOption(date_text);
      std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
      if (!out) throw UsageError(out_path + ": cannot write");
      try {
        if (*gen_payments_) {
          gateway::GeneratePayments(fg, out);
        } else if (*gen_shbe_) {
          gateway::GenerateShbe(fg, out);
        } else if (*gen_atlas_) {
          gateway::GenerateAtlas(fg, out);
        } else if (*gen_rsl_rents_) {
          gateway::GenerateRslRents(fg, out);
        } else if (*gen_rsl_refmap_) {
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
    if (*gen_ndr_list_ || *gen_ct_list_ || *gen_ndr_schedule_ || *gen_ct_schedule_ || *gen_smv_ ||
        *gen_ba_report_) {
      vg.date = date_text.empty() ? gateway::Today() : ParseDateOption(date_text);
      if (vg.ba.size() != 4 || vg.ba.find_first_not_of("0123456789") != std::string::npos ||
          vg.ba == "0000") {
        throw UsageError("--ba: '" + vg.ba + "' is not a billing authority code (0001-9999)");
      }
      std::optional<schemas::voa::ListState> before;
      if (*gen_ndr_schedule_ || *gen_ct_schedule_) {
        check::CheckSettings list_settings;
        list_settings.registry = std::make_shared<schemas::SchemaRegistry>();
        std::string error;
        before = gateway::ReadListFile(schedule_for, *gen_ndr_schedule_ ? "ndr-list" : "ct-list",
                                       list_settings, std::string(), error);
        if (!before) throw UsageError("--for: " + error);
        const std::string feed = *gen_ndr_schedule_ ? "ndr-schedule" : "ct-schedule";
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
        if (*gen_ndr_list_) {
          gateway::GenerateNdrList(vg, out);
        } else if (*gen_ct_list_) {
          gateway::GenerateCtList(vg, out);
        } else if (*gen_smv_) {
          gateway::GenerateSmv(vg, out);
        } else if (*gen_ba_report_) {
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
    if (*gen_dd_) {
      auto modulus = tables_.LoadModulus(true);
      fg.date = date_text.empty() ? gateway::Today() : ParseDateOption(date_text);
      std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
      if (!out) throw UsageError(out_path + ": cannot write");
      try {
        gateway::GenerateDdInstructions(fg, *modulus, out);
      } catch (const std::runtime_error& e) {
        throw UsageError(std::string("--fault: ") + e.what());
      }
      out.flush();
      if (!out) throw UsageError(out_path + ": write failed");
      return 0;
    }
    if (*gen18_) {
      const auto& cal = tables_.LoadCalendar();
      auto modulus = tables_.LoadModulus(true);
      g.creation_date = date_text.empty() ? gateway::Today() : ParseDateOption(date_text);
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
    return std::nullopt;
  }

 private:
  CLI::App* gen18_ = nullptr;
  CLI::App* gen_payments_ = nullptr;
  CLI::App* gen_vep_ = nullptr;
  CLI::App* gen_shbe_ = nullptr;
  CLI::App* gen_atlas_ = nullptr;
  CLI::App* gen_dd_ = nullptr;
  CLI::App* gen_rsl_rents_ = nullptr;
  CLI::App* gen_rsl_refmap_ = nullptr;
  CLI::App* gen_ndr_list_ = nullptr;
  CLI::App* gen_ct_list_ = nullptr;
  CLI::App* gen_ndr_schedule_ = nullptr;
  CLI::App* gen_ct_schedule_ = nullptr;
  CLI::App* gen_smv_ = nullptr;
  CLI::App* gen_ba_report_ = nullptr;
  CLI::App* gen_arudd_ = nullptr;
  CLI::App* gen_ddic_ = nullptr;
  CLI::App* gen_input_ = nullptr;
  CLI::App* gen_messaging_ = nullptr;
  TableOptions tables_;
  gateway::GenOptions g;
  std::string out_path, date_text, eol = "crlf";
  gateway::FeedGenOptions fg;
  gateway::VoaGenOptions vg;
  std::string schedule_for;
  std::vector<std::string> schedules_before;
  std::uint64_t schedule_number = 1;
  gateway::ReportGenOptions rg;
  std::string returning_file;
  std::string advice_type;
};

}  // namespace

std::unique_ptr<CommandGroup> AddGenCommands(CLI::App& app) {
  return std::make_unique<GenCommands>(app);
}

}  // namespace rbgate::cli
