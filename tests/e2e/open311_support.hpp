#pragma once
// Helpers for the Open311 end-to-end tests: a gateway with API keys, form posts, and XML parsed with a
// real XML parser (Boost.PropertyTree) next to JSON.
#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>

#include <sstream>
#include <string>

#include "e2e.hpp"

namespace anliegen::testing {

inline const std::string kApiKey = "e2e-open311-key-0123456789";
inline const std::string kFormType = "application/x-www-form-urlencoded; charset=utf-8";

inline std::map<std::string, std::string> open311_env(std::map<std::string, std::string> extra = {}) {
  extra.emplace("OPEN311_API_KEYS", "old-key-abcdefghijklmnop, " + kApiKey);
  extra.emplace("OPEN311_JURISDICTION", "ludwigshafen.de");
  return extra;
}

inline HttpResponse post_form(const RunningGateway& gw, const std::string& target, const std::string& body,
                              const std::string& type = kFormType) {
  return http_request(gw.port(), "POST", target, body, {{"Content-Type", type}});
}

inline boost::property_tree::ptree parse_xml(const std::string& body) {
  std::istringstream in(body);
  boost::property_tree::ptree tree;
  boost::property_tree::read_xml(in, tree);
  return tree;
}

// An Open311 error answer: the HTTP status, the format's content type and one error with that code.
inline std::string check_open311_error(const HttpResponse& r, int status, bool xml) {
  CHECK(r.status == status);
  if (xml) {
    CHECK(r.header("content-type") == "text/xml; charset=utf-8");
    const auto t = parse_xml(r.body);
    CHECK(t.get<int>("errors.error.code") == status);
    return t.get<std::string>("errors.error.description");
  }
  CHECK(r.header("content-type") == "application/json; charset=utf-8");
  const auto v = boost::json::parse(r.body);
  REQUIRE(v.is_array());
  REQUIRE(v.as_array().size() == 1);
  CHECK(v.as_array()[0].at("code").as_int64() == status);
  return std::string(v.as_array()[0].at("description").as_string());
}

// Offsets in degrees of latitude for a distance in metres along a meridian (mean earth radius).
inline double metres_to_lat(double metres) { return metres / 111195.0802335329; }

}  // namespace anliegen::testing
