#pragma once
// The JSON shape of an Anliegen in the REST API (see docs/api/openapi.yaml, schema "Case").
// What a role may see of the citizen is decided here: clerks and the office see name and contact,
// admins (a technical role) only the channel and that a citizen exists.
#include <boost/json/object.hpp>
#include <boost/json/storage_ptr.hpp>

#include "domain/model.hpp"

namespace anliegen::gateway {

// Each builds its values in `sp` (e.g. a monotonic resource for a whole response; default: the heap).
boost::json::object case_to_json(const domain::Anliegen& a, domain::Role viewer, boost::json::storage_ptr sp = {});
boost::json::object message_to_json(const domain::Message& m, boost::json::storage_ptr sp = {});
// The list form (GET /api/v1/cases): no citizen, no location, no message texts.
boost::json::object case_summary_to_json(const domain::Anliegen& a, boost::json::storage_ptr sp = {});

}  // namespace anliegen::gateway
