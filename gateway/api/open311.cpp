// The Mängelmelder as an Open311 GeoReport v2 endpoint under /open311/v2/ (docs/channels/maengelmelder.md):
// discovery, services and their definitions, POST requests (form-urlencoded, api_key), GET requests
// and requests/{id}, tokens/{token}, FixMyStreet's servicerequestupdates, and the public photos of
// released requests (media/{id}). Every response comes as XML or JSON by the path's suffix; errors are
// the specification's error lists with 400/403/404.
#include <boost/json.hpp>

#include <algorithm>
#include <cctype>

#include "channels/crypto.hpp"
#include "channels/open311/service_request.hpp"
#include "domain/routing.hpp"
#include "domain/text.hpp"
#include "gateway/api/api_helpers.hpp"
#include "gateway/api/open311_support.hpp"
#include "gateway/app.hpp"
#include "gateway/http/responses.hpp"
#include "gateway/workers/media_policy.hpp"
#include "storage/cases.hpp"
#include "storage/open311.hpp"

namespace anliegen::gateway {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
namespace o311 = channels::open311;
using open311::Format;
using o311::Open311Error;

// The query string of a GET with the jurisdiction checked: 400 when it is not valid URL-encoded UTF-8
// (never read as empty: a jurisdiction_id or filter must not silently disappear), 404 for another
// jurisdiction.
std::variant<o311::Form, Open311Error> read_query(const App& app, const RequestContext& ctx) {
  auto form = o311::parse_form(ctx.query);
  if (!form) return Open311Error{400, "the query string is not valid URL-encoded UTF-8"};
  if (auto e = open311::check_jurisdiction(app.settings(), *form)) return *e;
  return std::move(*form);
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// The Anliegen a valid request becomes (routing is decided in the transaction).
storage::NewCase new_case(const o311::ServiceRequestInput& in, domain::Timestamp now) {
  storage::NewCase c;
  c.kind = domain::Kind::defect_report;
  c.channel = domain::Channel::maengelmelder;
  c.category = in.service_code;
  c.location.lat = in.lat;
  c.location.lon = in.lon;
  c.location.address = in.address;
  c.received_at = now;
  c.text = in.description;
  c.actor = "channel:maengelmelder";
  auto& citizen = c.citizen;
  citizen.channel = domain::Channel::maengelmelder;
  citizen.display_name = in.first_name + (in.first_name.empty() || in.last_name.empty() ? "" : " ") + in.last_name;
  citizen.email = in.email;
  citizen.phone = in.phone;
  if (!in.account_id.empty()) {
    citizen.external_id = "account:" + in.account_id;
  } else if (!in.device_id.empty()) {
    citizen.external_id = "device:" + in.device_id;
  } else if (!in.email.empty()) {
    citizen.external_id = "email:" + lower(in.email);
  } else {
    citizen.external_id = "anonymous-" + channels::random_token(12);
  }
  return c;
}

storage::NewOpen311Request request_row(const o311::ServiceRequestInput& in, const domain::Service& service) {
  json::object attrs;
  for (const auto& [code, values] : in.attributes) {
    json::array a;
    for (const auto& v : values) a.emplace_back(v);
    attrs[code] = std::move(a);
  }
  return storage::NewOpen311Request{.token = channels::random_token(16),
                                    .service_code = in.service_code,
                                    .address_id = in.address_id,
                                    .attributes_json = json::serialize(attrs),
                                    .device_id = in.device_id,
                                    .account_id = in.account_id,
                                    .publish = service.auto_publish,
                                    .media_urls = in.media_urls};
}

bool is_form(const Request& req) {
  const std::string type = lower(std::string(req[http::field::content_type]));
  return type.rfind("application/x-www-form-urlencoded", 0) == 0;
}

asio::awaitable<Response> discovery(App& app, RequestContext& ctx, Format f) {
  static const std::string changeset = o311::w3c_time(app.clock().now());
  const o311::Discovery d{open311::base_url(app.settings(), ctx.request) + "/open311/v2", app.settings().open311.contact,
                          changeset};
  co_return open311::document_response(http::status::ok, f, o311::kRootDiscovery, o311::discovery_node(d));
}

asio::awaitable<Response> services(App& app, RequestContext& ctx, Format f) {
  const auto q = read_query(app, ctx);
  if (auto* e = std::get_if<Open311Error>(&q)) co_return open311::error_response(f, *e);
  co_return open311::document_response(http::status::ok, f, o311::kRootServices,
                                       o311::services_node(app.settings().city.open311));
}

asio::awaitable<Response> definition(App& app, RequestContext& ctx) {
  const auto file = open311::split_suffix(ctx.params.get("file"));
  if (!file) co_return open311::error_response(Format::json, {404, "use services/{service_code}.xml or .json"});
  const auto query = read_query(app, ctx);
  if (auto* e = std::get_if<Open311Error>(&query)) co_return open311::error_response(file->second, *e);
  const auto* service = domain::find_service(app.settings().city.open311, file->first);
  if (!service) {
    co_return open311::error_response(file->second, {404, "service_code '" + file->first + "' is not a known service"});
  }
  co_return open311::document_response(http::status::ok, file->second, o311::kRootDefinition,
                                       o311::definition_node(*service));
}

// The answer to a new report: the text of the rule that routed it (with its reference filled in), else
// the configured notice for every report.
std::string service_notice(const config::CityConfig& city, const std::string& rule_reply, const std::string& reference) {
  const auto text = city.texts.find(rule_reply);
  if (rule_reply.empty() || text == city.texts.end()) return city.open311.service_notice;
  return domain::fill_placeholders(text->second, {{"referenz", reference}});
}

asio::awaitable<Response> create_request(App& app, RequestContext& ctx, Format f) {
  if (!is_form(ctx.request)) {
    co_return open311::error_response(f, {400, "the body must be application/x-www-form-urlencoded (GeoReport v2)"});
  }
  const auto form = o311::parse_form(ctx.request.body());
  if (!form) co_return open311::error_response(f, {400, "the form body is not valid URL-encoded UTF-8"});
  const auto& s = app.settings();
  auto read = o311::read_service_request(
      *form, {.config = s.city.open311, .api_keys = s.open311.api_keys, .jurisdiction = s.open311.jurisdiction,
              .city_name = s.city.city_name});
  if (auto* e = std::get_if<Open311Error>(&read)) co_return open311::error_response(f, *e);
  const auto& in = std::get<o311::ServiceRequestInput>(read);
  const auto* service = domain::find_service(s.city.open311, in.service_code);
  auto input = new_case(in, app.clock().now());
  const auto row = request_row(in, *service);
  const domain::RoutingInput routing_input{.channel = input.channel,
                                           .kind = input.kind,
                                           .category = input.category,
                                           .text = input.text,
                                           .location = input.location,
                                           .at = input.received_at,
                                           .in_sprechstunde = false};
  std::string reference;
  std::string rule_reply;
  co_await app.db().transact([&](storage::Tx& tx) {
    const auto outcome = domain::decide(routing_input, *app.rules().current(tx));
    rule_reply = outcome.auto_reply;
    auto routed = input;
    routed.routing = outcome.decision;
    routed.priority = outcome.priority;
    routed.tags = outcome.tags;
    const auto ids = storage::create_case(tx, routed);
    storage::record_open311_request(tx, ids.id, ids.first_message, row);
    if (in.lat && in.lon) {
      if (auto dup = storage::find_duplicate(tx, ids.id, in.service_code, *in.lat, *in.lon,
                                             s.city.open311.duplicate_radius_m)) {
        storage::set_possible_duplicate(tx, ids.id, *dup);
      }
    }
    ctx.anliegen_id = ids.id.value;
    reference = ids.reference;
  });
  if (!row.media_urls.empty()) app.notify_media();
  co_return open311::document_response(http::status::ok, f, o311::kRootRequests,
                                       o311::created_node(reference, service_notice(s.city, rule_reply, reference)));
}

asio::awaitable<Response> list_requests(App& app, RequestContext& ctx, Format f) {
  const auto q = read_query(app, ctx);
  if (auto* e = std::get_if<Open311Error>(&q)) co_return open311::error_response(f, *e);
  auto filter = open311::read_request_query(std::get<o311::Form>(q), app.clock().now());
  if (auto* e = std::get_if<Open311Error>(&filter)) co_return open311::error_response(f, *e);
  std::vector<storage::PublicRequest> rows;
  co_await app.db().read([&](storage::Tx& tx) {
    rows = storage::public_requests(tx, std::get<storage::PublicRequestQuery>(filter));
  });
  const auto views = open311::to_views(rows, app.settings(), open311::base_url(app.settings(), ctx.request));
  co_return open311::document_response(http::status::ok, f, o311::kRootRequests, o311::requests_node(views));
}

asio::awaitable<Response> one_request(App& app, RequestContext& ctx) {
  const auto file = open311::split_suffix(ctx.params.get("file"));
  if (!file) co_return open311::error_response(Format::json, {404, "use requests/{service_request_id}.xml or .json"});
  const auto query = read_query(app, ctx);
  if (auto* e = std::get_if<Open311Error>(&query)) co_return open311::error_response(file->second, *e);
  storage::PublicRequestQuery q;
  q.references = {file->first};
  q.limit = 1;
  std::vector<storage::PublicRequest> rows;
  co_await app.db().read([&](storage::Tx& tx) { rows = storage::public_requests(tx, q); });
  if (rows.empty()) {
    co_return open311::error_response(file->second, {404, "no public service request with id '" + file->first + "'"});
  }
  const auto views = open311::to_views(rows, app.settings(), open311::base_url(app.settings(), ctx.request));
  co_return open311::document_response(http::status::ok, file->second, o311::kRootRequests, o311::requests_node(views));
}

asio::awaitable<Response> token(App& app, RequestContext& ctx) {
  const auto file = open311::split_suffix(ctx.params.get("file"));
  if (!file) co_return open311::error_response(Format::json, {404, "use tokens/{token}.xml or .json"});
  const auto query = read_query(app, ctx);
  if (auto* e = std::get_if<Open311Error>(&query)) co_return open311::error_response(file->second, *e);
  std::optional<std::string> reference;
  if (file->first.size() <= 100) {
    co_await app.db().read([&](storage::Tx& tx) { reference = storage::reference_for_token(tx, file->first); });
  }
  if (!reference) co_return open311::error_response(file->second, {404, "unknown token"});
  co_return open311::document_response(http::status::ok, file->second, o311::kRootRequests,
                                       o311::token_node(*reference, file->first));
}

asio::awaitable<Response> updates(App& app, RequestContext& ctx, Format f) {
  const auto q = read_query(app, ctx);
  if (auto* e = std::get_if<Open311Error>(&q)) co_return open311::error_response(f, *e);
  auto range = open311::read_update_range(std::get<o311::Form>(q), app.clock().now());
  if (auto* e = std::get_if<Open311Error>(&range)) co_return open311::error_response(f, *e);
  const auto [start, end] = std::get<0>(range);
  std::vector<storage::PublicUpdate> rows;
  co_await app.db().read([&](storage::Tx& tx) { rows = storage::public_updates(tx, start, end, 1000); });
  co_return open311::document_response(http::status::ok, f, o311::kRootUpdates, o311::updates_node(open311::to_views(rows)));
}

asio::awaitable<Response> public_photo(App& app, RequestContext& ctx) {
  const auto id = parse_path_id(ctx.params.get("id"));
  std::optional<storage::PublicMedia> file;
  if (id) co_await app.db().read([&](storage::Tx& tx) { file = storage::public_media(tx, domain::AttachmentId{*id}); });
  if (!file) co_return problem(http::status::not_found, "no public photo with this id");
  const auto type = media::media_type(file->mime_type);
  Response res{http::status::ok, ctx.request.version()};
  res.set(http::field::content_type, type.empty() ? "application/octet-stream" : type);
  res.set(http::field::content_disposition,
          std::string(media::is_inline_safe_type(type) ? "inline" : "attachment") + "; filename=\"" +
              media::safe_filename(file->filename, *id, type) + "\"");
  res.set(http::field::cache_control, "public, max-age=300");
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Content-Security-Policy", "sandbox");
  if (!file->sha256.empty()) res.set(http::field::etag, "\"" + file->sha256 + "\"");
  res.body() = std::move(file->content);
  res.prepare_payload();
  co_return res;
}

void add_both(App& app, http::verb verb, const std::string& stem,
              asio::awaitable<Response> (*handler)(App&, RequestContext&, Format)) {
  for (const auto f : {Format::xml, Format::json}) {
    app.router().add(verb, "/open311/v2/" + stem + "." + std::string(open311::suffix(f)),
                     [&app, handler, f](RequestContext& ctx) { return handler(app, ctx, f); });
  }
}

}  // namespace

void register_open311_routes(App& app) {
  // Protocol brief §4.7: 404 for an unknown resource, 403 for the api_key, 400 for everything else —
  // a wrong method and a backend that is down included — always as the list of errors.
  app.on_error("/open311/", [](std::string_view path, http::status status, std::string_view reason) {
    const int code = status == http::status::not_found || status == http::status::forbidden ? static_cast<int>(status) : 400;
    return open311::error_response(path.ends_with(".xml") ? Format::xml : Format::json, {code, std::string(reason)});
  });
  add_both(app, http::verb::get, "discovery", discovery);
  add_both(app, http::verb::get, "services", services);
  add_both(app, http::verb::post, "requests", create_request);
  add_both(app, http::verb::get, "requests", list_requests);
  add_both(app, http::verb::get, "servicerequestupdates", updates);
  app.router().add(http::verb::get, "/open311/v2/services/{file}", [&app](RequestContext& c) { return definition(app, c); });
  app.router().add(http::verb::get, "/open311/v2/requests/{file}", [&app](RequestContext& c) { return one_request(app, c); });
  app.router().add(http::verb::get, "/open311/v2/tokens/{file}", [&app](RequestContext& c) { return token(app, c); });
  app.router().add(http::verb::get, "/open311/v2/media/{id}", [&app](RequestContext& c) { return public_photo(app, c); });
}

}  // namespace anliegen::gateway
