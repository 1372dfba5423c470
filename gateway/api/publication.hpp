#pragma once
// Publication fields of PATCH /api/v1/cases/{id} ("public", "expected_at"): reading them from the body
// and applying them inside the PATCH's transaction with an audit event ("released", "withdrawn" or
// "updated"). See docs/channels/maengelmelder.md.
#include <boost/json/object.hpp>

#include <optional>
#include <string>

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
// Why the patch may not be applied to an Anliegen of this kind (only defect reports are released), or
// std::nullopt. Withdrawing and the expected time are always allowed.
std::optional<std::string> release_refusal(const PublicationPatch& patch, domain::Kind kind);
// Applies the patch (no-op when nothing changes).
void apply_publication_patch(storage::Tx& tx, domain::AnliegenId id, const PublicationPatch& patch,
                             const Principal& who);

}  // namespace anliegen::gateway
