#pragma once
// The JSON shape of an Anliegen in the REST API (see docs/api/openapi.yaml, schema "Case").
// What a role may see of the citizen is decided here: clerks and the office see name and contact,
// admins (a technical role) only the channel and that a citizen exists.
#include <boost/json/object.hpp>

#include "domain/model.hpp"

namespace anliegen::gateway {

boost::json::object case_to_json(const domain::Anliegen& a, domain::Role viewer);
boost::json::object message_to_json(const domain::Message& m);
// The list form (GET /api/v1/cases): no citizen, no location, no message texts.
boost::json::object case_summary_to_json(const domain::Anliegen& a);

}  // namespace anliegen::gateway
