#include "gateway/gen/voa.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <string_view>

#include "gateway/gen/common.h"

namespace rbgate::gateway {
namespace {

using gen::CheckFaults;
using gen::Random;

constexpr GenFault kNdrListFaults[] = {
    {"bad-date", "table.type", "an effective date that does not exist (31-FEB)"},
    {"bad-ba-code", "domain.ba-code", "a billing authority code without its leading zero"},
    {"bad-uarn", "domain.uarn", "a UARN with a letter in it"},
    {"rv-pence", "table.type", "a rateable value in pounds and pence"},
    {"bad-postcode", "domain.postcode", "a postcode whose inward code cannot be"},
    {"dates-reversed", "table.rule", "an entry current to a date before it was current from"},
    {"no-trailing-star", "table.row.fields", "a line without the trailing * (28 columns)"},
    {"long-identifier", "table.max-length", "a property identifier of 191 characters"},
    {"bad-byte", "csv.encoding", "a byte Windows-1252 does not define (0x81)"},
    {"composite-n", "table.enum", "a composite indicator of N (blank or Y only)"},
};

constexpr std::array<std::string_view, 12> kMonths = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                      "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};

// DD-MON-YYYY, as the VOA writes its dates.
void AppendVoaDate(fmt::memory_buffer& out, schemas::Day d) {
  const auto c = schemas::CivilFromDays(d);
  fmt::format_to(std::back_inserter(out), "{:02}-{}-{:04}", c.day, kMonths[c.month - 1], c.year);
}

// Descriptions the list uses, with their SCAT codes and a typical rate per square metre.
struct Kind {
  std::string_view code, text, scat;
  std::uint64_t low, high;  // rateable value range, pounds
};
constexpr std::array<Kind, 8> kKinds = {{
    {"CS", "SHOP AND PREMISES", "249G", 4000, 60000},
    {"CO", "OFFICES AND PREMISES", "203G", 6000, 250000},
    {"IF3", "WAREHOUSE AND PREMISES", "217G", 15000, 900000},
    {"CL", "PUBLIC HOUSE AND PREMISES", "226G", 8000, 90000},
    {"CR", "RESTAURANT AND PREMISES", "235G", 6000, 70000},
    {"MH", "ADVERTISING RIGHT", "006G", 300, 8000},
    {"CW", "WORKSHOP AND PREMISES", "096G", 3000, 40000},
    {"LC3", "CAR PARK AND PREMISES", "052G", 1000, 30000},
}};
constexpr std::array<std::string_view, 10> kStreets = {
    "HIGH STREET",     "STATION ROAD", "MILL LANE",   "CHURCH STREET", "MARKET PLACE",
    "VICTORIA PARADE", "KING STREET",  "BRIDGE ROAD", "PARK ROW",      "NEW BRIGGATE"};
constexpr std::array<std::string_view, 6> kTowns = {"LEEDS", "WAKEFIELD", "HALIFAX",
                                                    "OTLEY", "PUDSEY",    "MORLEY"};
constexpr std::array<std::string_view, 8> kFirms = {"NORTHFIELD TRADING LTD",
                                                    "RIVERSIDE STORES LTD",
                                                    "A AND B HOLDINGS PLC",
                                                    "",
                                                    "WESTGATE PROPERTIES",
                                                    "CITY RETAIL GROUP",
                                                    "",
                                                    "GREEN LANE CAFE LTD"};
constexpr std::array<std::string_view, 6> kOutward = {"LS1", "LS6", "LS11", "WF1", "HX1", "LS28"};
constexpr std::string_view kInwardLetters = "ABDEFGHJLNPQRSTUWXYZ";

}  // namespace

std::span<const GenFault> NdrListFaults() noexcept { return kNdrListFaults; }

void GenerateNdrList(const VoaGenOptions& o, std::ostream& out) {
  CheckFaults(o.faults, kNdrListFaults, "ndr-list");
  const auto has = [&](std::string_view f) { return gen::Has(o.faults, f); };
  Random r(o.seed);
  const std::uint64_t n = std::max<std::uint64_t>(o.records, 1);
  const std::uint64_t faulty = (n + 1) / 2;
  const std::uint64_t councils = std::max<std::uint64_t>(o.councils, 1);
  const std::uint64_t first_ba = std::stoull(o.ba);
  const schemas::Day list_start = schemas::DaysFromCivil({2023, 4, 1});
  fmt::memory_buffer buf;
  buf.reserve(std::size_t{1} << 21);
  const auto app = [&buf](std::string_view s) { buf.append(s.data(), s.data() + s.size()); };
  for (std::uint64_t i = 1; i <= n; ++i) {
    const std::uint64_t council = (i - 1) * councils / n;
    const std::uint64_t ba = (first_ba + council - 1) % 9999 + 1;
    const Kind& kind = kKinds[r.Below(kKinds.size())];
    const std::uint64_t number = 1 + r.Below(240);
    const std::string_view street = kStreets[r.Below(kStreets.size())];
    const std::string_view town = kTowns[r.Below(kTowns.size())];
    const std::string_view firm = kFirms[r.Below(kFirms.size())];
    const bool unit = r.Below(3) == 0;
    const std::uint64_t unit_no = 1 + r.Below(12);
    std::string postcode = fmt::format("{} {}{}{}", kOutward[r.Below(kOutward.size())], r.Below(10),
                                       kInwardLetters[r.Below(kInwardLetters.size())],
                                       kInwardLetters[r.Below(kInwardLetters.size())]);
    const std::uint64_t rv = (kind.low + r.Below(kind.high - kind.low)) / 50 * 50;
    const schemas::Day effective =
        list_start + static_cast<schemas::Day>(r.Below(4) == 0 ? r.Below(1200) : 0);
    const bool ended = r.Below(20) == 0;
    const bool fault = i == faulty;
    // 1-7: entry, council, community, BA reference, description, UARN.
    fmt::format_to(std::back_inserter(buf), "{}*", i);
    if (fault && has("bad-ba-code")) {
      fmt::format_to(std::back_inserter(buf), "{}*", ba);
    } else {
      fmt::format_to(std::back_inserter(buf), "{:04}*", ba);
    }
    fmt::format_to(std::back_inserter(buf), "{:04}*{:05}{:09}*{}*{}*", ba, ba, 1000 + i, kind.code,
                   kind.text);
    if (fault && has("bad-uarn")) {
      fmt::format_to(std::back_inserter(buf), "{}A{}*", 10000 + i, r.Below(10));
    } else {
      fmt::format_to(std::back_inserter(buf), "{}*", 1000000 + i * 11 + (o.seed % 7));
    }
    // 8: the full property identifier.
    if (fault && has("long-identifier")) {
      app(std::string(191, 'X'));
    } else {
      if (unit) fmt::format_to(std::back_inserter(buf), "UNIT {}, ", unit_no);
      fmt::format_to(std::back_inserter(buf), "{} {}, {}, {}", number, street, town, postcode);
    }
    app("*");
    if (fault && has("bad-byte")) app("\x81");
    // 9-15: firm, number or name, street, town, district, county, postcode.
    fmt::format_to(std::back_inserter(buf), "{}*", firm);
    if (unit) fmt::format_to(std::back_inserter(buf), "UNIT {}, ", unit_no);
    if (fault && has("bad-postcode")) postcode.replace(postcode.size() - 2, 2, "CI");
    fmt::format_to(std::back_inserter(buf), "{}*{}*{}**WEST YORKSHIRE*{}*", number, street, town,
                   postcode);
    // 16-17: effective date, composite.
    if (fault && has("bad-date")) {
      app("31-FEB-2023*");
    } else {
      AppendVoaDate(buf, effective);
      app("*");
    }
    app(fault && has("composite-n") ? "N*" : r.Below(25) == 0 ? "Y*" : "*");
    // 18-22: rateable value, appeal settlement code, assessment reference, alteration date, SCAT.
    if (fault && has("rv-pence")) {
      fmt::format_to(std::back_inserter(buf), "{}.50*", rv);
    } else {
      fmt::format_to(std::back_inserter(buf), "{}*", rv);
    }
    app(r.Below(10) == 0 ? "A*" : "*");
    fmt::format_to(std::back_inserter(buf), "{}*", 10000000 + i * 3 + o.seed % 3);
    if (effective != list_start) {
      AppendVoaDate(buf, effective + 30);
    } else {
      AppendVoaDate(buf, list_start);
    }
    fmt::format_to(std::back_inserter(buf), "*{}*", kind.scat);
    // 23-28: sub-streets, case number, current from and to.
    app("***");
    if (r.Below(6) == 0) fmt::format_to(std::back_inserter(buf), "{}", 5000000 + r.Below(999999));
    app("*");
    AppendVoaDate(buf, effective);
    app("*");
    if (fault && has("dates-reversed")) {
      AppendVoaDate(buf, effective - 1);
    } else if (ended) {
      AppendVoaDate(buf, effective + 200 + static_cast<schemas::Day>(r.Below(400)));
    }
    app(fault && has("no-trailing-star") ? "\r\n" : "*\r\n");
    if (buf.size() > (std::size_t{1} << 20)) {
      out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
      buf.clear();
    }
  }
  out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
}

}  // namespace rbgate::gateway

