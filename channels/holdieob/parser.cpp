#include <boost/json.hpp>

#include <chrono>
#include <climits>
#include <cmath>

#include "channels/holdieob/events.hpp"

namespace anliegen::channels::holdieob {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxId = 200;
constexpr std::size_t kMaxText = 20000;

// The first problem found; fields are read in order and reading stops there.
struct Reader {
  const json::object& o;
  std::string error;

  bool ok() const { return error.empty(); }
  void fail(std::string_view key, std::string_view why) {
    if (error.empty()) error = "'" + std::string(key) + "' " + std::string(why);
  }
  std::string text(std::string_view key, bool required, std::size_t max = kMaxText) {
    const auto* v = o.if_contains(key);
    if (!v || v->is_null()) {
      if (required) fail(key, "is missing");
      return {};
    }
    if (!v->is_string()) {
      fail(key, "must be a string");
      return {};
    }
    std::string s(v->as_string());
    if (required && s.empty()) fail(key, "must not be empty");
    if (s.size() > max) fail(key, "is longer than " + std::to_string(max) + " bytes");
    return s;
  }
  domain::Timestamp time(std::string_view key) {
    const auto s = text(key, true, 64);
    if (!ok()) return {};
    auto t = domain::parse_iso8601(s);
    if (!t) fail(key, "must be an ISO 8601 date-time with offset");
    return t.value_or(domain::Timestamp{});
  }
};

bool valid_date(const std::string& s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  const std::chrono::year_month_day d{std::chrono::year(std::stoi(s.substr(0, 4))),
                                      std::chrono::month(static_cast<unsigned>(std::stoi(s.substr(5, 2)))),
                                      std::chrono::day(static_cast<unsigned>(std::stoi(s.substr(8, 2))))};
  return d.ok();
}

std::optional<double> coordinate(Reader& r, const json::object& loc, std::string_view key, double limit) {
  const auto* v = loc.if_contains(key);
  if (!v || v->is_null()) return std::nullopt;
  if (!v->is_number()) {
    r.fail(std::string("location.") + std::string(key), "must be a number");
    return std::nullopt;
  }
  const double d = v->to_number<double>();
  if (!std::isfinite(d) || std::abs(d) > limit) {
    r.fail(std::string("location.") + std::string(key), "is out of range");
    return std::nullopt;
  }
  return d;
}

void read_location(Reader& r, InvitationCreated& e) {
  const auto* v = r.o.if_contains("location");
  if (!v || v->is_null()) return;
  if (!v->is_object()) return r.fail("location", "must be an object");
  const auto& loc = v->as_object();
  e.location.lat = coordinate(r, loc, "lat", 90);
  e.location.lon = coordinate(r, loc, "lon", 180);
  if (e.location.lat.has_value() != e.location.lon.has_value()) r.fail("location", "needs both lat and lon");
  Reader inner{loc, {}};
  e.location.address = inner.text("address", false, 500);
  if (!inner.ok()) r.fail("location", inner.error);
}

void read_proposer(Reader& r, InvitationCreated& e) {
  const auto* v = r.o.if_contains("proposer");
  if (!v || v->is_null()) return;
  if (!v->is_object()) return r.fail("proposer", "must be an object");
  Reader inner{v->as_object(), {}};
  e.proposer.name = inner.text("name", false, 200);
  e.proposer.email = inner.text("email", false, 320);
  if (!inner.ok()) r.fail("proposer", inner.error);
}

void read_dates(Reader& r, InvitationCreated& e) {
  const auto* v = r.o.if_contains("proposed_dates");
  if (!v || v->is_null()) return;
  if (!v->is_array() || v->as_array().size() > 100) return r.fail("proposed_dates", "must be an array of dates");
  for (const auto& d : v->as_array()) {
    if (!d.is_string() || !valid_date(std::string(d.as_string()))) {
      return r.fail("proposed_dates", "must hold dates as YYYY-MM-DD");
    }
    e.proposed_dates.emplace_back(d.as_string());
  }
}

ParsedEvent created(Reader& r, std::string id) {
  InvitationCreated e;
  e.id = std::move(id);
  e.created_at = r.time("created_at");
  e.title = r.text("title", true, 500);
  e.description = r.text("description", false);
  read_location(r, e);
  read_proposer(r, e);
  read_dates(r, e);
  if (!r.ok()) return {std::nullopt, r.error};
  return {Event{std::move(e)}, {}};
}

ParsedEvent supported(Reader& r, std::string id) {
  InvitationSupported e;
  e.id = std::move(id);
  const auto* v = r.o.if_contains("supporters");
  if (!v || !(v->is_int64() || v->is_uint64())) {
    r.fail("supporters", "must be a whole number");
  } else {
    const auto n = v->is_int64() ? v->as_int64() : static_cast<std::int64_t>(std::min<std::uint64_t>(v->as_uint64(), INT_MAX + 1ULL));
    if (n < 0 || n > INT_MAX) r.fail("supporters", "is out of range");
    e.supporters = static_cast<int>(n);
  }
  e.at = r.time("at");
  if (!r.ok()) return {std::nullopt, r.error};
  return {Event{e}, {}};
}

}  // namespace

ParsedEvent parse_event(std::string_view body) {
  boost::system::error_code ec;
  const auto doc = json::parse(body, ec);
  if (ec) return {std::nullopt, "not JSON: " + ec.message()};
  if (!doc.is_object()) return {std::nullopt, "not a JSON object"};
  Reader r{doc.as_object(), {}};
  const auto type = r.text("type", true, 100);
  if (!r.ok()) return {std::nullopt, r.error};
  if (type != "invitation.created" && type != "invitation.supported" && type != "invitation.withdrawn") {
    return {Event{UnknownEvent{type}}, {}};
  }
  auto id = r.text("id", true, kMaxId);
  if (!r.ok()) return {std::nullopt, r.error};
  if (type == "invitation.created") return created(r, std::move(id));
  if (type == "invitation.supported") return supported(r, std::move(id));
  InvitationWithdrawn e{std::move(id), r.time("at")};
  if (!r.ok()) return {std::nullopt, r.error};
  return {Event{e}, {}};
}

std::string render_decided(const std::string& external_id, const std::string& decision,
                           const std::optional<domain::Timestamp>& visit_at, const std::string& message,
                           domain::Timestamp decided_at) {
  json::object o{{"type", "invitation.decided"},
                 {"id", external_id},
                 {"decision", decision},
                 {"visit_at", visit_at ? json::value(domain::format_berlin(*visit_at)) : json::value(nullptr)},
                 {"message", message},
                 {"decided_at", domain::format_berlin(decided_at)}};
  return json::serialize(o);
}

}  // namespace anliegen::channels::holdieob
