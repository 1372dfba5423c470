#include "storage/sprechstunden.hpp"

#include "storage/detail/pq.hpp"

namespace anliegen::storage {
namespace {

using detail::txn;

constexpr const char* kColumns =
    "id, channel, (extract(epoch FROM starts_at) * 1000)::bigint, (extract(epoch FROM ends_at) * 1000)::bigint, "
    "host_unit, title, created_by, (extract(epoch FROM created_at) * 1000)::bigint, "
    "(extract(epoch FROM cancelled_at) * 1000)::bigint";

Sprechstunde from_row(const pqxx::row& r) {
  Sprechstunde s;
  s.id = r[0].as<std::int64_t>();
  s.channel = domain::parse_channel(r[1].as<std::string>()).value_or(domain::Channel::whatsapp);
  s.starts_at = detail::timestamp_from_ms(r[2]);
  s.ends_at = detail::timestamp_from_ms(r[3]);
  s.host_unit = r[4].as<std::string>();
  s.title = r[5].as<std::string>();
  s.created_by = r[6].as<std::string>();
  s.created_at = detail::timestamp_from_ms(r[7]);
  s.cancelled_at = detail::optional_timestamp_from_ms(r[8]);
  return s;
}

std::optional<Sprechstunde> first(const pqxx::result& r) {
  if (r.empty()) return std::nullopt;
  return from_row(r[0]);
}

}  // namespace

std::int64_t insert_sprechstunde(Tx& tx, const Sprechstunde& s) {
  return detail::exec_prepared1(tx, 
          "INSERT INTO sprechstunden (channel, starts_at, ends_at, host_unit, title, created_by) "
          "VALUES ($1, $2::timestamptz, $3::timestamptz, $4, $5, $6) RETURNING id",
          std::string(domain::to_string(s.channel)), detail::timestamp_param(s.starts_at),
          detail::timestamp_param(s.ends_at), s.host_unit, s.title, s.created_by)[0]
      .as<std::int64_t>();
}

std::vector<Sprechstunde> list_sprechstunden(Tx& tx, std::optional<domain::Timestamp> ending_after,
                                             bool include_cancelled) {
  // Two statements rather than one with "$2 OR cancelled_at IS NULL": so that PostgreSQL can keep one
  // generic plan for each instead of planning again on every group of webhook deliveries.
  static const std::string with_cancelled = std::string("SELECT ") + kColumns +
                                            " FROM sprechstunden WHERE ends_at > $1::timestamptz ORDER BY starts_at, id";
  static const std::string without_cancelled =
      std::string("SELECT ") + kColumns +
      " FROM sprechstunden WHERE cancelled_at IS NULL AND ends_at > $1::timestamptz ORDER BY starts_at, id";
  const auto r = detail::exec_prepared(tx, include_cancelled ? with_cancelled : without_cancelled,
                                       ending_after ? detail::timestamp_param(*ending_after) : std::string("-infinity"));
  std::vector<Sprechstunde> out;
  for (const auto& row : r) out.push_back(from_row(row));
  return out;
}

std::optional<Sprechstunde> get_sprechstunde(Tx& tx, std::int64_t id) {
  return first(detail::exec_prepared(tx, std::string("SELECT ") + kColumns + " FROM sprechstunden WHERE id = $1", id));
}

bool cancel_sprechstunde(Tx& tx, std::int64_t id) {
  return !detail::exec_prepared(tx, "UPDATE sprechstunden SET cancelled_at = now() WHERE id = $1 AND cancelled_at IS NULL "
                           "RETURNING id",
                           id)
              .empty();
}

std::optional<Sprechstunde> sprechstunde_at(Tx& tx, domain::Channel channel, domain::Timestamp at) {
  return hour_at(list_sprechstunden(tx, at, false), channel, at);
}

std::optional<Sprechstunde> next_sprechstunde(Tx& tx, domain::Channel channel, domain::Timestamp after) {
  return next_hour(list_sprechstunden(tx, after, false), channel, after);
}

std::optional<Sprechstunde> hour_at(const std::vector<Sprechstunde>& hours, domain::Channel channel,
                                    domain::Timestamp at) {
  std::optional<Sprechstunde> found;  // of overlapping hours, the one that started last
  for (const auto& h : hours) {
    if (h.channel != channel || h.cancelled_at || h.starts_at > at || h.ends_at <= at) continue;
    if (!found || h.starts_at >= found->starts_at) found = h;
  }
  return found;
}

std::optional<Sprechstunde> next_hour(const std::vector<Sprechstunde>& hours, domain::Channel channel,
                                      domain::Timestamp after) {
  std::optional<Sprechstunde> found;
  for (const auto& h : hours) {
    if (h.channel != channel || h.cancelled_at || h.starts_at <= after) continue;
    if (!found || h.starts_at < found->starts_at) found = h;
  }
  return found;
}

}  // namespace anliegen::storage
