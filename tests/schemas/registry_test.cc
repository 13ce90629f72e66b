#include "schemas/registry.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "tests/support/temp_dir.h"

namespace rbgate::schemas {
namespace {

void Write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

std::string Schema(const std::string& version) {
  return R"({"name":"rents","version":")" + version +
         R"(","schema":{"fields":[{"name":"ref"},{"name":"rent","type":"number"}]}})";
}

TEST_CASE("The shipped feeds are built in") {
  SchemaRegistry r;
  CHECK(r.initial_problems().empty());
  REQUIRE(r.Find("payments"));
  REQUIRE(r.Find("vep"));
  CHECK(r.Find("payments")->origin == "built in: schemas/payments/payments.json");
  CHECK(r.Find("vep")->schema->json);
  CHECK_FALSE(r.Find("rents"));
}

TEST_CASE("A folder's schemas load, reload when edited, and a bad edit keeps the last good one") {
  testing::TempDir dir;
  const std::string file = dir / "rents.json";
  Write(file, Schema("1"));
  SchemaRegistry r({dir.path()});
  REQUIRE(r.initial_problems().empty());
  REQUIRE(r.Find("rents"));
  CHECK(r.Find("rents")->schema->version() == "1");
  CHECK(r.Find("rents")->origin == file);
  CHECK(r.Detect("ref,rent\r\nA,1\r\n") == "rents");
  CHECK(r.Detect("ref,rents\r\n").empty());

  // Nothing changed: nothing reloaded.
  std::vector<std::string> loaded;
  CHECK(r.Reload(&loaded).empty());
  CHECK(loaded.empty());

  // A bad edit is refused, naming the JSON path; version 1 keeps serving.
  Write(file, R"({"name":"rents","schema":{"fields":[{"name":"ref","type":"integr"}]}})");
  const auto problems = r.Reload(&loaded);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].kept_previous);
  CHECK(problems[0].message.find("$.schema.fields[0].type") != std::string::npos);
  CHECK(r.Find("rents")->schema->version() == "1");

  // A good edit replaces it.
  Write(file, Schema("2.0"));
  CHECK(r.Reload(&loaded).empty());
  REQUIRE(loaded.size() == 1);
  CHECK(r.Find("rents")->schema->version() == "2.0");

  // A snapshot taken before a reload stays usable after it.
  const auto snapshot = r.Find("rents")->schema;
  Write(file, Schema("3"));
  r.Reload();
  CHECK(snapshot->version() == "2.0");
  CHECK(r.Find("rents")->schema->version() == "3");

  // Removing the file is a warning: the feed serves on until the configuration stops naming
  // it (a restart without the file, and the store, brings it back through Restore).
  std::filesystem::remove(file);
  const auto gone = r.Reload();
  REQUIRE(gone.size() == 1);
  CHECK(gone[0].removed);
  CHECK(gone[0].kept_previous);
  CHECK(gone[0].message.find("removed; feed rents serves on") != std::string::npos);
  REQUIRE(r.Find("rents"));
  CHECK(r.Find("rents")->file_removed);
  CHECK(r.Find("rents")->schema->version() == "3");
  CHECK(r.Reload().empty());  // said once
}

TEST_CASE("JSON lines are detected by the first record's properties") {
  SchemaRegistry r;
  const std::string vep =
      R"({"alert_id":"VEP000000001","alert_type":"fluctuating-non-state-pension","nino":"AB123456C",)"
      R"("employer_paye_ref":"123/A246","employer_name":"X","payment_date":"2026-01-02",)"
      R"("pay_frequency":"weekly","taxable_pay_period":1,"taxable_pay_ytd":1,"tax_period":0,)"
      R"("ni_period":0,"pension":false})";
  CHECK(r.Detect(vep + "\n{\"alert_id\":") == "vep");
  CHECK(r.Detect("{\"alert_id\":\"VEP000000001\"}\n").empty());            // required missing
  CHECK(r.Detect(vep.substr(0, vep.size() - 1) + ",\"x\":1}\n").empty());  // one not allowed
  // A JSON array by its first element, whole within the head.
  CHECK(r.Detect("[" + vep + "]") == "vep");
  CHECK(r.Detect("\xEF\xBB\xBF [\r\n  " + vep + ",\n" + vep.substr(0, 20)) == "vep");
  CHECK(r.Detect("[" + vep.substr(0, vep.size() - 1)).empty());  // cut off: not judged
  CHECK(r.Detect("[1, 2]").empty());
  CHECK(r.Detect("[]").empty());
  CHECK(r.Detect("[{\"a\":" + std::string(100000, '[')).empty());  // deep: one pass
  // Braces and quotes inside strings are text.
  std::string tricky = vep;
  tricky.replace(tricky.find("\"X\""), 3, R"("X}{\"]")");
  CHECK(r.Detect("[" + tricky + "]") == "vep");
  CHECK(r.Detect("{not json\n").empty());
}

