// rbgate admin: the secrets of the web console's users file.
#include <cstdio>
#include <iostream>
#include <string>

#include "gateway/admin/auth.h"
#include "gateway/cli/command.h"

namespace rbgate::cli {
namespace {

class AdminCommands final : public CommandGroup {
 public:
  explicit AdminCommands(CLI::App& app) {
    auto* admin = app.add_subcommand("admin", "Secrets for the web console's users file");
    admin->require_subcommand(1);
    hash_ = admin->add_subcommand(
        "hash-password", "Read a password on stdin; print its argon2id hash for the users file");
    token_ = admin->add_subcommand(
        "new-token", "Print a new API token (to give once) and the digest for the users file");
    admin->footer(
        "The users file (admin.users_file):\n"
        "  [[user]]\n  name = \"alice\"\n  role = \"officer\"   # viewer, officer or approver\n"
        "  password = \"$argon2id$...\"   # from rbgate admin hash-password\n"
        "  [[token]]\n  name = \"grafana\"\n  role = \"viewer\"\n"
        "  sha256 = \"...\"   # from rbgate admin new-token");
  }

  std::optional<int> Run() override {
    if (*hash_) {
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
    if (*token_) {
      const auto [token, digest] = gateway::NewToken();
      std::printf("token (give it to its holder once; it is not kept): %s\n", token.c_str());
      std::printf(
          "for the users file:\n[[token]]\nname = \"...\"\nrole = \"viewer\"\nsha256 = \"%s\"\n",
          digest.c_str());
      return 0;
    }
    return std::nullopt;
  }

 private:
  CLI::App* hash_ = nullptr;
  CLI::App* token_ = nullptr;
};

}  // namespace

std::unique_ptr<CommandGroup> AddAdminCommands(CLI::App& app) {
  return std::make_unique<AdminCommands>(app);
}

}  // namespace rbgate::cli
