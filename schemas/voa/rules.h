// Findings of balancing a VOA schedule of alterations in the gateway (the checks on its fields
// are the table schema's).
#pragma once

#include <array>
#include <span>

#include "parsers/diagnostic.h"

namespace rbgate::schemas::voa::rules {

using parsers::Rule;

inline constexpr Rule kBalance{
    "voa.balance", parsers::Severity::kError,
    "applied to the list on record, the schedule does not give the VOA's figures",
    "rbgate quarantine show prints the reconciliation and the records that explain it; load the "
    "current list (drop the list file) or the missing schedule, then reprocess this one"};
inline constexpr Rule kNoList{
    "voa.no-list", parsers::Severity::kError,
    "no list is on record for the schedule's billing authority to balance it against",
    "drop the current list file first (feed ndr-list or ct-list): its entries become the list "
    "each schedule balances against; then reprocess this one"};
inline constexpr Rule kListState{
    "voa.list-state", parsers::Severity::kError,
    "the list on record could not be read back to balance against",
    "the ledger may be damaged: run rbgate audit verify, then drop the current list file"};

inline constexpr Rule kListKey{
    "voa.list-key", parsers::Severity::kError,
    "a list names the same hereditament or dwelling (key) twice among its current entries",
    "a list holds each entry once; ask the VOA for the list again"};

inline constexpr Rule kException{
    "voa.exception", parsers::Severity::kWarning,
    "a record of the schedule could not be applied to the list as its heading says",
    "the list on record and the VOA's differ at this entry; the totals may still agree. Check "
    "the entry against the VOA's list"};

// Summary valuations.
inline constexpr Rule kSmvOrder{
    "voa.smv.order", parsers::Severity::kError,
    "a valuation's records are out of order: 01 first, then 02-06 in order, 07 last, once",
    "records were lost, added or moved; ask the VOA for the file again"};
inline constexpr Rule kSmvLine{"voa.smv.line", parsers::Severity::kError,
                               "a line item's value is not its area times its price, to the pound",
                               "the area, price or value was changed after the valuation was made"};
inline constexpr Rule kSmvTotal{
    "voa.smv.total", parsers::Severity::kError,
    "a valuation's totals do not agree with its lines and adjustments, to the pound",
    "lines were lost or changed after the totals were made; do not load this valuation"};
inline constexpr Rule kSmvSchema{
    "voa.smv.schema", parsers::Severity::kError,
    "the summary valuations schema lacks a record type or field the checks need",
    "restore the record types 01-07 and their fields in the schema file"};

inline std::span<const Rule* const> All() noexcept {
  static constexpr std::array<const Rule*, 9> kAll = {&kBalance, &kNoList,    &kListState,
                                                      &kListKey, &kException, &kSmvOrder,
                                                      &kSmvLine, &kSmvTotal,  &kSmvSchema};
  return kAll;
}

}  // namespace rbgate::schemas::voa::rules
