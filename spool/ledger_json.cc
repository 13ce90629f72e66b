#include "schemas/values.h"
#include "spool/json.h"

namespace rbgate::spool {

Json Text(std::string_view s) { return schemas::ValidUtf8(s); }

std::string Dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

Json ToJson(const FileRecord& f) {
  Json j = Json::object();
  j["id"] = Text(f.id);
  j["name"] = Text(f.name);
  j["route"] = Text(f.route);
  j["size"] = f.size;
  j["sha256"] = Text(f.sha256);
  j["feed"] = Text(f.feed);
  j["state"] = Text(f.state);
  j["outcome"] = Text(f.outcome);
  j["reason"] = Text(f.reason);
  j["records"] = f.records;
  j["errors"] = f.errors;
  j["warnings"] = f.warnings;
  j["received_at"] = Text(f.received_at);
  j["updated_at"] = Text(f.updated_at);
  j["dropped_by"] = Text(f.dropped_by);
  j["schema_version"] = Text(f.schema_version);
  j["schema_sha256"] = Text(f.schema_sha256);
  j["node"] = Text(f.node);
  return j;
}

Json ToJson(const TransitionRecord& t) {
  Json j = Json::object();
  j["at"] = Text(t.at);
  j["state"] = Text(t.state);
  j["detail"] = Text(t.detail);
  return j;
}

Json ToJson(const FindingCount& c) {
  Json j = Json::object();
  j["rule"] = Text(c.rule);
  j["severity"] = Text(c.severity);
  j["count"] = c.count;
  return j;
}

Json ToJson(const DeliveryRecord& d) {
  Json j = Json::object();
  j["at"] = Text(d.at);
  j["destination"] = Text(d.destination);
  j["name"] = Text(d.name);
  j["status"] = Text(d.status);
  return j;
}

Json ToJson(const ActionRecord& a) {
  Json j = Json::object();
  j["at"] = Text(a.at);
  j["user"] = Text(a.user);
  j["action"] = Text(a.action);
  j["reason"] = Text(a.reason);
  return j;
}

std::string FileJson(const FileRecord& f) { return Dump(ToJson(f)); }

}  // namespace rbgate::spool
