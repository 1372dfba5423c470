#pragma once
// A citizen's personal data on request (DSGVO): find the record, export everything stored about it
// (Art. 15/20), erase it (Art. 17) while the Anliegen stay for the statistics, without their content;
// and the automatic retention that does the same to closed Anliegen after a period (Art. 5(1)(e)).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
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

// Automatic retention: how many days after it was closed an Anliegen keeps its content, per channel
// (by name) with a default for the others; 0 keeps it for good.
struct RetentionPolicy {
  int default_days = 0;
  std::map<std::string, int> channel_days;
  int days_for(const std::string& channel) const {
    const auto it = channel_days.find(channel);
    return it == channel_days.end() ? default_days : it->second;
  }
  bool any() const {
    if (default_days > 0) return true;
    for (const auto& [channel, days] : channel_days) {
      if (days > 0) return true;
    }
    return false;
  }
};

struct RetentionRun {
  ErasureSummary content;    // what the anonymised Anliegen lost (inbox stays 0)
  std::int64_t citizens = 0;  // citizen records erased because nothing of theirs is left
};

// Anonymises up to `limit` closed Anliegen whose period has passed, oldest first, as an erasure does
// (audit event "anonymised" by "retention"), and erases the records of their citizens once every
// Anliegen of theirs is anonymised. Call again while it returns `limit` Anliegen.
RetentionRun anonymise_expired(Tx& tx, const RetentionPolicy& policy, int limit);
// How many closed Anliegen per channel are past their period now (what anonymise_expired would do).
std::vector<std::pair<std::string, std::int64_t>> count_expired(Tx& tx, const RetentionPolicy& policy);

}  // namespace anliegen::storage
