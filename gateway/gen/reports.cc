#include "gateway/gen/reports.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <random>
#include <stdexcept>

#include "schemas/bacs18/business_key.h"
#include "schemas/bacs18/items.h"
#include "schemas/dates.h"
#include "spool/check/check.h"

namespace rbgate::gateway {
namespace {

// The faults asked for, checked against a generator's table; callable as has("name").
class FaultSet {
 public:
  FaultSet(const std::vector<std::string>& asked, std::span<const GenFault> known) : asked_(asked) {
    for (const auto& f : asked) {
      if (std::none_of(known.begin(), known.end(),
                       [&](const GenFault& g) { return g.name == f; })) {
        throw std::runtime_error("unknown fault '" + f + "' (rbgate gen ... --help lists them)");
      }
    }
  }
  bool operator()(std::string_view f) const {
    return std::find(asked_.begin(), asked_.end(), f) != asked_.end();
  }

 private:
  const std::vector<std::string>& asked_;
};

constexpr GenFault kAruddFaults[] = {
    {"totals-count", "arudd.totals.count", "Totals@numberOf one more than the items"},
    {"totals-value", "arudd.totals.value", "Totals@valueOf one penny out"},
    {"original-date", "arudd.item.original-date", "an item returned before it was collected"},
    {"bad-sort-code", "xml.schema", "a payer sort code with a letter in it"},
    {"bad-amount", "xml.schema", "an amount without pence (65 rather than 65.00)"},
    {"doctype", "xml.doctype", "a DOCTYPE with an external entity (XXE)"},
    {"truncated", "xml.truncated", "the file stops in the middle"},
    {"latin1", "", "ISO-8859-1 encoding with a pound sign in a name (valid)"},
};

constexpr std::array<std::string_view, 8> kSurnames = {"SMITH", "JONES",  "PATEL", "OKAFOR",
                                                       "NOWAK", "WALKER", "KHAN",  "EVANS"};
constexpr std::array<std::pair<std::string_view, std::string_view>, 6> kReasons = {{
    {"0128", "REFER TO PAYER"},
    {"1012", "INSTRUCTION CANCELLED"},
    {"0131", "PAYER DECEASED"},
    {"0135", "NO ACCOUNT"},
    {"0140", "NO INSTRUCTION"},
    {"1020", "ACCOUNT CLOSED"},
}};

std::string Hyphenated(std::uint64_t sort) {
  auto s = fmt::format("{:06}", sort);
  return s.substr(0, 2) + "-" + s.substr(2, 2) + "-" + s.substr(4, 2);
}

}  // namespace

std::span<const GenFault> AruddFaults() noexcept { return kAruddFaults; }

namespace {

// Reads the Standard 18 file at `path`, telling `on_item` of each payment item as its check
// records it; its business key. Throws std::runtime_error when the file cannot be read.
template <class Fn>
std::string ReadSentItems(const std::string& path, Fn on_item) {
  struct Sink final : schemas::ItemSink {
    Fn& fn;
    explicit Sink(Fn& f) : fn(f) {}
    void OnItem(std::string_view kind, std::uint64_t line, std::string_view day,
                std::string_view text) override {
      if (kind != schemas::bacs18::kSentKind) return;
      if (auto row = schemas::bacs18::DecodeSent({line, day, text})) fn(*row);
    }
  } sink(on_item);
  check::CheckHooks hooks;
  hooks.items = &sink;
  auto report = check::CheckFile(path, check::CheckSettings{}, "bacs18", hooks);
  if (!report->problem.empty()) throw std::runtime_error(report->problem);
  return report->business_key;
}

}  // namespace

std::vector<SentItem> SentItemsOf(const std::string& path, bool credits, std::uint64_t max) {
  std::vector<SentItem> all;
  ReadSentItems(path, [&](const schemas::bacs18::SubmittedItemRow& i) {
    if (i.credit != credits) return;
    all.push_back({i.reference, i.dest_sort, i.dest_account, i.amount,
                   schemas::ParseIsoDate(i.day).value_or(0)});
  });
  std::vector<SentItem> picked;
  const std::uint64_t n = all.size();
  const std::uint64_t want = std::min(max, n);
  for (std::uint64_t k = 0; k < want; ++k) picked.push_back(all[k * n / want]);
  return picked;
}

void GenerateArudd(const ReportGenOptions& options, std::ostream& out) {
  ReportGenOptions o = options;
  if (o.processing_date == 0 && !o.returning.empty()) {
    for (const auto& i : o.returning) o.processing_date = std::max(o.processing_date, i.day + 3);
  }
  const FaultSet has(o.faults, kAruddFaults);
  std::mt19937_64 rng(o.seed);
  auto uniform = [&](std::uint64_t lo, std::uint64_t hi) {
    return std::uniform_int_distribution<std::uint64_t>(lo, hi)(rng);
  };
  const bool latin1 = has("latin1");
  const std::string day = schemas::FormatIsoDate(o.processing_date);
  std::string doc =
      fmt::format("<?xml version = '1.0' encoding = '{}'?>\n", latin1 ? "ISO-8859-1" : "UTF-8");
  if (has("doctype")) {
    doc += "<!DOCTYPE BACSDocument [<!ENTITY secret SYSTEM \"file:///etc/passwd\">]>\n";
  }
  const std::string report = o.credits ? "ARUCS" : "ARUDD";
  const std::string item = o.credits ? "ReturnedCreditItem" : "ReturnedDebitItem";
  doc +=
      "<BACSDocument xsi:noNamespaceSchemaLocation=\"newbacs-advices.xsd\" "
      "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n  <Data>\n    <" +
      report + ">\n";
  doc += fmt::format(
      "      <Header reportType=\"REFT1019\" adviceNumber=\"{:03}\" "
      "currentProcessingDate=\"{}\">\n      </Header>\n",
      uniform(1, 999), day);
  doc += fmt::format("      <AddresseeInformation name=\"{}\"/>\n",
                     latin1 ? "BOROUGH COUNCIL \xa3 ACCOUNTS" : "BOROUGH COUNCIL");
  doc += fmt::format(
      "      <ServiceLicenseInformation userName=\"BOROUGH COUNCIL\" userNumber=\"{}\"/>\n", o.sun);
  doc += "      <Advice>\n        <OriginatingAccountRecords>\n";
  doc += "          <OriginatingAccountRecord>\n";
  doc += fmt::format(
      "            <OriginatingAccount name=\"COUNCIL TAX\" number=\"{:08}\" sortCode=\"{}\" "
      "type=\"0\" bankName=\"SYNTHETIC BANK\" branchName=\"TOWN\"/>\n",
      uniform(10000000, 99999999), Hyphenated(uniform(100000, 999999)));
  std::uint64_t total = 0;
  const std::uint64_t count = o.returning.empty() ? o.records : o.returning.size();
  for (std::uint64_t i = 0; i < count; ++i) {
    const SentItem* sent = o.returning.empty() ? nullptr : &o.returning[i];
    const auto& reason = kReasons[uniform(0, kReasons.size() - 1)];
    const std::uint64_t pence = sent ? sent->amount : uniform(1000, 60000);
    total += pence;
    std::string amount = fmt::format("{}.{:02}", pence / 100, pence % 100);
    if (has("bad-amount") && i == count / 2) amount = std::to_string(pence / 100);
    std::string original = schemas::FormatIsoDate(
        sent ? sent->day : o.processing_date - static_cast<int>(uniform(3, 10)));
    if (has("original-date") && i == count / 3)
      original = schemas::FormatIsoDate(o.processing_date + 2);
    std::string payer_sort =
        sent ? Hyphenated(std::stoull(sent->dest_sort)) : Hyphenated(uniform(100000, 999999));
    if (has("bad-sort-code") && i == count / 4) payer_sort[1] = 'X';
    const std::string reference = sent ? sent->reference : fmt::format("CT{:010}", i + 1);
    const std::string account =
        sent ? sent->dest_account : fmt::format("{:08}", uniform(10000000, 99999999));
    doc += fmt::format(
        "            <{} ref=\"{}\" transCode=\"{}\" returnCode=\"{}\" "
        "returnDescription=\"{}\" originalProcessingDate=\"{}\" valueOf=\"{}\" currency=\"GBP\">\n"
        "              <PayerAccount number=\"{}\" ref=\"{}\" name=\"{} {}\" "
        "sortCode=\"{}\" bankName=\"SYNTHETIC BANK\" branchName=\"TOWN\"/>\n"
        "            </{}>\n",
        item, reference, o.credits ? "99" : "17", reason.first, reason.second, original, amount,
        account, reference, static_cast<char>('A' + uniform(0, 25)),
        kSurnames[uniform(0, kSurnames.size() - 1)], payer_sort, item);
  }
  std::uint64_t declared = total + (has("totals-value") ? 1 : 0);
  doc +=
      fmt::format("            <Totals numberOf=\"{}\" valueOf=\"{}.{:02}\" currency=\"GBP\"/>\n",
                  count + (has("totals-count") ? 1 : 0), declared / 100, declared % 100);
  doc +=
      "          </OriginatingAccountRecord>\n        </OriginatingAccountRecords>\n"
      "      </Advice>\n    </" +
      report + ">\n  </Data>\n";
  doc += "  <SignatureMethod> Vanilla </SignatureMethod>\n  <Signature>";
  for (int i = 0; i < 8; ++i) doc += "TUlJU0lHTkFUVVJFU1lOVEhFVElDQkxPQg==";
  doc += "</Signature>\n</BACSDocument>\n";
  if (has("truncated")) doc.resize(doc.size() * 2 / 3);
  out << doc;
}

SentSubmission SubmissionOf(const std::string& path) {
  // Payment items per day and direction, to tell the contras' part of the totals.
  std::map<std::pair<schemas::Day, bool>, std::pair<std::uint64_t, std::uint64_t>> by_day;
  const std::string business_key =
      ReadSentItems(path, [&](const schemas::bacs18::SubmittedItemRow& i) {
        auto& s = by_day[{schemas::ParseIsoDate(i.day).value_or(0), i.credit}];
        ++s.first;
        s.second += i.amount;
      });
  auto key = schemas::bacs18::ParseBacs18BusinessKey(business_key);
  if (!key) throw std::runtime_error(path + ": too broken to say what it submits");
  SentSubmission sent{key->sun, key->serial, {}};
  for (const auto& k : key->user_files) {
    SentSubmission::UserFile u;
    u.multi_day = k.day == "multi";
    u.day = schemas::ParseIsoDate(k.day).value_or(0);
    if (u.multi_day && !by_day.empty()) u.day = by_day.begin()->first.first;
    u.debit_count = k.debit_count;
    u.debit_value = k.debit_total;
    u.credit_count = k.credit_count;
    u.credit_value = k.credit_total;
    if (!u.multi_day && u.day != 0) {
      const auto debits = by_day[{u.day, false}], credits = by_day[{u.day, true}];
      u.debit_contras = u.debit_count - std::min(u.debit_count, debits.first);
      u.debit_contra_value = u.debit_value - std::min(u.debit_value, debits.second);
      u.credit_contras = u.credit_count - std::min(u.credit_count, credits.first);
      u.credit_contra_value = u.credit_value - std::min(u.credit_value, credits.second);
    }
    sent.user_files.push_back(u);
  }
  return sent;
}

namespace {

constexpr GenFault kInputFaults[] = {
    {"totals", "input.submission.totals", "Bacs counts one debit fewer than was sent"},
    {"unknown-serial", "input.submission.unknown", "a serial number the gateway never sent"},
    {"other-day", "input.submission.day", "a processing day one day later than the file's"},
    {"no-day", "input.user-file.day", "a user file with no processing day at all"},
    {"contra", "input.contra.exceeds", "a contra larger than the total it is part of"},
    {"rejected-item", "input.item.error", "an item Bacs rejected (a warning)"},
    {"bad-type", "xml.schema", "an ErrorMessage type Bacs does not use"},
};

std::string Pounds(std::uint64_t pence) {
  return fmt::format("{}.{:02}", pence / 100, pence % 100);
}

}  // namespace

std::span<const GenFault> InputFaults() noexcept { return kInputFaults; }

void GenerateInputReport(const ReportGenOptions& o, const SentSubmission& given,
                         std::ostream& out) {
  const FaultSet has(o.faults, kInputFaults);
  std::mt19937_64 rng(o.seed);
  auto uniform = [&](std::uint64_t lo, std::uint64_t hi) {
    return std::uniform_int_distribution<std::uint64_t>(lo, hi)(rng);
  };
  SentSubmission sent = given;
  if (sent.user_files.empty()) {  // made up: debits and their one contra
    sent.sun = o.sun;
    SentSubmission::UserFile u;
    u.day = o.processing_date + 2;
    u.debit_count = o.records;
    for (std::uint64_t i = 0; i < o.records; ++i) u.debit_value += uniform(1000, 60000);
    u.credit_count = u.credit_contras = 1;
    u.credit_value = u.credit_contra_value = u.debit_value;
    sent.user_files.push_back(u);
  }
  const std::string produced = schemas::FormatIsoDate(o.processing_date);
  std::string doc =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<BACSDocument xsi:noNamespaceSchemaLocation=\"newbacs-reports.xsd\" "
      "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n  <Data>\n    <InputReport>\n";
  doc += fmt::format(
      "      <Header reportType=\"REFT1016\">\n        <ProducedOn date=\"{}\" "
      "time=\"06:{:02}:00\"/>\n        <ProcessingDate date=\"{}\"/>\n      </Header>\n",
      produced, uniform(0, 59), produced);
  doc += "      <AddresseeInformation name=\"BOROUGH COUNCIL\"/>\n      <Submission>\n";
  doc += fmt::format(
      "        <SubmissionInformation submissionReferenceNumber=\"{:08}\" media=\"BACSTEL-IP\" "
      "volumeSerialNumber=\"{}\"/>\n        <UserFile>\n",
      uniform(0, 99999999), has("unknown-serial") ? "999999" : sent.serial);
  std::uint64_t file_number = 0;
  for (const auto& u : sent.user_files) {
    ++file_number;
    const bool first = file_number == 1;
    std::string day =
        u.day != 0 ? schemas::FormatIsoDate(u.day + (first && has("other-day"))) : std::string();
    if (first && has("no-day")) day.clear();
    doc += fmt::format(
        "          <InputUserFile>\n            <UserFileInformation userNumber=\"{}\" "
        "userFileNumber=\"{}\" uhl1WorkCode=\"{}\"{}/>\n",
        sent.sun, file_number, u.multi_day ? "4 MULTI" : "1 DAILY",
        day.empty() || u.multi_day ? "" : " uhl1ProcessingDate=\"" + day + "\"");
    const std::uint64_t missing = first && has("totals") && u.debit_count > 0 ? 1 : 0;
    doc += fmt::format("            <DaySection>\n              <DaySectionRecord{}>\n",
                       day.empty() ? "" : " processingDate=\"" + day + "\"");
    auto totals = [&](std::string_view name, std::uint64_t n, std::uint64_t v,
                      std::uint64_t contras, std::uint64_t contra_value, bool bad_contra) {
      std::string t =
          fmt::format("                <{} numberOf=\"{}\" valueOf=\"{}\"", name, n, Pounds(v));
      if (contras == 0 && !bad_contra) return t + "/>\n";
      return t + fmt::format(
                     ">\n                  <Contra numberOf=\"{}\" valueOf=\"{}\"/>\n"
                     "                </{}>\n",
                     contras, Pounds(contra_value + (bad_contra ? v + 1 : 0)), name);
    };
    doc += totals("Credit", u.credit_count, u.credit_value, u.credit_contras, u.credit_contra_value,
                  false);
    // One missing debit: Bacs's count and value both fall short (the amount of a typical item).
    const std::uint64_t short_value = missing ? std::min(u.debit_value, std::uint64_t{6500}) : 0;
    doc += totals("Debit", u.debit_count - missing, u.debit_value - short_value, u.debit_contras,
                  u.debit_contra_value, first && has("contra"));
    doc += "              </DaySectionRecord>\n            </DaySection>\n";
    if (first && (has("rejected-item") || has("bad-type"))) {
      doc += fmt::format(
          "            <Errors>\n              <Error>\n                <ErrorItem "
          "reference=\"CT{:010}\" valueOf=\"{}\"/>\n                <ErrorMessage "
          "type=\"{}\">DESTINATION ACCOUNT CLOSED</ErrorMessage>\n              </Error>\n"
          "            </Errors>\n",
          uniform(0, 9'999'999'999), Pounds(uniform(1000, 60000)),
          has("bad-type") ? "DELETED" : "REJECTED");
    }
    doc += "          </InputUserFile>\n";
  }
  doc += "        </UserFile>\n      </Submission>\n";
  doc +=
      "      <InputReportSummary>\n        <AccountTotals note=\"not described; carried\"/>\n"
      "      </InputReportSummary>\n    </InputReport>\n  </Data>\n";
  doc += "  <SignatureMethod>Vanilla</SignatureMethod>\n  <Signature>";
  for (int i = 0; i < 8; ++i) doc += "TUlJU0lHTkFUVVJFU1lOVEhFVElDQkxPQg==";
  doc += "</Signature>\n</BACSDocument>\n";
  out << doc;
}

namespace {

constexpr GenFault kMessagingFaults[] = {
    {"record-type", "messaging.record-type", "a record type the advice type does not carry"},
    {"reason-code", "messaging.reason-code", "a reason code Bacs does not define for it"},
    {"missing", "messaging.missing", "a record without its reference"},
    {"report-type", "messaging.report-type", "a header report-type for another advice type"},
    {"bad-sort-code", "xml.schema", "a payer sort code with a letter in it"},
};

}  // namespace

std::span<const GenFault> MessagingFaults() noexcept { return kMessagingFaults; }

void GenerateMessaging(const ReportGenOptions& o, std::string_view advice_type, std::ostream& out) {
  const FaultSet has(o.faults, kMessagingFaults);
  std::mt19937_64 rng(o.seed);
  auto uniform = [&](std::uint64_t lo, std::uint64_t hi) {
    return std::uniform_int_distribution<std::uint64_t>(lo, hi)(rng);
  };
  const bool addacs = advice_type == "ADDACS", awacs = advice_type == "AWACS";
  const std::string report_type = has("report-type")        ? "9999"
                                  : addacs                  ? "7001"
                                  : awacs                   ? "7002"
                                  : advice_type == "AUDACC" ? "7003"
                                                            : "7004";
  const std::string day = schemas::FormatIsoDate(o.processing_date);
  std::string doc =
      "<?xml version='1.0' encoding='UTF-8'?>\n<BACSDocument><Data>\n"
      "<MessagingAdvices>\n";
  doc += fmt::format(
      "<MessagingHeader advice-type=\"{}\" report-type=\"{}\" user-number=\"{}\" "
      "user-name=\"BOROUGH COUNCIL\" report-generation-date=\"{}\">\n</MessagingHeader>\n",
      advice_type, report_type, o.sun, day);
  if (!addacs && !awacs) {  // AUDDIS: a file summary first
    doc += fmt::format(
        "<MessagingAdvice record-type=\"V\" processing-date=\"{}\" accepted-ddi=\"{}\" "
        "rejected-ddi=\"{}\"/>\n",
        day, o.records, advice_type == "AUDREJ" ? o.records : 0);
  }
  static constexpr std::string_view kAddacsReasons = "0123BCDER";
  static constexpr std::string_view kAuddisReasons = "12357BCFGHIKLMNOPQ";
  for (std::uint64_t i = 0; i < o.records; ++i) {
    std::string type = addacs ? "A" : awacs ? "W" : "N";
    if (has("record-type") && i == o.records / 2) type = addacs ? "W" : "A";
    const std::string_view reasons = addacs ? kAddacsReasons : kAuddisReasons;
    char reason = reasons[uniform(0, reasons.size() - 1)];
    if (has("reason-code") && i == o.records / 3) reason = addacs ? 'Z' : '4';
    std::string sort = fmt::format("{:06}", uniform(100000, 999999));
    if (has("bad-sort-code") && i == o.records / 4) sort[2] = 'X';
    std::string reference = fmt::format(" reference=\"CT{:010}\"", i + 1);
    if (has("missing") && i == o.records / 5) reference.clear();
    std::string moved;
    if (awacs || reason == '3' || reason == 'C') {
      moved = fmt::format(" payer-new-sort-code=\"{:06}\" payer-new-account-number=\"{:08}\"",
                          uniform(100000, 999999), uniform(10000000, 99999999));
    }
    doc += fmt::format(
        "<MessagingAdvice record-type=\"{}\" effective-date=\"{}\"{} payer-name=\"A PAYER\" "
        "payer-account-number=\"{:08}\" payer-sort-code=\"{}\"{}{}/>\n",
        type, day, reference, uniform(10000000, 99999999), sort,
        awacs ? "" : fmt::format(" reason-code=\"{}\"", reason), moved);
  }
  doc +=
      "</MessagingAdvices>\n</Data>\n<SignatureMethod>Vanilla</SignatureMethod>\n"
      "</BACSDocument>\n";
  out << doc;
}

namespace {
constexpr GenFault kDdicFaults[] = {
    {"total", "ddic.total", "TotalValueOfDebits one penny more than the advices"},
    {"bad-amount", "xml.schema", "an advice amount without pence"},
    {"doctype", "xml.doctype", "a DOCTYPE with an external entity (XXE)"},
};
}  // namespace

std::span<const GenFault> DdicFaults() noexcept { return kDdicFaults; }

void GenerateDdic(const ReportGenOptions& o, std::ostream& out) {
  const FaultSet has(o.faults, kDdicFaults);
  std::mt19937_64 rng(o.seed);
  auto uniform = [&](std::uint64_t lo, std::uint64_t hi) {
    return std::uniform_int_distribution<std::uint64_t>(lo, hi)(rng);
  };
  std::string advices;
  std::uint64_t total = 0;
  for (std::uint64_t i = 0; i < o.records; ++i) {
    const std::uint64_t pence = uniform(1000, 60000);
    total += pence;
    std::string amount = fmt::format("{}.{:02}", pence / 100, pence % 100);
    if (has("bad-amount") && i == o.records / 2) amount = std::to_string(pence / 100);
    advices += fmt::format(
        "        <DDICAdvice>\n          <ReasonCode>1</ReasonCode>\n"
        "          <ReasonCodeMeaning>NO INSTRUCTION</ReasonCodeMeaning>\n"
        "          <SUReference>CT{:010}</SUReference>\n"
        "          <PayingBankReference>PB{:08}</PayingBankReference>\n"
        "          <TotalAmount> {} </TotalAmount>\n        </DDICAdvice>\n",
        i + 1, uniform(0, 99999999), amount);
  }
  const std::uint64_t declared = total + (has("total") ? 1 : 0);
  std::string doc = "<?xml version='1.0' encoding='UTF-8'?>\n";
  if (has("doctype"))
    doc += "<!DOCTYPE VocaDocument [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n";
  doc += fmt::format(
      "<VocaDocument>\n  <Data>\n    <Document>\n      <ServiceUserNumber>{}</ServiceUserNumber>\n"
      "      <NewAdvices>\n        <DateOfDebit>{}</DateOfDebit>\n"
      "        <TotalValueOfDebits>{}.{:02}</TotalValueOfDebits>\n",
      o.sun, schemas::FormatIsoDate(o.processing_date), declared / 100, declared % 100);
  doc += advices;
  doc += "      </NewAdvices>\n    </Document>\n  </Data>\n</VocaDocument>\n";
  out << doc;
}

}  // namespace rbgate::gateway
