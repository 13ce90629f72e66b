#include "spool/ledger_sql_collected.h"

#include <fmt/format.h>

namespace rbgate::spool::ledger_sql {
namespace {

constexpr const char* kColumns =
    "id, source, remote_name, size, mtime, sha256, route, local_name, state, file_id, "
    "collected_at, finished_at, last_error";

CollectedRecord Read(Stmt& s) {
  CollectedRecord r;
  r.id = s.Int(0);
  r.source = s.Text(1);
  r.remote_name = s.Text(2);
  r.size = s.Int(3);
  r.mtime = s.Text(4);
  r.sha256 = s.Text(5);
  r.route = s.Text(6);
  r.local_name = s.Text(7);
  r.state = s.Text(8);
  r.file_id = s.Text(9);
  r.collected_at = s.Text(10);
  r.finished_at = s.Text(11);
  r.last_error = s.Text(12);
  return r;
}

}  // namespace

Status Collected::AddCollected(CollectedRecord& r) {
  Db::Use use(d_);
  if (r.collected_at.empty()) r.collected_at = NowIso();
  bool added = false;
  Status st = d_.Txn("record a collected file", [&] {
    Stmt s(d_.c(),
           "INSERT INTO collected (source, remote_name, size, mtime, sha256, route, local_name, "
           "state, collected_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT "
           "(source, remote_name, size, mtime) DO NOTHING RETURNING id");
    s.Bind(1, r.source)
        .Bind(2, r.remote_name)
        .Bind(3, r.size)
        .Bind(4, r.mtime)
        .Bind(5, r.sha256)
        .Bind(6, r.route)
        .Bind(7, r.local_name)
        .Bind(8, r.state)
        .Bind(9, r.collected_at);
    const sql::StepResult rc = s.Step();
    if (rc == sql::kError) return s.Why("record a collected file");
    added = rc == sql::kRow;
    if (added) r.id = s.Int(0);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  if (!added) {
    return Error(Code::kAborted,
                 fmt::format("{} is on record as collected from {} already (the same size and "
                             "time)",
                             r.remote_name, r.source));
  }
  return Status::Ok();
}

std::vector<CollectedRecord> Collected::CollectedOf(const std::string& source, bool pending) {
  Db::Use use(d_);
  Stmt s(d_.c(), fmt::format("SELECT {} FROM collected WHERE source = ?1 AND (state = ?2 OR "
                             "?3 = 0) ORDER BY id",
                             kColumns));
  s.Bind(1, source).Bind(2, collected::kDropped).Bind(3, std::uint64_t{pending ? 1u : 0u});
  std::vector<CollectedRecord> out;
  while (s.Step() == sql::kRow) out.push_back(Read(s));
  return out;
}

Status Collected::FinishCollected(std::uint64_t id, bool done, const std::string& file_id,
                                  const std::string& error) {
  Db::Use use(d_);
  return d_.Txn("finish a collected file", [&] {
    Stmt s(d_.c(),
           "UPDATE collected SET state = ?2, file_id = ?3, last_error = ?4, finished_at = ?5 "
           "WHERE id = ?1");
    return s.Bind(1, id)
        .Bind(2, done ? collected::kDone : collected::kDropped)
        .Bind(3, file_id)
        .Bind(4, error)
        .Bind(5, done ? NowIso() : std::string())
        .Run("finish a collected file");
  });
}

std::optional<std::string> Collected::HeldFile(const std::string& route, const std::string& name,
                                               std::uint64_t size, const std::string& since) {
  Db::Use use(d_);
  Stmt s(d_.c(),
         "SELECT id FROM files WHERE route = ?1 AND name = ?2 AND size = ?3 AND received_at >= "
         "?4 ORDER BY received_at LIMIT 1");
  s.Bind(1, route).Bind(2, name).Bind(3, size).Bind(4, since);
  if (s.Step() != sql::kRow) return std::nullopt;
  return s.Text(0);
}

std::vector<SourceStats> Collected::SourceStatsAll() {
  Db::Use use(d_);
  Stmt s(d_.c(),
         "SELECT source, count(*), coalesce(sum(size), 0), max(collected_at), "
         "coalesce(sum(CASE WHEN state = ?1 THEN 1 ELSE 0 END), 0) FROM collected WHERE state "
         "!= ?2 GROUP BY source ORDER BY source");
  s.Bind(1, collected::kDropped).Bind(2, collected::kUnchanged);
  std::vector<SourceStats> out;
  while (s.Step() == sql::kRow) {
    out.push_back({s.Text(0), s.Int(1), s.Int(2), s.Int(4), s.Text(3)});
  }
  return out;
}

}  // namespace rbgate::spool::ledger_sql