TEST_CASE("Multi-record files are detected by their header record, when only one feed fits") {
  SchemaRegistry r;
  CHECK(r.Detect("H,ALLPAY,07/04/2026,4\r\nD,66968761,NNDR,303.35,03/04/2026,CARD,R1\r\n") ==
        "payments");
  // SHBE's header has the same code and width; its fields tell the two apart.
  CHECK(r.Detect("H,0103,2026-11-12,2026-11\r\nD,0103\r\n") == "shbe");
  CHECK(r.Detect("H,ALLPAY,7th April,4\r\n").empty());   // fits neither header
  CHECK(r.Detect("H,ALLPAY,07/04/2026\r\n").empty());    // the header has four fields
  CHECK(r.Detect("X,ALLPAY,07/04/2026,4\r\n").empty());  // not the header's code
  CHECK(r.Detect("D,66968761,NNDR,303.35,03/04/2026,CARD,R1\r\n").empty());  // no header first
  // A council's feed with the same header shape: neither is detected; routes name them.
  testing::TempDir dir;
  Write(
      dir / "cash.json",
      R"({"name":"cash","dialect":{"header":false},"schema":{"fields":[{"name":"t"},{"name":"a"}]},)"
      R"("rbgate":{"records":{"discriminator":{"column":1},"data":"D","header":{"code":"H",)"
      R"("fields":[{"name":"t"},{"name":"b"},{"name":"c"},{"name":"d"}]}}}})");
  SchemaRegistry both({dir.path()});
  REQUIRE(both.initial_problems().empty());
  CHECK(both.Detect("H,ALLPAY,07/04/2026,4\r\n").empty());
}

// The ledger's part, in memory: what served, in order.
class MemoryStore final : public SchemaStore {
 public:
  std::optional<StoredSchema> LastServed(std::string_view feed, std::string*) const override {
    for (auto it = served.rbegin(); it != served.rend(); ++it) {
      if (it->feed == feed) return *it;
    }
    return std::nullopt;
  }
  std::optional<std::string> FeedServedFrom(std::string_view origin) const override {
    for (auto it = served.rbegin(); it != served.rend(); ++it) {
      if (it->origin == origin) return it->feed;
    }
    return std::nullopt;
  }
  Status Serving(StoredSchema& s) override {
    s.since = "2026-12-06T14:34:00.000Z";
    served.push_back(s);
    return Status::Ok();
  }
  std::vector<StoredSchema> served;
};

TEST_CASE("A schema that does not load at start serves its last good version from the store") {
  testing::TempDir dir;
  const std::string file = dir / "rents.json";
  auto store = std::make_shared<MemoryStore>();
  Write(file, Schema("1"));
  {
    SchemaRegistry daemon({dir.path()}, store, /*record=*/true);
    REQUIRE(daemon.Find("rents"));
    REQUIRE(store->served.size() == 1);
    CHECK(store->served[0].sha256.size() == 64);
    CHECK(store->served[0].text == Schema("1"));
    CHECK(daemon.Find("rents")->since == "2026-12-06T14:34:00.000Z");
  }
  // The officer's edit does not load; the daemon restarts.
  Write(file, R"({"name":"rents","schema":{"fields":[{"name":"ref","type":"money"}]}})");
  SchemaRegistry r({dir.path()}, store, true);
  REQUIRE(r.initial_problems().size() == 1);
  CHECK(r.initial_problems()[0].kept_previous);
  CHECK(r.initial_problems()[0].feed == "rents");
  const auto e = r.Find("rents");
  REQUIRE(e);
  CHECK(e->from_store);
  CHECK(e->schema->version() == "1");
  CHECK(e->sha256 == store->served[0].sha256);
  REQUIRE(e->refused);
  CHECK(e->refused->message.find("\"money\"") != std::string::npos);
  CHECK(r.Detect("ref,rent\r\nA,1\r\n") == "rents");
  CHECK_FALSE(r.Held("rents"));
  CHECK(store->served.size() == 1);  // nothing new served

  // Not even JSON now: the store still knows which feed the file served.
  Write(file, "{\"name\": \"rents\",");
  SchemaRegistry broken({dir.path()}, store);
  REQUIRE(broken.Find("rents"));
  CHECK(broken.Find("rents")->from_store);

  // Fixed: the file serves again, and the refusal is gone.
  Write(file, Schema("2"));
  std::vector<std::string> loaded;
  CHECK(r.Reload(&loaded).empty());
  CHECK(loaded.size() == 1);
  CHECK_FALSE(r.Find("rents")->refused);
  CHECK_FALSE(r.Find("rents")->from_store);
  CHECK(r.Find("rents")->schema->version() == "2");
  CHECK(store->served.size() == 2);
}

