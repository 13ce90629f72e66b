#include "gateway/gen/bacs18.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <random>
#include <stdexcept>

namespace rbgate::gateway {
namespace {

using schemas::Day;

constexpr GenFault kFaults[] = {
    {"bad-sort-code", "bacs18.data.dest-sort-code", "a letter in a destination sort code"},
    {"bad-account", "bacs18.data.dest-account", "a non-digit in a destination account"},
    {"modulus", "bacs18.modulus.failed", "an account number that fails modulus checking"},
    {"transaction-code", "bacs18.data.transaction-code", "an unknown transaction code"},
    {"charset", "bacs18.data.charset", "a character outside the Bacs set in a name"},
    {"lowercase", "bacs18.data.lowercase", "lower-case letters in a name (a warning)"},
    {"blank-name", "bacs18.data.dest-name", "a blank destination account name"},
    {"zero-amount", "bacs18.data.amount-zero", "a collection of zero pence"},
    {"amount-format", "bacs18.data.amount", "a non-digit in an amount"},
    {"instruction-amount", "bacs18.data.amount-on-instruction", "an instruction with an amount"},
    {"auddis-reference", "bacs18.auddis.reference",
     "an instruction reference of one letter repeated"},
    {"duplicate-item", "bacs18.data.duplicate-item", "one item repeated (a warning)"},
    {"debit-total", "bacs18.utl1.debit-total", "a UTL1 debit total one penny out"},
    {"debit-count", "bacs18.utl1.debit-count", "a UTL1 debit count one out"},
    {"credit-total", "bacs18.utl1.credit-total", "a UTL1 credit total one penny out"},
    {"contra-mismatch", "bacs18.contra.mismatch", "a contra one pound out"},
    {"missing-contra", "bacs18.contra.missing", "no contra record"},
    {"weekend", "bacs18.calendar.non-processing-day", "a processing day on a Saturday"},
    {"bank-holiday", "bacs18.calendar.non-processing-day", "a processing day on a bank holiday"},
    {"past-day", "bacs18.calendar.before-as-of", "a processing day before the creation date"},
    {"far-day", "bacs18.calendar.too-far-ahead", "a processing day 40 days ahead"},
    {"short-record", "bacs18.record.length", "a data record one byte short"},
    {"unknown-record", "bacs18.record.unknown-type", "a record of junk among the data"},
    {"serial-mismatch", "bacs18.hdr1.set-id-mismatch", "HDR1's file set id differs from VOL1"},
    {"sun-mismatch", "bacs18.hdr1.sun-mismatch", "HDR1's SUN differs from VOL1"},
    {"bad-date", "bacs18.date.invalid", "a creation date of day 400"},
    {"eof-mismatch", "bacs18.eof1.mismatch", "EOF1 differs from HDR1"},
    {"truncated", "bacs18.structure.truncated", "the file stops after EOF2, without UTL1"},
    {"work-code", "bacs18.uhl1.work-code", "an unknown UHL1 work code"},
    {"mixed-line-endings", "bacs18.record.mixed-line-endings", "one LF line in a CRLF file"},
};

constexpr std::array<std::string_view, 24> kSurnames = {
    "SMITH",    "JONES",  "TAYLOR",   "BROWN",  "WILLIAMS", "WILSON", "JOHNSON", "DAVIES",
    "ROBINSON", "WRIGHT", "THOMPSON", "EVANS",  "WALKER",   "WHITE",  "ROBERTS", "GREEN",
    "HALL",     "WOOD",   "JACKSON",  "CLARKE", "PATEL",    "KHAN",   "OKAFOR",  "NOWAK"};

std::string Pad(std::string s, std::size_t n, char fill = ' ') {
  s.resize(n, fill);
  return s;
}

struct Item {
  std::string sort, account, code, reference, name;
  std::uint64_t amount;
  Day day;
  std::size_t origin;  // index into origins
};

class Writer {
 public:
  Writer(std::ostream& out, std::string eol) : out_(out), eol_(std::move(eol)) {}
  void Line(const std::string& record) {
    out_ << record;
    if (!force_lf_) {
      out_ << eol_;
    } else {
      out_ << "\n";
      force_lf_ = false;
    }
  }
  void NextLf() { force_lf_ = true; }

