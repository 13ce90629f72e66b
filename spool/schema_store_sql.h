// The schema store (schemas/schema_store.h) in the ledger's database: table schema_versions of
// ROOT/ledger.db or of the PostgreSQL ledger, every version of a feed's schema file that
// served, kept once by feed and SHA-256, with when it last began serving. Its own connection,
// so that the configuration can read it before the spool opens (WAL lets it sit beside the
// ledger's).
#pragma once

#include <memory>
#include <string>

#include "schemas/schema_store.h"
#include "spool/ledger.h"

namespace rbgate::spool {

// Opens the store in the ledger at `path`. With `create` false (an officer's commands) a
// ledger that does not exist yet gives nullptr, and the store is only read; with it true (the
// daemon) the file and table are made if needed. Why not, when it cannot be opened.
StatusOr<std::shared_ptr<schemas::SchemaStore>> OpenSqliteSchemaStore(const std::string& path,
                                                                      bool create);

// The store in the ledger `where` names for the spool at `root` (SQLite: ROOT/ledger.db, as
// above). In PostgreSQL, `create` makes the table if needed; without it, a ledger with no
// table yet reads as a store with nothing served.
StatusOr<std::shared_ptr<schemas::SchemaStore>> OpenSchemaStore(const LedgerLocation& where,
                                                                const std::string& root,
                                                                bool create);

}  // namespace rbgate::spool
