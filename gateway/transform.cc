#include "gateway/transform.h"

namespace rbgate::gateway {

long long TransformFile(const std::string& path, std::string_view feed, RowFormat format,
                        std::ostream& out, std::string& error,
                        std::unique_ptr<spool::FileReport>* report) {
  const auto columns = TransformColumns(feed);
  if (columns.empty()) {
    error = "no transform for feed '" + std::string(feed) + "'";
    return -1;
  }
  schemas::RowWriter writer(out, format, columns);
  spool::CheckHooks hooks;
  hooks.rows = &writer;
  spool::CheckSettings settings;
  settings.progress = false;
  auto checked = spool::CheckFile(path, settings, std::string(feed), hooks);
  if (!checked->problem.empty()) {
    error = checked->problem;
    return -1;
  }
  writer.Flush();
  if (report != nullptr) *report = std::move(checked);
  return static_cast<long long>(writer.rows());
}

}  // namespace rbgate::gateway
