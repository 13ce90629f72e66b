#include "schemas/feed_schema.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace rbgate::schemas {

std::string FeedSchema::Describe() const {
  const std::string version_text = version().empty() ? "" : " version " + version();
  if (json) {
    const char* container = json->container == json::Container::kArray ? "a JSON array"
                            : json->container == json::Container::kLines
                                ? "JSON lines"
                                : "a JSON array or JSON lines";
    return fmt::format("JSON schema {}{}: records in {}, {} schema nodes", name(), version_text,
                       container, json->nodes.size());
  }
  const auto& t = *table;
  return fmt::format("table schema {}{}: {} field{}, {}, {}", name(), version_text, t.fields.size(),
                     t.fields.size() == 1 ? "" : "s",
                     t.fixed_width ? fmt::format("fixed-width lines of {} bytes", t.line_width)
                                   : fmt::format("delimited by '{}'{}", t.dialect.delimiter,
                                                 t.header ? " with a header" : ""),
                     t.encoding == parsers::delimited::Encoding::kUtf8 ? "UTF-8" : "Windows-1252");
}

const std::vector<table::SchemaIssue>& FeedSchema::warnings() const {
  static const std::vector<table::SchemaIssue> kNone;
  return table ? table->warnings : kNone;
}

FeedSchema CompileFeedSchema(std::string_view json, const std::string& file,
                             const table::ResourceChoice& choice) {
  // Windows editors save a byte order mark; it is not part of the JSON.
  if (json.substr(0, 3) == "\xEF\xBB\xBF") json.remove_prefix(3);
  FeedSchema s;
  if (json::LooksLikeJsonSchema(json)) {
    s.json = json::CompileJsonSchema(json, file);
  } else {
    s.table = table::CompileSchema(json, file, choice);
  }
  return s;
}

StatusOr<std::string> ReadSchemaFile(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Error(Code::kUnavailable, std::string("cannot be read: ") + std::strerror(errno));
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) {
    return Error(Code::kUnavailable, std::string("cannot be read: ") + std::strerror(errno));
  }
  return std::move(buffer).str();
}

FeedSchema LoadFeedSchemaFile(const std::string& file, const table::ResourceChoice& choice) {
  auto text = ReadSchemaFile(file);
  if (!text.ok()) throw table::SchemaError(file, "$", text.status().message);
  return CompileFeedSchema(*text, file, choice);
}

}  // namespace rbgate::schemas
