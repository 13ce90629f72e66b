#include "gateway/cli/command.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cstdlib>

#include "gateway/daemon/config.h"

namespace rbgate::cli {

schemas::Day ParseDateOption(const std::string& text, std::string_view option) {
  auto d = schemas::ParseIsoDate(text);
  if (!d) throw UsageError(fmt::format("{}: '{}' is not a date YYYY-MM-DD", option, text));
  return *d;
}

std::string IsoDateOption(const std::string& text, std::string_view option) {
  return text.empty() ? std::string() : schemas::FormatIsoDate(ParseDateOption(text, option));
}

std::string DefaultConfig() {
  if (const char* env = std::getenv("RBGATE_CONFIG"); env && *env) return env;
  return "rbgate.toml";
}

void TableOptions::Add(CLI::App* cmd, bool described_as_check) {
  if (!described_as_check) {
    cmd->add_option("--modulus-dir", modulus_dir, "As for check")->type_name("DIR");
    cmd->add_option("--calendar", calendar_file, "As for check")->type_name("FILE");
    return;
  }
  cmd->add_option("--modulus-dir", modulus_dir,
                  "Directory holding Vocalink's valacdos*.txt and scsubtab*.txt (default: "
                  "$RBGATE_MODULUS_DIR, else the set-up cache)")
      ->type_name("DIR");
  cmd->add_option("--calendar", calendar_file,
                  "Bank holidays in GOV.UK bank-holidays.json format (default: built in, "
                  "England and Wales 2018-2027)")
      ->type_name("FILE");
}

const schemas::Calendar& TableOptions::LoadCalendar() {
  if (calendar_file.empty()) return schemas::Calendar::Default();
  calendar_ = schemas::Calendar::FromFile(calendar_file);
  return *calendar_;
}

std::optional<schemas::ModulusChecker> TableOptions::LoadModulus(bool required) const {
  const std::string dir = modulus_dir.empty() ? gateway::DefaultModulusDir() : modulus_dir;
  struct stat st;
  const bool exists = ::stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
  if (modulus_dir.empty() && !required && !exists) return std::nullopt;
  return schemas::ModulusChecker::LoadDirectory(dir);
}

}  // namespace rbgate::cli
