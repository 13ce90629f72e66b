#include "schemas/table/rows.h"

#include <fmt/format.h>

#include <cmath>

#include "schemas/dates.h"
#include "schemas/values.h"

namespace rbgate::schemas::table {

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
          schemas::AppendWindows1252AsUtf8(out, v.text);
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
