#include "schemas/feed_schema.h"

#include <fmt/format.h>

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

FeedSchema CompileFeedSchema(std::string_view json, const std::string& file) {
  FeedSchema s;
  if (json::LooksLikeJsonSchema(json)) {
    s.json = json::CompileJsonSchema(json, file);
  } else {
    s.table = table::CompileSchema(json, file);
  }
  return s;
}

FeedSchema LoadFeedSchemaFile(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw table::SchemaError(file, "$", "cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) throw table::SchemaError(file, "$", "cannot be read");
  return CompileFeedSchema(text.str(), file);
}

}  // namespace rbgate::schemas
