// rbgate's configuration: a TOML file (toml++) naming the spool, its routes, their settle
// rules and destinations, the worker count and limits. A bad file is refused at start-up
// with the key and line at fault.
#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "gateway/admin/admin_server.h"
#include "gateway/collect/collector.h"
#include "gateway/daemon/late_feeds.h"
#include "gateway/forward/transfer.h"
#include "gateway/notify/notify.h"
#include "spool/retention.h"
#include "spool/spool.h"

namespace rbgate::gateway {

struct Config {
  std::string path;  // the file it came from
  spool::SpoolOptions spool;
  spool::RetentionOptions retention;  // [archive] and [quarantine] retain_days
  int workers = 2;
  // Several nodes on one spool (a PostgreSQL ledger): this one's name (default: the host's)
  // and how long its hold on its files lasts unless renewed. Empty with SQLite: one node.
  std::string node;
  int lease_seconds = 30;
  int rescan_seconds = 10;
  std::string calendar_file;            // empty: built in
  std::string modulus_dir;              // empty: default search
  std::string as_of = "creation-date";  // or "today"
  std::string log_level = "info";
  std::string log_format = "text";       // or "json": one object a line
  std::vector<std::string> schema_dirs;  // checks.schema_dirs: folders of schema files
  // Why the ledger's schema versions could not be opened (empty when they could): feeds then
  // serve only what their files hold.
  std::string schema_store_problem;
  AdminOptions admin;                               // [admin]: the HTTP admin server
  std::map<std::string, Expectation> expectations;  // by route: when its file is due
  std::vector<ForwardOptions> forwards;             // the network destinations (sftp, https)
  std::vector<ChannelOptions> notify;               // [[notify]]: who is told of what
  std::vector<SourceOptions> sources;               // [[source]]: folders collected from
  // [openpgp]: the keyring (GNUPGHOME; empty: no OpenPGP) and how early an expiring key is said.
  std::string openpgp_home;
  int openpgp_warn_days = 30;
};

// A configuration mistake, with the file, line and key in its message.
struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Reads and checks `path`. Relative paths inside it are relative to its folder.
// Throws ConfigError. With `check_feeds` false (an officer's commands), a route may name a
// feed no schema defines (its schema file is broken, say) and network destinations' keys and
// secrets are neither read nor checked: the officer's commands still work; the daemon checks.
// `daemon`: for `rbgate run`, which records the schema versions it serves in the ledger
// (made if need be); the others only read them.
Config LoadConfig(const std::string& path, bool check_feeds = true, bool daemon = false);

// The commented configuration `rbgate init` writes.
std::string ExampleConfig();

// Where modulus tables are looked for when nothing names a directory: $RBGATE_MODULUS_DIR,
// else the cache the set-up script fills.
std::string DefaultModulusDir();

}  // namespace rbgate::gateway
