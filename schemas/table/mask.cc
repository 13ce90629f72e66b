#include "schemas/table/mask.h"

#include <vector>

#include "parsers/delimited/delimited.h"
#include "schemas/feed.h"

namespace rbgate::schemas::table {
namespace {

bool Personal(const FieldSpec& f) { return f.personal || IsPersonalDomain(f.domain); }

// Letters, digits and bytes beyond ASCII in [from, to) of `line` made '*'.
void Mask(std::string& line, std::size_t from, std::size_t to) {
  for (std::size_t i = from; i < to && i < line.size(); ++i) {
    const auto c = static_cast<unsigned char>(line[i]);
    if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c >= 0x80) {
      line[i] = '*';
    }
  }
}

// The layout of a record whose type code is `code` (the data fields when record types are off
// or the code is the data records'); null for a code no layout has.
const std::vector<FieldSpec>* LayoutOf(const TableSchema& s, std::string_view code) {
  const RecordTypes& r = s.records;
  if (!r.enabled || code == r.data_code) return &s.fields;
  for (const auto* l : {r.header ? &*r.header : nullptr, r.trailer ? &*r.trailer : nullptr}) {
    if (l != nullptr && l->code == code) return &l->fields;
  }
  for (const auto& l : r.others) {
    if (l.code == code) return &l.fields;
  }
  return nullptr;
}

struct OneRow final : parsers::delimited::RowSink {
  std::vector<parsers::delimited::Field> fields;
  std::size_t rows = 0, raw_size = 0;
  void OnRow(const parsers::delimited::Row& row) override {
    if (++rows == 1) {
      fields.assign(row.fields.begin(), row.fields.end());
      raw_size = row.raw.size();
    }
  }
};

// Whether splitting the line found anything wrong with it (an open quote, a stray one).
struct Faults final : parsers::DiagnosticSink {
  bool any = false;
  void Report(parsers::Diagnostic&&) override { any = true; }
};

}  // namespace

std::string MaskLine(const TableSchema& schema, std::string_view line, bool first) {
  if (first && schema.header && !schema.fixed_width) return std::string(line);
  std::string out(line);
  if (schema.fixed_width) {
    std::string_view code;
    if (schema.records.enabled) {
      const auto& at = schema.records.slice;
      code = at.start < line.size() ? line.substr(at.start, at.width) : std::string_view();
    }
    const auto* layout = LayoutOf(schema, code);
    if (layout == nullptr) return MaskEveryLetter(line);
    for (const auto& f : *layout) {
      if (Personal(f)) Mask(out, f.slice.start, std::size_t{f.slice.start} + f.slice.width);
    }
    return out;
  }
  OneRow row;
  Faults faults;
  parsers::delimited::ParseOptions options;
  options.dialect = schema.dialect;
  options.encoding = schema.encoding;
  parsers::delimited::Parser parser(row, faults, options);
  parsers::delimited::ParseBuffer(parser, line);
  // One record, the whole line, split without a fault: anything else (a quote left open, a
  // stray one) is not safely split.
  if (faults.any || row.rows != 1 || row.raw_size != line.size()) return MaskEveryLetter(line);
  std::string_view code;
  if (schema.records.enabled) {
    const int c = schema.records.column;
    if (c < 0 || static_cast<std::size_t>(c) >= row.fields.size()) return MaskEveryLetter(line);
    code = row.fields[static_cast<std::size_t>(c)].text;
  }
  const auto* layout = LayoutOf(schema, code);
  if (layout == nullptr) return MaskEveryLetter(line);
  for (std::size_t i = 0; i < row.fields.size(); ++i) {
    // A field beyond the layout is not known not to be personal.
    if (i >= layout->size() || Personal((*layout)[i])) {
      Mask(out, row.fields[i].pos, std::size_t{row.fields[i].pos} + row.fields[i].width);
    }
  }
  return out;
}

}  // namespace rbgate::schemas::table
