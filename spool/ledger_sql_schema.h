// The ledger's tables in each dialect, and its schema version: the one place where the two
// backends' SQL differs by more than a clause. Internal to spool/.
#pragma once

#include <string_view>

#include "spool/ledger_sql_db.h"

namespace rbgate::spool::ledger_sql {

// Creates the latest schema's tables, indexes and append-only guards where missing, in one
// write transaction (nodes starting together on PostgreSQL take turns).
Status CreateSchema(Db& d);
// The schema version on record; 0 for a ledger from before versions were kept.
int SchemaVersion(Db& d);
// Records `version`, within the caller's transaction.
Status SetSchemaVersion(Db& d, int version);
bool HasColumn(Db& d, std::string_view table, std::string_view column);

}  // namespace rbgate::spool::ledger_sql
