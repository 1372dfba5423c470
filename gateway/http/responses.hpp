#pragma once
// Building responses: JSON bodies and RFC 9457 problem details (application/problem+json).
#include <boost/json/fwd.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "gateway/http/types.hpp"

namespace anliegen::gateway {

struct FieldError {
  std::string field;
  std::string message;
};

Response json_response(http::status status, const boost::json::value& body, unsigned version = 11);
Response text_response(http::status status, std::string body, std::string_view content_type, unsigned version = 11);
// A problem+json body: {"type","title","status","detail"[,"errors"]}. `detail` must never contain
// secrets or citizen data.
Response problem(http::status status, std::string_view detail, unsigned version = 11);
Response validation_problem(std::vector<FieldError> errors, unsigned version = 11);

}  // namespace anliegen::gateway
