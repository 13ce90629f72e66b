#include "gateway/cli/transform.h"

#include <optional>

namespace rbgate::gateway {

long long TransformFile(const std::string& path, std::string_view feed, RowFormat format,
                        std::ostream& out, std::string& error,
                        std::unique_ptr<check::FileReport>* report,
                        const check::CheckSettings& base) {
  // A Bacs report's columns, or a table schema's (given, or the registry's).
  const auto built_in = schemas::BuiltinColumns(feed);
  // Views into a built-in table, or into `schema`'s row columns (kept below).
  std::vector<std::string_view> columns(built_in.begin(), built_in.end());
  std::vector<bool> numeric;
  std::shared_ptr<const schemas::FeedSchema> schema;  // a schema file's feed
  if (columns.empty()) {
    if (base.schema && base.schema->name() == feed) {
      schema = std::make_shared<schemas::FeedSchema>(*base.schema);
    } else if (base.registry) {
      if (const auto entry = base.registry->Find(feed)) schema = entry->schema;
    }
    if (schema && schema->table) {
      columns = schema->table->RowColumnViews();
      numeric = schema->table->row_numeric;
    } else if (schema && schema->json) {
      columns = schema->json->RowColumnViews();
      numeric = schema->json->row_numeric;
    }
  }
  if (columns.empty()) {
    error = "no transform for feed '" + std::string(feed) + "'";
    return -1;
  }
  std::optional<schemas::RowWriter> writer;
  if (schema) {
    writer.emplace(out, format, columns, numeric);
  } else {
    writer.emplace(out, format, columns);
  }
  check::CheckHooks hooks;
  hooks.rows = &*writer;
  check::CheckSettings settings = base;
  settings.progress = false;
  auto checked = check::CheckFile(path, settings, std::string(feed), hooks);
  if (!checked->problem.empty()) {
    error = checked->problem;
    return -1;
  }
  writer->Flush();
  if (report != nullptr) *report = std::move(checked);
  return static_cast<long long>(writer->rows());
}

}  // namespace rbgate::gateway
