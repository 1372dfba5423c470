#include "gateway/reports/report_json.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <stdexcept>

namespace anliegen::gateway {
namespace {

namespace json = boost::json;
using domain::Timestamp;

json::value opt(const std::optional<double>& v) { return v ? json::value(*v) : json::value(nullptr); }

json::object totals(const domain::ReportTotals& t) {
  return {{"received", t.received}, {"answered", t.answered}, {"closed", t.closed}, {"open_at_end", t.open_at_end}};
}

std::string time_text(Timestamp t) { return domain::format_berlin(t); }

// ---- reading back ----
const json::value& field(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v) throw std::invalid_argument("weekly report JSON lacks '" + std::string(key) + "'");
  return *v;
}
std::int64_t int_of(const json::object& o, std::string_view key) { return field(o, key).to_number<std::int64_t>(); }
std::string str_of(const json::object& o, std::string_view key) { return std::string(field(o, key).as_string()); }
std::optional<double> opt_of(const json::object& o, std::string_view key) {
  const auto& v = field(o, key);
  if (v.is_null()) return std::nullopt;
  return v.to_number<double>();
}
Timestamp time_of(const json::object& o, std::string_view key) {
  auto t = domain::parse_iso8601(field(o, key).as_string());
  if (!t) throw std::invalid_argument("weekly report JSON has a bad time in '" + std::string(key) + "'");
  return *t;
}
domain::ReportTotals totals_of(const json::value& v) {
  const auto& o = v.as_object();
  return {int_of(o, "received"), int_of(o, "answered"), int_of(o, "closed"), int_of(o, "open_at_end")};
}
const json::array& array_of(const json::object& o, std::string_view key) { return field(o, key).as_array(); }

}  // namespace

json::object weekly_report_to_json(const domain::WeeklyReport& r) {
  json::object by_channel;
  json::array channels;
  for (const auto& c : r.by_channel) {
    by_channel[c.channel] = c.figures.received;
    auto row = totals(c.figures);
    row["channel"] = c.channel;
    channels.push_back(std::move(row));
  }
  json::object by_kind;
  for (const auto& k : r.by_kind) by_kind[k.kind] = k.received;
  json::object by_unit;
  for (const auto& u : r.by_unit) {
    auto row = totals(u.figures);
    row["name"] = u.name;
    row["target_days"] = u.target_days;
    row["over_target"] = u.over_target;
    row["first_response_median_hours"] = opt(u.first_response_median_hours);
    row["first_response_p90_hours"] = opt(u.first_response_p90_hours);
    row["close_median_hours"] = opt(u.close_median_hours);
    by_unit[u.code] = std::move(row);
  }
  json::array categories;
  for (const auto& c : r.by_category) {
    categories.push_back({{"category", c.category}, {"received", c.received}, {"previous", c.previous}});
  }
  json::array rising;
  for (const auto& t : r.rising_topics) {
    rising.push_back({{"type", t.type}, {"name", t.name}, {"received", t.received}, {"previous", t.previous}});
  }
  json::array hours;
  for (const auto& s : r.sprechstunden) {
    hours.push_back({{"id", s.id},
                     {"channel", s.channel},
                     {"title", s.title},
                     {"host_unit", s.host_unit},
                     {"starts_at", time_text(s.starts_at)},
                     {"ends_at", time_text(s.ends_at)},
                     {"messages", s.messages},
                     {"citizens", s.citizens},
                     {"anliegen", s.anliegen},
                     {"answered_during", s.answered_during},
                     {"answered_later", s.answered_later},
                     {"unanswered", s.unanswered},
                     {"answer_median_minutes", opt(s.answer_median_minutes)}});
  }
  json::array supported;
  for (const auto& i : r.invitations.most_supported) {
    supported.push_back(
        {{"reference", i.reference}, {"title", i.title}, {"supporters", i.supporters}, {"gained", i.gained}});
  }
  const auto& inv = r.invitations;
  json::array oldest;
  for (const auto& o : r.oldest_open) {
    oldest.push_back(
        {{"reference", o.reference}, {"unit", o.unit}, {"received_at", time_text(o.received_at)}, {"age_days", o.age_days}});
  }
  return {{"week", domain::format_iso_week(r.week)},
          {"from", time_text(r.from)},
          {"to", time_text(r.to)},
          {"generated_at", domain::format_utc(r.generated_at)},
          {"totals", totals(r.totals)},
          {"previous_week", totals(r.previous)},
          {"by_channel", std::move(by_channel)},
          {"channels", std::move(channels)},
          {"by_kind", std::move(by_kind)},
          {"by_unit", std::move(by_unit)},
          {"by_category", std::move(categories)},
          {"rising_topics", std::move(rising)},
          {"sprechstunden", std::move(hours)},
          {"invitations", {{"created", inv.created},
                           {"supporters_gained", inv.supporters_gained},
                           {"threshold_reached", inv.threshold_reached},
                           {"decided", inv.decided},
                           {"accepted", inv.accepted},
                           {"declined", inv.declined},
                           {"most_supported", std::move(supported)}}},
          {"oldest_open", std::move(oldest)}};
}

