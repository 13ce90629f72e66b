// A VOA list's entries as the ledger keeps them (VoaStateRecord): sorted key and value pairs,
// zstd-compressed, with their totals beside them in plain columns for listings.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "schemas/voa/balance.h"
#include "spool/check/check.h"
#include "spool/ledger.h"

namespace rbgate::spool {

// The record of `list` (kind "list" or "schedule"; a schedule's number and date).
VoaStateRecord RecordOfList(const schemas::voa::ListState& list, std::string kind,
                            std::string number = {}, std::string date = {});

// The list a record holds; false with `error` when its entries cannot be read back.
bool ListOfRecord(const VoaStateRecord& record, schemas::voa::ListState& list, std::string& error);

// "ndr" or "council-tax", as the ledger names taxes.
std::string TaxName(schemas::table::VoaBinding::Tax tax);

// Where a state came from, in words, for reports: "the ledger: the list after schedule 7 of
// 15-NOV-2026 (file 20261115-...), recorded 2026-11-15T10:00:00Z".
std::string DescribeRecord(const VoaStateRecord& record);

// A VOA list or schedule being checked by the spool: its entries read in the checking pass,
// then, at acceptance, the list states to record, or findings why it cannot be accepted.
class VoaReading {
 public:
  // Reads nothing (sink() null) unless `feed` is a table schema bound to the VOA. A list's
  // entries are kept for `authorities` only (empty: every authority's).
  VoaReading(const schemas::SchemaRegistry* registry, const std::string& feed,
             const std::vector<std::string>& authorities);
  schemas::table::TypedRowSink* sink() noexcept;

  // For a file checked without errors: a list's states, or a schedule balanced against the
  // ledger's list (the list after it). A schedule that cannot be balanced, or does not
  // balance, gets a finding in `report` (voa.*) and `lists` stays empty; `balance_text` is
  // then its reconciliation, when there is one. `summary`: a line for the ledger.
  void Settle(Ledger& ledger, check::FileReport& report, std::vector<VoaStateRecord>& lists,
              std::string& balance_text, std::string& summary);

 private:
  std::shared_ptr<const schemas::table::TableSchema> schema_;
  std::optional<schemas::voa::ListReader> list_;
  std::optional<schemas::voa::ScheduleReader> schedule_;
};

}  // namespace rbgate::spool
