#include "gateway/gen/feeds.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string_view>

#include "gateway/gen/common.h"

namespace rbgate::gateway {
namespace {

using gen::CheckFaults;
using gen::Random;

constexpr GenFault kPaymentsFaults[] = {
    {"bad-amount", "domain.pence", "an amount with one decimal place (10.5)"},
    {"zero-amount", "table.minimum", "a payment of 0.00"},
    {"bad-date", "table.type", "a payment date that does not exist (30/02)"},
    {"unknown-fund", "table.enum", "a fund code the schema does not list"},
    {"bad-account", "table.pattern", "an account reference with a letter in it"},
    {"duplicate-receipt", "table.unique", "a receipt reference used twice"},
    {"ragged-row", "table.row.fields", "a payment row missing its last field"},
    {"unknown-record-type", "table.record-type", "a record whose type is X"},
    {"count-mismatch", "table.control", "a trailer count one more than the payments"},
    {"total-mismatch", "table.control", "a trailer total a penny out"},
    {"no-trailer", "table.record-order", "the trailer left off, as if the file was cut short"},
};

constexpr GenFault kVepFaults[] = {
    {"bad-nino", "domain.nino", "a NINO with a never-issued prefix"},
    {"bad-paye", "domain.paye", "an employer PAYE reference without its slash"},
    {"missing-field", "json.required", "an alert without its payment date"},
    {"extra-field", "json.additional", "an alert with a property the schema does not allow"},
    {"bad-date", "json.format", "a payment date that does not exist"},
    {"negative-pay", "json.minimum", "taxable pay below zero"},
    {"unknown-frequency", "json.enum", "a pay frequency the schema does not list"},
    {"wrong-type", "json.type", "the pension flag as a string"},
    {"malformed-line", "json.malformed", "a line cut off mid-record"},
};

constexpr GenFault kShbeFaults[] = {
    {"bad-nino", "domain.nino", "a claimant NINO with a never-issued prefix"},
    {"bad-postcode", "domain.postcode", "a postcode with an inward code that cannot be"},
    {"award-over-rent", "table.rule", "an award above the eligible rent"},
    {"dates-reversed", "table.rule", "a claim that ends before it starts"},
    {"duplicate-claim", "table.unique", "a claim reference used twice"},
    {"unknown-tenancy", "table.enum", "a tenancy type the schema does not list"},
    {"bad-council", "domain.ba-code", "a billing authority code without its leading zero"},
    {"count-mismatch", "table.control", "a trailer count one fewer than the claims"},
};

constexpr GenFault kAtlasFaults[] = {
    {"bad-nino", "atlas.nino", "a claimant NINO with a never-issued prefix (the right shape)"},
    {"nino-shape", "xml.schema", "a claimant NINO one digit short"},
    {"partner-same", "atlas.partner", "a partner whose NINO is the claimant's"},
    {"dates-reversed", "atlas.dates", "a notification that ends before it starts"},
    {"duplicate", "atlas.duplicate", "the same claimant, kind and effective date twice"},
    {"bad-amount", "xml.schema", "an amount with one decimal place"},
    {"unknown-kind", "xml.schema", "a notification kind the schema does not list"},
    {"doctype", "xml.doctype", "a DOCTYPE with an external entity (XXE)"},
    {"truncated", "xml.truncated", "the file stops in the middle"},
};

constexpr GenFault kRslFaults[] = {
    {"unknown-ref", "table.reference", "a pay reference the reference map does not have"},
    {"rebate-over-gross", "table.rule", "a rebateable rent above the gross rent"},
    {"dates-reversed", "table.rule", "a rent that ends before it starts"},
    {"bad-date", "table.type", "a rent start date in the wrong notation (2026-04-06)"},
    {"bad-amount", "domain.pence", "a gross rent without pence"},
    {"sc-amount-missing", "table.rule", "a service charge code with no amount"},
    {"duplicate-ref", "table.unique", "a pay reference twice"},
};

bool Has(const FeedGenOptions& o, std::string_view fault) { return gen::Has(o.faults, fault); }

std::string Dmy(schemas::Day d) {
  const auto c = schemas::CivilFromDays(d);
  return fmt::format("{:02}/{:02}/{:04}", c.day, c.month, c.year);
}

// A NINO with a real prefix and made-up digits: never a real person's.
std::string Nino(Random& r) {
  static constexpr std::array<std::string_view, 10> kPrefixes = {"AB", "CE", "EH", "JK", "LM",
                                                                 "PR", "ST", "WX", "YZ", "NH"};
  return fmt::format("{}{:06}{}", kPrefixes[r.Below(kPrefixes.size())], r.Below(1000000),
                     static_cast<char>('A' + r.Below(4)));
}

}  // namespace

std::span<const GenFault> PaymentsFaults() noexcept { return kPaymentsFaults; }
std::span<const GenFault> VepFaults() noexcept { return kVepFaults; }
std::span<const GenFault> ShbeFaults() noexcept { return kShbeFaults; }
std::span<const GenFault> AtlasFaults() noexcept { return kAtlasFaults; }
std::span<const GenFault> RslFaults() noexcept { return kRslFaults; }

namespace {
constexpr GenFault kDdInstructionsFaults[] = {
    {"bad-reference", "dd-instructions.reference", "a reference of one character repeated"},
    {"modulus", "dd-instructions.modulus", "an account that fails modulus checking"},
    {"unsigned", "dd-instructions.signed", "a new instruction with no signed date"},
    {"signed-later", "dd-instructions.signed", "an instruction signed after the file was made"},
    {"duplicate", "dd-instructions.duplicate", "the same account and reference twice"},
    {"count", "dd-instructions.count", "a count attribute one more than the instructions"},
    {"bad-code", "xml.schema", "an instruction code the XSD does not list"},
    {"doctype", "xml.doctype", "a DOCTYPE with an external entity (XXE)"},
};
}  // namespace

std::span<const GenFault> DdInstructionsFaults() noexcept { return kDdInstructionsFaults; }

void GenerateDdInstructions(const FeedGenOptions& o, const schemas::ModulusChecker& modulus,
                            std::ostream& out) {
  CheckFaults(o.faults, kDdInstructionsFaults, "dd-instructions");
  Random r(o.seed);
  const Uniform uniform = [&](std::uint64_t lo, std::uint64_t hi) {
    return lo + r.Below(hi - lo + 1);
  };
  const std::vector<std::string> sorts = CheckedSortCodes(modulus, uniform, 16);
  static constexpr std::array<std::string_view, 3> kCodes = {"0N", "0C", "0S"};
  static constexpr std::array<std::string_view, 6> kNames = {
      "A TESTPAYER", "B TESTPAYER", "C & D TRADING", "E TESTPAYER", "F G TESTPAYER", "H TESTPAYER"};
  const std::uint64_t n = std::max<std::uint64_t>(o.records, 2);
  const std::uint64_t faulty = n / 2;
  std::string doc = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  if (Has(o, "doctype")) {
    doc += "<!DOCTYPE DDInstructions [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n";
  }
  doc += fmt::format("<DDInstructions sun=\"123456\" created=\"{}\" count=\"{}\">\n",
                     schemas::FormatIsoDate(o.date), n + (Has(o, "count") ? 1 : 0));
  std::string first_sort, first_account, first_reference;
  for (std::uint64_t i = 1; i <= n; ++i) {
    std::string sort = sorts[r.Below(sorts.size())];
    std::string account = ValidAccount(modulus, sort, uniform);
    std::string reference = fmt::format("CT{:08}", o.seed * 100000 + i);
    std::string code(kCodes[r.Below(kCodes.size())]);
    std::string signed_on = schemas::FormatIsoDate(o.date - static_cast<schemas::Day>(r.Below(60)));
    if (i == 1) first_sort = sort, first_account = account, first_reference = reference;
    if (i == faulty) {
      if (Has(o, "bad-reference")) reference = "AAAAAAAAAA";
      if (Has(o, "modulus")) {
        // The same sort code, the last digit moved until the account fails.
        for (int k = 0; k < 10 && modulus.Check(sort, account) != schemas::ModulusResult::kInvalid;
             ++k) {
          account.back() = static_cast<char>('0' + (account.back() - '0' + 1) % 10);
        }
      }
      if (Has(o, "unsigned")) code = "0N", signed_on.clear();
      if (Has(o, "signed-later")) signed_on = schemas::FormatIsoDate(o.date + 3);
      if (Has(o, "duplicate"))
        sort = first_sort, account = first_account, reference = first_reference;
      if (Has(o, "bad-code")) code = "0X";
    }
    // Bacs text: no '&' in attributes unescaped.
    std::string name(kNames[r.Below(kNames.size())]);
    std::string escaped;
    for (char c : name) escaped += c == '&' ? std::string("&amp;") : std::string(1, c);
    doc += fmt::format(
        "  <Instruction code=\"{}\" reference=\"{}\" sortCode=\"{}-{}-{}\" accountNumber=\"{}\" "
        "accountName=\"{}\"{}/>\n",
        code, reference, sort.substr(0, 2), sort.substr(2, 2), sort.substr(4, 2), account, escaped,
        signed_on.empty() || (code == "0C" && !Has(o, "signed-later"))
            ? std::string()
            : fmt::format(" signed=\"{}\"", signed_on));
  }
  doc += "</DDInstructions>\n";
  out << doc;
}

namespace {

std::string PayRef(std::uint64_t seed, std::uint64_t i) {
  return fmt::format("{}|R{:07}", 1000 + seed % 9000, i);
}

std::string VoaDate(schemas::Day d) {  // 06-Apr-2026, as landlords' exports write it
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto c = schemas::CivilFromDays(d);
  return fmt::format("{:02}-{}-{:04}", c.day, kMonths[c.month - 1], c.year);
}

}  // namespace

void GenerateRslRefmap(const FeedGenOptions& o, std::ostream& out) {
  Random r(o.seed);
  out << "landlord_account,hb_claim_ref,pay_ref\r\n";
  for (std::uint64_t i = 1; i <= std::max<std::uint64_t>(o.records, 1); ++i) {
    out << fmt::format("{:08},HB{:08},{}\r\n", 10000000 + o.seed, r.Below(100000000),
                       PayRef(o.seed, i));
  }
}

void GenerateRslRents(const FeedGenOptions& o, std::ostream& out) {
  CheckFaults(o.faults, kRslFaults, "rsl-rents");
  Random r(o.seed + 7);
  static constexpr std::array<std::string_view, 6> kSurnames = {"SMITH",  "JONES", "PATEL",
                                                                "OKAFOR", "NOWAK", "EVANS"};
  static constexpr std::array<std::string_view, 4> kStreets = {"HIGH STREET", "MILL LANE",
                                                               "STATION ROAD", "CHURCH VIEW"};
  const std::uint64_t n = std::max<std::uint64_t>(o.records, 2);
  const std::uint64_t faulty = n / 2;
  out << "record_type,pay_ref,account_start,account_end,gross_rent,rebateable_rent,rent_start,"
         "rent_end,surname,forename,flat,building,street_number,street,sc1_code,sc1_amount,"
         "sc2_code,sc2_amount\r\n";
  const std::string landlord = fmt::format("LL{}", 1000 + o.seed % 9000);
  for (std::uint64_t i = 1; i <= n; ++i) {
    const std::int64_t gross = 6000 + static_cast<std::int64_t>(r.Below(20000));
    std::int64_t rebate = gross - static_cast<std::int64_t>(r.Below(1500));
    const auto money = [](std::int64_t p) { return fmt::format("{}.{:02}", p / 100, p % 100); };
    std::string ref = PayRef(o.seed, i);
    std::string gross_text = money(gross);
    std::string rent_start = VoaDate(o.date);
    std::string rent_end;
    const bool service = r.Below(2) == 0;
    std::string sc_code = service ? landlord + "_HST1" : "";
    std::string sc_amount = service ? money(200 + static_cast<std::int64_t>(r.Below(1500))) : "";
    if (i == faulty) {
      if (Has(o, "unknown-ref")) ref = PayRef(o.seed, n + 1000);
      if (Has(o, "rebate-over-gross")) rebate = gross + 100;
      if (Has(o, "dates-reversed")) rent_end = VoaDate(o.date - 7);
      if (Has(o, "bad-date")) rent_start = schemas::FormatIsoDate(o.date);
      if (Has(o, "bad-amount")) gross_text = std::to_string(gross / 100);
      if (Has(o, "sc-amount-missing")) sc_code = landlord + "_HST1", sc_amount.clear();
      if (Has(o, "duplicate-ref")) ref = PayRef(o.seed, 1);
    }
    out << fmt::format("UPD,{},{},,{},{},{},{},{},{},{},,{},{},{},{},,\r\n", ref,
                       VoaDate(o.date - static_cast<schemas::Day>(365 + r.Below(3000))), gross_text,
                       money(rebate), rent_start, rent_end, kSurnames[r.Below(kSurnames.size())],
                       r.Below(3) ? "SAM" : "",
                       r.Below(2) ? fmt::format("FLAT {}", 1 + r.Below(40)) : std::string(),
                       1 + r.Below(200), kStreets[r.Below(kStreets.size())], sc_code, sc_amount);
  }
}

void GenerateAtlas(const FeedGenOptions& o, std::ostream& out) {
  CheckFaults(o.faults, kAtlasFaults, "atlas");
  Random r(o.seed);
  static constexpr std::array<std::string_view, 8> kForenames = {"ALEX", "SAM",   "JO",  "CHRIS",
                                                                 "PAT",  "ROBIN", "KIM", "DREW"};
  static constexpr std::array<std::string_view, 8> kSurnames = {
      "SMITH", "JONES", "PATEL", "OKAFOR", "NOWAK", "WALKER", "KHAN", "EVANS"};
  static constexpr std::array<std::string_view, 6> kKinds = {
      "NewAward", "ChangeOfAward", "Termination", "AddressChange", "BenefitCap", "UniversalCredit"};
  static constexpr std::array<std::string_view, 5> kBenefits = {"JSA", "ESA", "PC", "UC", "PIP"};
  static constexpr std::array<std::string_view, 4> kDeductions = {"gas", "electricity", "water",
                                                                  "council-tax"};
  static constexpr std::array<std::string_view, 4> kPostcodes = {"LS1 4AP", "M1 1AE", "B33 8TH",
                                                                 "CR2 6XH"};
  const std::uint64_t n = std::max<std::uint64_t>(o.records, 2);
  const std::uint64_t faulty = n / 2;
  std::string doc = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  if (Has(o, "doctype")) {
    doc += "<!DOCTYPE ATLASNotifications [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n";
  }
  doc += fmt::format("<ATLASNotifications schemaVersion=\"1.0\" created=\"{}T06:00:00Z\">\n",
                     schemas::FormatIsoDate(o.date));
  std::string first_nino, first_kind, first_effective;
  for (std::uint64_t i = 1; i <= n; ++i) {
    const auto person = [&](std::string_view tag, const std::string& nino) {
      return fmt::format(
          "    <{0}>\n      <NINO>{1}</NINO>\n      <Forename>{2}</Forename>\n      "
          "<Surname>{3}</Surname>\n      <DateOfBirth>{4}</DateOfBirth>\n    </{0}>\n",
          tag, nino, kForenames[r.Below(kForenames.size())], kSurnames[r.Below(kSurnames.size())],
          schemas::FormatIsoDate(o.date - static_cast<schemas::Day>(6570 + r.Below(20000))));
    };
    std::string nino = Nino(r);
    std::string kind(kKinds[r.Below(kKinds.size())]);
    const schemas::Day effective_day = o.date - static_cast<schemas::Day>(r.Below(30));
    std::string effective = schemas::FormatIsoDate(effective_day);
    std::string start = effective;
    std::string end = kind == "Termination" ? schemas::FormatIsoDate(effective_day + 7) : "";
    const std::int64_t pence = 1000 + static_cast<std::int64_t>(r.Below(50000));
    std::string amount = fmt::format("{}.{:02}", pence / 100, pence % 100);
    bool partner = r.Below(3) == 0;
    std::string partner_nino = partner ? Nino(r) : std::string();
    if (i == 1) first_nino = nino, first_kind = kind, first_effective = effective;
    if (i == faulty) {
      if (Has(o, "bad-nino")) nino.replace(0, 2, "GB");
      if (Has(o, "nino-shape")) nino.erase(2, 1);
      if (Has(o, "partner-same")) partner = true, partner_nino = nino;
      if (Has(o, "dates-reversed")) end = schemas::FormatIsoDate(effective_day - 10);
      if (Has(o, "duplicate")) nino = first_nino, kind = first_kind, effective = first_effective;
      if (Has(o, "bad-amount")) amount = fmt::format("{}.{}", pence / 100, pence % 10);
      if (Has(o, "unknown-kind")) kind = "Reassessment";
    }
    doc += "  <Notification>\n";
    doc += fmt::format("    <NotificationId>ATL{:09}</NotificationId>\n    <Kind>{}</Kind>\n",
                       o.seed * 100000 + i, kind);
    doc += person("Claimant", nino);
    if (partner) doc += person("Partner", partner_nino);
    if (kind == "AddressChange" || r.Below(2) == 0) {
      doc += fmt::format(
          "    <Address>\n      <Line>{} {} STREET</Line>\n      <Line>LEEDS</Line>\n      "
          "<Postcode>{}</Postcode>\n    </Address>\n",
          1 + r.Below(200), kSurnames[r.Below(kSurnames.size())],
          kPostcodes[r.Below(kPostcodes.size())]);
    }
    doc += fmt::format(
        "    <Benefit>\n      <Type>{}</Type>\n      <Amount>{}</Amount>\n      "
        "<Period>{}</Period>\n    </Benefit>\n",
        kind == "UniversalCredit" ? "UC" : kBenefits[r.Below(kBenefits.size())], amount,
        kind == "UniversalCredit" ? "monthly" : "weekly");
    if (kind == "UniversalCredit") {
      doc += fmt::format(
          "    <Deduction>\n      <Type>{}</Type>\n      <Amount>{}.{:02}</Amount>\n    "
          "</Deduction>\n",
          kDeductions[r.Below(kDeductions.size())], 5 + r.Below(40), r.Below(100));
    }
    doc += fmt::format("    <StartDate>{}</StartDate>\n    <EffectiveDate>{}</EffectiveDate>\n",
                       start, effective);
    if (!end.empty()) doc += fmt::format("    <EndDate>{}</EndDate>\n", end);
    doc += "    <SourceSystem>DWP-ATLAS</SourceSystem>\n  </Notification>\n";
  }
  doc += "</ATLASNotifications>\n";
  if (Has(o, "truncated")) doc.resize(doc.size() * 2 / 3);
  out << doc;
}

void GenerateShbe(const FeedGenOptions& o, std::ostream& out) {
  CheckFaults(o.faults, kShbeFaults, "shbe");
  Random r(o.seed);
  static constexpr std::array<std::string_view, 6> kTenancies = {
      "council", "housing-association", "private", "temporary", "specified", "other"};
  static constexpr std::array<std::string_view, 6> kPostcodes = {"LS1 4AP", "M1 1AE",   "B33 8TH",
                                                                 "CR2 6XH", "DN55 1PT", "SW1A 1AA"};
  const std::string ba = fmt::format("{:04}", 100 + o.seed % 9000);
  const auto c = schemas::CivilFromDays(o.date);
  const std::uint64_t n = std::max<std::uint64_t>(o.records, 2);
  const std::uint64_t faulty = n / 2;
  out << fmt::format("H,{},{},{:04}-{:02}\r\n", ba, schemas::FormatIsoDate(o.date), c.year,
                     c.month);
  const auto pounds = [](std::int64_t p) { return fmt::format("{}.{:02}", p / 100, p % 100); };
  for (std::uint64_t i = 1; i <= n; ++i) {
    const bool partner = r.Below(3) == 0;
    std::string claimant = Nino(r);
    const std::string partner_nino = partner ? Nino(r) : std::string();
    const std::string dob =
        schemas::FormatIsoDate(o.date - static_cast<schemas::Day>(6570 + r.Below(20000)));
    const std::int64_t rent = 5000 + static_cast<std::int64_t>(r.Below(30000));
    std::int64_t award =
        rent - static_cast<std::int64_t>(r.Below(static_cast<std::uint64_t>(rent)));
    const std::uint64_t tenancy = r.Below(kTenancies.size());
    const std::string lha = tenancy == 2 ? pounds(rent + 500) : std::string();
    std::string postcode(kPostcodes[r.Below(kPostcodes.size())]);
    const std::string uprn = r.Below(5) ? std::to_string(100000000 + r.Below(900000000)) : "";
    std::string start = schemas::FormatIsoDate(o.date - static_cast<schemas::Day>(r.Below(2000)));
    std::string end = r.Below(4) == 0 ? schemas::FormatIsoDate(o.date + 30) : std::string();
    std::string claim = fmt::format("HB{:08}", o.seed * 100000 + i);
    std::string council = ba;
    std::string tenancy_text(kTenancies[tenancy]);
    if (i == faulty) {
      if (Has(o, "bad-nino")) claimant.replace(0, 2, "NK");
      if (Has(o, "bad-postcode")) postcode = "LS1 4CI";
      if (Has(o, "award-over-rent")) award = rent + 100;
      if (Has(o, "dates-reversed")) end = schemas::FormatIsoDate(o.date - 3000);
      if (Has(o, "duplicate-claim")) claim = fmt::format("HB{:08}", o.seed * 100000 + 1);
      if (Has(o, "unknown-tenancy")) tenancy_text = "caravan";
      if (Has(o, "bad-council")) council = council.substr(1);
    }
    out << fmt::format("D,{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\r\n", council,
                       claim, claimant, partner_nino, dob, partner ? 2 : 1, r.Below(3),
                       tenancy_text, pounds(rent), lha, pounds(award),
                       pounds(r.Below(4) == 0 ? 1000 : 0), pounds(r.Below(5) == 0 ? 1400 : 0),
                       r.Below(2) ? "Y" : "N", postcode, uprn, start, end);
  }
  out << fmt::format("T,{}\r\n", n - (Has(o, "count-mismatch") ? 1 : 0));
}

void GeneratePayments(const FeedGenOptions& o, std::ostream& out) {
  CheckFaults(o.faults, kPaymentsFaults, "payments");
  Random r(o.seed);
  static constexpr std::array<std::string_view, 4> kFunds = {"CTAX", "NNDR", "HBOP", "SUNDRY"};
  static constexpr std::array<std::string_view, 5> kChannels = {"PAYPOINT", "POST_OFFICE", "ALLPAY",
                                                                "CARD", "BANK"};
  static constexpr std::array<std::string_view, 3> kSuppliers = {"ALLPAY", "PAYPOINT",
                                                                 "POST OFFICE"};
  const std::uint64_t n = std::max<std::uint64_t>(o.records, 2);
  const std::uint64_t faulty = n / 2;  // the record a data fault lands on (1-based)
  out << fmt::format("H,{},{},{}\r\n", kSuppliers[o.seed % kSuppliers.size()], Dmy(o.date),
                     o.seed % 9999 + 1);
  std::int64_t total = 0;
  for (std::uint64_t i = 1; i <= n; ++i) {
    const std::int64_t pence = 100 + static_cast<std::int64_t>(r.Below(250000));
    total += pence;
    std::string amount = fmt::format("{}.{:02}", pence / 100, pence % 100);
    std::string account = fmt::format("{:08}", 10000000 + r.Below(90000000));
    std::string date = Dmy(o.date - 1 - static_cast<schemas::Day>(r.Below(5)));
    std::string fund(kFunds[r.Below(kFunds.size())]);
    std::string receipt = fmt::format("R{:08}{:06}", o.seed % 100000000, i);
    const std::string channel(kChannels[r.Below(kChannels.size())]);
    if (i == faulty) {
      if (Has(o, "bad-amount")) amount = fmt::format("{}.{}", pence / 100, pence % 10);
      if (Has(o, "zero-amount")) {
        total -= pence;
        amount = "0.00";
      }
      if (Has(o, "bad-date"))
        date = fmt::format("30/02/{:04}", schemas::CivilFromDays(o.date).year);
      if (Has(o, "unknown-fund")) fund = "PARKING";
      if (Has(o, "bad-account")) account[3] = 'X';
      if (Has(o, "duplicate-receipt")) receipt = fmt::format("R{:08}{:06}", o.seed % 100000000, 1);
    }
    if (i == faulty && Has(o, "ragged-row")) {
      out << fmt::format("D,{},{},{},{},{}\r\n", account, fund, amount, date, channel);
    } else {
      out << fmt::format("D,{},{},{},{},{},{}\r\n", account, fund, amount, date, channel, receipt);
    }
    if (i == faulty && Has(o, "unknown-record-type")) out << "X,unexpected\r\n";
  }
  if (Has(o, "no-trailer")) return;
  const std::uint64_t count = n + (Has(o, "count-mismatch") ? 1 : 0);
  if (Has(o, "total-mismatch")) total += 1;
  out << fmt::format("T,{},{}.{:02}\r\n", count, total / 100, total % 100);
}

void GenerateVep(const FeedGenOptions& o, std::ostream& out) {
  CheckFaults(o.faults, kVepFaults, "vep");
  Random r(o.seed);
  static constexpr std::array<std::string_view, 6> kEmployers = {
      "NORTHFIELD CARE LTD", "RIVERSIDE LOGISTICS", "ACME CLEANING SERVICES",
      "GREEN LANE GARDENS",  "CITY RETAIL GROUP",   "WESTGATE PENSION TRUST"};
  static constexpr std::array<std::string_view, 5> kFrequencies = {
      "weekly", "fortnightly", "four-weekly", "monthly", "annual"};
  const std::uint64_t n = std::max<std::uint64_t>(o.records, 1);
  const std::uint64_t faulty = (n + 1) / 2;
  for (std::uint64_t i = 1; i <= n; ++i) {
    const bool pension = r.Below(4) == 0;
    const std::uint64_t employer = r.Below(kEmployers.size() - 1) + (pension ? 1 : 0);
    std::string nino = Nino(r);
    std::string paye = fmt::format("{:03}/{}{:04}", 100 + r.Below(900),
                                   static_cast<char>('A' + r.Below(26)), r.Below(10000));
    const std::int64_t pay = static_cast<std::int64_t>(r.Below(300000));
    const std::int64_t ytd = pay * static_cast<std::int64_t>(1 + r.Below(12));
    std::string frequency(kFrequencies[r.Below(kFrequencies.size())]);
    std::string payment_date =
        schemas::FormatIsoDate(o.date - static_cast<schemas::Day>(r.Below(28)));
    std::string pay_text = fmt::format("{}.{:02}", pay / 100, pay % 100);
    std::string pension_text = pension ? "true" : "false";
    std::string extra;
    bool with_date = true, cut = false;
    if (i == faulty) {
      if (Has(o, "bad-nino")) nino.replace(0, 2, "GB");
      if (Has(o, "bad-paye")) paye.erase(3, 1);
      if (Has(o, "missing-field")) with_date = false;
      if (Has(o, "extra-field")) extra = ",\"claimant_name\":\"A PERSON\"";
      if (Has(o, "bad-date")) payment_date = "2026-02-30";
      if (Has(o, "negative-pay")) pay_text.insert(0, 1, '-');
      if (Has(o, "unknown-frequency")) frequency = "daily";
      if (Has(o, "wrong-type")) pension_text = "\"yes\"";
      cut = Has(o, "malformed-line");
    }
    std::string line = fmt::format(
        "{{\"alert_id\":\"VEP{:09}\",\"alert_type\":\"{}\",\"nino\":\"{}\","
        "\"employer_paye_ref\":\"{}\",\"employer_name\":\"{}\"{},\"pay_frequency\":\"{}\","
        "\"taxable_pay_period\":{},\"taxable_pay_ytd\":{}.{:02},\"tax_period\":{}.{:02},"
        "\"ni_period\":{}.{:02},\"pension\":{}{}}}",
        o.seed * 1000000 + i,
        pension ? "fluctuating-non-state-pension" : "start-of-employment-fluctuating-earnings",
        nino, paye, kEmployers[employer],
        with_date ? ",\"payment_date\":\"" + payment_date + "\"" : std::string(), frequency,
        pay_text, ytd / 100, ytd % 100, pay / 500, (pay / 5) % 100, pay / 1000, (pay / 10) % 100,
        pension_text, extra);
    if (cut) line.resize(line.size() / 2);
    out << line << '\n';
  }
}

}  // namespace rbgate::gateway
