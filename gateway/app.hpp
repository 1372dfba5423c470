#pragma once
// The running gateway: settings, database pool, metrics, authentication and the route table, plus
// the dispatch function the HTTP server calls for every request (routing, error mapping, metrics,
// the per-request log line). Route groups register themselves from gateway/api/*.cpp.
#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>

#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "domain/time.hpp"
#include "gateway/auth.hpp"
#include "gateway/db_pool.hpp"
#include "gateway/http/router.hpp"
#include "gateway/http/types.hpp"
#include "gateway/metrics.hpp"
#include "gateway/rules_provider.hpp"
#include "gateway/settings.hpp"

namespace anliegen::gateway {

class App {
 public:
  App(Settings settings, const domain::Clock& clock);
  ~App();

  const Settings& settings() const { return settings_; }
  const domain::Clock& clock() const { return clock_; }
  DbPool& db() { return *db_; }
  Metrics& metrics() { return metrics_; }
  Router& router() { return router_; }
  RulesProvider& rules() { return *rules_; }

  // Wakes the outbox dispatcher (set by serve once it runs); harmless before.
  void set_outbox_notifier(std::function<void()> notify) { outbox_notifier_ = std::move(notify); }
  void notify_outbox() const {
    if (outbox_notifier_) outbox_notifier_();
  }
  // Wakes the media fetcher after new downloads were queued.
  void set_media_notifier(std::function<void()> notify) { media_notifier_ = std::move(notify); }
  void notify_media() const {
    if (media_notifier_) media_notifier_();
  }

  // How the errors the App answers itself — a target that is not valid URL syntax, no resource at the
  // path, a method the resource does not take, a database that is away, a handler that failed — are
  // shaped under `path_prefix`, for protocols with their own error format (Open311); elsewhere they are
  // problem+json. The responder gets the path, the status the App would send and the reason to tell
  // the client; headers the App adds (Allow, Retry-After) are kept.
  using ErrorResponder = std::function<Response(std::string_view path, http::status status, std::string_view reason)>;
  void on_error(std::string path_prefix, ErrorResponder respond) {
    error_responders_.emplace_back(std::move(path_prefix), std::move(respond));
  }

  boost::asio::awaitable<Response> dispatch(const Request& request);
  // The answer to a request the server refused before dispatch (413, 431, 400), shaped like the App's
  // own errors for its path (empty when unknown); counted and logged.
  Response refused(http::status status, std::string_view detail, std::string_view path);

  // Authentication and role check for API handlers: a Principal, or the 401/403 response to send.
  using AuthOutcome = std::variant<Principal, Response>;
  boost::asio::awaitable<AuthOutcome> authorize(const RequestContext& ctx, std::initializer_list<domain::Role> roles);

  void stop();

 private:
  Settings settings_;
  const domain::Clock& clock_;
  std::unique_ptr<DbPool> db_;
  Metrics metrics_;
  std::unique_ptr<Authenticator> auth_;
  std::unique_ptr<RulesProvider> rules_;
  std::function<void()> outbox_notifier_;
  std::function<void()> media_notifier_;
  std::vector<std::pair<std::string, ErrorResponder>> error_responders_;
  Router router_;

  Response error(std::string_view path, http::status status, std::string_view reason) const;
};

// JSON request bodies: the parsed object, or the 400/415/422 response to send.
using JsonBody = std::variant<boost::json::object, Response>;
JsonBody parse_json_object(const Request& request);

// Route groups.
void register_health_routes(App& app);
void register_case_routes(App& app);
void register_case_api_routes(App& app);  // list, PATCH, notes, events, units
void register_routing_routes(App& app);   // routing rules and explain
void register_sprechstunden_routes(App& app);
void register_reply_routes(App& app);
void register_attachment_routes(App& app);  // GET /api/v1/attachments/{id}
void register_open311_routes(App& app);       // /open311/v2/... (the Mängelmelder)
void register_defect_report_routes(App& app);  // merge, attachment release
void register_report_routes(App& app);      // GET /api/v1/reports/weekly/{week}
void register_invitation_routes(App& app);  // invitations ranking and decisions (holdieob)
void register_calendar_routes(App& app);    // GET /api/v1/calendar/ob.ics

}  // namespace anliegen::gateway
