#include "gateway/http/responses.hpp"

#include <boost/json.hpp>

namespace anliegen::gateway {
namespace {

std::string_view problem_slug(http::status s) {
  switch (s) {
    case http::status::bad_request: return "bad-request";
    case http::status::unauthorized: return "unauthorized";
    case http::status::forbidden: return "forbidden";
    case http::status::not_found: return "not-found";
    case http::status::method_not_allowed: return "method-not-allowed";
    case http::status::conflict: return "conflict";
    case http::status::precondition_failed: return "precondition-failed";
    case http::status::payload_too_large: return "payload-too-large";
    case http::status::unsupported_media_type: return "unsupported-media-type";
    case http::status::unprocessable_entity: return "validation-failed";
    case http::status::request_header_fields_too_large: return "headers-too-large";
    case http::status::service_unavailable: return "unavailable";
    default: return "error";
  }
}

boost::json::object problem_body(http::status status, std::string_view detail) {
  boost::json::object o;
  o["type"] = "urn:anliegen:problem:" + std::string(problem_slug(status));
  o["title"] = std::string(http::obsolete_reason(status));
  o["status"] = static_cast<int>(status);
  o["detail"] = detail;
  return o;
}

}  // namespace

std::string_view PathParams::get(std::string_view name) const {
  for (const auto& [k, v] : values) {
    if (k == name) return v;
  }
  return {};
}

Response json_response(http::status status, const boost::json::value& body, unsigned version) {
  Response res{status, version};
  res.set(http::field::content_type, "application/json; charset=utf-8");
  res.body() = boost::json::serialize(body);
  res.prepare_payload();
  return res;
}

Response text_response(http::status status, std::string body, std::string_view content_type, unsigned version) {
  Response res{status, version};
  res.set(http::field::content_type, content_type);
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

Response problem(http::status status, std::string_view detail, unsigned version) {
  return text_response(status, boost::json::serialize(problem_body(status, detail)), "application/problem+json",
                       version);
}

Response validation_problem(std::vector<FieldError> errors, unsigned version) {
  std::string detail = errors.empty() ? "invalid request" : errors.front().field + ": " + errors.front().message;
  auto body = problem_body(http::status::unprocessable_entity, detail);
  boost::json::array list;
  for (auto& e : errors) list.push_back(boost::json::object{{"field", e.field}, {"message", e.message}});
  body["errors"] = std::move(list);
  return text_response(http::status::unprocessable_entity, boost::json::serialize(body), "application/problem+json",
                       version);
}

}  // namespace anliegen::gateway
