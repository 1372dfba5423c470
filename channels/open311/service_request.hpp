#pragma once
// Reading a GeoReport v2 `POST requests` form: API key, jurisdiction, service code, location (lat+long
// inside the city boundary, or an address), description, the reporter's contact, media URLs and every
// attribute checked against the service definition. Errors come back as an Open311 error (HTTP
// status and description): 403 for a missing or wrong api_key, 404 for an unknown service code or
// jurisdiction, 400 for everything else. Pure: no I/O.
//
//   auto r = read_service_request(form, {.config = city.open311, .api_keys = keys, .city_name = "Ludwigshafen"});
//   if (auto* e = std::get_if<Open311Error>(&r)) return error_response(*e);
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "channels/open311/form.hpp"
#include "domain/open311.hpp"

namespace anliegen::channels::open311 {

struct Open311Error {
  int status = 400;  // HTTP status; also the error's code
  std::string description;
};

constexpr std::size_t kMaxDescriptionChars = 4000;
constexpr std::size_t kMaxMediaUrls = 5;

struct ServiceRequestInput {
  std::string service_code;
  std::optional<double> lat;
  std::optional<double> lon;
  std::string address;     // address_string
  std::string address_id;
  std::string description;
  std::string email, phone, first_name, last_name, device_id, account_id;
  std::vector<std::string> media_urls;
  // Validated attributes of the definition, plus FixMyStreet's informational extras, by code.
  std::vector<std::pair<std::string, std::vector<std::string>>> attributes;
};

struct PostRules {
  const domain::Open311Config& config;
  std::vector<std::string> api_keys;  // OPEN311_API_KEYS; empty: nobody may post
  std::string jurisdiction;           // OPEN311_JURISDICTION; empty: any jurisdiction_id is accepted
  std::string city_name;              // for the "outside the city" message
};

std::variant<ServiceRequestInput, Open311Error> read_service_request(const Form& form, const PostRules& rules);

// Checks the attributes of a form against a service definition; fills `out.attributes`.
std::optional<Open311Error> read_attributes(const Form& form, const domain::Service& service, ServiceRequestInput& out);

}  // namespace anliegen::channels::open311
