#include "schemas/table/rows.h"

#include <fmt/format.h>

#include <cmath>

#include "schemas/dates.h"

namespace rbgate::schemas::table {
namespace {

// Windows-1252's 0x80-0x9F (0 where undefined; those bytes never pass the encoding check).
constexpr char16_t kHigh[32] = {0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
                                0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
                                0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                                0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

void AppendUtf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

}  // namespace

void AppendWindows1252AsUtf8(std::string& out, std::string_view text) {
  for (const char ch : text) {
    const auto b = static_cast<unsigned char>(ch);
    if (b < 0x80) {
      out += ch;
    } else if (b < 0xA0) {
      AppendUtf8(out, kHigh[b - 0x80] ? kHigh[b - 0x80] : 0xFFFD);
    } else {
      AppendUtf8(out, b);
    }
  }
}

void TableRows::OnTypedRow(const parsers::delimited::Row& /*row*/, std::span<const Value> values,
                           std::span<const bool> present, bool /*row_valid*/) {
  const std::size_t n = std::min(schema_.fields.size(), rows_.columns());
  for (std::size_t i = 0; i < n; ++i) {
    std::string& out = rows_[i];
    out.clear();
    if (!present[i]) continue;
    const FieldSpec& f = schema_.fields[i];
    const Value& v = values[i];
    if (f.domain == Domain::kPence) {
      out = std::to_string(v.n);
      continue;
    }
    switch (f.type) {
      case Type::kString:
      case Type::kAny:
        if (schema_.encoding == parsers::delimited::Encoding::kWindows1252) {
          AppendWindows1252AsUtf8(out, v.text);
        } else {
          out.assign(v.text);
        }
        break;
      case Type::kInteger:
      case Type::kYear:
        out = std::to_string(v.n);
        break;
      case Type::kNumber:
        if (std::isfinite(v.x)) out = fmt::format("{}", v.x);
        break;
      case Type::kBoolean:
        out = v.n ? "true" : "false";
        break;
      case Type::kDate:
        out = FormatIsoDate(static_cast<Day>(v.n));
        break;
      case Type::kYearMonth:
        out = fmt::format("{:04}-{:02}", v.n / 12, v.n % 12 + 1);
        break;
      case Type::kTime:
        out = fmt::format("{:02}:{:02}:{:02}", v.n / 3600, v.n / 60 % 60, v.n % 60);
        break;
      case Type::kDateTime: {
        const std::int64_t day = v.n >= 0 ? v.n / 86400 : (v.n - 86399) / 86400;
        const std::int64_t secs = v.n - day * 86400;
        out = fmt::format("{}T{:02}:{:02}:{:02}Z", FormatIsoDate(static_cast<Day>(day)),
                          secs / 3600, secs / 60 % 60, secs % 60);
        break;
      }
    }
  }
  rows_.Write();
}

}  // namespace rbgate::schemas::table
