#include "schemas/bacs18/validator.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

#include "parsers/bacs18/rules.h"
#include "schemas/values.h"

namespace rbgate::schemas::bacs18 {
namespace {

namespace rules = parsers::bacs18::rules;
using p18::RecordKind;

std::string_view Trim(std::string_view s) {
  auto e = s.find_last_not_of(' ');
  return e == std::string_view::npos ? std::string_view{} : s.substr(0, e + 1);
}

std::uint64_t Digits(std::string_view s) {
  std::uint64_t v = 0;
  for (char c : s) v = v * 10 + static_cast<std::uint64_t>(c - '0');
  return v;
}

enum class TxClass : std::uint8_t { kDebit, kCredit, kInstruction, kUnknown };

// Debits 01 17 18 19; credits 99 Z4 Z5; AUDDIS instructions 0N 0C 0S.
TxClass Classify(std::string_view c) noexcept {
  switch (c[0] << 8 | c[1]) {
    case '0' << 8 | '1':
    case '1' << 8 | '7':
    case '1' << 8 | '8':
    case '1' << 8 | '9':
      return TxClass::kDebit;
    case '9' << 8 | '9':
    case 'Z' << 8 | '4':
    case 'Z' << 8 | '5':
      return TxClass::kCredit;
    case '0' << 8 | 'N':
    case '0' << 8 | 'C':
    case '0' << 8 | 'S':
      return TxClass::kInstruction;
    default:
      return TxClass::kUnknown;
  }
}

bool AllSpaces(std::string_view s) { return s.find_first_not_of(' ') == std::string_view::npos; }

bool IsDigits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string_view Expected(int state) {
  static constexpr std::string_view kNames[] = {"VOL1",
                                                "HDR1",
                                                "HDR2",
                                                "UHL1",
                                                "a data record, EOF1 or UTL1",
                                                "a data record, EOF1 or UTL1",
                                                "EOF2",
                                                "UTL1",
                                                "UHL1, HDR1 or the end of the file",
                                                "EOF1",
                                                "EOF2",
                                                "UHL1, HDR1 or the end of the file"};
  return kNames[state];
}

std::uint64_t Mix(std::uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

std::uint64_t Load8(const char* p) {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

constexpr std::size_t kHistogramBuckets = 8 * 40;
// Eight buckets per doubling: the exponent and the next three bits of the mantissa.
std::size_t Bucket(std::uint64_t pence) {
  if (pence == 0) return 0;
  const int e = std::bit_width(pence) - 1;
  const std::uint64_t frac = e >= 3 ? (pence >> (e - 3)) & 7 : (pence << (3 - e)) & 7;
  return std::min<std::size_t>(kHistogramBuckets - 1, static_cast<std::size_t>(e) * 8 + frac);
}
// The smallest amount in bucket `b`.
double BucketFloor(std::size_t b) { return std::ldexp(1.0 + double(b % 8) / 8.0, int(b / 8)); }

}  // namespace

Validator::Validator(const ValidatorOptions& options, parsers::DiagnosticSink& diagnostics)
    : options_(options),
      diagnostics_(diagnostics),
      items_seen_(options.duplicate_window),
      histogram_(kHistogramBuckets, 0) {}

void Validator::Location::Set(const p18::Record& r) noexcept {
  offset = r.offset;
  line = r.line;
  column = r.column;
  number = r.number;
  kind = r.kind;
  length = static_cast<std::uint16_t>(std::min(r.bytes.size(), kMaxBytes));
  std::memcpy(bytes, r.bytes.data(), length);
}

void Validator::Report(const p18::Record& r, std::string_view field, const parsers::Rule& rule,
                       std::string message) {
  if (diagnostics_.Saturated(rule)) {
    diagnostics_.Report(parsers::Diagnostic{.rule = &rule});
    return;
  }
  if (field.empty() || r.bytes.size() < p18::kLabelLength) {
    parsers::Diagnostic d;
    d.rule = &rule;
    d.offset = r.offset;
    d.line = r.line;
    d.column = r.column;
    d.record = r.number;
    d.excerpt.assign(r.bytes);
    d.width = static_cast<std::uint32_t>(r.bytes.size());
    d.message = std::move(message);
    for (const auto& pf : p18::FieldsOf(r.kind, r.bytes.size() >= p18::kMultiDayDataLength)) {
      if (pf.personal && pf.end() <= r.bytes.size()) {
        d.personal.push_back(parsers::Span{pf.begin(), pf.end()});
      }
    }
    diagnostics_.Report(std::move(d));
    return;
  }
  diagnostics_.Report(
      p18::FieldDiagnostic(r, p18::FieldNamed(r.kind, field), rule, std::move(message)));
}

void Validator::Report(const Location& at, std::string_view field, const parsers::Rule& rule,
                       std::string message) {
  p18::Record r{};
  r.kind = at.kind;
  r.bytes = at.view();
  r.offset = at.offset;
  r.line = at.line;
  r.column = at.column;
  r.number = at.number;
  Report(r, field, rule, std::move(message));
}

void Validator::OnRecord(const p18::Record& r) {
  Structure(r);
  if (r.well_formed || r.kind == RecordKind::kData) {
    switch (r.kind) {
      case RecordKind::kVol1:
        OnVol1(r);
        break;
      case RecordKind::kHdr1:
        OnHdr1(r);
        break;
      case RecordKind::kHdr2:
        hdr2_.assign(r.bytes);
        hdr2_known_ = true;
        hdr2_multi_day_ = r.bytes.substr(10, 5) == "00106";
        break;
      case RecordKind::kUhl1:
        OnUhl1(r);
        break;
      case RecordKind::kData:
        OnData(r);
        break;
      case RecordKind::kEof1:
      case RecordKind::kEof2:
        OnEof(r);
        break;
      case RecordKind::kUtl1:
        OnUtl1(r);
        break;
    }
  } else if (r.kind == RecordKind::kEof1 || r.kind == RecordKind::kEof2) {
    CloseUserFile();
  }
  if (r.kind == RecordKind::kData) {
    // Only its position: copying every record's bytes would cost more than the rest of
    // this function, and the end-of-file findings need no excerpt of a data record.
    last_.offset = r.offset;
    last_.line = r.line;
    last_.column = r.column;
    last_.number = r.number;
    last_.kind = r.kind;
    last_.length = 0;
  } else {
    last_.Set(r);
  }
}

// The order of records: a table of what may follow what. An unexpected record is reported
// and then taken for what it is, so one missing label gives one finding, not a cascade.
void Validator::Structure(const p18::Record& r) {
  const State s = state_;
  bool ok = false;
  State next = s;
  switch (r.kind) {
    case RecordKind::kVol1:
      ok = s == State::kStart;
      next = State::kVol1;
      break;
    case RecordKind::kHdr1:
      ok = s == State::kVol1 || s == State::kDone || s == State::kEof2Late;
      next = State::kHdr1;
      break;
    case RecordKind::kHdr2:
      ok = s == State::kHdr1;
      next = State::kHdr2;
      break;
    case RecordKind::kUhl1:
      ok = s == State::kHdr2 || s == State::kDone || s == State::kEof2Late;
      next = State::kUhl1;
      break;
    case RecordKind::kData:
      ok = s == State::kUhl1 || s == State::kData;
      next = State::kData;
      break;
    case RecordKind::kEof1:
      ok = s == State::kUhl1 || s == State::kData || s == State::kUtl1Early;
      next = s == State::kUtl1Early ? State::kEof1Late : State::kEof1;
      break;
    case RecordKind::kEof2:
      ok = s == State::kEof1 || s == State::kEof1Late;
      next = s == State::kEof1Late ? State::kEof2Late : State::kEof2;
      break;
    case RecordKind::kUtl1:
      ok = s == State::kEof2 || s == State::kUhl1 || s == State::kData;
      next = s == State::kEof2 ? State::kDone : State::kUtl1Early;
      if (ok && next == State::kUtl1Early) {
        Report(r, {}, rules::kLabelOrder, "UTL1 comes before EOF1 and EOF2");
      }
      if (!ok) next = State::kDone;
      break;
  }
  if (!ok) {
    Report(r, {}, rules::kUnexpectedRecord,
           fmt::format("{} where {} was expected", p18::RecordKindName(r.kind),
                       Expected(static_cast<int>(s))));
  }
  if (next == State::kUhl1 || (next == State::kData && !in_user_file_)) {
    if (in_user_file_) CloseUserFile();
    in_user_file_ = true;
    current_ = UserFile{};
    groups_.clear();
  }
  state_ = next;
}

void Validator::OnVol1(const p18::Record& r) {
  facts_.serial.assign(r.bytes.substr(4, 6));
  facts_.sun.assign(r.bytes.substr(41, 6));
}

void Validator::CheckDateField(const p18::Record& r, std::string_view field,
                               std::optional<Day>& out) {
  const auto& f = p18::FieldNamed(r.kind, field);
  auto text = r.bytes.substr(f.begin(), f.length);
  out = ParseYyddd(text);
  if (!out) {
    Report(r, field, rules::kDateInvalid,
           fmt::format("{} {} names day {} of 20{}, which does not exist", f.description, text,
                       text.substr(3, 3), text.substr(1, 2)));
  }
}

void Validator::OnHdr1(const p18::Record& r) {
  hdr1_.assign(r.bytes);
  auto sun = r.bytes.substr(5, 6);
  if (!facts_.sun.empty() && sun != facts_.sun) {
    Report(r, "sun", rules::kHdr1SunMismatch,
           fmt::format("HDR1 service user number {} differs from VOL1's {}", sun, facts_.sun));
  }
  auto set_id = r.bytes.substr(21, 6);
  if (!facts_.serial.empty() && set_id != facts_.serial) {
    Report(r, "set_id", rules::kHdr1SetIdMismatch,
           fmt::format("HDR1 file set identifier {} differs from the VOL1 serial number {}", set_id,
                       facts_.serial));
  }
  std::optional<Day> creation, expiry;
  CheckDateField(r, "creation_date", creation);
  CheckDateField(r, "expiry_date", expiry);
  if (creation && expiry && *expiry < *creation) {
    Report(r, "expiry_date", rules::kExpiryBeforeCreation,
           fmt::format("expiry date {} is before the creation date {}", FormatIsoDate(*expiry),
                       FormatIsoDate(*creation)));
  }
  if (!facts_.creation_date) facts_.creation_date = creation;
}

void Validator::CheckProcessingDay(const p18::Record& r, const p18::Field& f, Day day) {
  const Calendar& cal = *options_.calendar;
  const std::string iso = FormatIsoDate(day);
  switch (cal.Classify(day)) {
    case Calendar::DayKind::kOutOfRange:
      Report(
          r, f.name, rules::kCalendarOutOfRange,
          fmt::format("processing day {} is outside the calendar ({} covers {} to {})", iso,
                      cal.source(), FormatIsoDate(cal.first_day()), FormatIsoDate(cal.last_day())));
      break;
    case Calendar::DayKind::kWeekend:
      Report(
          r, f.name, rules::kNonProcessingDay,
          fmt::format("processing day {} is a {}", iso, Weekday(day) == 5 ? "Saturday" : "Sunday"));
      break;
    case Calendar::DayKind::kBankHoliday:
      Report(r, f.name, rules::kNonProcessingDay,
             fmt::format("processing day {} is a bank holiday ({})", iso, cal.HolidayName(day)));
      break;
    case Calendar::DayKind::kWorking:
      break;
  }
  std::optional<Day> as_of = options_.as_of ? options_.as_of : facts_.creation_date;
  if (!as_of) return;
  const char* against = options_.as_of ? "the --as-of date" : "the file's creation date";
  if (day < *as_of) {
    Report(r, f.name, rules::kBeforeAsOf,
           fmt::format("processing day {} is before {} {}", iso, against, FormatIsoDate(*as_of)));
  } else if (day > *as_of + options_.max_days_ahead) {
    Report(r, f.name, rules::kTooFarAhead,
           fmt::format("processing day {} is {} days after {} {}; the most is {}", iso,
                       day - *as_of, against, FormatIsoDate(*as_of), options_.max_days_ahead));
  }
}

void Validator::OnUhl1(const p18::Record& r) {
  current_.multi_day = r.bytes.substr(28, 9) == "4 MULTI  ";
  if (hdr2_known_ && current_.multi_day != hdr2_multi_day_) {
    Report(r, "work_code", rules::kWorkCodeMismatch,
           fmt::format("work code '{}' disagrees with HDR2's record length {}",
                       r.bytes.substr(28, 9), hdr2_multi_day_ ? "00106" : "00100"));
  }
  auto party = r.bytes.substr(10, 6);
  if (party != "999999" && party != facts_.sun) {
    Report(r, "receiving_party", rules::kReceivingPartyUnusual,
           fmt::format("receiving party {} is neither 999999 nor the SUN {}", party, facts_.sun));
  }
  const auto& f = p18::FieldNamed(RecordKind::kUhl1, "processing_day");
  auto text = r.bytes.substr(f.begin(), f.length);
  if (text == "      ") {
    if (!current_.multi_day) {
      Report(r, "processing_day", rules::kProcessingDayMissing,
             "UHL1 has no processing day, and the work code is 1 DAILY");
    }
    return;
  }
  CheckDateField(r, "processing_day", current_.processing_day);
  if (current_.processing_day) CheckProcessingDay(r, f, *current_.processing_day);
}

std::string AuddisReferenceProblem(std::string_view reference) {
  const std::string_view ref = Trim(reference);
  if (!reference.empty() && reference[0] == ' ') return "starts with a space";
  if (ref.size() < 6) {
    return fmt::format("has {} significant characters; at least 6 are needed", ref.size());
  }
  if (ref.find_first_not_of(ref[0]) == std::string_view::npos) return "is one character repeated";
  if (ref.starts_with("DDIC")) return "starts with DDIC, which Bacs reserves for indemnity claims";
  return {};
}

void Validator::CheckModulus(const p18::Record& r, std::string_view sort, std::string_view account,
                             std::string_view field, bool dest) {
  if (options_.modulus == nullptr) return;
  if (!r.well_formed && (!IsDigits(sort) || !IsDigits(account))) return;
  switch (options_.modulus->Check(sort, account)) {
    case ModulusResult::kValid:
      return;
    case ModulusResult::kInvalid:
      Report(r, field, rules::kModulusFailed,
             fmt::format("{} account number at sort code {} fails modulus checking ({})",
                         dest ? "destination" : "originating", sort, options_.modulus->version()));
      return;
    case ModulusResult::kUnchecked:
      Report(r, field, rules::kModulusUnchecked,
             fmt::format("sort code {} is in no modulus range ({}); the account was not checked",
                         sort, options_.modulus->version()));
      return;
  }
}

void Validator::OnData(const p18::Record& r) {
  ++facts_.data_records;
  if (r.data == nullptr) return;
  const p18::DataRecord& d = *r.data;
  const bool multi = r.bytes.size() == p18::kMultiDayDataLength;
  const bool expected_multi = hdr2_known_ ? hdr2_multi_day_ : current_.multi_day;
  if (multi != expected_multi) {
    Report(r, {}, rules::kRecordLengthMismatch,
           fmt::format("data record is {} bytes but {} says {}", r.bytes.size(),
                       hdr2_known_ ? "HDR2" : "UHL1", expected_multi ? 106 : 100));
  }

  // Processing day: the record's own in multi-day files, else UHL1's.
  std::optional<Day> day = current_.processing_day;
  if (multi) {
    day = ParseYyddd(d.processing_day());
    if (!day && IsDigits(d.processing_day().substr(1))) {
      Report(r, "processing_day", rules::kDateInvalid,
             fmt::format("processing day {} does not exist", d.processing_day()));
    }
    if (day && day != judged_day_) {
      judged_day_ = day;
      CheckProcessingDay(r, p18::FieldNamed(RecordKind::kData, "processing_day"), *day);
    }
  }

  const std::string_view code = d.transaction_code();
  const std::string_view reference = d.reference();
  // A contra: reference CONTRA, and originating account (18-31) equal to destination (1-14).
  const bool contra = reference.substr(0, 6) == "CONTRA" && AllSpaces(reference.substr(6)) &&
                      r.bytes.substr(0, 14) == r.bytes.substr(17, 14);
  if (!d.amount_ok) return;
  const std::uint64_t amount = d.amount;
  const TxClass tx = Classify(code);
  const bool debit = tx == TxClass::kDebit;
  const bool credit = tx == TxClass::kCredit;

  // The duplicate-item fingerprint, computed first so that its slot can load into cache
  // while the rest of the record is judged. The destination sort code and account are the
  // record's first 14 bytes.
  const bool track = !contra && (debit || credit) && items_seen_.size() < options_.duplicate_window;
  std::uint64_t fingerprint = 0;
  if (track) {
    // Independent multiplies, one final mix: short dependency chain.
    const char* p = r.bytes.data();
    const char* ref = reference.data();
    fingerprint =
        Mix((Load8(p) * 0x9E3779B97F4A7C15ULL) ^ (Load8(p + 6) * 0xC2B2AE3D27D4EB4FULL) ^
            (amount * 0x165667B19E3779F9ULL) ^ (Load8(ref) * 0xD6E8FEB86659FD93ULL) ^
            (Load8(ref + 8) * 0xFF51AFD7ED558CCDULL) ^ (Load8(ref + 10) * 0xC4CEB9FE1A85EC53ULL));
    items_seen_.Prefetch(fingerprint);
    // Insert kDuplicateLag items later, when the slot has arrived.
    if (pending_count_ == pending_.size()) {
      InsertPending(pending_[pending_head_]);
      pending_head_ = (pending_head_ + 1) % pending_.size();
      --pending_count_;
    }
    PendingItem& item = pending_[(pending_head_ + pending_count_++) % pending_.size()];
    item.fingerprint = fingerprint;
    item.amount = amount;
    item.at.Set(r);
  }

  if (tx == TxClass::kInstruction) {
    ++current_.instructions;
    if (amount != 0) {
      Report(r, "amount", rules::kAmountOnInstruction,
             fmt::format("instruction {} carries {}; instructions carry no value", code,
                         FormatPounds(amount)));
    }
  } else if (amount == 0 && (debit || credit)) {
    Report(r, "amount", rules::kAmountZero,
           fmt::format("transaction code {} with a zero amount", code));
  }
  if (debit) {
    current_.debit_total += amount;
    ++current_.debit_count;
  } else if (credit) {
    current_.credit_total += amount;
    ++current_.credit_count;
  }

  if (debit || credit) {
    // Consecutive items usually share an originating account and day: compare the raw
    // bytes (positions 18-31) before building a key.
    const std::string_view origin = r.bytes.substr(17, 14);
    const Day group_day = day.value_or(0);
    if (last_group_ == nullptr || origin != std::string_view(last_origin_, 14) ||
        group_day != last_key_.day) {
      const GroupKey key{IsDigits(origin) ? Digits(origin) : 0, group_day};
      last_group_ = &groups_[key];
      last_key_ = key;
      std::memcpy(last_origin_, origin.data(), 14);
    }
    Group& g = *last_group_;
    if (contra) {
      if (code == "99") {
        g.contra99 += amount;
        g.has99 = true;
        g.last99.Set(r);
      } else if (code == "17") {
        g.contra17 += amount;
        g.has17 = true;
        g.last17.Set(r);
      }
    } else {
      if (g.debits == 0 && g.credits == 0) g.first_item.Set(r);
      (debit ? g.debits : g.credits) += amount;
    }
  }

  // AUDDIS references: instructions and first collections.
  if (tx == TxClass::kInstruction || code == "01") {
    if (const std::string why = AuddisReferenceProblem(reference); !why.empty()) {
      Report(r, "reference", rules::kAuddisReference,
             fmt::format("reference for transaction code {} {}", code, why));
    }
  }

  if (!contra) {
    CheckModulus(r, d.dest_sort(), d.dest_account(), "dest_account", true);
  }
  if (r.bytes.substr(17, 14) != checked_origin_) {
    checked_origin_.assign(r.bytes.substr(17, 14));
    CheckModulus(r, d.orig_sort(), d.orig_account(), "orig_account", false);
  }

  if (options_.items != nullptr && !contra && (debit || credit) && day) {
    options_.items->OnItem(
        Item{d.dest_sort(), d.dest_account(), code, Trim(reference), amount, *day, credit, r.line});
  }
  if (!contra && (debit || credit)) {
    // Amount outliers, judged at the end against the median.
    ++histogram_[Bucket(amount)];
    ++amounts_;
    constexpr std::size_t kKeep = 20;
    auto greater = [](const auto& a, const auto& b) { return a.first > b.first; };
    if (largest_.size() < kKeep || amount > largest_.front().first) {
      if (largest_.size() == kKeep) {
        std::pop_heap(largest_.begin(), largest_.end(), greater);
        largest_.pop_back();
      }
      largest_.emplace_back(amount, Location{});
      largest_.back().second.Set(r);
      std::push_heap(largest_.begin(), largest_.end(), greater);
    }
  }
}

void Validator::InsertPending(const PendingItem& item) {
  if (items_seen_.Insert(item.fingerprint)) return;
  Report(item.at, "reference", rules::kDuplicateItem,
         fmt::format("an earlier item pays the same account the same {} with the same reference",
                     FormatPounds(item.amount)));
}

void Validator::OnUtl1(const p18::Record& r) {
  const UserFile& u = current_;
  struct Check {
    std::string_view field;
    std::size_t start, length;
    std::uint64_t computed;
    const parsers::Rule* rule;
    bool money;
  } checks[] = {
      {"debit_total", 4, 13, u.debit_total, &rules::kUtl1DebitTotal, true},
      {"credit_total", 17, 13, u.credit_total, &rules::kUtl1CreditTotal, true},
      {"debit_count", 30, 7, u.debit_count, &rules::kUtl1DebitCount, false},
      {"credit_count", 37, 7, u.credit_count, &rules::kUtl1CreditCount, false},
  };
  for (const auto& c : checks) {
    std::uint64_t declared = Digits(r.bytes.substr(c.start, c.length));
    if (declared == c.computed) continue;
    Report(r, c.field, *c.rule,
           c.money
               ? fmt::format("UTL1 says {} ({} pence) but the records add up to {} ({} pence)",
                             FormatPounds(declared), declared, FormatPounds(c.computed), c.computed)
               : fmt::format("UTL1 says {} items but the file holds {}", declared, c.computed));
  }
  CloseUserFile();
}

void Validator::OnEof(const p18::Record& r) {
  const bool one = r.kind == RecordKind::kEof1;
  const std::string& twin = one ? hdr1_ : hdr2_;
  if (!twin.empty() && twin.size() == r.bytes.size()) {
    for (std::size_t i = 4; i < twin.size(); ++i) {
      if (one && i >= 54 && i < 60) continue;  // EOF1's block count may differ
      if (twin[i] == r.bytes[i]) continue;
      std::string_view field;
      for (const auto& f : p18::FieldsOf(one ? RecordKind::kHdr1 : RecordKind::kHdr2)) {
        if (i >= f.begin() && i < f.end()) field = f.name;
      }
      parsers::Diagnostic d = p18::FieldDiagnostic(
          r,
          p18::Field{static_cast<std::uint16_t>(i + 1), 1, field, "", p18::FieldKind::kAny,
                     nullptr},
          one ? rules::kEof1Mismatch : rules::kEof2Mismatch,
          fmt::format(
              "{} position {} is {} but {} has {}", one ? "EOF1" : "EOF2", i + 1,
              r.bytes.substr(i, 1) == " " ? "a space" : "'" + std::string(1, r.bytes[i]) + "'",
              one ? "HDR1" : "HDR2",
              twin[i] == ' ' ? "a space" : "'" + std::string(1, twin[i]) + "'"));
      d.field = field;
      if (diagnostics_.Saturated(*d.rule)) d = parsers::Diagnostic{.rule = d.rule};
      diagnostics_.Report(std::move(d));
      break;
    }
  }
  if (one) CloseUserFile();
}

// Contra balancing for the user file just ended. Safe to call more than once.
void Validator::CloseUserFile() {
  if (!in_user_file_) return;
  in_user_file_ = false;
  constexpr std::uint64_t kMaxContra = 99'999'999'999ULL;
  last_group_ = nullptr;
  for (auto& [key, g] : groups_) {
    auto account = fmt::format("{:06} {:08}", key.account / 100'000'000, key.account % 100'000'000);
    struct Side {
      std::uint64_t items;
      bool has;
      std::uint64_t contra;
      const Location& at;
      const char* what;
      const char* code;
    } sides[] = {{g.debits, g.has99, g.contra99, g.last99, "debits", "99"},
                 {g.credits, g.has17, g.contra17, g.last17, "credits", "17"}};
    for (const Side& s : sides) {
      if (s.items > kMaxContra) {
        Report(s.has ? s.at : g.first_item, s.has ? "amount" : "", rules::kContraOverflow,
               fmt::format("{} for originating account {} total {}, more than one contra can "
                           "carry",
                           s.what, account, FormatPounds(s.items)));
      }
      if (s.items > 0 && !s.has) {
        Report(g.first_item, "orig_account", rules::kContraMissing,
               fmt::format("{} for originating account {} total {} but no {} contra balances "
                           "them",
                           s.what, account, FormatPounds(s.items), s.code));
      } else if (s.has && s.items == 0) {
        Report(
            s.at, "amount", rules::kContraOrphan,
            fmt::format("{} contra of {} balances no {}", s.code, FormatPounds(s.contra), s.what));
      } else if (s.has && s.contra != s.items) {
        Report(s.at, "amount", rules::kContraMismatch,
               fmt::format("{} contra is {} but the {} it balances total {}", s.code,
                           FormatPounds(s.contra), s.what, FormatPounds(s.items)));
      }
    }
  }
  groups_.clear();
  facts_.user_files.push_back(current_);
}

void Validator::Finish() {
  CloseUserFile();
  for (; pending_count_ > 0; --pending_count_) {
    InsertPending(pending_[pending_head_]);
    pending_head_ = (pending_head_ + 1) % pending_.size();
  }
  if (state_ != State::kDone && state_ != State::kEof2Late && last_.number > 0) {
    Report(last_, {}, rules::kMissingTrailer,
           fmt::format("the file ends after {}; {} was expected next",
                       p18::RecordKindName(last_.kind), Expected(static_cast<int>(state_))));
  }
  for (const UserFile& u : facts_.user_files) {
    if (u.debit_count + u.credit_count + u.instructions == 0) {
      Report(last_, {}, rules::kNoData, "a user file holds no data records");
      break;
    }
  }
  if (options_.modulus == nullptr && facts_.data_records > 0) {
    parsers::Diagnostic d;
    d.rule = &rules::kModulusTablesMissing;
    d.message = "no modulus tables were loaded, so no account number was checked";
    diagnostics_.Report(std::move(d));
  }
  // Outliers: items far above the median, when there are enough items to judge.
  if (amounts_ >= 20) {
    std::uint64_t seen = 0;
    std::size_t b = 0;
    for (; b < histogram_.size(); ++b) {
      seen += histogram_[b];
      if (seen * 2 >= amounts_) break;
    }
    const double median = BucketFloor(b);
    std::sort(largest_.begin(), largest_.end(),
              [](const auto& a, const auto& c) { return a.second.offset < c.second.offset; });
    for (const auto& [amount, at] : largest_) {
      if (double(amount) > 50.0 * median && amount >= 100'000) {
        Report(at, "amount", rules::kAmountOutlier,
               fmt::format("{} is more than 50 times the file's median item (about {})",
                           FormatPounds(amount), FormatPounds(static_cast<std::uint64_t>(median))));
      }
    }
  }
}

}  // namespace rbgate::schemas::bacs18