namespace rbgate::gateway {
namespace {

constexpr GenFault kCtListFaults[] = {
    {"bad-band", "domain.band", "a band England does not have (I)"},
    {"bad-uarn", "domain.uarn", "a UARN with a letter in it"},
    {"dates-reversed", "table.rule", "a dwelling deleted before it was listed"},
};

// The first three are found only against the list on record (the daemon's check, or
// `rbgate voa balance`): tests/gateway/voa_test.sh.
constexpr GenFault kScheduleFaults[] = {
    {"new-listed", "voa.exception",
     "a NEW record for an entry already in the list (the VOA's figures count it as added)"},
    {"delete-unlisted", "voa.exception",
     "a DELETED record for an entry the list does not have (the VOA's figures count it gone)"},
    {"missed-schedule", "voa.balance",
     "the VOA's figures include an alteration of an earlier schedule the council never had"},
    {"count-mismatch", "table.control", "a trailer record count one more than the records"},
    {"rv-total-mismatch", "table.control", "NDR: a trailer rateable value total £1 out"},
    {"unknown-heading", "table.enum", "a heading the schema does not list (CHANGED)"},
    {"bad-uarn", "domain.uarn", "a UARN with a letter in it"},
    {"bad-band", "domain.band", "council tax: a band England does not have (I)"},
    {"bad-reason", "table.pattern", "council tax: an alteration reason CL30"},
};

// Bands as English lists hold them, roughly: A is common, H rare.
constexpr std::array<std::uint64_t, 8> kBandWeights = {24, 20, 22, 15, 9, 5, 4, 1};
char RandomBand(Random& r) {
  std::uint64_t x = r.Below(100);
  for (std::size_t b = 0; b < kBandWeights.size(); ++b) {
    if (x < kBandWeights[b]) return static_cast<char>('A' + b);
    x -= kBandWeights[b];
  }
  return 'H';
}

std::string Postcode(Random& r) {
  return fmt::format("{} {}{}{}", kOutward[r.Below(kOutward.size())], r.Below(10),
                     kInwardLetters[r.Below(kInwardLetters.size())],
                     kInwardLetters[r.Below(kInwardLetters.size())]);
}

std::string VoaDate(schemas::Day d) {
  fmt::memory_buffer b;
  AppendVoaDate(b, d);
  return fmt::to_string(b);
}

}  // namespace

std::span<const GenFault> CtListFaults() noexcept { return kCtListFaults; }
std::span<const GenFault> ScheduleFaults() noexcept { return kScheduleFaults; }

void GenerateCtList(const VoaGenOptions& o, std::ostream& out) {
  CheckFaults(o.faults, kCtListFaults, "ct-list");
  const auto has = [&](std::string_view f) { return gen::Has(o.faults, f); };
  Random r(o.seed);
  const std::uint64_t n = std::max<std::uint64_t>(o.records, 1);
  const std::uint64_t faulty = (n + 1) / 2;
  const schemas::Day start = schemas::DaysFromCivil({1993, 4, 1});
  std::string text;
  for (std::uint64_t i = 1; i <= n; ++i) {
    const bool fault = i == faulty;
    const std::uint64_t number = 1 + r.Below(300);
    const std::string_view street = kStreets[r.Below(kStreets.size())];
    const std::string_view town = kTowns[r.Below(kTowns.size())];
    const std::string postcode = Postcode(r);
    char band = RandomBand(r);
    if (fault && has("bad-band")) band = 'I';
    const schemas::Day listed = start + static_cast<schemas::Day>(r.Below(11000));
    const bool gone = r.Below(40) == 0;
    std::string deleted;
    if (fault && has("dates-reversed")) {
      deleted = VoaDate(listed - 1);
    } else if (gone) {
      deleted = VoaDate(listed + 100 + static_cast<schemas::Day>(r.Below(900)));
    }
    const std::string uarn = fault && has("bad-uarn") ? fmt::format("{}X", 5000000 + i)
                                                      : std::to_string(50000000 + i * 13);
    text += fmt::format("{}*{:05}{:08}*{}*{}*{} {}, {}*{}*{}*{}*{}\r\n", o.ba, o.seed % 100000, i,
                        uarn, r.Below(3) ? std::to_string(100000000 + r.Below(900000000)) : "",
                        number, street, town, postcode, band, VoaDate(listed), deleted);
  }
  out << text;
}

void GenerateSchedule(const VoaGenOptions& o, const schemas::voa::ListState& before,
                      std::uint64_t number, std::ostream& out) {
  using Tax = schemas::table::VoaBinding::Tax;
  const bool ndr = before.tax == Tax::kNdr;
  CheckFaults(o.faults, kScheduleFaults, ndr ? "ndr-schedule" : "ct-schedule");
  const auto has = [&](std::string_view f) { return gen::Has(o.faults, f); };
  static constexpr std::array<std::string_view, 2> kCouncilTaxOnly = {"bad-band", "bad-reason"};
  static constexpr std::array<std::string_view, 1> kNdrOnly = {"rv-total-mismatch"};
  for (const std::string_view f : ndr ? std::span<const std::string_view>(kCouncilTaxOnly)
                                      : std::span<const std::string_view>(kNdrOnly)) {
    if (has(f)) {
      throw std::runtime_error(
          fmt::format("'{}' is not a {} fault", f, ndr ? "ndr-schedule" : "ct-schedule"));
    }
  }
  Random r(o.seed * 31 + number);
  // The entries, in order, so that the same list and seed make the same schedule anywhere.
  std::vector<std::pair<std::int64_t, std::int64_t>> listed(before.entries.begin(),
                                                            before.entries.end());
  std::sort(listed.begin(), listed.end());
  std::int64_t next_key = listed.empty() ? 90000000 : listed.back().first + 7;
  schemas::voa::Totals stated = before.Sum();  // the VOA's figures, record by record
  const std::uint64_t n = std::max<std::uint64_t>(o.records, 1);
  const std::uint64_t faulty = (n + 1) / 2;
  const std::string date = VoaDate(o.date);
  const char* year = ndr ? "2023" : "1993";
  std::string text =
      fmt::format("H*{}*{}*{}*{}*{}\r\n", ndr ? "NDR" : "CTAX", before.ba, number, date, year);
  std::int64_t value_sum = 0;
  std::vector<bool> used(listed.size(), false);
  const auto pick = [&]() -> std::size_t {  // an entry not yet altered by this schedule
    for (int tries = 0; tries < 64 && !listed.empty(); ++tries) {
      const std::size_t k = r.Below(listed.size());
      if (!used[k]) {
        used[k] = true;
        return k;
      }
    }
    return listed.size();
  };
  const auto new_value = [&]() -> std::int64_t {
    return ndr ? static_cast<std::int64_t>((2000 + r.Below(80000)) / 50 * 50) : RandomBand(r) - 'A';
  };
  for (std::uint64_t i = 1; i <= n; ++i) {
    static constexpr std::array<std::string_view, 5> kHeadings = {
        "NEW", "DELETED", "AMENDED", "REINSTATED", "MINOR ADDRESS CHANGE"};
    static constexpr std::array<char, 5> kUpdate = {'I', 'D', 'A', 'R', 'M'};
    // Amended 30%, new 20%, deleted 15%, minor address 15%, reinstated 5%, historic 15%.
    const std::uint64_t roll = r.Below(100);
    std::size_t kind = roll < 30   ? 2
                       : roll < 50 ? 0
                       : roll < 65 ? 1
                       : roll < 80 ? 4
                       : roll < 85 ? 3
                                   : 2;
    const bool historic = roll >= 85 && i != faulty;  // a fault lands on a current record
    const bool fault = i == faulty;
    std::size_t entry = listed.size();
    if (kind != 0 && kind != 3) {
      entry = pick();
      if (entry == listed.size()) kind = 0;  // nothing left to alter: add one
    }
    std::int64_t key = 0, value = 0;
    if (kind == 0 || kind == 3) {
      key = next_key;
      next_key += 7;
      value = new_value();
    } else {
      key = listed[entry].first;
      value = kind == 2 ? new_value() : listed[entry].second;
    }
    std::string heading(kHeadings[kind]);
    if (fault && has("new-listed") && !listed.empty()) {
      kind = 0, heading = "NEW";
      key = listed[r.Below(listed.size())].first;
      value = new_value();
    }
    if (fault && has("delete-unlisted")) {
      kind = 1, heading = "DELETED";
      key = next_key;
      next_key += 7;
      value = new_value();
    }
    // The VOA's figures after this record, as it sees its own list (faults included).
    const auto add = [&](std::int64_t v, std::int64_t sign) {
      stated.entries += sign;
      if (ndr) {
        stated.total += sign * v;
      } else {
        stated.bands[static_cast<std::size_t>(v)] += sign;
      }
    };
    if (historic) {
      heading.insert(0, "HISTORIC ");
    } else if (kind == 0 || kind == 3) {
      add(value, +1);
    } else if (kind == 1) {
      add(value, -1);
    } else if (kind == 2) {
      add(listed[entry].second, -1);
      add(value, +1);
    }
    if (fault && has("unknown-heading")) heading = "CHANGED";
    const std::string uarn =
        fault && has("bad-uarn") ? fmt::format("{}Z", key) : std::to_string(key);
    const std::string ref = fmt::format("{:04}{:010}", o.seed % 10000, key);
    const std::string address =
        fmt::format("{} {}, {}", 1 + r.Below(200), kStreets[r.Below(kStreets.size())],
                    kTowns[r.Below(kTowns.size())]);
    const schemas::Day effective =
        o.date - static_cast<schemas::Day>(historic ? 400 + r.Below(900) : r.Below(60));
    const std::string uprn =
        r.Below(3) ? std::to_string(100000000 + r.Below(900000000)) : std::string();
    if (ndr) {
      value_sum += value;
      text += fmt::format("D*{}*{}*{}*{}*{}*{}*{}*{}*CS*{}*{}*{}*{}*{}\r\n", before.ba, ref, uarn,
                          uprn, heading, kUpdate[kind], address, Postcode(r), value,
                          VoaDate(effective), r.Below(5) == 0 ? "A" : "", date, year);
    } else {
      char band = static_cast<char>('A' + value);
      if (fault && has("bad-band")) band = 'I';
      const std::string reason =
          fault && has("bad-reason") ? "CL30" : fmt::format("CL{:02}", 1 + r.Below(29));
      text += fmt::format("D*{}*{}*{}*{}*{}*{}*{}*{}*{}*{}*{}**{}*{}\r\n", before.ba, ref, uarn,
                          uprn, heading, kUpdate[kind], address, Postcode(r), band,
                          VoaDate(effective), reason, date, year);
    }
  }
  if (has("missed-schedule")) {
    if (ndr) {
      stated.total += 4750;  // an amendment in a schedule the council never received
    } else {
      --stated.bands[2], ++stated.bands[3];  // a dwelling moved from C to D, likewise
    }
  }
  const std::uint64_t count = n + (has("count-mismatch") ? 1 : 0);
  if (ndr) {
    text += fmt::format("T*{}*{}*{}*{}\r\n", count, value_sum + (has("rv-total-mismatch") ? 1 : 0),
                        stated.entries, stated.total);
  } else {
    text += fmt::format("T*{}*{}*{}\r\n", count, stated.entries,
                        fmt::join(stated.bands.begin(), stated.bands.begin() + 8, "*"));
  }
  out << text;
}

namespace {

constexpr GenFault kSmvFaults[] = {
    {"line-value", "voa.smv.line", "a line item's value £5 more than its area times its price"},
    {"total-before", "voa.smv.total", "a total before adjustment £1 more than its lines"},
    {"total-after", "voa.smv.total", "a total after adjustment £1 less than it should be"},
    {"missing-totals", "voa.smv.order", "a valuation without its totals (07)"},
    {"out-of-order", "voa.smv.order", "an other addition (03) before the line items (02)"},
    {"orphan-line", "voa.smv.order", "a line item before any valuation's 01 record"},
    {"unknown-type", "table.record-type", "a record of type 08"},
    {"bad-area", "table.type", "an area written with a decimal comma"},
};

std::string Money(std::int64_t pence) { return fmt::format("{}.{:02}", pence / 100, pence % 100); }

}  // namespace

std::span<const GenFault> SmvFaults() noexcept { return kSmvFaults; }

void GenerateSmv(const VoaGenOptions& o, std::ostream& out) {
  CheckFaults(o.faults, kSmvFaults, "ndr-smv");
  const auto has = [&](std::string_view f) { return gen::Has(o.faults, f); };
  Random r(o.seed);
  const std::uint64_t n = std::max<std::uint64_t>(o.records, 1);
  const std::uint64_t faulty = (n + 1) / 2;
  static constexpr std::array<double, 6> kPercents = {-5, -2.5, 10, -7.5, 12.5, -10};
  static constexpr std::array<std::string_view, 5> kFloors = {"GROUND", "FIRST", "SECOND",
                                                              "BASEMENT", "MEZZANINE"};
  std::string text;
  if (has("orphan-line")) text += "02*1*GROUND*SALES*10.00*100.00*1000.00\r\n";
  for (std::uint64_t v = 1; v <= n; ++v) {
    const bool fault = v == faulty;
    const Kind& kind = kKinds[r.Below(kKinds.size())];
    std::vector<std::string> body;  // the records after 01
    std::int64_t pence = 0, area_cents = 0;
    const std::uint64_t lines = 1 + r.Below(4);
    for (std::uint64_t l = 1; l <= lines; ++l) {
      const std::int64_t area = 1000 + static_cast<std::int64_t>(r.Below(50000));   // cents of m2
      const std::int64_t price = 5000 + static_cast<std::int64_t>(r.Below(25000));  // pence
      // area (2 places) times price, to the penny, halves up
      std::int64_t value = (area * price + 50) / 100;
      pence += value;
      area_cents += area;
      if (fault && l == 1 && has("line-value")) value += 500;
      std::string area_text = fmt::format("{}.{:02}", area / 100, area % 100);
      if (fault && l == 1 && has("bad-area")) area_text[area_text.find('.')] = ',';
      body.push_back(fmt::format("02*{}*{}*{}*{}*{}*{}", l, kFloors[r.Below(kFloors.size())],
                                 kind.text.substr(0, kind.text.find(' ')), area_text, Money(price),
                                 Money(value)));
    }
    if (r.Below(3) == 0 || (fault && has("out-of-order"))) {
      const std::int64_t value = 10000 + static_cast<std::int64_t>(r.Below(500000));
      pence += value;
      const std::string addition =
          fmt::format("03*MEZZANINE STORE*{}.00*25.00*{}", value / 2500, Money(value));
      if (fault && has("out-of-order")) {
        body.insert(body.begin(), addition);
      } else {
        body.push_back(addition);
      }
    }
    if (r.Below(5) == 0) {
      const std::int64_t value = 50000 + static_cast<std::int64_t>(r.Below(2000000));
      pence += value;
      body.push_back(fmt::format("04*{}", Money(value)));
    }
    if (r.Below(3) == 0) {
      const std::int64_t spaces = 1 + static_cast<std::int64_t>(r.Below(40));
      const std::int64_t each = 20000 + static_cast<std::int64_t>(r.Below(30000));
      pence += spaces * each;
      body.push_back(fmt::format("05*{}*{}*{}", spaces, Money(each), Money(spaces * each)));
    }
    long double factor = 1;
    if (r.Below(3) == 0) {
      const double percent = kPercents[r.Below(kPercents.size())];
      factor *= 1 + static_cast<long double>(percent) / 100;
      body.push_back(fmt::format("06*END ALLOWANCE*{}", percent));
    }
    // To the pound, halves up, as the list rounds (and the checker).
    std::int64_t before =
        static_cast<std::int64_t>(std::floor(static_cast<long double>(pence) / 100 + 0.5L));
    std::int64_t after =
        static_cast<std::int64_t>(std::floor(static_cast<long double>(before) * factor + 0.5L));
    const std::int64_t total_value = after;
    if (fault && has("total-before")) ++before;
    if (fault && has("total-after")) --after;
    if (!(fault && has("missing-totals"))) body.push_back(fmt::format("07*{}*{}", before, after));
    if (fault && has("unknown-type")) body.push_back("08*UNEXPECTED");
    const std::uint64_t number = 1 + r.Below(240);
    text += fmt::format(
        "01*{}*{}*{}*{}*{}*{}**WEST YORKSHIRE*{}*{}*{}*{}.{:02}*{}*{}*{}*2023*LEEDS CITY "
        "COUNCIL*{:05}{:09}*{}*01-APR-2023**{}*NIA*{}\r\n",
        10000000 + v * 3, 1000000 + v * 11, o.ba, number, kStreets[r.Below(kStreets.size())],
        kTowns[r.Below(kTowns.size())], Postcode(r), fmt::format("S{:05}", r.Below(100000)),
        kind.text, area_cents / 100, area_cents % 100, before, total_value, total_value / 50 * 50,
        std::stoull(o.ba), 1000 + v, fmt::format("VO{:08}", v), kind.scat,
        Money(5000 + static_cast<std::int64_t>(r.Below(25000))));
    for (const auto& b : body) text += b + "\r\n";
  }
  out << text;
}

namespace {

constexpr GenFault kBaReportFaults[] = {
    {"bad-reason", "xml.schema", "a council tax reason code CR17"},
    {"missing-existing", "voa.ba.entries", "a CR01 report without its existing entries"},
    {"record-count", "voa.ba.trailer", "a trailer record count one more than the reports"},
    {"ctax-count", "voa.ba.trailer", "a trailer council tax count one fewer"},
    {"long-remarks", "xml.schema", "remarks of 241 characters"},
    {"band-on-nndr", "voa.ba.tax", "an NNDR report giving a council tax band"},
    {"doctype", "xml.doctype", "a DOCTYPE with an external entity (XXE)"},
    {"truncated", "xml.truncated", "the file stops in the middle"},
};

}  // namespace

std::span<const GenFault> BaReportFaults() noexcept { return kBaReportFaults; }

void GenerateBaReport(const VoaGenOptions& o, std::ostream& out) {
  CheckFaults(o.faults, kBaReportFaults, "ba-report");
  const auto has = [&](std::string_view f) { return gen::Has(o.faults, f); };
  Random r(o.seed);
  const std::uint64_t n = std::max<std::uint64_t>(o.records, 2);
  const std::uint64_t faulty = (n + 1) / 2;
  const std::string day = schemas::FormatIsoDate(o.date);
  const std::uint64_t code = std::stoull(o.ba);
  std::string doc = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  if (has("doctype")) {
    doc += "<!DOCTYPE BAreports [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n";
  }
  doc += fmt::format(
      "<BAreports xmlns=\"http://www.govtalk.gov.uk/LG/Valuebill\">\n  <BAreportHeader>\n"
      "    <BillingAuthority>LEEDS CITY COUNCIL</BillingAuthority>\n"
      "    <BillingAuthorityIdentityCode>{}</BillingAuthorityIdentityCode>\n"
      "    <ProcessDate>{}</ProcessDate>\n    <EntryDateTime>{}T09:00:00</EntryDateTime>\n"
      "  </BAreportHeader>\n",
      code, day, day);
  std::uint64_t ctax = 0, nndr = 0;
  const auto entries = [&](std::string_view tag, bool council_tax, bool band_anyway) {
    std::string e =
        fmt::format("    <{}>\n      <AssessmentProperties>\n        <PropertyIdentity>\n", tag);
    if (r.Below(3)) {
      e += fmt::format("          <UPRN>{}</UPRN>\n", 100000000 + r.Below(900000000));
    }
    e += fmt::format(
        "          <Address>\n            <AddressLine>{} {}</AddressLine>\n"
        "            <AddressLine>{}</AddressLine>\n            <PostCode>{}</PostCode>\n"
        "          </Address>\n          <BAreference>{:05}{:08}</BAreference>\n"
        "        </PropertyIdentity>\n",
        1 + r.Below(200), kStreets[r.Below(kStreets.size())], kTowns[r.Below(kTowns.size())],
        Postcode(r), code, r.Below(100000000));
    if (council_tax || band_anyway) {
      e += fmt::format(
          "        <CurrentTax>\n          <CouncilTaxBand>{}</CouncilTaxBand>\n"
          "        </CurrentTax>\n",
          RandomBand(r));
    } else {
      e += fmt::format(
          "        <CurrentTax>\n          <RateableValue>{}</RateableValue>\n"
          "        </CurrentTax>\n",
          (2000 + r.Below(80000)) / 50 * 50);
    }
    return e + fmt::format("      </AssessmentProperties>\n    </{}>\n", tag);
  };
  for (std::uint64_t i = 1; i <= n; ++i) {
    const bool fault = i == faulty;
    bool council_tax = r.Below(5) < 3;
    if (fault && (has("missing-existing") || has("bad-reason"))) council_tax = true;
    if (fault && has("band-on-nndr")) council_tax = false;
    std::string reason = council_tax ? fmt::format("CR{:02}", 1 + r.Below(16))
                                     : fmt::format("{:02}", 1 + r.Below(19));
    if (fault && has("missing-existing")) reason = "CR01";
    if (fault && has("bad-reason")) reason = "CR17";
    (council_tax ? ctax : nndr) += 1;
    const bool existing = reason == "CR01" || reason == "CR02" || reason == "CR05" ||
                          reason == "CR12" || (!council_tax && r.Below(2));
    const bool proposed = reason == "CR03" || reason == "CR04" || reason == "CR05" ||
                          reason == "CR12" || r.Below(2) || (fault && has("band-on-nndr"));
    doc += fmt::format(
        "  <BApropertyReport>\n    <DateSent>{}</DateSent>\n"
        "    <TransactionIdentityBA>T{:04}{:08}</TransactionIdentityBA>\n"
        "    <BAidentityNumber>{}</BAidentityNumber>\n    <BAreportNumber>R{:06}</BAreportNumber>\n"
        "    <TypeOfTax>\n      <{}>\n        <ReasonForReportCode>{}</ReasonForReportCode>\n"
        "      </{}>\n    </TypeOfTax>\n",
        day, code, i, code, i, council_tax ? "CtaxReasonForReport" : "NNDRreasonForReport", reason,
        council_tax ? "CtaxReasonForReport" : "NNDRreasonForReport");
    const bool band_anyway = fault && has("band-on-nndr");
    if (existing && !(fault && has("missing-existing"))) {
      doc += entries("ExistingEntries", council_tax, band_anyway);
    }
    if (proposed) doc += entries("ProposedEntries", council_tax, band_anyway);
    doc += fmt::format("    <IndicatedDateOfChange>{}</IndicatedDateOfChange>\n",
                       schemas::FormatIsoDate(o.date - static_cast<schemas::Day>(r.Below(90))));
    if (fault && has("long-remarks")) {
      doc += "    <Remarks>" + std::string(241, 'R') + "</Remarks>\n";
    } else if (r.Below(4) == 0) {
      doc += "    <Remarks>Inspected by the visiting officer</Remarks>\n";
    }
    doc += "  </BApropertyReport>\n";
  }
  doc += fmt::format(
      "  <BAreportTrailer>\n    <RecordCount>{}</RecordCount>\n"
      "    <EntryDateTime>{}T09:00:00</EntryDateTime>\n"
      "    <TotalNNDRreportCount>{}</TotalNNDRreportCount>\n"
      "    <TotalCtaxReportCount>{}</TotalCtaxReportCount>\n  </BAreportTrailer>\n</BAreports>\n",
      n + (has("record-count") ? 1 : 0), day, nndr, ctax - (has("ctax-count") ? 1 : 0));
  if (has("truncated")) doc.resize(doc.size() * 2 / 3);
  out << doc;
}

}  // namespace rbgate::gateway
