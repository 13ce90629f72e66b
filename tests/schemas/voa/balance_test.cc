// Balancing VOA schedules of alterations: what each heading does to the list, the records
// that explain a difference, council tax bands, and the schema bindings that say which field
// is which (rbgate.voa).
#include "schemas/voa/balance.h"

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <simdjson.h>

#include <string>

#include "parsers/delimited/delimited.h"
#include "schemas/registry.h"

namespace rbgate::schemas::voa {
namespace {

std::shared_ptr<const table::TableSchema> Shipped(const std::string& feed) {
  static const SchemaRegistry registry;
  const auto entry = registry.Find(feed);
  REQUIRE(entry);
  return entry->schema->table;
}

// Checks `text` as `schema`'s feed, feeding `sink`; returns the findings' rule ids.
std::string Read(const table::TableSchema& schema, const std::string& text,
                 table::TypedRowSink& sink) {
  parsers::DiagnosticCollector findings(100);
  table::Validator v(schema, findings, {nullptr, &sink, nullptr});
  parsers::delimited::Parser p(v, findings, schema.ParseOptions());
  parsers::delimited::ParseBuffer(p, text);
  v.Finish();
  std::string out;
  for (const auto& d : findings.diagnostics()) out += std::string(d.rule->id) + " ";
  return out;
}

std::string ListLine(int uarn, int rv, const char* until = "") {
  return "1*0114*0114*REF" + std::to_string(uarn) + "*CS*SHOP*" + std::to_string(uarn) +
         "*1 HIGH STREET*FIRM*1*HIGH STREET*LEEDS***LS1 4AP*01-APR-2023**" + std::to_string(rv) +
         "**1*01-APR-2023*249G*****01-APR-2023*" + until + "*\r\n";
}

std::string Record(const char* heading, int uarn, int rv, const char* effective = "01-NOV-2026") {
  return std::string("D*0114*REF") + std::to_string(uarn) + "*" + std::to_string(uarn) + "**" +
         heading + "*A*1 HIGH STREET, LEEDS*LS1 4AP*CS*" + std::to_string(rv) + "*" + effective +
         "**15-NOV-2026*2023\r\n";
}

ListState NdrList(const std::string& text) {
  const auto schema = Shipped("ndr-list");
  ListReader reader(*schema, {});
  CHECK(Read(*schema, text, reader) == "");
  std::string error;
  auto state = reader.Take(error);
  CHECK(error == "");
  return state;
}

Schedule NdrSchedule(const std::string& records, int count, int rv_total, int entries,
                     int list_total) {
  const auto schema = Shipped("ndr-schedule");
  ScheduleReader reader(*schema);
  const std::string text = "H*NDR*0114*42*15-NOV-2026*2023\r\n" + records + "T*" +
                           std::to_string(count) + "*" + std::to_string(rv_total) + "*" +
                           std::to_string(entries) + "*" + std::to_string(list_total) + "\r\n";
  CHECK(Read(*schema, text, reader) == "");
  std::string error;
  auto schedule = reader.Take(error);
  CHECK(error == "");
  return schedule;
}

TEST_CASE("Each heading alters the list as it says, and a balanced schedule balances") {
  auto state = NdrList(ListLine(101, 10000) + ListLine(102, 20000) + ListLine(103, 30000) +
                       ListLine(104, 40000) + ListLine(105, 99999, "31-MAR-2024"));
  CHECK(state.ba == "0114");
  CHECK(state.entries.size() == 4);  // 105 is no longer current
  const Totals before = state.Sum();
  CHECK(before.total == 100000);
  const std::string records = Record("NEW", 201, 5000) + Record("DELETED", 101, 10000) +
                              Record("AMENDED", 102, 25000) + Record("REINSTATED", 105, 7000) +
                              Record("MINOR ADDRESS CHANGE", 103, 30000) +
                              Record("HISTORIC AMENDED", 104, 1, "01-APR-2023");
  // After: 102 25000, 103 30000, 104 40000, 201 5000, 105 7000 = 5 entries, 107000.
  const auto schedule = NdrSchedule(records, 6, 77001, 5, 107000);
  CHECK(schedule.number == "42");
  CHECK(schedule.date == "15-NOV-2026");
  const auto report = Balance(state, schedule, Shipped("ndr-schedule")->voa);
  CHECK(report.balanced);
  CHECK(report.exceptions.empty());
  CHECK(report.after.entries == 5);
  CHECK(report.after.total == 107000);
  const auto line = [&](Line l) { return report.lines[static_cast<std::size_t>(l)]; };
  CHECK(line(Line::kNew).change.total == 5000);
  CHECK(line(Line::kDeleted).change.entries == -1);
  CHECK(line(Line::kDeleted).change.total == -10000);
  CHECK(line(Line::kAmended).change.total == 5000);
  CHECK(line(Line::kAmended).change.entries == 0);
  CHECK(line(Line::kReinstated).change.total == 7000);
  CHECK(line(Line::kMinorAddress).records == 1);
  CHECK(line(Line::kMinorAddress).change.total == 0);
  CHECK(line(Line::kHistoric).records == 1);
  CHECK(line(Line::kHistoric).historic_total == 1);
  CHECK(state.entries.at(102) == 25000);  // the state is now the list after the schedule
  CHECK(RenderText(report).find("BALANCED: the list after this schedule agrees") !=
        std::string::npos);
}

TEST_CASE("A difference is explained by the records that could not be applied") {
  auto state = NdrList(ListLine(101, 10000) + ListLine(102, 20000));
  // The VOA adds 102 again and deletes 300, which the council never had; its figures count
  // both.
  const std::string records =
      Record("NEW", 102, 500) + Record("DELETED", 300, 800) + Record("AMENDED", 301, 900) +
      Record("MINOR ADDRESS CHANGE", 101, 12345) + Record("DELETED", 101, 9999);
  const auto schedule = NdrSchedule(records, 5, 500 + 800 + 900 + 12345 + 9999, 2, 19700);
  const auto report = Balance(state, schedule, Shipped("ndr-schedule")->voa);
  CHECK_FALSE(report.balanced);
  REQUIRE(report.exceptions.size() == 5);
  CHECK(report.exceptions[0].problem == "is already in the list (£20,000); not added again");
  CHECK(report.exceptions[0].record.line == 2);
  CHECK(report.exceptions[1].problem == "is not in the list; nothing to delete");
  CHECK(report.exceptions[2].problem == "is not in the list; nothing to amend (not added)");
  CHECK(report.exceptions[3].problem.find("changes only the address, but gives £12,345") == 0);
  CHECK(report.exceptions[4].problem ==
        "is deleted at £9,999, but the list has £10,000; deleted as listed");
  CHECK(report.after.entries == 1);
  CHECK(report.after.total == 20000);
  CHECK(report.Difference().entries == -1);
  CHECK(report.Difference().total == 300);
  const std::string text = RenderText(report);
  CHECK(text.find("NOT BALANCED") != std::string::npos);
  CHECK(text.find("line 3: DELETED UARN 300 (REF300): is not in the list") != std::string::npos);
  // JSON parses and says the same; CSV has a row per heading and per exception.
  simdjson::dom::parser parser;
  const auto json = parser.parse(RenderJson(report));
  REQUIRE(json.error() == simdjson::SUCCESS);
  CHECK(json["balanced"].get_bool().value() == false);
  CHECK(json["exceptions"].get_array().size() == 5);
  CHECK(json["difference"]["rateable_value"].get_int64().value() == 300);
  const std::string csv = RenderCsv(report);
  CHECK(csv.find("row,records,entries,rateable_value,line,heading,uarn,reference,problem\r\n") ==
        0);
  CHECK(csv.find("difference,,-1,300,,,,,\r\n") != std::string::npos);
  CHECK(csv.find("exception,,,,3,DELETED,300,REF300,is not in the list; nothing to delete\r\n") !=
        std::string::npos);
}

TEST_CASE("No record explains a difference when the list before was not the VOA's") {
  auto state = NdrList(ListLine(101, 10000));
  const auto schedule = NdrSchedule(Record("AMENDED", 101, 12000), 1, 12000, 1, 12500);
  const auto report = Balance(state, schedule, Shipped("ndr-schedule")->voa);
  CHECK_FALSE(report.balanced);
  CHECK(report.exceptions.empty());
  CHECK(RenderText(report).find("No record of the schedule explains the difference") !=
        std::string::npos);
}

TEST_CASE("Council tax schedules move dwellings between bands") {
  const auto list_schema = Shipped("ct-list");
  ListReader lister(*list_schema, {"0114"});
  CHECK(Read(*list_schema,
             "0114*R1*11***LS1 4AP*A*01-APR-1993*\r\n0114*R2*12****C*01-APR-1993*\r\n"
             "0115*R3*13****H*01-APR-1993*\r\n0114*R4*14****D*01-APR-1993*01-APR-2000\r\n",
             lister) == "");
  std::string error;
  auto state = lister.Take(error);
  CHECK(error == "");
  CHECK(state.entries.size() == 2);  // another authority's and a deleted dwelling left out
  const auto schema = Shipped("ct-schedule");
  ScheduleReader reader(*schema);
  const auto ct = [](const char* heading, int uarn, char band) {
    return fmt::format(
        "D*0114*R{}*{}**{}*A*1 HIGH STREET*LS1 4AP*{}*01-NOV-2026*CL05**15-NOV-2026*1993\r\n", uarn,
        uarn, heading, band);
  };
  const std::string text = "H*CTAX*0114*9*15-NOV-2026*1993\r\n" + ct("AMENDED", 11, 'B') +
                           ct("NEW", 15, 'H') + "T*2*3*0*1*1*0*0*0*0*1\r\n";
  CHECK(Read(*schema, text, reader) == "");
  const auto schedule = reader.Take(error);
  CHECK(error == "");
  const auto report = Balance(state, schedule, schema->voa);
  CHECK(report.balanced);
  CHECK(report.after.bands[0] == 0);
  CHECK(report.after.bands[1] == 1);
  CHECK(report.after.bands[7] == 1);
  const auto& amended = report.lines[static_cast<std::size_t>(Line::kAmended)].change;
  CHECK(amended.bands[0] == -1);
  CHECK(amended.bands[1] == 1);
  CHECK(RenderCsv(report).find("band_a,band_b,band_c,band_d,band_e,band_f,band_g,band_h,line") !=
        std::string::npos);
}

TEST_CASE("Welsh lists have band I: a council's schema with nine stated bands") {
  // The shipped council tax schemas are England's (A-H); a Welsh council's copy says wales and
  // adds band I to the list, the schedule and the trailer.
  const auto welsh = [](std::string_view feed) {
    std::string text;
    for (const auto& b : BuiltinSchemas()) {
      if (b.name.find(feed) != std::string_view::npos) text = std::string(b.text);
    }
    REQUIRE(!text.empty());
    for (std::size_t at = 0;
         (at = text.find("\"country\": \"england\"", at)) != std::string::npos;) {
      text.replace(at, 20, "\"country\": \"wales\"");
    }
    const std::string h =
        R"({"name": "band_h", "type": "integer", "constraints": {"required": true, "minimum": 0}})";
    if (const auto at = text.find(h); at != std::string::npos) {
      text.insert(
          at + h.size(),
          R"(, {"name": "band_i", "type": "integer", "constraints": {"required": true, "minimum": 0}})");
    }
    if (const auto at = text.find(R"("band_h"])"); at != std::string::npos) {
      text.replace(at, 9, R"("band_h", "band_i"])");
    }
    return table::CompileSchema(text, std::string(feed) + ".json");
  };
  const auto list_schema = welsh("ct-list");
  const auto schema = welsh("ct-schedule");
  CHECK(schema->voa.stated_bands.size() == 9);
  ListReader lister(*list_schema, {});
  CHECK(Read(*list_schema, "6810*R1*11****I*01-APR-2005*\r\n6810*R2*12****A*01-APR-2005*\r\n",
             lister) == "");
  std::string error;
  auto state = lister.Take(error);
  CHECK(error == "");
  CHECK(state.bands == 9);
  ScheduleReader reader(*schema);
  const std::string text =
      "H*CTAX*6810*3*15-NOV-2026*2005\r\n"
      "D*6810*R2*12**AMENDED*A*1 STRYD FAWR*CF10 1AA*I*01-NOV-2026*CL05**15-NOV-2026*2005\r\n"
      "T*1*2*0*0*0*0*0*0*0*0*2\r\n";
  CHECK(Read(*schema, text, reader) == "");
  const auto schedule = reader.Take(error);
  CHECK(error == "");
  const auto report = Balance(state, schedule, schema->voa);
  CHECK(report.balanced);
  CHECK(report.after.bands[8] == 2);
  CHECK(RenderText(report).find("band I") != std::string::npos);
  CHECK(RenderCsv(report).find("band_h,band_i,line") != std::string::npos);
  // An English schedule's band I is a finding, not a ninth band.
  ScheduleReader english(*Shipped("ct-schedule"));
  CHECK(
      Read(*Shipped("ct-schedule"),
           "H*CTAX*6810*3*15-NOV-2026*2005\r\n"
           "D*6810*R2*12**AMENDED*A*1 STRYD FAWR*CF10 1AA*I*01-NOV-2026*CL05**15-NOV-2026*2005\r\n"
           "T*1*2*0*0*0*0*0*0*0*2\r\n",
           english) == "domain.band ");
}

TEST_CASE("A list for several authorities needs one chosen; a key listed twice is refused") {
  const auto schema = Shipped("ndr-list");
  const std::string other =
      "1*0115*0115*X*CS*SHOP*777*1 ST*F*1*ST*LEEDS***LS1 4AP*01-APR-2023**1"
      "**1*01-APR-2023*249G*****01-APR-2023**\r\n";
  {
    ListReader reader(*schema, {});
    Read(*schema, ListLine(101, 1) + other, reader);
    std::string error;
    reader.Take(error);
    CHECK(error.find("2 billing authorities") != std::string::npos);
  }
  {
    ListReader reader(*schema, {"0115"});
    Read(*schema, ListLine(101, 1) + other, reader);
    std::string error;
    const auto state = reader.Take(error);
    CHECK(error == "");
    CHECK(state.entries.size() == 1);
    CHECK(state.entries.count(777) == 1);
  }
  {
    ListReader reader(*schema, {});
    Read(*schema, ListLine(101, 1) + ListLine(101, 2), reader);
    std::string error;
    reader.Take(error);
    CHECK(error.find("whose key appears earlier (first: 101 on line 2)") != std::string::npos);
  }
  {
    ListReader reader(*schema, {"0999"});
    Read(*schema, ListLine(101, 1), reader);
    std::string error;
    reader.Take(error);
    CHECK(error == "the list has no current entries for billing authority 0999");
  }
}

TEST_CASE("rbgate.voa bindings are checked when the schema loads") {
  const auto load = [](const std::string& voa) {
    try {
      table::CompileSchema(
          R"({"fields":[{"name":"ba","rbgate":{"domain":"billing_authority"}},
             {"name":"uarn","rbgate":{"domain":"uarn"}},{"name":"rv","type":"integer"},
             {"name":"band","rbgate":{"domain":"band"}},{"name":"h"},{"name":"note"}],
             "rbgate":{"voa":)" +
              voa + "}}",
          "voa.json");
    } catch (const table::SchemaError& e) {
      return e.path() + ": " + e.problem();
    }
    return std::string("loaded");
  };
  CHECK(load(R"({"role":"list","tax":"ndr","ba":"ba","key":"uarn","value":"rv"})") == "loaded");
  CHECK(load(R"({"role":"list","tax":"council-tax","ba":"ba","key":"uarn","value":"band"})") ==
        "loaded");
  CHECK(load(R"({"role":"ledger","tax":"ndr","ba":"ba","key":"uarn","value":"rv"})") ==
        "$.rbgate.voa.role: must be \"list\", \"schedule\" or \"valuations\"");
  CHECK(load(R"({"role":"list","tax":"ndr","ba":"note","key":"uarn","value":"rv"})") ==
        "$.rbgate.voa.ba: must name a billing_authority field");
  CHECK(load(R"({"role":"list","tax":"ndr","ba":"ba","key":"note","value":"rv"})") ==
        "$.rbgate.voa.key: must name an integer, uarn or uprn field");
  CHECK(load(R"({"role":"list","tax":"council-tax","ba":"ba","key":"uarn","value":"rv"})") ==
        "$.rbgate.voa.value: must name a band field");
  CHECK(load(R"({"role":"list","tax":"ndr","ba":"ba","key":"uarn","value":"rateable"})") ==
        "$.rbgate.voa.value: names \"rateable\", which is not a field");
  CHECK(load(R"({"role":"list","tax":"ndr","ba":"ba","key":"uarn"})") ==
        "$.rbgate.voa: needs \"value\"");
  CHECK(load(R"({"role":"schedule","tax":"ndr","ba":"ba","key":"uarn","value":"rv",
                 "heading":"h","headings":{"N":"new"},"stated":{"entries":"x"}})") ==
        "$.rbgate.voa.stated.entries: needs a trailer record (rbgate.records.trailer)");
  CHECK(load(R"({"role":"schedule","tax":"ndr","ba":"ba","key":"uarn","value":"rv",
                 "heading":"h","headings":{"N":"novel"}})") ==
        "$.rbgate.voa.headings.N: must be new, deleted, amended, reinstated or "
        "minor-address-change, or one of them after historic-");
  CHECK(load(R"({"role":"list","tax":"ndr","ba":"ba","key":"uarn","value":"rv","colour":1})")
            .find("$.rbgate.voa.colour: is not a voa property") == 0);
}

}  // namespace
}  // namespace rbgate::schemas::voa
