// `rbgate transform`: a built-in feed with a transform (the bank reports), or a schema-file
// feed, validated and turned into rows for the R&B system in one pass (the feed's README says
// its columns).
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <string_view>

#include "schemas/feed.h"
#include "spool/check/check.h"

namespace rbgate::gateway {

using schemas::RowFormat;

// Validates `path` as `feed` and writes its rows to `out` as it goes. Returns the number of
// rows, or -1 with `error` set when the file cannot be read or the feed has no transform.
// `report`, if given, receives the findings: rows of an invalid report must not be imported.
// `base` may carry a schema (--schema) or a registry whose table-schema feeds have rows too.
long long TransformFile(const std::string& path, std::string_view feed, RowFormat format,
                        std::ostream& out, std::string& error,
                        std::unique_ptr<check::FileReport>* report = nullptr,
                        const check::CheckSettings& base = {});

}  // namespace rbgate::gateway
