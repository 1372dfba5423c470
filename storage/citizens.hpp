#pragma once
// A citizen's personal data on request (DSGVO): find the record, export everything stored about it
// (Art. 15/20), erase it (Art. 17) while the Anliegen stay for the statistics, without their content.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/database.hpp"

namespace anliegen::storage {

struct CitizenMatch {
  std::int64_t id = 0;
  std::string channel;
  std::string external_id;
  std::string display_name;
  std::string phone;
  std::string email;
  std::int64_t anliegen = 0;  // how many Anliegen the record has
  bool erased = false;
};

// Records whose phone, e-mail or platform id is `text` exactly (phone also without a leading '+').
std::vector<CitizenMatch> find_citizens(Tx& tx, const std::string& text);

// Everything stored about the citizen as one JSON document (record; every Anliegen with its messages,
// internal notes included, attachments with their content in base64, Open311 and invitation details),
// or nothing when there is no such citizen.
std::optional<std::string> export_citizen(Tx& tx, std::int64_t citizen_id);

struct ErasureSummary {
  std::int64_t anliegen = 0;     // Anliegen kept, emptied of personal data
  std::int64_t messages = 0;     // message texts erased
  std::int64_t attachments = 0;  // attachment contents erased
  std::int64_t outbox = 0;       // outgoing messages emptied (not yet sent ones are cancelled)
  std::int64_t inbox = 0;        // raw deliveries that named the citizen, deleted
  std::vector<std::string> invitations;  // references of the invitations whose titles were erased
};

// Erases the citizen's personal data in one transaction: the record (name, phone, e-mail, platform id),
// the texts of every message of their Anliegen and the search words, attachment contents and names,
// addresses and coordinates, invitation titles, Open311 device/account ids, outgoing payloads (unsent
// ones cancelled) and raw deliveries that contain their platform id or phone. The Anliegen keep status,
// unit, channel, category and times (the statistics) and get an "erased" audit event by `actor`.
// Nothing when there is no such citizen; an already erased one is erased again (idempotent).
std::optional<ErasureSummary> erase_citizen(Tx& tx, std::int64_t citizen_id, const std::string& actor);

}  // namespace anliegen::storage
