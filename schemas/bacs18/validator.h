// Bacs Standard 18 semantic validation: the rules that span fields and records (record
// order, label agreement, contras, UTL1 totals, the processing calendar, AUDDIS references,
// modulus checking). Consumes the records parsers/bacs18 emits, in order, in one pass and
// in memory bounded by the number of originating accounts, not the number of items.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "parsers/bacs18/standard18.h"
#include "parsers/diagnostic.h"
#include "schemas/calendar.h"
#include "schemas/check_options.h"
#include "schemas/fingerprint_set.h"
#include "schemas/modulus.h"

namespace rbgate::schemas::bacs18 {

namespace p18 = parsers::bacs18;

// One payment a file asks for (an 01/17/18/19 debit or a 99/Z4/Z5 credit that is not a
// contra): what reconciliation matches the banks' returns against. Views into the record.
struct Item {
  std::string_view dest_sort, dest_account, code;
  std::string_view reference;  // trimmed
  std::uint64_t amount = 0;    // pence
  Day day = 0;                 // processing day: the record's, else UHL1's
  bool credit = false;
  std::uint64_t line = 0;
};
class ItemSink {
 public:
  virtual ~ItemSink() = default;
  virtual void OnItem(const Item& item) = 0;
};

// The check's options (as_of: default the file's HDR1 creation date), and where the items go.
struct ValidatorOptions : CheckOptions {
  // Told of every payment item whose processing day is known; null: nobody asks.
  ItemSink* items = nullptr;
};

// Why a Direct Debit Instruction's reference breaks Bacs's rules (a leading space, fewer than 6
// significant characters, one character repeated, DDIC first), or empty when it keeps them.
std::string AuddisReferenceProblem(std::string_view reference);

// What one user file (UHL1 ... UTL1) declared and held.
struct UserFile {
  std::optional<Day> processing_day;  // UHL1's; empty in multi-day files
  bool multi_day = false;
  std::uint64_t debit_total = 0, credit_total = 0;  // computed from the records, pence
  std::uint64_t debit_count = 0, credit_count = 0;
  std::uint64_t instructions = 0;
};

// What the validator learned of the file: the business key and totals the spool's
// duplicate detection and the ledger use.
struct Facts {
  std::string sun;
  std::string serial;
  std::optional<Day> creation_date;
  std::vector<UserFile> user_files;
  std::uint64_t data_records = 0;
};

class Validator final : public p18::RecordSink {
 public:
  // `options.calendar` and `diagnostics` must outlive the validator.
  Validator(const ValidatorOptions& options, parsers::DiagnosticSink& diagnostics);

  void OnRecord(const p18::Record& r) override;
  // End-of-input checks. Call once, after the parser's Finish.
  void Finish();

  const Facts& facts() const noexcept { return facts_; }

 private:
  enum class State : std::uint8_t {
    kStart,
    kVol1,
    kHdr1,
    kHdr2,
    kUhl1,
    kData,
    kEof1,
    kEof2,
    kDone,
    kUtl1Early,
    kEof1Late,
    kEof2Late
  };
  // Where a finding points when it is made later than the record it is about.
  struct Location {
    static constexpr std::size_t kMaxBytes = 160;  // longer records are cut: excerpts only
    std::uint64_t offset = 0, line = 0, column = 0, number = 0;
    p18::RecordKind kind = p18::RecordKind::kData;
    std::uint16_t length = 0;
    char bytes[kMaxBytes];

    void Set(const p18::Record& r) noexcept;
    std::string_view view() const noexcept { return {bytes, length}; }
  };
  struct Group {  // items of one originating account and processing day
    std::uint64_t debits = 0, credits = 0, contra99 = 0, contra17 = 0;
    bool has99 = false, has17 = false;
    Location first_item, last99, last17;
  };

  void Structure(const p18::Record& r);
  void OnVol1(const p18::Record& r);
  void OnHdr1(const p18::Record& r);
  void OnUhl1(const p18::Record& r);
  void OnData(const p18::Record& r);
  void OnUtl1(const p18::Record& r);
  void OnEof(const p18::Record& r);
  void CloseUserFile();
  void CheckProcessingDay(const p18::Record& r, const p18::Field& f, Day day);
  void CheckDateField(const p18::Record& r, std::string_view field, std::optional<Day>& out);
  void CheckModulus(const p18::Record& r, std::string_view sort, std::string_view account,
                    std::string_view field, bool dest);
  void Report(const p18::Record& r, std::string_view field, const parsers::Rule& rule,
              std::string message);
  void Report(const Location& at, std::string_view field, const parsers::Rule& rule,
              std::string message);

  ValidatorOptions options_;
  parsers::DiagnosticSink& diagnostics_;
  Facts facts_;
  State state_ = State::kStart;
  Location last_;  // the last record seen, for end-of-file findings
  std::string vol1_, hdr1_, hdr2_;
  bool hdr2_multi_day_ = false;
  bool hdr2_known_ = false;
  bool in_user_file_ = false;
  UserFile current_;
  struct GroupKey {
    std::uint64_t account;  // sort code * 10^8 + account number
    Day day;
    bool operator==(const GroupKey&) const = default;
  };
  struct GroupKeyHash {
    std::size_t operator()(const GroupKey& k) const noexcept {
      return std::hash<std::uint64_t>()(k.account * 31 + static_cast<std::uint64_t>(k.day));
    }
  };
  std::unordered_map<GroupKey, Group, GroupKeyHash> groups_;
  GroupKey last_key_{};
  char last_origin_[14] = {};
  Group* last_group_ = nullptr;
  // The last processing day judged and the last originating account checked, so that
  // repeats cost nothing.
  std::optional<Day> judged_day_;
  std::string checked_origin_;
  // Duplicate-item fingerprints wait here a few records between being computed (and their
  // slot prefetched) and being inserted, so the lookup does not stall on memory.
  struct PendingItem {
    std::uint64_t fingerprint, amount;
    Location at;
  };
  static constexpr std::size_t kDuplicateLag = 16;
  void InsertPending(const PendingItem& item);
  FingerprintSet items_seen_;
  std::array<PendingItem, kDuplicateLag> pending_;
  std::size_t pending_head_ = 0, pending_count_ = 0;
  // For the amount-outlier warning: a log-scale histogram and the largest items.
  std::vector<std::uint64_t> histogram_;
  std::vector<std::pair<std::uint64_t, Location>> largest_;  // min-heap on amount
  std::uint64_t amounts_ = 0;
};

}  // namespace rbgate::schemas::bacs18
