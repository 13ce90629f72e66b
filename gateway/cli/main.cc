// rbgate: the file-interface gateway and validator of a council's Revenues and Benefits
// service. This is the command line: it builds the command groups (command.h), parses, and
// runs the subcommand chosen. Exceptions from start-up (bad options, unreadable tables or
// calendars) are caught here and become a one-line reason and exit code 2.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <vector>

#include "gateway/cli/command.h"

namespace {

int Main(int argc, char** argv) {
  using namespace rbgate::cli;
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

  std::vector<std::unique_ptr<CommandGroup>> groups;
  groups.push_back(AddSchemaCommands(app));
  groups.push_back(AddCheckCommands(app));
  groups.push_back(AddGenCommands(app));
  groups.push_back(AddSpoolCommands(app));
  groups.push_back(AddAdminCommands(app));
  groups.push_back(AddNotifyCommands(app));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kExitUsage;
  }
  for (const auto& group : groups) {
    if (const auto status = group->Run()) return *status;
  }
  return kExitUsage;  // unreachable: parsing requires a subcommand
}

}  // namespace

int main(int argc, char** argv) {
  // Nothing escapes: a start-up failure of any kind is one line and exit status 2.
  try {
    return Main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rbgate: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "rbgate: an unexpected error\n");
  }
  return rbgate::cli::kExitUsage;
}
