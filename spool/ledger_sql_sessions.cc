#include "spool/ledger_sql_sessions.h"

#include <algorithm>

namespace rbgate::spool::ledger_sql {
namespace {

std::uint64_t Ms(std::int64_t ms) {
  return static_cast<std::uint64_t>(std::max<std::int64_t>(ms, 0));
}

}  // namespace

Status Sessions::AddSession(const SessionRecord& r) {
  Db::Use use(d_);
  return d_.Txn("record a console session", [&] {
    Stmt s(d_.c(),
           "INSERT INTO sessions (id_sha256, user_name, csrf, started_ms, seen_ms) VALUES (?1, ?2, "
           "?3, ?4, ?5)");
    return s.Bind(1, r.id_sha256)
        .Bind(2, r.user)
        .Bind(3, r.csrf)
        .Bind(4, Ms(r.started_ms))
        .Bind(5, Ms(r.seen_ms))
        .Run("record a console session");
  });
}

std::optional<SessionRecord> Sessions::GetSession(const std::string& id_sha256) {
  Db::Use use(d_);
  Stmt s(d_.c(),
         "SELECT id_sha256, user_name, csrf, started_ms, seen_ms FROM sessions WHERE id_sha256 = "
         "?1");
  s.Bind(1, id_sha256);
  if (s.Step() != sql::kRow) return std::nullopt;
  return SessionRecord{s.Text(0), s.Text(1), s.Text(2), static_cast<std::int64_t>(s.Int(3)),
                       static_cast<std::int64_t>(s.Int(4))};
}

Status Sessions::TouchSession(const std::string& id_sha256, std::int64_t seen_ms) {
  Db::Use use(d_);
  return d_.Txn("note a console session's use", [&] {
    Stmt s(d_.c(), "UPDATE sessions SET seen_ms = ?2 WHERE id_sha256 = ?1 AND seen_ms < ?2");
    return s.Bind(1, id_sha256).Bind(2, Ms(seen_ms)).Run("note a console session's use");
  });
}

Status Sessions::EndSession(const std::string& id_sha256) {
  Db::Use use(d_);
  return d_.Txn("end a console session", [&] {
    Stmt s(d_.c(), "DELETE FROM sessions WHERE id_sha256 = ?1");
    return s.Bind(1, id_sha256).Run("end a console session");
  });
}

StatusOr<std::uint64_t> Sessions::EndSessionsOf(const std::string& user) {
  Db::Use use(d_);
  std::uint64_t ended = 0;
  Status st = d_.Txn("end a user's console sessions", [&] {
    Stmt s(d_.c(), "DELETE FROM sessions WHERE user_name = ?1");
    s.Bind(1, user);
    if (s.Step() == sql::kError) return s.Why("end a user's console sessions");
    ended = s.Changes();
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return ended;
}

Status Sessions::PurgeSessions(std::int64_t seen_before_ms, std::int64_t started_before_ms) {
  Db::Use use(d_);
  return d_.Txn("forget ended console sessions", [&] {
    Stmt s(d_.c(), "DELETE FROM sessions WHERE seen_ms < ?1 OR started_ms < ?2");
    return s.Bind(1, Ms(seen_before_ms))
        .Bind(2, Ms(started_before_ms))
        .Run("forget ended console sessions");
  });
}

}  // namespace rbgate::spool::ledger_sql
