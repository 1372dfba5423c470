#include "channels/open311/shapes.hpp"

namespace anliegen::channels::open311 {
namespace {

Node opt_time(const std::optional<domain::Timestamp>& t) { return t ? Node::string(w3c_time(*t)) : Node::null(); }
Node opt_number(const std::optional<double>& v) { return v ? Node::number(*v) : Node::null(); }
Node text_or_null(const std::string& s) { return s.empty() ? Node::null() : Node::string(s); }

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ",") + s;
  return out;
}

Node attribute_node(const domain::ServiceAttribute& a) {
  auto values = Node::array("value");
  for (const auto& v : a.values) values.push(Node::object().set("key", Node::string(v.key)).set("name", Node::string(v.name)));
  auto n = Node::object();
  n.set("variable", Node::boolean(a.variable))
      .set("code", Node::string(a.code))
      .set("datatype", Node::string(std::string(domain::to_string(a.datatype))))
      .set("required", Node::boolean(a.required))
      .set("datatype_description", text_or_null(a.datatype_description))
      .set("order", Node::integer(a.order))
      .set("description", Node::string(a.description));
  if (!a.values.empty()) n.set("values", std::move(values));
  return n;
}

}  // namespace

std::string w3c_time(domain::Timestamp t) { return domain::format_berlin(t); }

Node discovery_node(const Discovery& d) {
  auto formats = Node::array("format");
  formats.push(Node::string("text/xml")).push(Node::string("application/json"));
  auto endpoint = Node::object();
  endpoint.set("specification", Node::string("http://wiki.open311.org/GeoReport_v2"))
      .set("url", Node::string(d.endpoint_url))
      .set("changeset", Node::string(d.changeset))
      .set("type", Node::string("production"))
      .set("formats", std::move(formats));
  auto endpoints = Node::array("endpoint");
  endpoints.push(std::move(endpoint));
  auto n = Node::object();
  n.set("changeset", Node::string(d.changeset))
      .set("contact", Node::string(d.contact))
      .set("key_service", Node::string("API keys for city apps and platforms are issued by the city (" + d.contact + ")"))
      .set("endpoints", std::move(endpoints));
  return n;
}

Node services_node(const domain::Open311Config& config) {
  auto list = Node::array("service");
  for (const auto& s : config.services) {
    list.push(Node::object()
                  .set("service_code", Node::string(s.code))
                  .set("service_name", Node::string(s.name))
                  .set("description", Node::string(s.description))
                  .set("metadata", Node::boolean(!s.attributes.empty()))
                  .set("type", Node::string("realtime"))
                  .set("keywords", Node::string(join(s.keywords)))
                  .set("group", Node::string(s.group)));
  }
  return list;
}

Node definition_node(const domain::Service& service) {
  auto attrs = Node::array("attribute");
  for (const auto& a : service.attributes) attrs.push(attribute_node(a));
  auto n = Node::object();
  n.set("service_code", Node::string(service.code)).set("attributes", std::move(attrs));
  return n;
}

Node errors_node(const Open311Error& error) {
  auto list = Node::array("error");
  list.push(Node::object().set("code", Node::integer(error.status)).set("description", Node::string(error.description)));
  return list;
}

Node created_node(const std::string& service_request_id, const std::string& service_notice) {
  auto list = Node::array("request");
  list.push(Node::object()
                .set("service_request_id", Node::string(service_request_id))
                .set("service_notice", text_or_null(service_notice))
                .set("account_id", Node::null()));
  return list;
}

Node token_node(const std::string& service_request_id, const std::string& token) {
  auto list = Node::array("request");
  list.push(Node::object().set("service_request_id", Node::string(service_request_id)).set("token", Node::string(token)));
  return list;
}

Node requests_node(const std::vector<RequestView>& requests) {
  auto list = Node::array("request");
  for (const auto& r : requests) {
    list.push(Node::object()
                  .set("service_request_id", Node::string(r.service_request_id))
                  .set("status", Node::string(r.status))
                  .set("status_notes", Node::optional_string(r.status_notes))
                  .set("service_name", Node::string(r.service_name))
                  .set("service_code", Node::string(r.service_code))
                  .set("description", Node::optional_string(r.description))
                  .set("agency_responsible", Node::string(r.agency_responsible))
                  .set("service_notice", Node::optional_string(r.service_notice))
                  .set("requested_datetime", Node::string(w3c_time(r.requested)))
                  .set("updated_datetime", Node::string(w3c_time(r.updated)))
                  .set("expected_datetime", opt_time(r.expected))
                  .set("address", text_or_null(r.address))
                  .set("address_id", text_or_null(r.address_id))
                  .set("zipcode", Node::null())
                  .set("lat", opt_number(r.lat))
                  .set("long", opt_number(r.lon))
                  .set("media_url", Node::optional_string(r.media_url)));
  }
  return list;
}

Node updates_node(const std::vector<UpdateView>& updates) {
  auto list = Node::array("request_update");
  for (const auto& u : updates) {
    list.push(Node::object()
                  .set("update_id", Node::string(u.update_id))
                  .set("service_request_id", Node::string(u.service_request_id))
                  .set("status", Node::string(u.status))
                  .set("updated_datetime", Node::string(w3c_time(u.updated)))
                  .set("description", Node::string(u.description))
                  .set("media_url", Node::optional_string(u.media_url)));
  }
  return list;
}

}  // namespace anliegen::channels::open311
