// JSON for the ledger's records, the admin API's replies and the operator's --format json,
// through nlohmann-json (ordered: keys stay in the order written). Text from outside (a file's
// name, a reason) may hold any bytes: Text() makes it valid UTF-8 first (a stray byte read as
// Latin-1), so a hostile name can neither break the document nor be dropped.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "spool/ledger.h"

namespace rbgate::spool {

using Json = nlohmann::ordered_json;

// `s` as a JSON string value.
Json Text(std::string_view s);
// Compact, on one line.
std::string Dump(const Json& j);

Json ToJson(const FileRecord& f);
Json ToJson(const TransitionRecord& t);
Json ToJson(const FindingCount& c);
Json ToJson(const DeliveryRecord& d);
Json ToJson(const ActionRecord& a);

}  // namespace rbgate::spool
