// rbgate notify: the [[notify]] channels tried by hand, and the notices on record.
#include <fmt/format.h>

#include <cstdio>
#include <ctime>
#include <string>

#include "gateway/cli/command.h"
#include "gateway/cli/operator.h"
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
    list_ = notify->add_subcommand(
        "list", "Notices waiting to be sent (or every one), and each channel's counts");
    list_->add_option("--config", config_path, "Configuration file ($RBGATE_CONFIG)")
        ->type_name("FILE");
    list_->add_flag("--all", all, "Every notice: sent and expired too");
    list_->add_option("--file", file_id, "Only notices about this file")->type_name("ID");
    list_->add_option("--since", op.since, "Only notices raised since (UTC, e.g. 2026-11-23)")
        ->type_name("TIME");
    list_->add_option("--format", op.format, "Output format")
        ->check(CLI::IsMember({"text", "json"}))
        ->type_name("FORMAT")
        ->capture_default_str();
    list_->footer("Exit status: 0 listed; 2 usage, configuration or ledger problems.");
  }

  std::optional<int> Run() override {
    if (!*test_ && !*list_) return std::nullopt;
    gateway::Config config;
    try {
      config = gateway::LoadConfig(config_path);
    } catch (const gateway::ConfigError& e) {
      std::fprintf(stderr, "rbgate: %s\n", e.what());
      return kExitUsage;
    }
    if (*list_) return gateway::NotifyList(config, all, file_id, op);
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
  CLI::App* list_ = nullptr;
  std::string config_path = DefaultConfig(), channel, file_id;
  bool all = false;
  gateway::OperatorOptions op;
};

}  // namespace

std::unique_ptr<CommandGroup> AddNotifyCommands(CLI::App& app) {
  return std::make_unique<NotifyCommands>(app);
}

}  // namespace rbgate::cli
