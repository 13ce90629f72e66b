#include "schemas/row_writer.h"

#include <cstring>

#include "parsers/bytes.h"
#include "schemas/values.h"

namespace rbgate::schemas {
namespace {

bool IsNumeric(std::string_view column) {
  return column.ends_with("_pence") || column.ends_with("_count") || column == "error_items";
}

}  // namespace

RowWriter::RowWriter(std::ostream& out, RowFormat format, std::span<const std::string_view> columns)
    : RowWriter(out, format, columns, [&] {
        std::vector<bool> numeric;
        for (auto c : columns) numeric.push_back(IsNumeric(c));
        return numeric;
      }()) {}

RowWriter::RowWriter(std::ostream& out, RowFormat format, std::span<const std::string_view> columns,
                     std::vector<bool> numeric)
    : out_(out),
      format_(format),
      columns_(columns),
      values_(columns.size()),
      numeric_(std::move(numeric)) {
  numeric_.resize(columns.size(), false);
  if (format_ == RowFormat::kCsv) {
    for (std::size_t i = 0; i < columns_.size(); ++i) {
      buffer_ += i ? "," : "";
      buffer_ += columns_[i];
    }
    buffer_ += "\r\n";
  }
}

RowWriter::RowWriter(std::ostream& out, const RowWriter& like)
    : out_(out),
      format_(like.format_),
      columns_(like.columns_),
      values_(like.values_.size()),
      numeric_(like.numeric_) {}

void RowWriter::Append(std::string_view bytes, std::uint64_t rows) {
  rows_ += rows;
  if (buffer_.size() + bytes.size() < (std::size_t{64} << 10)) {
    buffer_ += bytes;
    return;
  }
  Flush();
  out_.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

void RowWriter::Clear(std::size_t from, std::size_t to) {
  for (std::size_t i = from; i < to && i < values_.size(); ++i) values_[i].clear();
}

void RowWriter::AppendCsv(std::string_view v) {
  buffer_ += '"';
  for (char c : v) {
    if (c == '"') buffer_ += '"';
    buffer_ += c;
  }
  buffer_ += '"';
}

void RowWriter::WriteCsv() {
  // The row as it stands, then one scan of it: if its only commas are the separators and it
  // has no quote or line end, no field needs quoting (the usual case); else write it again.
  const std::size_t start = buffer_.size();
  std::size_t length = values_.size() + 1;
  for (const auto& v : values_) length += v.size();
  buffer_.resize(start + length);
  char* p = buffer_.data() + start;
  for (std::size_t i = 0; i < values_.size(); ++i) {
    if (i) *p++ = ',';
    std::memcpy(p, values_[i].data(), values_[i].size());
    p += values_[i].size();
  }
  *p++ = '\r';
  *p = '\n';
  const std::string_view row = std::string_view(buffer_).substr(start, length - 2);
  if (parsers::CountByte(row, ',') + 1 == values_.size() && !parsers::AnyOf(row, '"', '\r', '\n')) {
    return;
  }
  buffer_.resize(start);
  for (std::size_t i = 0; i < values_.size(); ++i) {
    if (i) buffer_ += ',';
    if (!parsers::AnyOf(values_[i], ',', '"', '\r') &&
        !parsers::AnyOf(values_[i], '\n', '\n', '\n')) {
      buffer_ += values_[i];
    } else {
      AppendCsv(values_[i]);
    }
  }
  buffer_ += "\r\n";
}

void RowWriter::Write() {
  ++rows_;
  if (format_ == RowFormat::kCsv) {
    WriteCsv();
  } else {
    buffer_ += '{';
    for (std::size_t i = 0; i < values_.size(); ++i) {
      buffer_ += i ? ",\"" : "\"";
      buffer_ += columns_[i];
      buffer_ += "\":";
      if (numeric_[i]) {
        buffer_ += values_[i].empty() ? std::string_view("null") : std::string_view(values_[i]);
      } else {
        AppendJsonUtf8(buffer_, values_[i]);
      }
    }
    buffer_ += "}\n";
  }
  if (buffer_.size() >= (std::size_t{64} << 10)) Flush();
}

void RowWriter::Flush() {
  out_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
  buffer_.clear();
}

}  // namespace rbgate::schemas
