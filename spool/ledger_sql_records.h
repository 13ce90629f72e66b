// The ledger's part that keeps the feeds' records (schemas/feed_store.h): items in
// compressed blocks, states one version after another. Internal to spool/.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "schemas/feed_store.h"
#include "spool/ledger_sql_db.h"

namespace rbgate::spool::ledger_sql {

class Records {
 public:
  explicit Records(Db& db) : d_(db) {}

  // Schema version 2: the per-feed tables of version 1 (a Standard 18 file's items, a Bacs
  // report's returned items, the VOA's lists) moved into the feeds' tables, in the layout each
  // feed's store reads. Within the migration's transaction.
  Status MoveVersion1Tables();

  // schemas::FeedRecords, and the writes the Ledger interface adds. A visitor runs under the
  // connection's lock: it must not call the ledger.
  Status VisitAcceptedItems(std::string_view kind, const std::string& from, const std::string& to,
                            const schemas::FeedRecords::ItemVisitor& visit);
  Status VisitItemsOf(const std::string& file_id, std::string_view kind,
                      const schemas::FeedRecords::ItemVisitor& visit);
  std::vector<schemas::StoredFile> AcceptedWithKeyPrefix(const std::string& prefix);
  StatusOr<std::optional<schemas::StoredState>> LatestState(std::string_view family,
                                                            const std::string& key,
                                                            bool with_state);
  StatusOr<std::vector<schemas::StoredState>> LatestStates(std::string_view family);
  Status AddItems(const std::string& id, const ItemBatch& items, bool first);
  StatusOr<std::map<std::string, std::uint64_t>> PurgeItems(const std::string& before);
  // Within the caller's transaction, with the lock held: `states`, recorded for file `id`.
  Status AddStates(const std::string& id, const std::vector<schemas::StoredState>& states,
                   const std::string& now);

 private:
  // Each block of `items` as a row of file `file_no`, within the caller's transaction.
  Status InsertBlocks(std::uint64_t file_no, const ItemBatch& items);
  // The items of each block a statement selects (its columns from `k`: day, block), in order.
  Status VisitBlocks(Stmt& s, int k, const schemas::StoredFile& file,
                     const schemas::FeedRecords::ItemVisitor& visit);
  Db& d_;
};

}  // namespace rbgate::spool::ledger_sql
