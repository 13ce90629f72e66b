// `rbgate voa balance`: a VOA schedule of alterations balanced against the list it alters,
// read from a list file (schemas/voa/balance.h does the arithmetic). Files are read through
// the same checking pass as `rbgate check`, so a list or schedule with errors is refused with
// its findings, never balanced.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "schemas/voa/balance.h"
#include "spool/check/check.h"
#include "spool/ledger.h"

namespace rbgate::gateway {

// A schema-file feed whose schema binds it to the VOA (rbgate.voa) in `role`, or null with
// `error` saying why not.
std::shared_ptr<const schemas::table::TableSchema> VoaSchema(
    const schemas::SchemaRegistry& registry, const std::string& feed,
    schemas::table::VoaBinding::Role role, std::string& error);

// The feed of a list for `schedule`'s tax: ndr-list or ct-list.
std::string ListFeedFor(const schemas::table::TableSchema& schedule);

// A list file's current entries for billing authority `ba` (empty: the file's only one).
// Nullopt with `error` when it cannot be read, has errors (each then in `report`), or has no
// usable entries.
std::optional<schemas::voa::ListState> ReadListFile(
    const std::string& path, const std::string& feed, const check::CheckSettings& settings,
    const std::string& ba, std::string& error,
    std::unique_ptr<check::FileReport>* report = nullptr);

// A schedule file read and checked. Nullopt with `error` when it cannot be read or balanced
// (its findings, if any, in `report`).
std::optional<schemas::voa::Schedule> ReadScheduleFile(const std::string& path,
                                                       const std::string& feed,
                                                       const check::CheckSettings& settings,
                                                       std::string& error,
                                                       std::unique_ptr<check::FileReport>* report);

struct VoaBalanceOptions {
  std::string schedule;         // the schedule file
  std::string feed;             // its feed; empty: detected
  std::string list;             // the list file it alters
  std::string list_feed;        // its feed; empty: ListFeedFor the schedule
  std::string format = "text";  // text, json or csv
  std::vector<std::string> schema_dirs;
};

// Prints the reconciliation against the list file, or (with none) the list `ledger` has on
// record. `registry`: the feeds (default: the shipped ones and options.schema_dirs'). Exit
// status: 0 balanced, 1 not balanced or a file with errors, 2 usage or I/O.
int VoaBalance(const VoaBalanceOptions& options, spool::Ledger* ledger = nullptr,
               std::shared_ptr<schemas::SchemaRegistry> registry = nullptr);

// The lists on record: each tax's and authority's latest, as text or JSON.
int PrintVoaLists(spool::Ledger& ledger, const std::string& format);

}  // namespace rbgate::gateway
