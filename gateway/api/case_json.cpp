#include "gateway/api/case_json.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace anliegen::gateway {
namespace {

namespace json = boost::json;
using namespace anliegen::domain;

json::value optional_time(const std::optional<Timestamp>& t, const json::storage_ptr& sp = {}) {
  if (!t) return json::value(nullptr, sp);
  return json::value(format_utc(*t), sp);
}

json::array strings(const std::vector<std::string>& v, const json::storage_ptr& sp = {}) {
  json::array out(sp);
  out.reserve(v.size());
  for (const auto& s : v) out.emplace_back(s);
  return out;
}

json::object attachment_to_json(const Attachment& a, const json::storage_ptr& sp) {
  return json::object({{"id", a.id.value},
                       {"kind", to_string(a.kind)},
                       {"mime_type", a.mime_type},
                       {"size", a.size},
                       {"sha256", a.sha256},
                       {"filename", a.filename},
                       {"state", a.state},
                       {"error", a.error},
                       {"public", a.is_public},
                       {"url", "/api/v1/attachments/" + std::to_string(a.id.value)}},
                      sp);
}

json::value text_or_null(const std::string& s, const json::storage_ptr& sp) {
  return s.empty() ? json::value(nullptr, sp) : json::value(s, sp);
}

json::object routing_to_json(const RoutingDecision& r, const json::storage_ptr& sp) {
  return json::object({{"unit", r.unit},
                       {"rule_id", text_or_null(r.rule_id, sp)},
                       {"rule_name", text_or_null(r.rule_name, sp)},
                       {"reason", r.reason}},
                      sp);
}

// Publication and duplicates (docs/channels/maengelmelder.md).
void publication_to_json(const Anliegen& a, json::object& o) {
  const auto id_or_null = [](const std::optional<AnliegenId>& id) { return id ? json::value(id->value) : json::value(nullptr); };
  o["public"] = a.is_public;
  o["expected_at"] = optional_time(a.expected_at);
  o["possible_duplicate_of"] = id_or_null(a.possible_duplicate_of);
  o["merged_into"] = id_or_null(a.merged_into);
}

// holdieob's part of an invitation (kind invitation): no personal data of the proposer.
json::object invitation_to_json(const Invitation& i) {
  return json::object{{"external_id", i.external_id},
                      {"title", i.title},
                      {"created_at", format_utc(i.created_at)},
                      {"supporters", i.supporters},
                      {"threshold_reached", i.threshold_reached_at.has_value()},
                      {"threshold_reached_at", optional_time(i.threshold_reached_at)},
                      {"withdrawn", i.withdrawn_at.has_value()},
                      {"withdrawn_at", optional_time(i.withdrawn_at)},
                      {"decision", i.decision.empty() ? json::value(nullptr) : json::value(i.decision)},
                      {"decided_at", optional_time(i.decided_at)},
                      {"visit_at", optional_time(i.visit_at)},
                      {"decision_message", i.decision_message}};
}

// The fields the summary and the full case share, in the order both have them; `capacity` leaves room
// for the fields the caller adds.
json::object case_head(const Anliegen& a, std::size_t capacity, const json::storage_ptr& sp) {
  return json::object({{"id", a.id.value},
                       {"reference", a.reference},
                       {"kind", to_string(a.kind)},
                       {"channel", to_string(a.channel)},
                       {"status", to_string(a.status)},
                       {"unit", a.unit},
                       {"assignee", a.assignee},
                       {"priority", to_string(a.priority)},
                       {"tags", strings(a.tags, sp)},
                       {"category", a.category},
                       {"received_at", format_utc(a.received_at)},
                       {"updated_at", format_utc(a.updated_at)},
                       {"first_response_at", optional_time(a.first_response_at, sp)},
                       {"closed_at", optional_time(a.closed_at, sp)},
                       {"version", a.version}},
                      capacity, sp);
}

}  // namespace

json::object case_summary_to_json(const Anliegen& a, json::storage_ptr sp) {
  auto o = case_head(a, 16, sp);
  o["routing"] = routing_to_json(a.routing, sp);
  return o;
}

json::object message_to_json(const Message& m, json::storage_ptr sp) {
  json::object o({{"id", m.id.value},
                  {"direction", to_string(m.direction)},
                  {"text", m.text},
                  {"sent_at", format_utc(m.sent_at)},
                  {"recorded_at", format_utc(m.recorded_at)},
                  {"author", m.author},
                  {"flags", strings(m.flags, sp)}},
                 sp);
  if (m.direction == Direction::outbound) {
    o["delivery_status"] = m.delivery_status;
    o["delivery_error"] = m.delivery_error;
  }
  json::array atts(sp);
  for (const auto& a : m.attachments) atts.push_back(attachment_to_json(a, sp));
  o["attachments"] = std::move(atts);
  return o;
}

json::object case_to_json(const Anliegen& a, Role viewer, json::storage_ptr sp) {
  auto o = case_head(a, 26, sp);
  publication_to_json(a, o);
  if (a.location.empty()) {
    o["location"] = nullptr;
  } else {
    json::object loc(sp);
    loc["lat"] = a.location.lat ? json::value(*a.location.lat) : json::value(nullptr);
    loc["lon"] = a.location.lon ? json::value(*a.location.lon) : json::value(nullptr);
    loc["address"] = a.location.address;
    o["location"] = std::move(loc);
  }
  o["routing"] = routing_to_json(a.routing, sp);
  if (!a.citizen) {
    o["citizen"] = nullptr;
  } else if (viewer == Role::admin) {
    o["citizen"] = json::object({{"id", a.citizen->id.value}, {"channel", to_string(a.citizen->channel)}}, sp);
  } else {
    o["citizen"] = json::object({{"id", a.citizen->id.value},
                                 {"channel", to_string(a.citizen->channel)},
                                 {"name", a.citizen->display_name},
                                 {"phone", a.citizen->phone},
                                 {"email", a.citizen->email}},
                                sp);
  }
  json::array thread(sp);
  json::array flags(sp);  // every flag of any message, once (e.g. "edited", "unsupported")
  for (const auto& m : a.messages) {
    thread.push_back(message_to_json(m, sp));
    for (const auto& f : m.flags) {
      if (std::find(flags.begin(), flags.end(), json::value(f)) == flags.end()) flags.emplace_back(f);
    }
  }
  o["flags"] = std::move(flags);
  o["messages"] = std::move(thread);
  if (a.invitation) o["invitation"] = invitation_to_json(*a.invitation);
  return o;
}

}  // namespace anliegen::gateway
