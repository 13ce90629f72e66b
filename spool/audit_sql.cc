#include "spool/audit_sql.h"

#include <fmt/format.h>

#include <vector>

#include "spool/check/digest.h"

namespace rbgate::spool {

using sql::Stmt;

std::string AuditHash(const AuditEntry& e) {
  check::Sha256 h;
  h.Update("rbgate-audit-v1\n");
  const auto field = [&h](std::string_view v) {
    h.Update(fmt::format("{}:", v.size()));
    h.Update(v);
    h.Update("\n");
  };
  field(std::to_string(e.seq));
  field(e.at);
  field(e.file_id);
  field(e.kind);
  field(e.user);
  field(e.what);
  field(e.detail);
  field(e.prev);
  return h.HexDigest();
}

namespace {

// An entry from columns seq, at, file_id, kind, user, what, detail, prev, hash.
AuditEntry ReadEntry(Stmt& s) {
  return {s.Int(0),  s.Text(1), s.Text(2), s.Text(3), s.Text(4),
          s.Text(5), s.Text(6), s.Text(7), s.Text(8)};
}

}  // namespace

Status AppendAudit(sql::Connection& c, AuditEntry e) {
  {
    Stmt last(c, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1");
    if (last.Step() == sql::kRow) {
      e.seq = last.Int(0) + 1;
      e.prev = last.Text(1);
    } else {
      e.seq = 1;
      e.prev = kAuditGenesis;
    }
  }
  e.hash = AuditHash(e);
  Stmt add(c,
           "INSERT INTO audit (seq, at, file_id, kind, \"user\", what, detail, prev, hash) "
           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  return add.Bind(1, e.seq)
      .Bind(2, e.at)
      .Bind(3, e.file_id)
      .Bind(4, e.kind)
      .Bind(5, e.user)
      .Bind(6, e.what)
      .Bind(7, e.detail)
      .Bind(8, e.prev)
      .Bind(9, e.hash)
      .Run("append to the audit chain");
}

Status ChainUnchained(sql::Connection& c) {
  {
    Stmt any(c, "SELECT 1 FROM audit LIMIT 1");
    if (any.Step() == sql::kRow) return Status::Ok();
  }
  std::vector<AuditEntry> rows;
  {
    // Oldest first: by time, transitions before actions at the same time, then as written.
    Stmt all(
        c,
        "SELECT 0, at, file_id, 'transition', '', state, detail, '', '', 0 AS k, rowid "
        "FROM transitions UNION ALL SELECT 0, at, file_id, 'action', \"user\", action, reason, "
        "'', '', 1, rowid FROM actions ORDER BY 2, 10, 11");
    while (all.Step() == sql::kRow) rows.push_back(ReadEntry(all));
  }
  for (auto& e : rows) {
    if (Status st = AppendAudit(c, std::move(e)); !st.ok()) return st;
  }
  return Status::Ok();
}

namespace {

// Ledger rows of one kind that the chain lacks, and chain entries the ledger lacks.
void CompareWithLedger(sql::Connection& c, const char* table, const char* kind, const char* user,
                       const char* what, const char* detail, AuditVerdict& verdict) {
  constexpr int kShown = 100;  // per direction: enough to find the damage, bounded
  const std::string noun = std::string(kind) == "transition" ? "a transition" : "an action";
  {
    Stmt extra(c, fmt::format(
                      "SELECT file_id, at, {what}, {user}, {detail} FROM {table} EXCEPT "
                      "SELECT file_id, at, what, \"user\", detail FROM audit WHERE kind = '{kind}' "
                      "LIMIT {n}",
                      fmt::arg("what", what), fmt::arg("user", user), fmt::arg("detail", detail),
                      fmt::arg("table", table), fmt::arg("kind", kind), fmt::arg("n", kShown)));
    while (extra.Step() == sql::kRow) {
      verdict.problems.push_back(
          {0, extra.Text(0), extra.Text(1),
           fmt::format("{} ({}{}) is in the ledger's {} but not in the chain: written outside "
                       "rbgate, or edited",
                       noun, extra.Text(2), extra.Text(3).empty() ? "" : " by " + extra.Text(3),
                       table)});
    }
  }
  {
    Stmt missing(
        c, fmt::format("SELECT a.seq, a.file_id, a.at, a.what FROM audit a WHERE a.kind = "
                       "'{kind}' AND NOT EXISTS (SELECT 1 FROM {table} t WHERE t.file_id = "
                       "a.file_id AND t.at = a.at AND t.{what} = a.what AND t.{detail} = "
                       "a.detail AND {user} = a.\"user\") ORDER BY a.seq LIMIT {n}",
                       fmt::arg("kind", kind), fmt::arg("table", table), fmt::arg("what", what),
                       fmt::arg("detail", detail),
                       fmt::arg("user", std::string(user) == "''" ? "''" : "t.\"user\""),
                       fmt::arg("n", kShown)));
    while (missing.Step() == sql::kRow) {
      verdict.problems.push_back(
          {missing.Int(0), missing.Text(1), missing.Text(2),
           fmt::format("the chain's {} ({}) has no matching row in the ledger's {}: the row was "
                       "deleted or edited",
                       noun.substr(noun.find(' ') + 1), missing.Text(3), table)});
    }
  }
  Stmt counts(c, fmt::format("SELECT (SELECT count(*) FROM {table}), (SELECT count(*) FROM audit "
                             "WHERE kind = '{kind}')",
                             fmt::arg("table", table), fmt::arg("kind", kind)));
  if (counts.Step() == sql::kRow && counts.Int(0) != counts.Int(1)) {
    verdict.problems.push_back(
        {0, "", "",
         fmt::format("the ledger holds {} {}s and the chain {}: rows were added or removed "
                     "outside rbgate",
                     counts.Int(0), kind, counts.Int(1))});
  }
}

}  // namespace

AuditVerdict VerifyAuditChain(sql::Connection& c,
                              const std::optional<std::pair<std::uint64_t, std::string>>& anchor) {
  AuditVerdict verdict;
  std::string prev = kAuditGenesis;
  std::uint64_t expected = 1;
  bool anchor_seen = false;
  {
    Stmt all(c,
             "SELECT seq, at, file_id, kind, \"user\", what, detail, prev, hash FROM audit "
             "ORDER BY seq");
    while (all.Step() == sql::kRow) {
      const AuditEntry e = ReadEntry(all);
      ++verdict.entries;
      const auto problem = [&](std::string message) {
        verdict.problems.push_back({e.seq, e.file_id, e.at, std::move(message)});
      };
      if (e.seq != expected) {
        problem(e.seq == expected + 1
                    ? fmt::format("entry {} before it is missing: deleted", expected)
                    : fmt::format("entries {} to {} before it are missing: deleted", expected,
                                  e.seq - 1));
      } else if (e.prev != prev) {
        problem(
            "it does not follow the entry before it (its record of the previous hash differs): "
            "an entry was inserted, removed or rewritten before it");
      }
      if (AuditHash(e) != e.hash) {
        problem("its content does not match its hash: it was edited after it was written");
      }
      if (anchor && anchor->first == e.seq) {
        anchor_seen = true;
        if (e.hash != anchor->second) {
          problem(
              fmt::format("its hash is not the one recorded for it ({}): the chain was "
                          "rewritten up to here",
                          anchor->second));
        }
      }
      prev = e.hash;
      expected = e.seq + 1;
      verdict.head_seq = e.seq;
      verdict.head_hash = e.hash;
    }
  }
  if (anchor && !anchor_seen) {
    verdict.problems.push_back(
        {anchor->first, "", "",
         fmt::format("recorded earlier as the head, it is gone: the chain was cut short (it "
                     "has {} entries)",
                     verdict.entries)});
  }
  CompareWithLedger(c, "transitions", "transition", "''", "state", "detail", verdict);
  CompareWithLedger(c, "actions", "action", "\"user\"", "action", "reason", verdict);
  return verdict;
}

}  // namespace rbgate::spool
