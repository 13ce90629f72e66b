#include "spool/ledger_sql_db.h"

namespace rbgate::spool {

namespace ledger_sql {

const std::string& AcceptedStatesSql() {
  static const std::string kSql = StateSqlList([](const FileStateInfo& i) { return i.accepted; });
  return kSql;
}

FileRecord ReadFile(Stmt& s) {
  FileRecord f;
  f.id = s.Text(0);
  f.name = s.Text(1);
  f.route = s.Text(2);
  f.size = s.Int(3);
  f.sha256 = s.Text(4);
  f.feed = s.Text(5);
  f.state = s.Text(6);
  f.outcome = s.Text(7);
  f.reason = s.Text(8);
  f.records = s.Int(9);
  f.errors = s.Int(10);
  f.warnings = s.Int(11);
  f.business_key = s.Text(12);
  f.received_at = s.Text(13);
  f.updated_at = s.Text(14);
  f.dropped_by = s.Text(15);
  f.schema_version = s.Text(16);
  f.schema_sha256 = s.Text(17);
  return f;
}

std::string Prefixed(std::string_view columns, std::string_view prefix) {
  std::string out(prefix);
  for (char c : columns) {
    out += c;
    if (c == ' ') out += prefix;
  }
  return out;
}

}  // namespace ledger_sql

}  // namespace rbgate::spool
