// Renders check reports: compiler-style text for people, JSON for programs. Personal data
// (account numbers, names, references) is masked unless `show_personal` is set.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "spool/check/check.h"

namespace rbgate::check {

struct RenderOptions {
  bool show_personal = false;
};

std::string RenderText(const FileReport& r, const RenderOptions& o);
std::string RenderJson(const std::vector<std::unique_ptr<FileReport>>& reports,
                       const RenderOptions& o);

// `s` as a JSON string literal (schemas::AppendJsonUtf8: valid UTF-8 as it is, anything else
// escaped as \u00XX read as Latin-1), so any input, invalid UTF-8 and control characters
// included, yields valid JSON.
std::string JsonQuoted(std::string_view s);
void AppendJsonString(std::string& out, std::string_view s);

}  // namespace rbgate::check
