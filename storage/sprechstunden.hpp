#pragma once
// Announced Sprechstunden (consultation hours) per channel: create, list, cancel, and the lookups the
// ingest path needs (the hour a message falls into, the next announced hour).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/model.hpp"
#include "storage/database.hpp"

namespace anliegen::storage {

struct Sprechstunde {
  std::int64_t id = 0;
  domain::Channel channel = domain::Channel::whatsapp;
  domain::Timestamp starts_at{};
  domain::Timestamp ends_at{};
  std::string host_unit;
  std::string title;
  std::string created_by;
  domain::Timestamp created_at{};
  std::optional<domain::Timestamp> cancelled_at;
};

std::int64_t insert_sprechstunde(Tx& tx, const Sprechstunde& s);
// Not cancelled, ending after `from` (default: all), ordered by start.
std::vector<Sprechstunde> list_sprechstunden(Tx& tx, std::optional<domain::Timestamp> ending_after,
                                             bool include_cancelled);
std::optional<Sprechstunde> get_sprechstunde(Tx& tx, std::int64_t id);
// Marks it cancelled; false when unknown or already cancelled.
bool cancel_sprechstunde(Tx& tx, std::int64_t id);
// The hour on `channel` that contains `at` (starts_at <= at < ends_at), not cancelled.
std::optional<Sprechstunde> sprechstunde_at(Tx& tx, domain::Channel channel, domain::Timestamp at);
// The next hour on `channel` starting after `after`, not cancelled.
std::optional<Sprechstunde> next_sprechstunde(Tx& tx, domain::Channel channel, domain::Timestamp after);

// The same two answers from a list read once (list_sprechstunden ending after the earliest time
// asked about), for a group of deliveries.
std::optional<Sprechstunde> hour_at(const std::vector<Sprechstunde>& hours, domain::Channel channel,
                                    domain::Timestamp at);
std::optional<Sprechstunde> next_hour(const std::vector<Sprechstunde>& hours, domain::Channel channel,
                                      domain::Timestamp after);

}  // namespace anliegen::storage
