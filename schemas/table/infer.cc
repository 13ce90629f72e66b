#include "schemas/table/infer.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include "parsers/delimited/delimited.h"
#include "schemas/table/cast.h"
#include "schemas/table/schema.h"
#include "schemas/values.h"

namespace rbgate::schemas::table {
namespace {

// The candidates, narrowest first: each a field descriptor's JSON, compiled by the real loader
// so that what is drafted loads and means what the validator will check.
struct Candidate {
  std::string json;           // the field's keys, without "name"
  bool two_decimals = false;  // only when every value has exactly two decimals
};
const Candidate kCandidates[] = {
    {R"("type": "integer")"},
    {R"("type": "number", "rbgate": {"domain": "pence"})", true},
    {R"("type": "number")"},
    {R"("type": "boolean", "trueValues": ["true", "True", "TRUE", "Y", "Yes"], "falseValues": ["false", "False", "FALSE", "N", "No"])"},
    {R"("type": "date")"},
    {R"("type": "date", "format": "%d/%m/%Y")"},
    {R"("type": "date", "format": "%d-%b-%Y")"},
    {R"("type": "datetime")"},
    {R"("type": "string", "rbgate": {"domain": "nino"})"},
    {R"("type": "string", "rbgate": {"domain": "postcode"})"},
    {R"("type": "string", "rbgate": {"domain": "sort_code"})"},
};

class Collect final : public parsers::delimited::RowSink {
 public:
  explicit Collect(std::size_t limit) : limit_(limit) {}
  void OnRow(const parsers::delimited::Row& row) override {
    if (rows.size() > limit_) return;
    std::vector<std::string> fields;
    for (const auto& f : row.fields) fields.emplace_back(f.text);
    rows.push_back(std::move(fields));
  }
  std::vector<std::vector<std::string>> rows;  // the header first

 private:
  std::size_t limit_;
};

// `v` as a JSON string, converted from Windows-1252 when the file is not UTF-8.
std::string QuotedJson(std::string_view v, bool utf8) {
  std::string text;
  if (utf8) {
    text = v;
  } else {
    AppendWindows1252AsUtf8(text, v);
  }
  std::string out;
  AppendJsonUtf8(out, text);
  return out;
}

bool TwoDecimals(std::string_view v) {
  const std::size_t dot = v.rfind('.');
  return dot != std::string_view::npos && v.size() - dot == 3;
}

std::string Sanitised(std::string_view name, std::size_t column) {
  std::string out;
  for (const char c : TrimWhitespace(name)) out += c == '"' || c == '\\' ? '_' : c;
  return out.empty() ? fmt::format("column_{}", column + 1) : out;
}

}  // namespace

std::string InferSchema(std::string_view data, const InferOptions& options) {
  if (data.substr(0, 3) == "\xEF\xBB\xBF") data.remove_prefix(3);
  const std::string_view header = data.substr(0, data.find('\n'));
  char delimiter = ',';
  std::size_t most = 0;
  for (const char c : {',', '\t', ';', '|', '*'}) {
    const auto n = static_cast<std::size_t>(std::count(header.begin(), header.end(), c));
    if (n > most) {
      most = n;
      delimiter = c;
    }
  }
  const bool utf8 = parsers::delimited::FirstInvalidByte(
                        data, parsers::delimited::Encoding::kUtf8) == std::string_view::npos;
  parsers::delimited::ParseOptions po;
  po.dialect.delimiter = delimiter;
  po.encoding =
      utf8 ? parsers::delimited::Encoding::kUtf8 : parsers::delimited::Encoding::kWindows1252;
  Collect rows(options.rows);
  parsers::DiagnosticCollector ignored(1);
  parsers::delimited::Parser parser(rows, ignored, po);
  parsers::delimited::ParseBuffer(parser, data);
  // Blank lines and rows of nothing but delimiters (a spreadsheet's padding) are not data.
  auto& all = rows.rows;
  all.erase(std::remove_if(all.begin() + (all.empty() ? 0 : 1), all.end(),
                           [](const std::vector<std::string>& r) {
                             return std::all_of(r.begin(), r.end(),
                                                [](const std::string& v) { return v.empty(); });
                           }),
            all.end());

  const std::vector<std::string> names = all.empty() ? std::vector<std::string>{} : all[0];
  std::string fields;
  for (std::size_t c = 0; c < names.size(); ++c) {
    std::vector<std::string_view> values;
    bool required = all.size() > 1;
    for (std::size_t r = 1; r < all.size(); ++r) {
      if (c >= all[r].size() || all[r][c].empty()) {
        required = false;
      } else {
        values.push_back(all[r][c]);
      }
    }
    std::string chosen = R"("type": "string")";
    if (!values.empty()) {
      for (const Candidate& k : kCandidates) {
        if (k.two_decimals && !std::all_of(values.begin(), values.end(), TwoDecimals)) continue;
        const auto schema = CompileSchema(
            fmt::format(R"({{"name": "x", "fields": [{{"name": "x", {}}}]}})", k.json),
            "infer.json");
        FieldSpec f = schema->fields[0];
        const bool fits = std::all_of(values.begin(), values.end(), [&](std::string_view v) {
          Value value;
          std::string why;
          return Cast(f, v, value) &&
                 (f.domain == Domain::kNone || CheckDomain(f, v, value, why) == nullptr);
        });
        if (fits) {
          chosen = k.json;
          break;
        }
      }
    }
    std::string constraints;
    if (required) constraints += R"("required": true)";
    if (chosen == R"("type": "string")" && all.size() - 1 >= options.enum_rows) {
      const std::set<std::string_view> distinct(values.begin(), values.end());
      // Not for Windows-1252 text beyond ASCII: the schema file is UTF-8, the file's bytes
      // are not, and an enum compares them as they are.
      const bool ascii = utf8 || std::all_of(distinct.begin(), distinct.end(), [](auto v) {
                           return std::all_of(v.begin(), v.end(), [](char ch) {
                             return static_cast<unsigned char>(ch) < 0x80;
                           });
                         });
      if (!distinct.empty() && distinct.size() <= options.enum_max && ascii) {
        std::string list;
        for (const auto& v : distinct) {
          if (!list.empty()) list += ", ";
          list += QuotedJson(v, utf8);
        }
        constraints += fmt::format("{}\"enum\": [{}]", constraints.empty() ? "" : ", ", list);
      }
    }
    fields += fmt::format("{}      {{\"name\": {}, {}{}}}", c == 0 ? "" : ",\n",
                          QuotedJson(Sanitised(names[c], c), utf8), chosen,
                          constraints.empty() ? "" : ", \"constraints\": {" + constraints + "}");
  }
  const std::string delimiter_json = delimiter == '\t' ? "\\t" : std::string(1, delimiter);
  return fmt::format(
      "{{\n  \"name\": {},\n  \"encoding\": \"{}\",\n  \"dialect\": {{\"delimiter\": \"{}\", "
      "\"header\": true}},\n  \"schema\": {{\n    \"fields\": [\n{}\n    ]\n  }}\n}}\n",
      QuotedJson(options.name.empty() ? "draft" : options.name, true),
      utf8 ? "utf-8" : "windows-1252", delimiter_json, fields);
}

}  // namespace rbgate::schemas::table
