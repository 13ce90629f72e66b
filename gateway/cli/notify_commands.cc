// rbgate notify: the [[notify]] channels, tried by hand.
#include <fmt/format.h>

#include <cstdio>
#include <ctime>
#include <string>

#include "gateway/cli/command.h"
#include "gateway/daemon/config.h"
#include "gateway/notify/notify.h"
#include "spool/ledger.h"

namespace rbgate::cli {
namespace {

class NotifyCommands final : public CommandGroup {
 public:
  explicit NotifyCommands(CLI::App& app) {
    auto* notify = app.add_subcommand("notify", "The [[notify]] channels: email and webhooks");
    notify->require_subcommand(1);
    test_ = notify->add_subcommand(
        "test", "Send a test notice to each channel (or one), and say what came of it");
    test_->add_option("--config", config_path, "Configuration file ($RBGATE_CONFIG)")
        ->type_name("FILE")
        ->capture_default_str();
    test_->add_option("--channel", channel, "Only this channel")->type_name("NAME");
    test_->footer(
        "Exit status: 0 every channel tried took the notice; 1 some did not (each said, with "
        "why); 2 usage or configuration problems, or no such channel.");
  }

  std::optional<int> Run() override {
    if (!*test_) return std::nullopt;
    gateway::Config config;
    try {
      config = gateway::LoadConfig(config_path);
    } catch (const gateway::ConfigError& e) {
      std::fprintf(stderr, "rbgate: %s\n", e.what());
      return kExitUsage;
    }
    gateway::InitCurl();
    gateway::Notice n;
    n.event = "test";
    n.at = spool::IsoFromUnixMs(spool::UnixMs());
    n.summary = "a test notice from rbgate notify test: this channel works";
    int tried = 0, failed = 0;
    for (const auto& ch : config.notify) {
      if (!channel.empty() && ch.name != channel) continue;
      ++tried;
      const gateway::SendResult r = gateway::Send(ch, {n});
      if (!r.ok) ++failed;
      std::printf("%-16s %-8s %s: %s\n", ch.name.c_str(), ch.type.c_str(),
                  r.ok ? "sent" : "NOT SENT", r.detail.c_str());
    }
    if (tried == 0) {
      std::fprintf(stderr, "rbgate: %s\n",
                   channel.empty() ? "no [[notify]] channel in the configuration"
                                   : ("no [[notify]] channel named " + channel).c_str());
      return kExitUsage;
    }
    return failed == 0 ? 0 : 1;
  }

 private:
  CLI::App* test_ = nullptr;
  std::string config_path = DefaultConfig(), channel;
};

}  // namespace

std::unique_ptr<CommandGroup> AddNotifyCommands(CLI::App& app) {
  return std::make_unique<NotifyCommands>(app);
}

}  // namespace rbgate::cli
