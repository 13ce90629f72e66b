// The rbgate command is groups of subcommands, one file each (check_commands.cc, ...). A
// group adds its subcommands and their options to the application, keeping the options'
// values, and runs the one the user chose; main() only builds the groups and dispatches.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "schemas/calendar.h"
#include "schemas/dates.h"
#include "schemas/modulus.h"

namespace rbgate::cli {

inline constexpr int kExitUsage = 2;

// A usage problem found after parsing (a bad date, an option that needs another): one line on
// stderr and exit status 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class CommandGroup {
 public:
  virtual ~CommandGroup() = default;
  // The exit status of the subcommand chosen, or nullopt when it is none of this group's.
  virtual std::optional<int> Run() = 0;
};

std::unique_ptr<CommandGroup> AddCheckCommands(CLI::App& app);   // check, transform, rules
std::unique_ptr<CommandGroup> AddSchemaCommands(CLI::App& app);  // schema check|list|infer|export
std::unique_ptr<CommandGroup> AddGenCommands(CLI::App& app);     // gen FEED
// init, run, and the operator's commands on a spool: quarantine, ledger, outbound, approve,
// stats, voa, audit, reconcile.
std::unique_ptr<CommandGroup> AddSpoolCommands(CLI::App& app);
std::unique_ptr<CommandGroup> AddAdminCommands(CLI::App& app);   // admin (the users file's secrets)
std::unique_ptr<CommandGroup> AddNotifyCommands(CLI::App& app);  // notify test

// A date option (YYYY-MM-DD), or a UsageError naming the option.
schemas::Day ParseDateOption(const std::string& text, std::string_view option = "--date");
// A date option checked and written as YYYY-MM-DD; empty stays empty (no bound).
std::string IsoDateOption(const std::string& text, std::string_view option);
// The configuration file: $RBGATE_CONFIG, else ./rbgate.toml.
std::string DefaultConfig();

// The processing calendar and modulus tables, as --calendar and --modulus-dir say (check and
// gen bacs18 share them).
struct TableOptions {
  std::string modulus_dir, calendar_file;
  void Add(CLI::App* cmd, bool described_as_check);
  const schemas::Calendar& LoadCalendar();
  // Null when not `required` and neither --modulus-dir nor the set-up cache is there.
  std::optional<schemas::ModulusChecker> LoadModulus(bool required) const;

 private:
  std::optional<schemas::Calendar> calendar_;
};

}  // namespace rbgate::cli