 private:
  std::ostream& out_;
  std::string eol_;
  bool force_lf_ = false;
};

}  // namespace

std::span<const GenFault> GenFaults() noexcept { return kFaults; }

std::vector<std::string> CheckedSortCodes(const schemas::ModulusChecker& modulus,
                                          const Uniform& uniform, std::size_t want) {
  std::vector<std::string> sorts;
  for (int tries = 0; sorts.size() < want && tries < 2'000'000; ++tries) {
    auto s = fmt::format("{:06}", uniform(10000, 999999));
    if (modulus.Check(s, "00000000") == schemas::ModulusResult::kUnchecked) continue;
    int found = 0;
    for (int i = 0; i < 300 && !found; ++i) {
      found = modulus.Check(s, fmt::format("{:08}", uniform(0, 99999999))) ==
              schemas::ModulusResult::kValid;
    }
    if (found) sorts.push_back(s);
  }
  if (sorts.empty()) throw std::runtime_error("no usable sort codes in the modulus tables");
  return sorts;
}

std::string ValidAccount(const schemas::ModulusChecker& modulus, const std::string& sort,
                         const Uniform& uniform) {
  while (true) {
    auto a = fmt::format("{:08}", uniform(0, 99999999));
    if (modulus.Check(sort, a) == schemas::ModulusResult::kValid) return a;
  }
}

void GenerateBacs18(const GenOptions& o, const schemas::Calendar& calendar,
                    const schemas::ModulusChecker& modulus, std::ostream& out) {
  auto has = [&](std::string_view f) {
    return std::find(o.faults.begin(), o.faults.end(), f) != o.faults.end();
  };
  for (const auto& f : o.faults) {
    if (std::none_of(std::begin(kFaults), std::end(kFaults),
                     [&](const GenFault& g) { return g.name == f; })) {
      throw std::runtime_error("unknown fault '" + f + "' (see rbgate gen --help)");
    }
  }
  std::mt19937_64 rng(o.seed);
  auto uniform = [&](std::uint64_t lo, std::uint64_t hi) {
    return std::uniform_int_distribution<std::uint64_t>(lo, hi)(rng);
  };

  // Processing days: the second working day after creation, and (multi-day) two more.
  Day first = calendar.NextWorkingDay(o.creation_date + 2);
  if (first > calendar.last_day()) {
    throw std::runtime_error("the calendar (" + calendar.source() + ") ends before " +
                             schemas::FormatIsoDate(o.creation_date + 2));
  }
  std::vector<Day> days{first};
  if (o.multi_day) {
    days.push_back(calendar.NextWorkingDay(first + 1));
    days.push_back(calendar.NextWorkingDay(days.back() + 1));
  }
  Day fault_day = first;
  if (has("weekend")) {
    fault_day = first;
    while (schemas::Weekday(fault_day) != 5) ++fault_day;
  } else if (has("bank-holiday")) {
    fault_day = first;
    while (calendar.Classify(fault_day) != schemas::Calendar::DayKind::kBankHoliday) ++fault_day;
  } else if (has("past-day")) {
    fault_day = o.creation_date - 1;
  } else if (has("far-day")) {
    fault_day = o.creation_date + 40;
  }
  if (fault_day != first) days[0] = fault_day;

  // A pool of destination sort codes that modulus checking covers.
  const std::vector<std::string> sorts = CheckedSortCodes(modulus, uniform);
  auto valid_account = [&](const std::string& sort) {
    return ValidAccount(modulus, sort, uniform);
  };
  // The council's own collection accounts: a new one every 200,000 items, so that no
  // contra exceeds 11 digits.
  struct Origin {
    std::string sort, account;
  };
  std::vector<Origin> origins;
  auto origin = [&](std::size_t i) -> const Origin& {
    while (origins.size() <= i) {
      const auto& s = sorts[origins.size() % sorts.size()];
      origins.push_back({s, valid_account(s)});
    }
    return origins[i];
  };
  const std::string user_name = Pad("COUNCIL TAX", 18);

  std::string vol1 = Pad("VOL1" + o.serial + " ", 41) + o.sun;
  vol1 = Pad(vol1, 79) + "1";
  std::string creation = schemas::FormatYyddd(o.creation_date);
  if (has("bad-date")) creation = creation.substr(0, 3) + "400";
  std::string hdr1 = Pad("HDR1A" + (has("sun-mismatch") ? std::string("654321") : o.sun) + "S   " +
                             o.sun + (has("serial-mismatch") ? std::string("000999") : o.serial) +
                             "00010001      " + creation + creation + " 000000",
                         80);
  std::string hdr2 = Pad(std::string("HDR2F02000") + (o.multi_day ? "00106" : "00100"), 50);
  hdr2 = Pad(hdr2 + "00", 80);
  std::string work = has("work-code") ? "2 WEEKLY " : (o.multi_day ? "4 MULTI  " : "1 DAILY  ");
  std::string uhl1 =
      Pad("UHL1" + (o.multi_day ? std::string(6, ' ') : schemas::FormatYyddd(days[0])) +
              "999999    00000000" + work + "001       " + "AUDIT01",
          80);

  Writer w(out, o.line_ending);
  w.Line(vol1);
  w.Line(hdr1);
  w.Line(hdr2);
  w.Line(uhl1);

  std::uint64_t debit_total = 0, credit_total = 0, debit_count = 0, credit_count = 0;
  // Sums per (origin, day) for contras.
  struct Key {
    std::size_t origin;
    Day day;
    bool operator<(const Key& k) const { return std::tie(origin, day) < std::tie(k.origin, k.day); }
  };
  std::vector<std::pair<Key, std::uint64_t>> contras;
  auto add_contra = [&](std::size_t oi, Day d, std::uint64_t amount) {
    for (auto& [k, v] : contras) {
      if (k.origin == oi && k.day == d) {
        v += amount;
        return;
      }
    }
    contras.push_back({{oi, d}, amount});
  };

  // Where each single-record fault lands: spread over the file, deterministic.
  auto at = [&](std::string_view fault, std::uint64_t slot) -> std::uint64_t {
    if (!has(fault) || o.records == 0) return UINT64_MAX;
    return (o.records * (slot + 1)) / 23 % o.records;
  };
  const std::uint64_t at_sort = at("bad-sort-code", 1), at_account = at("bad-account", 2),
                      at_modulus = at("modulus", 3), at_code = at("transaction-code", 4),
                      at_charset = at("charset", 5), at_lower = at("lowercase", 6),
                      at_blank = at("blank-name", 7), at_zero = at("zero-amount", 8),
                      at_amount = at("amount-format", 9), at_instr = at("instruction-amount", 10),
                      at_auddis = at("auddis-reference", 11), at_dup = at("duplicate-item", 12),
                      at_short = at("short-record", 13), at_junk = at("unknown-record", 14),
                      at_lf = at("mixed-line-endings", 15);

  std::string prev;
  for (std::uint64_t i = 0; i < o.records; ++i) {
    const std::size_t oi = static_cast<std::size_t>(i / 200'000);
    const Origin& org = origin(oi);
    const Day day = days[o.multi_day ? i % days.size() : 0];
    const auto& sort = sorts[uniform(0, sorts.size() - 1)];
    std::string account = valid_account(sort);
    std::uint64_t roll = uniform(0, 99);
    std::string code = roll < 5 ? "0N" : roll < 15 ? "01" : "17";
    if (i == at_instr || i == at_auddis) code = "0N";
    std::uint64_t amount = code == "0N" ? 0 : uniform(1'000, 60'000);
    std::string reference = fmt::format("CT{:010}", uniform(0, 9'999'999'999));
    std::string name = fmt::format("{} {}", static_cast<char>('A' + uniform(0, 25)),
                                   kSurnames[uniform(0, kSurnames.size() - 1)]);

    std::string sort_out = sort;
    if (i == at_sort) sort_out[2] = 'X';
    if (i == at_account) account[3] = 'O';
    if (i == at_modulus) {
      while (modulus.Check(sort, account) != schemas::ModulusResult::kInvalid) {
        account[7] = static_cast<char>('0' + (account[7] - '0' + 1) % 10);
      }
    }
    if (i == at_code) code = "X1";
    if (i == at_charset) name[1] = '*';
    if (i == at_lower) name = fmt::format("{} {}", "a", "smith");
    if (i == at_blank) name.clear();
    if (i == at_zero) {
      code = "17";
      amount = 0;
    }
    if (i == at_instr) amount = 1234;
    if (i == at_auddis) reference = "AAAAAAAA";

    std::string amount_text = fmt::format("{:011}", amount);
    if (i == at_amount) amount_text[5] = 'Z';
    std::string rec =
        fmt::format("{}{}0{}{}{}    {}{}{}{}", sort_out, account, code, org.sort, org.account,
                    amount_text, user_name, Pad(reference, 18), Pad(name, 18));
    if (o.multi_day) rec += schemas::FormatYyddd(day);
    if (i == at_short) rec.pop_back();
    if (i == at_junk) {
      w.Line(Pad("JUNK RECORD", rec.size()));
    }
    if (i == at_lf) w.NextLf();
    w.Line(rec);

    int copies = (i == at_dup) ? 2 : 1;
    if (copies == 2) w.Line(rec);
    if (i == at_amount || i == at_short || code == "0N" || code == "X1") continue;
    for (int c = 0; c < copies; ++c) {
      ++debit_count;
      debit_total += amount;
      add_contra(oi, day, amount);
    }
  }

  if (!has("missing-contra")) {
    bool first_contra = true;
    for (auto& [k, sum] : contras) {
      const Origin& org = origins[k.origin];
      std::uint64_t amount = sum;
      if (first_contra && has("contra-mismatch")) amount += 100;
      first_contra = false;
      std::string rec = org.sort + org.account + "099" + org.sort + org.account + "    " +
                        fmt::format("{:011}", amount) + user_name + Pad("CONTRA", 18) +
                        Pad("COUNCIL TAX", 18);
      if (o.multi_day) rec += schemas::FormatYyddd(k.day);
      w.Line(rec);
      ++credit_count;
      credit_total += amount;
    }
  }
  if (has("debit-total")) ++debit_total;
  if (has("debit-count")) ++debit_count;
  if (has("credit-total")) ++credit_total;

  std::string eof1 = "EOF1" + hdr1.substr(4);
  if (has("eof-mismatch")) eof1[30] = '9';
  w.Line(eof1);
  w.Line("EOF2" + hdr2.substr(4));
  if (has("truncated")) return;
  w.Line(Pad(fmt::format("UTL1{:013}{:013}{:07}{:07}", debit_total, credit_total, debit_count,
                         credit_count),
             80));
}

}  // namespace rbgate::gateway
