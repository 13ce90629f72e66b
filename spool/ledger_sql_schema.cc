#include "spool/ledger_sql_schema.h"

#include <fmt/format.h>

namespace rbgate::spool::ledger_sql {
namespace {

// The tables, written once for both dialects. {int}: a 64-bit integer; {blob}: bytes;
// {rowid}: SQLite's implicit row number, which PostgreSQL needs as a column where the ledger
// orders or joins by it; {serial}: a key numbered by the database; {items}: the items table's
// options (SQLite keeps it clustered on its key).
constexpr const char* kTables = R"sql(
CREATE TABLE IF NOT EXISTS files (
  {files_rowid}id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  route TEXT NOT NULL,
  size {int} NOT NULL DEFAULT 0,
  sha256 TEXT NOT NULL DEFAULT '',
  feed TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL,
  outcome TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL DEFAULT '',
  records {int} NOT NULL DEFAULT 0,
  errors {int} NOT NULL DEFAULT 0,
  warnings {int} NOT NULL DEFAULT 0,
  business_key TEXT NOT NULL DEFAULT '',
  received_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  dropped_by TEXT NOT NULL DEFAULT '',
  schema_version TEXT NOT NULL DEFAULT '',
  schema_sha256 TEXT NOT NULL DEFAULT '',
  node TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS transitions (
  {rowid}file_id TEXT NOT NULL, at TEXT NOT NULL, state TEXT NOT NULL, detail TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS findings (
  file_id TEXT NOT NULL, rule TEXT NOT NULL, severity TEXT NOT NULL, count {int} NOT NULL);
CREATE TABLE IF NOT EXISTS deliveries (
  {rowid}file_id TEXT NOT NULL, destination TEXT NOT NULL, name TEXT NOT NULL,
  status TEXT NOT NULL, at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS actions (
  {rowid}file_id TEXT NOT NULL, at TEXT NOT NULL, "user" TEXT NOT NULL, action TEXT NOT NULL,
  reason TEXT NOT NULL);
-- The outbound queue: one output for one network destination. next_at is Unix ms.
CREATE TABLE IF NOT EXISTS outbound (
  id {serial}, file_id TEXT NOT NULL, destination TEXT NOT NULL, name TEXT NOT NULL,
  sha256 TEXT NOT NULL, size {int} NOT NULL, state TEXT NOT NULL,
  attempts {int} NOT NULL DEFAULT 0, next_at {int} NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  node TEXT NOT NULL DEFAULT '', UNIQUE (file_id, destination, name));
CREATE TABLE IF NOT EXISTS outbound_attempts (
  item {int} NOT NULL, destination TEXT NOT NULL, at TEXT NOT NULL, outcome TEXT NOT NULL,
  reason TEXT NOT NULL, detail TEXT NOT NULL);
-- Items a feed keeps for matching across files (schemas/feed_store.h), in blocks of up to
-- 16,384 of one file, kind and day: a large payment file has millions, and a row each cost
-- ~3 us and ~40 bytes. file_no is files.rowid; day is ISO; items is a zstd frame of lines
-- 'line TAB text', the text in the feed's own encoding.
CREATE TABLE IF NOT EXISTS items (
  file_no {int} NOT NULL, kind TEXT NOT NULL, day TEXT NOT NULL, first_line {int} NOT NULL,
  count {int} NOT NULL, items {blob} NOT NULL,
  PRIMARY KEY (file_no, kind, day, first_line)){items};
-- What a feed keeps between files, one version after another per family and key; state is a
-- zstd frame of the feed's bytes.
CREATE TABLE IF NOT EXISTS feed_states (
  seq {serial}, family TEXT NOT NULL, key TEXT NOT NULL, file_id TEXT NOT NULL,
  summary TEXT NOT NULL, state {blob} NOT NULL, recorded_at TEXT NOT NULL);
-- The nodes on this ledger: each holds its in-flight files while its lease (Unix ms) lasts.
CREATE TABLE IF NOT EXISTS nodes (
  node TEXT PRIMARY KEY, host TEXT NOT NULL, pid {int} NOT NULL, started_at TEXT NOT NULL,
  lease_until {int} NOT NULL);
-- Notices (ledger.h): one event for one channel, queued until sent; next_at is Unix ms.
CREATE TABLE IF NOT EXISTS notices (
  id {serial}, channel TEXT NOT NULL, event TEXT NOT NULL, route TEXT NOT NULL,
  feed TEXT NOT NULL, file_id TEXT NOT NULL, summary TEXT NOT NULL, raised_at TEXT NOT NULL,
  state TEXT NOT NULL, attempts {int} NOT NULL DEFAULT 0, next_at {int} NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '', sent_at TEXT NOT NULL DEFAULT '',
  message_id TEXT NOT NULL DEFAULT '', node TEXT NOT NULL DEFAULT '');
-- Files collected from sources (ledger.h, Collections): each remote file once; mtime as the
-- server lists it.
CREATE TABLE IF NOT EXISTS collected (
  id {serial}, source TEXT NOT NULL, remote_name TEXT NOT NULL, size {int} NOT NULL,
  mtime TEXT NOT NULL, sha256 TEXT NOT NULL, route TEXT NOT NULL, local_name TEXT NOT NULL,
  state TEXT NOT NULL, file_id TEXT NOT NULL DEFAULT '', collected_at TEXT NOT NULL,
  finished_at TEXT NOT NULL DEFAULT '', last_error TEXT NOT NULL DEFAULT '',
  UNIQUE (source, remote_name, size, mtime));
-- How far a reader of the audit chain has come (the notices': every entry up to seq read).
CREATE TABLE IF NOT EXISTS cursors (name TEXT PRIMARY KEY, seq {int} NOT NULL);
-- The console's sessions (ledger.h, SessionStore): each by its id's SHA-256, never the id.
CREATE TABLE IF NOT EXISTS sessions (id_sha256 TEXT PRIMARY KEY, user_name TEXT NOT NULL,
  csrf TEXT NOT NULL, started_ms {int} NOT NULL, seen_ms {int} NOT NULL);
-- The audit chain (audit.h).
CREATE TABLE IF NOT EXISTS audit (seq {int} PRIMARY KEY, at TEXT NOT NULL,
  file_id TEXT NOT NULL, kind TEXT NOT NULL, "user" TEXT NOT NULL, what TEXT NOT NULL,
  detail TEXT NOT NULL, prev TEXT NOT NULL, hash TEXT NOT NULL);
)sql";

std::string Tables(bool postgres) {
  if (!postgres) {
    return fmt::format(kTables, fmt::arg("int", "INTEGER"), fmt::arg("blob", "BLOB"),
                       fmt::arg("files_rowid", ""), fmt::arg("rowid", ""),
                       fmt::arg("serial", "INTEGER PRIMARY KEY"),
                       fmt::arg("items", " WITHOUT ROWID, STRICT"));
  }
  return "CREATE TABLE IF NOT EXISTS ledger_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);" +
         fmt::format(
             kTables, fmt::arg("int", "BIGINT"), fmt::arg("blob", "BYTEA"),
             fmt::arg("files_rowid", "rowid BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,\n  "),
             fmt::arg("rowid", "rowid BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n  "),
             fmt::arg("serial", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"),
             fmt::arg("items", "")) +
         R"sql(
CREATE OR REPLACE FUNCTION rbgate_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the % table is append-only', TG_TABLE_NAME;
END $$;
)sql";
}

// Both dialects.
constexpr const char* kIndexes = R"sql(
CREATE INDEX IF NOT EXISTS files_sha256 ON files(sha256);
CREATE INDEX IF NOT EXISTS files_key ON files(business_key);
CREATE INDEX IF NOT EXISTS files_state ON files(state);
CREATE INDEX IF NOT EXISTS files_received ON files(received_at);
CREATE INDEX IF NOT EXISTS transitions_file ON transitions(file_id);
CREATE INDEX IF NOT EXISTS findings_file ON findings(file_id);
CREATE INDEX IF NOT EXISTS deliveries_file ON deliveries(file_id);
CREATE INDEX IF NOT EXISTS actions_file ON actions(file_id);
CREATE INDEX IF NOT EXISTS outbound_due ON outbound(destination, state, next_at);
CREATE INDEX IF NOT EXISTS outbound_state ON outbound(state);
CREATE INDEX IF NOT EXISTS outbound_attempts_at ON outbound_attempts(at);
CREATE INDEX IF NOT EXISTS notices_due ON notices(channel, state, next_at);
CREATE INDEX IF NOT EXISTS notices_file ON notices(file_id);
CREATE INDEX IF NOT EXISTS collected_state ON collected(source, state);
CREATE INDEX IF NOT EXISTS items_day ON items(kind, day);
CREATE INDEX IF NOT EXISTS feed_states_key ON feed_states(family, key, seq);
)sql";

// The audit chain, the transitions and the actions are append-only: the database refuses an
// update or a delete (audit.h says why this is a tripwire, not a lock).
std::string AppendOnlyGuards(bool postgres) {
  std::string sql;
  for (const char* table : {"audit", "transitions", "actions"}) {
    if (postgres) {
      sql += fmt::format(
          "CREATE OR REPLACE TRIGGER {0}_append_only BEFORE UPDATE OR DELETE ON {0} "
          "FOR EACH ROW EXECUTE FUNCTION rbgate_append_only();"
          "CREATE OR REPLACE TRIGGER {0}_no_truncate BEFORE TRUNCATE ON {0} "
          "FOR EACH STATEMENT EXECUTE FUNCTION rbgate_append_only();",
          table);
      continue;
    }
    for (const char* op : {"update", "delete"}) {
      sql += fmt::format(
          "CREATE TRIGGER IF NOT EXISTS {0}_no_{1} BEFORE {1} ON {0} "
          "BEGIN SELECT RAISE(ABORT, 'the {0} table is append-only'); END;",
          table, op);
    }
  }
  return sql;
}

}  // namespace

Status CreateSchema(Db& d) {
  return d.Txn("create the ledger's tables", [&] {
    if (Status st = d.Exec(Tables(d.postgres())); !st.ok()) return st;
    if (Status st = d.Exec(kIndexes); !st.ok()) return st;
    return d.Exec(AppendOnlyGuards(d.postgres()));
  });
}

int SchemaVersion(Db& d) {
  Stmt v(d.c(), d.postgres() ? "SELECT value FROM ledger_meta WHERE key = 'schema_version'"
                             : "PRAGMA user_version");
  if (v.Step() != sql::kRow) return 0;
  return d.postgres() ? std::atoi(v.Text(0).c_str()) : static_cast<int>(v.Int(0));
}

Status SetSchemaVersion(Db& d, int version) {
  if (!d.postgres()) return d.Exec(fmt::format("PRAGMA user_version = {}", version));
  Stmt s(d.c(),
         "INSERT INTO ledger_meta (key, value) VALUES ('schema_version', ?1) "
         "ON CONFLICT (key) DO UPDATE SET value = ?1");
  return s.Bind(1, std::to_string(version)).Run("record the schema version");
}

bool HasColumn(Db& d, std::string_view table, std::string_view column) {
  if (d.postgres()) {
    Stmt s(d.c(),
           "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND "
           "table_name = ?1 AND column_name = ?2");
    return s.Bind(1, table).Bind(2, column).Step() == sql::kRow;
  }
  Stmt s(d.c(), fmt::format("PRAGMA table_info({})", table));
  while (s.Step() == sql::kRow) {
    if (s.Text(1) == column) return true;
  }
  return false;
}

}  // namespace rbgate::spool::ledger_sql
