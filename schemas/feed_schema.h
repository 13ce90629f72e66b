// A schema file a council writes: a Table Schema (delimited and fixed-width feeds) or a JSON
// Schema (JSON feeds), told apart by their content.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "parsers/status.h"
#include "schemas/json/json_schema.h"
#include "schemas/table/schema.h"

namespace rbgate::schemas {

struct FeedSchema {
  std::shared_ptr<const table::TableSchema> table;  // exactly one of the two is set
  std::shared_ptr<const json::JsonSchema> json;

  const std::string& name() const { return table ? table->name : json->name; }
  const std::string& version() const { return table ? table->version : json->version; }
  const std::string& source() const { return table ? table->source : json->source; }
  std::string Describe() const;  // one line: what the schema defines
  // Keys kept as custom properties and not checked (table::TableSchema::warnings).
  const std::vector<table::SchemaIssue>& warnings() const;
};

// A schema file's bytes; kUnavailable, with the OS's reason, when it cannot be read.
StatusOr<std::string> ReadSchemaFile(const std::string& file);

// Loads a schema file (of a Data Package, the resource `choice` picks). Throws
// table::SchemaError naming the file, a JSON path and the fault.
FeedSchema LoadFeedSchemaFile(const std::string& file, const table::ResourceChoice& choice = {});

// The same from text (`file` names it in errors and anchors relative references). A leading
// UTF-8 byte order mark is ignored.
FeedSchema CompileFeedSchema(std::string_view json, const std::string& file,
                             const table::ResourceChoice& choice = {});

}  // namespace rbgate::schemas
