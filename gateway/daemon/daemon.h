// `rbgate run`: watches the drop folders (inotify, with a periodic rescan as a safety net),
// claims settled files, and has a pool of workers take each to archive or quarantine.
// SIGTERM or SIGINT stops the intake; files in flight are finished before it exits.
#pragma once

#include <memory>
#include <optional>

#include "gateway/daemon/config.h"
#include "schemas/calendar.h"
#include "schemas/modulus.h"

namespace rbgate::gateway {

// Loads what checking needs (calendar, modulus tables) for `config`. Throws on a bad
// calendar or an explicitly named modulus directory that cannot be read.
struct CheckResources {
  std::optional<schemas::Calendar> calendar;
  std::optional<schemas::ModulusChecker> modulus;
};
void LoadCheckResources(Config& config, CheckResources& resources,
                        const std::string& default_modulus_dir);

// Runs the daemon; with `once`, processes what is waiting and returns. Returns the exit code.
int RunDaemon(Config& config, bool once);

// The OS user acting, for the ledger: SUDO_USER when run as root through sudo (never
// otherwise: anyone can set it), else the effective user's name.
std::string OsUser();

}  // namespace rbgate::gateway
