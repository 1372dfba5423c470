#pragma once
// Publication fields of PATCH /api/v1/cases/{id} ("public", "expected_at"): reading them from the body
// and applying them inside the PATCH's transaction with an audit event ("released", "withdrawn" or
// "updated"). See docs/channels/maengelmelder.md.
#include <boost/json/object.hpp>

#include <optional>

#include "domain/model.hpp"
#include "gateway/api/validation.hpp"
#include "gateway/auth.hpp"
#include "storage/database.hpp"

namespace anliegen::gateway {

struct PublicationPatch {
  std::optional<bool> is_public;
  std::optional<std::optional<domain::Timestamp>> expected_at;  // engaged null: clear it
  bool empty() const { return !is_public && !expected_at; }
};

PublicationPatch read_publication_patch(FieldReader& r, const boost::json::object& body);
// Applies the patch (no-op when nothing changes).
void apply_publication_patch(storage::Tx& tx, domain::AnliegenId id, const PublicationPatch& patch,
                             const Principal& who);

}  // namespace anliegen::gateway