TEST_CASE("A feed that has never loaded is held, and serves once its file loads") {
  testing::TempDir dir;
  const std::string file = dir / "rents.json";
  Write(file, R"({"name":"rents","schema":{"fields":[{"name":"ref","tpye":"integer"},)"
              R"({"name":"v","type":"money"}]}})");
  auto store = std::make_shared<MemoryStore>();
  SchemaRegistry r({dir.path()}, store, true);
  CHECK_FALSE(r.Find("rents"));
  const auto held = r.Held("rents");
  REQUIRE(held);
  CHECK(held->file == file);
  CHECK(r.AllHeld().size() == 1);
  CHECK(r.Restore("rents"));  // held: a route may name it
  // A file too broken to name its feed holds whatever feed a route names.
  Write(file, "{");
  CHECK(r.Reload().size() == 1);
  CHECK(r.Held("rents"));
  SchemaRegistry fresh({dir.path()}, store);
  CHECK(fresh.Held("rents"));  // by its file name
  CHECK(fresh.Restore("rents-northgate"));
  CHECK(fresh.Held("rents-northgate"));
  CHECK_FALSE(fresh.Restore("other"));  // one guess only: a second unknown feed is a mistake
  Write(file, Schema("1"));
  CHECK(r.Reload().empty());
  CHECK(r.Find("rents"));
  CHECK_FALSE(r.Held("rents"));
}

TEST_CASE("A feed whose file went while rbgate was stopped is restored from the store") {
  testing::TempDir dir;
  auto store = std::make_shared<MemoryStore>();
  Write(dir / "rents.json", Schema("7"));
  { SchemaRegistry({dir.path()}, store, true); }
  std::filesystem::remove(dir / "rents.json");
  SchemaRegistry r({dir.path()}, store);
  CHECK_FALSE(r.Find("rents"));
  CHECK(r.Restore("rents"));
  REQUIRE(r.Find("rents"));
  CHECK(r.Find("rents")->file_removed);
  CHECK(r.Find("rents")->schema->version() == "7");
  CHECK_FALSE(SchemaRegistry({dir.path()}).Restore("rents"));  // no store: nothing to restore
}

TEST_CASE("A file that now names another feed leaves the first serving, with a warning") {
  testing::TempDir dir;
  Write(dir / "rents.json", Schema("1"));
  SchemaRegistry r({dir.path()});
  Write(dir / "rents.json", R"({"name":"rents2","fields":[{"name":"x"}]})");
  const auto problems = r.Reload();
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].removed);
  CHECK(problems[0].message.find("now defines feed rents2; feed rents serves on") !=
        std::string::npos);
  CHECK(r.Find("rents")->file_removed);
  CHECK(r.Find("rents2"));
  CHECK(r.Reload().empty());  // said once
}

TEST_CASE("A copy of a schema never takes over the feed it copies") {
  testing::TempDir dir;
  auto store = std::make_shared<MemoryStore>();
  Write(dir / "rents.json", Schema("1"));
  SchemaRegistry r({dir.path()}, store, true);
  REQUIRE(r.Find("rents"));
  // Sorted before the original, so a first-come rule would let it win.
  Write(dir / "copy-of-rents.json", Schema("copy"));
  const auto problems = r.Reload();
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].file == dir / "copy-of-rents.json");
  CHECK(problems[0].message.find("already defined by " + dir / "rents.json") != std::string::npos);
  CHECK(r.Find("rents")->schema->version() == "1");
  CHECK(r.Reload().empty());  // said once

  // At a restart the store says which served.
  SchemaRegistry again({dir.path()}, store);
  CHECK(again.Find("rents")->schema->version() == "1");
  REQUIRE(again.initial_problems().size() == 1);
  CHECK(again.initial_problems()[0].file == dir / "copy-of-rents.json");

  // With no history, neither of two files is chosen: the feed is held, both named.
  SchemaRegistry none({dir.path()});
  CHECK_FALSE(none.Find("rents"));
  REQUIRE(none.Held("rents"));
  CHECK(none.Held("rents")->message.find("copy-of-rents.json") != std::string::npos);
  CHECK(none.Held("rents")->message.find("/rents.json") != std::string::npos);
}

TEST_CASE("Schema files as Windows editors save them: a byte order mark is accepted") {
  testing::TempDir dir;
  Write(dir / "rents.json", "\xEF\xBB\xBF" + Schema("1"));
  SchemaRegistry r({dir.path()});
  CHECK(r.initial_problems().empty());
  CHECK(r.Find("rents"));
  const auto missing = ReadSchemaFile(dir / "missing.json");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().message == "cannot be read: No such file or directory");
}

TEST_CASE("A folder may replace a shipped schema; two files may not define one feed") {
  testing::TempDir dir;
  Write(dir / "a.json", R"({"name":"payments","version":"council","fields":[{"name":"x"}]})");
  SchemaRegistry r({dir.path()});
  CHECK(r.Find("payments")->schema->version() == "council");
  Write(dir / "b.json", R"({"name":"payments","fields":[{"name":"y"}]})");
  const auto problems = r.Reload();
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].message.find("already defined by") != std::string::npos);
}

TEST_CASE("A bad schema at start-up is a problem, not a crash; a missing folder too") {
  testing::TempDir dir;
  Write(dir / "bad.json", "{");
  SchemaRegistry r({dir.path(), dir / "missing"});
  REQUIRE(r.initial_problems().size() == 2);
  CHECK_FALSE(r.initial_problems()[0].kept_previous);
  CHECK(r.Find("bad") == std::nullopt);
}

}  // namespace
}  // namespace rbgate::schemas