domain::WeeklyReport weekly_report_from_json(const json::value& v) {
  if (!v.is_object()) throw std::invalid_argument("weekly report JSON is not an object");
  const auto& o = v.as_object();
  domain::WeeklyReport r;
  const auto week = domain::parse_iso_week(str_of(o, "week"));
  if (!week) throw std::invalid_argument("weekly report JSON has a bad week");
  r.week = *week;
  r.from = time_of(o, "from");
  r.to = time_of(o, "to");
  r.generated_at = time_of(o, "generated_at");
  r.totals = totals_of(field(o, "totals"));
  r.previous = totals_of(field(o, "previous_week"));
  for (const auto& c : array_of(o, "channels")) {
    r.by_channel.push_back({str_of(c.as_object(), "channel"), totals_of(c)});
  }
  for (const auto& [k, n] : field(o, "by_kind").as_object()) {
    r.by_kind.push_back({std::string(k), n.to_number<std::int64_t>()});
  }
  for (const auto& [code, value] : field(o, "by_unit").as_object()) {
    const auto& u = value.as_object();
    domain::ReportUnit unit;
    unit.code = code;
    unit.name = str_of(u, "name");
    unit.target_days = static_cast<int>(int_of(u, "target_days"));
    unit.figures = totals_of(value);
    unit.over_target = int_of(u, "over_target");
    unit.first_response_median_hours = opt_of(u, "first_response_median_hours");
    unit.first_response_p90_hours = opt_of(u, "first_response_p90_hours");
    unit.close_median_hours = opt_of(u, "close_median_hours");
    r.by_unit.push_back(std::move(unit));
  }
  // JSON objects (and jsonb, which stores keys in its own order) have no order: restore the model's.
  std::sort(r.by_unit.begin(), r.by_unit.end(), [](const auto& a, const auto& b) { return a.code < b.code; });
  std::sort(r.by_kind.begin(), r.by_kind.end(), [](const auto& a, const auto& b) {
    return a.received != b.received ? a.received > b.received : a.kind < b.kind;
  });
  for (const auto& c : array_of(o, "by_category")) {
    const auto& x = c.as_object();
    r.by_category.push_back({str_of(x, "category"), int_of(x, "received"), int_of(x, "previous")});
  }
  for (const auto& t : array_of(o, "rising_topics")) {
    const auto& x = t.as_object();
    r.rising_topics.push_back({str_of(x, "type"), str_of(x, "name"), int_of(x, "received"), int_of(x, "previous")});
  }
  for (const auto& s : array_of(o, "sprechstunden")) {
    const auto& x = s.as_object();
    r.sprechstunden.push_back({int_of(x, "id"), str_of(x, "channel"), str_of(x, "title"), str_of(x, "host_unit"),
                               time_of(x, "starts_at"), time_of(x, "ends_at"), int_of(x, "messages"),
                               int_of(x, "citizens"), int_of(x, "anliegen"), int_of(x, "answered_during"),
                               int_of(x, "answered_later"), int_of(x, "unanswered"), opt_of(x, "answer_median_minutes")});
  }
  const auto& inv = field(o, "invitations").as_object();
  r.invitations.created = int_of(inv, "created");
  r.invitations.supporters_gained = int_of(inv, "supporters_gained");
  r.invitations.threshold_reached = int_of(inv, "threshold_reached");
  r.invitations.decided = int_of(inv, "decided");
  r.invitations.accepted = int_of(inv, "accepted");
  r.invitations.declined = int_of(inv, "declined");
  for (const auto& i : array_of(inv, "most_supported")) {
    const auto& x = i.as_object();
    r.invitations.most_supported.push_back(
        {str_of(x, "reference"), str_of(x, "title"), int_of(x, "supporters"), int_of(x, "gained")});
  }
  for (const auto& c : array_of(o, "oldest_open")) {
    const auto& x = c.as_object();
    r.oldest_open.push_back(
        {str_of(x, "reference"), str_of(x, "unit"), time_of(x, "received_at"), field(x, "age_days").to_number<double>()});
  }
  return r;
}

}  // namespace anliegen::gateway
