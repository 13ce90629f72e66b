// Field layouts of Bacs Standard 18 records, as tables. Positions are 1-based and inclusive
// as in schemas/bacs18/README.md. The parser checks each field's lexical rule from these
// tables; the renderer masks the fields marked personal.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "parsers/diagnostic.h"

namespace rbgate::parsers::bacs18 {

enum class RecordKind : std::uint8_t { kVol1, kHdr1, kHdr2, kUhl1, kEof1, kEof2, kUtl1, kData };

std::string_view RecordKindName(RecordKind k) noexcept;

// The label record a record's first four bytes name (VOL1 ... UTL1); false for anything else
// (a data record, or fewer than four bytes).
bool LabelKind(std::string_view id, RecordKind& kind) noexcept;

// The lexical rule a field follows.
enum class FieldKind : std::uint8_t {
  kAny,           // not checked
  kLiteral,       // one of `literal`'s alternatives, separated by '|'
  kBlank,         // spaces (a warning otherwise)
  kDigits,        // 0-9 only
  kSerial,        // A-Z 0-9, not all zeros
  kYyddd,         // ' ' yy ddd
  kYydddOrBlank,  // ' yyddd' or all spaces
  kText,          // Bacs character set; lower case is a warning
  kTextNotBlank,  // kText, and not all spaces
  kFreeFormat,    // blanks, 0000, or '/' + 3 characters
  kTransactionCode,
  kReceivingParty,  // 6 digits + 4 spaces
  kFileNumber,      // 001-999
};

struct Field {
  std::uint16_t start;  // 1-based
  std::uint16_t length;
  std::string_view name;         // stable, snake_case
  std::string_view description;  // for messages
  FieldKind kind;
  const Rule* rule;  // broken when the field fails `kind`
  std::string_view literal = {};
  bool personal = false;

  constexpr std::uint16_t begin() const { return start - 1; }
  constexpr std::uint16_t end() const { return start - 1 + length; }
};

// The fields of a record of `kind`; `multi_day` adds the 106-byte data record's last field.
std::span<const Field> FieldsOf(RecordKind kind, bool multi_day = false) noexcept;

// The field of `kind` named `name`; REQUIRES: it exists.
const Field& FieldNamed(RecordKind kind, std::string_view name) noexcept;

constexpr std::uint32_t kLabelLength = 80;
constexpr std::uint32_t kDataLength = 100;
constexpr std::uint32_t kMultiDayDataLength = 106;

// Bacs's text character set: A-Z 0-9 space . & / -
constexpr bool IsBacsTextChar(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ' ' || c == '.' || c == '&' ||
         c == '/' || c == '-';
}

}  // namespace rbgate::parsers::bacs18
