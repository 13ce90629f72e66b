#include "parsers/bacs18/layout.h"

#include <array>
#include <cstdlib>
#include <utility>

#include "parsers/bacs18/rules.h"

namespace rbgate::parsers::bacs18 {
namespace {

using FK = FieldKind;
namespace r = rules;

// VOL1 (80). Positions 32-37 may hold a bureau marker, so they are not checked.
constexpr std::array kVol1{
    Field{5, 6, "serial", "submission serial number", FK::kSerial, &r::kVol1Serial},
    Field{11, 1, "accessibility", "accessibility indicator", FK::kLiteral, &r::kVol1Accessibility,
          " |0"},
    Field{12, 20, "reserved_12", "reserved positions 12-31", FK::kBlank, &r::kLabelReserved},
    Field{32, 6, "bureau", "bureau marker", FK::kAny, nullptr},
    Field{38, 4, "reserved_38", "reserved positions 38-41", FK::kBlank, &r::kLabelReserved},
    Field{42, 6, "sun", "service user number", FK::kDigits, &r::kVol1Sun},
    Field{48, 32, "reserved_48", "reserved positions 48-79", FK::kBlank, &r::kLabelReserved},
    Field{80, 1, "label_standard", "label standard level", FK::kLiteral, &r::kVol1LabelStandard,
          "1"},
};

constexpr std::array kHdr1{
    Field{5, 1, "file_id_prefix", "file identifier prefix", FK::kLiteral, &r::kHdr1Format, "A"},
    Field{6, 6, "sun", "service user number", FK::kDigits, &r::kHdr1Sun},
    Field{12, 1, "file_id_suffix", "file identifier suffix", FK::kLiteral, &r::kHdr1Format, "S"},
    Field{13, 2, "file_id_any", "file identifier positions 13-14", FK::kAny, nullptr},
    Field{15, 1, "file_id_flag", "file identifier position 15", FK::kLiteral, &r::kHdr1Format,
          " |1"},
    Field{16, 6, "file_id_sun", "file identifier positions 16-21", FK::kAny, nullptr},
    Field{22, 6, "set_id", "file set identifier", FK::kSerial, &r::kHdr1SetId},
    Field{28, 4, "section_number", "file section number", FK::kLiteral, &r::kHdr1Format, "0001"},
    Field{32, 4, "sequence_number", "file sequence number", FK::kLiteral, &r::kHdr1Format, "0001"},
    Field{36, 6, "generation_number", "generation number", FK::kBlank, &r::kLabelReserved},
    Field{42, 6, "creation_date", "creation date", FK::kYyddd, &r::kHdr1CreationDate},
    Field{48, 6, "expiry_date", "expiry date", FK::kYyddd, &r::kHdr1ExpiryDate},
    Field{54, 1, "reserved_54", "reserved position 54", FK::kBlank, &r::kLabelReserved},
    Field{55, 6, "block_count", "block count", FK::kLiteral, &r::kHdr1Format, "000000"},
    Field{61, 20, "reserved_61", "reserved positions 61-80", FK::kBlank, &r::kLabelReserved},
};

constexpr std::array kHdr2{
    Field{5, 1, "record_format", "record format", FK::kLiteral, &r::kHdr2Format, "F"},
    Field{6, 5, "block_length", "block length", FK::kDigits, &r::kHdr2BlockLength},
    Field{11, 5, "record_length", "record length", FK::kLiteral, &r::kHdr2RecordLength,
          "00100|00106"},
    Field{16, 35, "reserved_16", "reserved positions 16-50", FK::kBlank, &r::kLabelReserved},
    // 51-52 is 00 by one public source; others leave it blank. Both are accepted.
    Field{51, 2, "buffer_offset", "buffer offset", FK::kLiteral, &r::kHdr2Format, "00|  "},
    Field{53, 28, "reserved_53", "reserved positions 53-80", FK::kBlank, &r::kLabelReserved},
};

constexpr std::array kUhl1{
    Field{5, 6, "processing_day", "processing day", FK::kYydddOrBlank, &r::kUhl1ProcessingDay},
    Field{11, 10, "receiving_party", "receiving party id", FK::kReceivingParty,
          &r::kUhl1ReceivingParty},
    Field{21, 2, "currency", "currency code", FK::kLiteral, &r::kUhl1Currency, "00"},
    Field{23, 6, "country", "country code", FK::kLiteral, &r::kUhl1Country, "000000"},
    Field{29, 9, "work_code", "work code", FK::kLiteral, &r::kUhl1WorkCode, "1 DAILY  |4 MULTI  "},
    Field{38, 3, "file_number", "file number", FK::kFileNumber, &r::kUhl1FileNumber},
    Field{41, 7, "reserved_41", "reserved positions 41-47", FK::kBlank, &r::kLabelReserved},
    Field{48, 7, "audit_print", "audit print identifier", FK::kAny, nullptr},
    Field{55, 26, "reserved_55", "reserved positions 55-80", FK::kBlank, &r::kLabelReserved},
};

constexpr std::array kUtl1{
    Field{5, 13, "debit_total", "debit value total", FK::kDigits, &r::kUtl1Format},
    Field{18, 13, "credit_total", "credit value total", FK::kDigits, &r::kUtl1Format},
    Field{31, 7, "debit_count", "debit item count", FK::kDigits, &r::kUtl1Format},
    Field{38, 7, "credit_count", "credit item count", FK::kDigits, &r::kUtl1Format},
    Field{45, 36, "reserved_45", "reserved positions 45-80", FK::kBlank, &r::kLabelReserved},
};

// EOF1 and EOF2 are judged against their HDR twins by the validator; the positions that
// name them apart carry no rule of their own here.
constexpr std::array kEof1{
    Field{55, 6, "block_count", "block count", FK::kDigits, &r::kHdr1Format},
};

constexpr std::array kData{
    Field{1, 6, "dest_sort_code", "destination sort code", FK::kDigits, &r::kDestSort},
    Field{7,
          8,
          "dest_account",
          "destination account number",
          FK::kDigits,
          &r::kDestAccount,
          {},
          true},
    Field{15, 1, "account_type", "account type", FK::kLiteral, &r::kAccountType, "0"},
    Field{16, 2, "transaction_code", "transaction code", FK::kTransactionCode,
          &r::kTransactionCode},
    Field{18, 6, "orig_sort_code", "originating sort code", FK::kDigits, &r::kOrigSort},
    Field{24, 8, "orig_account", "originating account number", FK::kDigits, &r::kOrigAccount},
    Field{32, 4, "free_format", "free format / RTI field", FK::kFreeFormat, &r::kFreeFormat},
    Field{36, 11, "amount", "amount", FK::kDigits, &r::kAmountFormat},
    Field{47, 18, "user_name", "service user's name", FK::kText, &r::kCharset},
    Field{65, 18, "reference", "service user's reference", FK::kText, &r::kCharset, {}, true},
    Field{
        83, 18, "dest_name", "destination account name", FK::kTextNotBlank, &r::kCharset, {}, true},
    Field{101, 6, "processing_day", "processing day", FK::kYyddd, &r::kDataProcessingDay},
};

}  // namespace

bool LabelKind(std::string_view id, RecordKind& kind) noexcept {
  static constexpr std::pair<std::string_view, RecordKind> kIds[] = {
      {"VOL1", RecordKind::kVol1}, {"HDR1", RecordKind::kHdr1}, {"HDR2", RecordKind::kHdr2},
      {"UHL1", RecordKind::kUhl1}, {"EOF1", RecordKind::kEof1}, {"EOF2", RecordKind::kEof2},
      {"UTL1", RecordKind::kUtl1},
  };
  for (auto [label, k] : kIds) {
    if (id.substr(0, 4) == label) {
      kind = k;
      return true;
    }
  }
  return false;
}

std::string_view RecordKindName(RecordKind k) noexcept {
  switch (k) {
    case RecordKind::kVol1:
      return "VOL1";
    case RecordKind::kHdr1:
      return "HDR1";
    case RecordKind::kHdr2:
      return "HDR2";
    case RecordKind::kUhl1:
      return "UHL1";
    case RecordKind::kEof1:
      return "EOF1";
    case RecordKind::kEof2:
      return "EOF2";
    case RecordKind::kUtl1:
      return "UTL1";
    case RecordKind::kData:
      return "data record";
  }
  return "record";
}

std::span<const Field> FieldsOf(RecordKind kind, bool multi_day) noexcept {
  switch (kind) {
    case RecordKind::kVol1:
      return kVol1;
    case RecordKind::kHdr1:
      return kHdr1;
    case RecordKind::kHdr2:
      return kHdr2;
    case RecordKind::kUhl1:
      return kUhl1;
    case RecordKind::kEof1:
      return kEof1;
    case RecordKind::kEof2:
      return {};
    case RecordKind::kUtl1:
      return kUtl1;
    case RecordKind::kData:
      return std::span<const Field>(kData).first(multi_day ? kData.size() : kData.size() - 1);
  }
  return {};
}

const Field& FieldNamed(RecordKind kind, std::string_view name) noexcept {
  for (const Field& f : FieldsOf(kind, true)) {
    if (f.name == name) return f;
  }
  std::abort();  // a programming error: the tables above name every field asked for
}

}  // namespace rbgate::parsers::bacs18
