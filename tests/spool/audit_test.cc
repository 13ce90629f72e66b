// The audit chain against a real ledger (SQLite, and PostgreSQL under with_postgres.sh): every
// kind of tampering, done the way a person with the database would do it (the append-only
// triggers dropped or disabled first), is found where it was done; a ledger from before the
// chain is chained once; writers on two connections keep one chain.
#include "spool/audit.h"

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <sqlite3.h>

#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "schemas/bacs18/items.h"
#include "schemas/bacs_reports/returned_items.h"
#include "schemas/voa/store.h"
#include "spool/ledger.h"
#include "spool/sql.h"
#include "tests/support/ledger_db.h"
#include "tests/support/spool_options.h"
#include "tests/support/temp_dir.h"

namespace rbgate::spool {
namespace {

using testing::TempDir;

std::unique_ptr<Ledger> Open(const std::string& path) { return testing::OpenLedger(path); }

// Three files with their transitions, and an officer's actions: 12 transitions, 2 actions.
void Fill(Ledger& l) {
  for (const char* id : {"f1", "f2", "f3"}) {
    FileRecord f;
    f.id = id;
    f.name = std::string(id) + ".s18";
    f.route = "auto";
    REQUIRE(l.AddFile(f).ok());
    REQUIRE(l.Transition(id, state::kClaimed, "claimed").ok());
    REQUIRE(l.Transition(id, state::kQuarantined, "2 errors", "quarantined").ok());
  }
  REQUIRE(l.RecordAction("f1", {{}, "alice", "release", "the bank confirmed the totals"}).ok());
  REQUIRE(l.Transition("f1", state::kReleased, "released by alice").ok());
  REQUIRE(l.RecordAction("f2", {{}, "bob", "reject", "sent twice by the bureau"}).ok());
  REQUIRE(l.Transition("f2", state::kRejected, "rejected by bob", "rejected").ok());
  REQUIRE(l.Transition("f3", state::kReleased, "released").ok());
}

// Runs `sql` on the database file the way a tamperer would: the append-only triggers first
// dropped.
void Tamper(const std::string& path, const std::string& sql) {
  const auto db = testing::RawLedger(path);
  const std::string guards =
      testing::OnPostgres()
          ? "ALTER TABLE audit DISABLE TRIGGER USER; ALTER TABLE transitions DISABLE TRIGGER "
            "USER; ALTER TABLE actions DISABLE TRIGGER USER; "
          : "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete; "
            "DROP TRIGGER transitions_no_update; DROP TRIGGER transitions_no_delete; "
            "DROP TRIGGER actions_no_update; DROP TRIGGER actions_no_delete; ";
  const Status st = db->Exec(guards + sql);
  CHECK_MESSAGE(st.ok(), st.message);
}

// The chain's entry `seq`, read straight from the database.
AuditEntry Entry(const std::string& path, std::uint64_t seq) {
  const auto db = testing::RawLedger(path);
  sql::Stmt s(*db,
              "SELECT seq, at, file_id, kind, \"user\", what, detail, prev, hash FROM audit "
              "WHERE seq = ?");
  s.Bind(1, seq);
  AuditEntry e;
  if (s.Step() == sql::kRow) {
    e = {s.Int(0),  s.Text(1), s.Text(2), s.Text(3), s.Text(4),
         s.Text(5), s.Text(6), s.Text(7), s.Text(8)};
  }
  return e;
}

std::string Sql(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// The problems as "seq: message" lines, for failure output and matching.
std::string Problems(const AuditVerdict& v) {
  std::string out;
  for (const auto& p : v.problems) out += std::to_string(p.seq) + ": " + p.message + "\n";
  return out;
}

bool Has(const AuditVerdict& v, std::uint64_t seq, const std::string& words) {
  for (const auto& p : v.problems) {
    if (p.seq == seq && p.message.find(words) != std::string::npos) return true;
  }
  return false;
}

TEST_CASE("every transition and action is chained, and the chain is append-only in the database") {
  TempDir dir;
  const std::string path = dir / "ledger.db";
  auto l = Open(path);
  Fill(*l);
  const AuditVerdict v = l->VerifyAudit(std::nullopt);
  CHECK_MESSAGE(v.ok(), Problems(v));
  CHECK(v.entries == 14);
  CHECK(v.head_seq == 14);
  CHECK(v.head_hash == Entry(path, 14).hash);
  CHECK(l->AuditHead() == std::make_pair(std::uint64_t{14}, v.head_hash));
  // Each entry's hash is over its content and the one before.
  const AuditEntry first = Entry(path, 1), second = Entry(path, 2);
  CHECK(first.prev == kAuditGenesis);
  CHECK(second.prev == first.hash);
  CHECK(AuditHash(second) == second.hash);
  CHECK(first.kind == "transition");
  CHECK(first.what == "claiming");
  CHECK(Entry(path, 10).kind == "action");
  CHECK(Entry(path, 10).user == "alice");
  // The ledger's own connection refuses edits and deletions.
  const auto db = testing::RawLedger(path);
  for (const char* sql :
       {"UPDATE audit SET detail = 'x'", "DELETE FROM audit", "UPDATE transitions SET detail = 'x'",
        "DELETE FROM transitions", "UPDATE actions SET reason = 'x'", "DELETE FROM actions"}) {
    CAPTURE(sql);
    const Status st = db->Exec(sql);
    CHECK_FALSE(st.ok());
    CHECK(st.message.find("append-only") != std::string::npos);
  }
  if (testing::OnPostgres()) CHECK_FALSE(db->Exec("TRUNCATE audit").ok());
  CHECK(Open(path)->VerifyAudit(std::nullopt).ok());
}

TEST_CASE("each kind of tampering is found, and where") {
  struct Case {
    const char* what;
    std::function<std::string(const std::string& path)> sql;  // given the file, the edit
    std::function<void(const AuditVerdict&)> expect;
  };
  const std::vector<Case> cases = {
      {"an entry's content edited",
       [](const std::string&) { return "UPDATE audit SET detail = 'all fine' WHERE seq = 5"; },
       [](const AuditVerdict& v) {
         CHECK(Has(v, 5, "does not match its hash"));
         CHECK(Has(v, 5, "has no matching row"));  // nor does it match its ledger row now
       }},
      {"an entry edited and its hash made again: the next entry no longer follows",
       [](const std::string& path) {
         AuditEntry e = Entry(path, 5);
         e.detail = "all fine";
         return "UPDATE audit SET detail = 'all fine', hash = " + Sql(AuditHash(e)) +
                " WHERE seq = 5";
       },
       [](const AuditVerdict& v) {
         CHECK_FALSE(Has(v, 5, "does not match its hash"));
         CHECK(Has(v, 6, "does not follow the entry before it"));
       }},
      {"an entry deleted with its ledger row",
       [](const std::string&) {
         return "DELETE FROM audit WHERE seq = 10; DELETE FROM actions WHERE \"user\" = 'alice'";
       },
       [](const AuditVerdict& v) { CHECK(Has(v, 11, "entry 10 before it is missing")); }},
      {"an officer's reason rewritten in the ledger",
       [](const std::string&) {
         return "UPDATE actions SET reason = 'as agreed' WHERE \"user\" = 'bob'";
       },
       [](const AuditVerdict& v) {
         CHECK(Has(v, 0, "an action (reject by bob) is in the ledger's actions but not in the"));
         CHECK(Has(v, 12, "has no matching row in the ledger's actions"));
       }},
      {"a release inserted into the ledger",
       [](const std::string&) {
         return "INSERT INTO actions (file_id, at, \"user\", action, reason) VALUES ('f3', "
                "'2026-12-01T09:00:00.000Z', 'mallory', "
                "'release', 'urgent')";
       },
       [](const AuditVerdict& v) {
         CHECK(Has(v, 0, "release by mallory"));
         CHECK(Has(v, 0, "the ledger holds 3 actions and the chain 2"));
       }},
      {"a transition deleted from the ledger",
       [](const std::string&) {
         return "DELETE FROM transitions WHERE file_id = 'f2' AND state = 'quarantined'";
       },
       [](const AuditVerdict& v) {
         CHECK(Has(v, 6, "has no matching row in the ledger's transitions"));
       }},
      {"an entry inserted into the chain",
       [](const std::string& path) {
         AuditEntry e = Entry(path, 14);
         e.seq = 15;
         e.prev = "f00d";
         e.what = "delivered";
         e.hash = AuditHash(e);
         return "INSERT INTO audit VALUES (15, " + Sql(e.at) + ", 'f3', 'transition', '', " +
                "'delivered', " + Sql(e.detail) + ", 'f00d', " + Sql(e.hash) + ")";
       },
       [](const AuditVerdict& v) {
         CHECK(Has(v, 15, "does not follow"));
         CHECK(Has(v, 15, "has no matching row"));
       }},
  };
  for (const Case& c : cases) {
    CAPTURE(c.what);
    TempDir dir;
    const std::string path = dir / "ledger.db";
    Fill(*Open(path));
    Tamper(path, c.sql(path));
    const AuditVerdict v = Open(path)->VerifyAudit(std::nullopt);
    INFO(Problems(v));
    CHECK_FALSE(v.ok());
    c.expect(v);
  }
}

TEST_CASE("a chain cut short or made again from the start is found against a recorded head") {
  TempDir dir;
  const std::string path = dir / "ledger.db";
  const AuditVerdict before = [&] {
    auto l = Open(path);
    Fill(*l);
    return l->VerifyAudit(std::nullopt);
  }();
  const std::pair<std::uint64_t, std::string> head{before.head_seq, before.head_hash};
  CHECK(Open(path)->VerifyAudit(head).ok());

  // The last transition and its entry removed together: consistent, so only the head tells.
  Tamper(path,
         "DELETE FROM audit WHERE seq = 14; DELETE FROM transitions WHERE file_id = 'f3' AND "
         "state = 'released'");
  CHECK(Open(path)->VerifyAudit(std::nullopt).ok());  // the limit of a chain on its own
  AuditVerdict v = Open(path)->VerifyAudit(head);
  CHECK(Has(v, 14, "recorded earlier as the head, it is gone"));

  // Every entry made again from the first, with one changed: intact as a chain, but the
  // recorded head's hash differs.
  TempDir other;
  const std::string copy = other / "ledger.db";
  Fill(*Open(copy));
  std::string rewrite = "UPDATE transitions SET detail = 'no errors' WHERE detail = '2 errors';";
  std::string prev = kAuditGenesis;
  for (std::uint64_t seq = 1; seq <= 14; ++seq) {
    AuditEntry e = Entry(copy, seq);
    if (e.detail == "2 errors") e.detail = "no errors";
    e.prev = prev;
    e.hash = AuditHash(e);
    prev = e.hash;
    rewrite += "UPDATE audit SET detail = " + Sql(e.detail) + ", prev = " + Sql(e.prev) +
               ", hash = " + Sql(e.hash) + " WHERE seq = " + std::to_string(seq) + ";";
  }
  const AuditVerdict original = Open(copy)->VerifyAudit(std::nullopt);
  Tamper(copy, rewrite);
  CHECK(Open(copy)->VerifyAudit(std::nullopt).ok());
  v = Open(copy)->VerifyAudit(std::make_pair(original.head_seq, original.head_hash));
  CHECK(Has(v, 14, "is not the one recorded for it"));
}

TEST_CASE("a ledger from before the chain is chained once, oldest first") {
  TempDir dir;
  const std::string path = dir / "ledger.db";
  Fill(*Open(path));
  Tamper(path, "DROP TABLE audit;");  // as the ledger was before the chain existed
  auto l = Open(path);
  CHECK(l->AuditHead().first == 14);
  const AuditVerdict v = l->VerifyAudit(std::nullopt);
  CHECK_MESSAGE(v.ok(), Problems(v));
  CHECK(v.entries == 14);
  CHECK(Entry(path, 1).what == "claiming");
  // And it goes on from there.
  REQUIRE(l->RecordAction("f3", {{}, "carol", "note", "checked"}).ok());
  CHECK(Open(path)->VerifyAudit(std::nullopt).entries == 15);
}

TEST_CASE("two connections appending at once keep one unbroken chain") {
  TempDir dir;
  const std::string path = dir / "ledger.db";
  auto a = Open(path), b = Open(path);
  Fill(*a);
  const auto write = [](Ledger& l, const char* user) {
    for (int i = 0; i < 100; ++i) {
      REQUIRE(l.RecordAction("f1", {{}, user, "note", std::to_string(i)}).ok());
    }
  };
  std::thread t1(write, std::ref(*a), "alice"), t2(write, std::ref(*b), "bob");
  t1.join();
  t2.join();
  const AuditVerdict v = Open(path)->VerifyAudit(std::nullopt);
  CHECK_MESSAGE(v.ok(), Problems(v));
  CHECK(v.entries == 214);
}

}  // namespace
}  // namespace rbgate::spool

namespace rbgate::spool {
namespace {

TEST_CASE("two officers deciding on one file at once: one decision stands, the other is refused") {
  TempDir dir;
  const std::string path = dir / "ledger.db";
  auto a = Open(path), b = Open(path);
  Fill(*a);  // f3 is released; use fresh quarantined files
  for (int i = 0; i < 20; ++i) {
    FileRecord f;
    f.id = "q" + std::to_string(i);
    f.name = f.id;
    f.route = "auto";
    REQUIRE(a->AddFile(f).ok());
    REQUIRE(a->Transition(f.id, state::kQuarantined, "1 error", "quarantined").ok());
  }
  int won_a = 0, won_b = 0, refused = 0;
  std::mutex mu;
  const auto decide = [&](Ledger& l, const char* user, std::string_view to, int& won) {
    for (int i = 0; i < 20; ++i) {
      const Status s = l.Decide(
          "q" + std::to_string(i), state::kQuarantined, {{}, user, std::string(to), "as agreed"},
          to, "by " + std::string(user), to == state::kRejected ? "rejected" : "");
      std::lock_guard lock(mu);
      if (s.ok()) {
        ++won;
      } else {
        CHECK(s.code == Code::kFailedPrecondition);
        CHECK(s.message.find("someone acted on it first") != std::string::npos);
        ++refused;
      }
    }
  };
  std::thread t1(decide, std::ref(*a), "alice", state::kReleased, std::ref(won_a));
  std::thread t2(decide, std::ref(*b), "bob", state::kRejected, std::ref(won_b));
  t1.join();
  t2.join();
  CHECK(won_a + won_b == 20);
  CHECK(refused == 20);
  for (int i = 0; i < 20; ++i) {
    const std::string id = "q" + std::to_string(i);
    CHECK(a->Actions(id).size() == 1);  // only the decision that stood is on record
    const std::string state = a->Get(id)->state;
    CHECK((state == "released" || state == "rejected"));
    CHECK(a->Actions(id)[0].user == (state == "released" ? "alice" : "bob"));
  }
  CHECK(Open(path)->VerifyAudit(std::nullopt).ok());
  CHECK(a->Decide("nope", state::kQuarantined, {{}, "x", "release", "y"}, state::kReleased, "z", "")
            .code == Code::kNotFound);
}

}  // namespace
}  // namespace rbgate::spool

namespace rbgate::spool {
namespace {

std::string Sql1(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK);
  std::string out;
  if (sqlite3_step(st) == SQLITE_ROW)
    out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

// A ledger records its schema version; one from before versions (and before files recorded
// who dropped them) is brought up to date once; one from a newer rbgate is refused, untouched.
TEST_CASE("the ledger's schema is versioned and migrated in steps") {
  if (testing::OnPostgres()) return;  // SQLite's versions: PostgreSQL ledgers begin at 2
  TempDir dir;
  const std::string path = dir / "ledger.db";
  {
    auto l = Open(path);
    Fill(*l);
  }
  CHECK(Sql1(path, "PRAGMA user_version") == "6");
  // As a ledger of before: version 0, and files without the columns added since.
  {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db,
                         "PRAGMA user_version = 0; ALTER TABLE files DROP COLUMN dropped_by; "
                         "ALTER TABLE files DROP COLUMN schema_sha256;",
                         nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
  }
  {
    auto l = Open(path);
    CHECK(l->Get("f1")->name == "f1.s18");
    CHECK(l->Get("f1")->dropped_by.empty());
    CHECK(l->VerifyAudit(std::nullopt).ok());
  }
  CHECK(Sql1(path, "PRAGMA user_version") == "6");
  CHECK(Sql1(path, "SELECT count(*) FROM pragma_table_info('files') WHERE name = 'dropped_by'") ==
        "1");
  // A newer rbgate's ledger.
  {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
  }
  const auto newer = OpenSqliteLedger(path);
  CHECK_FALSE(newer.ok());
  CHECK(newer.status().message.find("schema version 99 is newer") != std::string::npos);
  CHECK(Sql1(path, "PRAGMA user_version") == "99");
}

void Exec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  const std::string message = err != nullptr ? err : "";
  sqlite3_free(err);
  sqlite3_close(db);
  REQUIRE_MESSAGE(rc == SQLITE_OK, message);
}

// Version 1 kept each feed's records in tables of its own (a payment file's items, a report's
// returned items, the VOA's lists); version 2 moves them into the feeds' tables, where each
// feed's store reads them as before.
TEST_CASE("a version 1 ledger's per-feed tables move into the feeds' tables") {
  if (testing::OnPostgres()) return;  // version 1 was SQLite's alone
  TempDir dir;
  const std::string path = dir / "ledger.db";
  schemas::voa::ListState list;
  list.tax = schemas::table::VoaBinding::Tax::kNdr;
  list.ba = "0114";
  list.entries = {{1001, 25000}, {1002, 7300}};
  {
    auto l = Open(path);
    Fill(*l);  // f1 released (accepted), f2 rejected, f3 quarantined
    schemas::bacs18::SubmittedItemRow sent{7,      "2026-11-24", "401234", "12345678",
                                           "CT01", 6500,         false};
    REQUIRE(l->AddItems("f1", schemas::bacs18::kSentKind,
                        {{sent.line, sent.day, schemas::bacs18::EncodeSent(sent)}}, true)
                .ok());
    FileRecord f = *l->Get("f1");
    REQUIRE(l->RecordCheck(f, {}, {std::string(state::kReleased), "again"},
                           {schemas::voa::StateOfList(list, "list")})
                .ok());
  }
  // Back to version 1's tables, filled as version 1 filled them.
  Exec(path, R"sql(
    CREATE TABLE submitted_items (
      file_no INTEGER NOT NULL, day INTEGER NOT NULL, first_line INTEGER NOT NULL,
      count INTEGER NOT NULL, items BLOB NOT NULL,
      PRIMARY KEY (file_no, day, first_line)) WITHOUT ROWID, STRICT;
    INSERT INTO submitted_items SELECT file_no, CAST(replace(day, '-', '') AS INTEGER),
      first_line, count, items FROM items WHERE kind = 'sent';
    CREATE TABLE returned_items (
      file_id TEXT NOT NULL, line INTEGER NOT NULL, report_day TEXT NOT NULL,
      original_day TEXT NOT NULL, reference TEXT NOT NULL, code TEXT NOT NULL,
      return_code TEXT NOT NULL, description TEXT NOT NULL, payer_sort TEXT NOT NULL,
      payer_account TEXT NOT NULL, amount INTEGER NOT NULL, credit INTEGER NOT NULL,
      PRIMARY KEY (file_id, line)) WITHOUT ROWID;
    INSERT INTO returned_items VALUES ('f1', 10, '2026-11-27', '2026-11-24', 'CT01', '17',
      '0128', 'REFER	TO PAYER', '401234', '12345678', 6500, 0);
    CREATE TABLE voa_states (
      seq INTEGER PRIMARY KEY, tax TEXT NOT NULL, ba TEXT NOT NULL, file_id TEXT NOT NULL,
      kind TEXT NOT NULL, number TEXT NOT NULL, date TEXT NOT NULL, entries INTEGER NOT NULL,
      total INTEGER NOT NULL, bands TEXT NOT NULL, state BLOB NOT NULL, recorded_at TEXT NOT NULL);
    INSERT INTO voa_states (tax, ba, file_id, kind, number, date, entries, total, bands, state,
      recorded_at) SELECT 'ndr', '0114', file_id, 'list', '', '', 2, 32300, '',
      CAST(X'52425631' || state AS BLOB), recorded_at FROM feed_states;
    DELETE FROM items; DELETE FROM feed_states; PRAGMA user_version = 1;
  )sql");
  auto l = Open(path);
  CHECK(Sql1(path, "PRAGMA user_version") == "6");
  CHECK(Sql1(path,
             "SELECT count(*) FROM sqlite_master WHERE name IN ('submitted_items', "
             "'returned_items', 'voa_states')") == "0");
  std::vector<std::string> seen;
  REQUIRE(l->VisitAcceptedItems(schemas::bacs18::kSentKind, {}, {},
                                [&](const schemas::StoredFile& f, const schemas::ItemView& i) {
                                  const auto row = schemas::bacs18::DecodeSent(i);
                                  REQUIRE(row);
                                  seen.push_back(fmt::format("{} {} {} {} {}", f.id, row->line,
                                                             row->day, row->reference,
                                                             row->amount));
                                })
              .ok());
  CHECK(seen == std::vector<std::string>{"f1 7 2026-11-24 CT01 6500"});
  seen.clear();
  REQUIRE(l->VisitItemsOf("f1", schemas::bacs_reports::kReturnedKind,
                          [&](const schemas::StoredFile&, const schemas::ItemView& i) {
                            const auto row = schemas::bacs_reports::DecodeReturned(i);
                            REQUIRE(row);
                            seen.push_back(fmt::format("{} {} {} {} {}", row->line, row->report_day,
                                                       row->original_day, row->description,
                                                       row->amount));
                          })
              .ok());
  CHECK(seen == std::vector<std::string>{"10 2026-11-27 2026-11-24 REFER TO PAYER 6500"});
  const auto latest = schemas::voa::LatestList(*l, "ndr", "0114");
  REQUIRE_MESSAGE(latest.ok(), latest.status().message);
  REQUIRE(*latest);
  CHECK((*latest)->entries == 2);
  CHECK((*latest)->total == 32300);
  CHECK((*latest)->file_id == "f1");
  const auto read = schemas::voa::ListOfRecord(**latest);
  REQUIRE(read.ok());
  CHECK(read->entries == list.entries);
  CHECK(l->VerifyAudit(std::nullopt).ok());
}

// One table says what each state means; the lists the ledger's SQL uses come from it.
TEST_CASE("file states: one table, and the SQL lists made from it") {
  for (std::size_t i = 0; i < std::size(kFileStates); ++i) {
    CHECK(static_cast<std::size_t>(kFileStates[i].state) == i);  // InfoOf indexes by value
    CHECK(FileStateNamed(kFileStates[i].name) == kFileStates[i].state);
    CHECK_FALSE((kFileStates[i].final && kFileStates[i].parked));
  }
  CHECK(IsFinal(state::kDelivered));
  CHECK(IsFinal(state::kCancelled));
  CHECK_FALSE(IsFinal(state::kForwarding));
  CHECK(IsParked(state::kAwaitingApproval));
  CHECK_FALSE(IsFinal("no-such-state"));
  CHECK(StateSqlList([](const FileStateInfo& i) { return i.final; }) ==
        "('delivered', 'quarantined', 'rejected', 'vanished', 'cancelled')");
  CHECK(StateSqlList([](const FileStateInfo&) { return false; }) == "('')");
}

}  // namespace
}  // namespace rbgate::spool
