#include "gateway/gen_voa.h"

#include <fmt/format.h>

#include <array>
#include <string_view>

#include "gateway/gen_common.h"

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
