#include "storage/case_updates.hpp"

#include "storage/detail/pq.hpp"

namespace anliegen::storage {
namespace {

using detail::txn;

constexpr const char* kLockCase = R"sql(
  SELECT status, unit_code, assignee, priority, array_to_json(tags)::text, version, channel, kind
  FROM anliegen WHERE id = $1 FOR UPDATE)sql";

constexpr const char* kUpdateFields = R"sql(
  UPDATE anliegen
  SET status = $3, unit_code = $4, assignee = $5, priority = $6, tags = $7::text[],
      closed_at = CASE WHEN $3 IN ('closed', 'rejected') THEN coalesce(closed_at, now()) END,
      anonymised_at = CASE WHEN $3 IN ('closed', 'rejected') THEN anonymised_at END,
      version = version + 1, updated_at = now()
  WHERE id = $1 AND version = $2
  RETURNING version)sql";

constexpr const char* kInsertDecision = R"sql(
  INSERT INTO routing_decisions (anliegen_id, unit_code, rule_id, rule_name, reason, actor)
  VALUES ($1, $2, $3, $4, $5, $6))sql";

constexpr const char* kInsertNote = R"sql(
  INSERT INTO messages (anliegen_id, direction, channel, text, sent_at, author)
  SELECT a.id, 'internal', a.channel, $2, now(), $3 FROM anliegen a WHERE a.id = $1
  RETURNING id, (extract(epoch FROM sent_at) * 1000)::bigint, (extract(epoch FROM recorded_at) * 1000)::bigint)sql";

constexpr const char* kRouteLate = R"sql(
  UPDATE anliegen a
  SET unit_code = $2, priority = $3, tags = a.tags || ARRAY(SELECT t FROM unnest($4::text[]) t WHERE t <> ALL (a.tags)),
      version = version + 1, updated_at = now()
  WHERE a.id = $1 AND a.status = 'new' AND a.assignee = '' AND a.unit_code = $5 AND a.sprechstunde_id IS NULL
    AND NOT EXISTS (SELECT 1 FROM routing_decisions d
                    WHERE d.anliegen_id = a.id AND (d.rule_id <> '' OR d.actor <> 'routing'))
  RETURNING a.id)sql";

constexpr const char* kTouchCase = "UPDATE anliegen SET updated_at = now() WHERE id = $1";

}  // namespace

std::optional<std::string> case_unit(Tx& tx, domain::AnliegenId id) {
  const auto r = txn(tx).exec_params("SELECT unit_code FROM anliegen WHERE id = $1", id.value);
  if (r.empty()) return std::nullopt;
  return r[0][0].as<std::string>();
}

std::optional<LockedCase> lock_case(Tx& tx, domain::AnliegenId id) {
  const auto r = txn(tx).exec_params(kLockCase, id.value);
  if (r.empty()) return std::nullopt;
  LockedCase c;
  c.fields.status = domain::parse_status(r[0][0].as<std::string>()).value_or(domain::Status::new_);
  c.fields.unit = r[0][1].as<std::string>();
  c.fields.assignee = r[0][2].as<std::string>();
  c.fields.priority = domain::parse_priority(r[0][3].as<std::string>()).value_or(domain::Priority::normal);
  c.fields.tags = detail::text_array_from_json(r[0][4]);
  c.version = r[0][5].as<std::int64_t>();
  c.channel = domain::parse_channel(r[0][6].as<std::string>()).value_or(domain::Channel::phone);
  c.kind = domain::parse_kind(r[0][7].as<std::string>()).value_or(domain::Kind::message);
  return c;
}

std::optional<std::int64_t> update_case_fields(Tx& tx, domain::AnliegenId id, std::int64_t expected_version,
                                               const CaseFields& f) {
  const auto r = txn(tx).exec_params(kUpdateFields, id.value, expected_version, std::string(domain::to_string(f.status)),
                                     f.unit, f.assignee, std::string(domain::to_string(f.priority)),
                                     detail::text_array_param(f.tags));
  if (r.empty()) return std::nullopt;
  return r[0][0].as<std::int64_t>();
}

void record_routing_decision(Tx& tx, domain::AnliegenId id, const domain::RoutingDecision& d,
                             const std::string& actor) {
  txn(tx).exec_params(kInsertDecision, id.value, d.unit, d.rule_id, d.rule_name, d.reason, actor);
}

domain::Message add_note(Tx& tx, domain::AnliegenId id, const std::string& text, const std::string& author) {
  auto& t = txn(tx);
  const auto row = t.exec_params1(kInsertNote, id.value, text, author);
  t.exec_params(kTouchCase, id.value);
  domain::Message m;
  m.id = domain::MessageId{row[0].as<std::int64_t>()};
  m.direction = domain::Direction::internal;
  m.text = text;
  m.author = author;
  m.sent_at = detail::timestamp_from_ms(row[1]);
  m.recorded_at = detail::timestamp_from_ms(row[2]);
  return m;
}

bool route_late(Tx& tx, const LateRouting& r) {
  const auto moved = detail::exec_prepared(tx, kRouteLate, r.anliegen.value, r.decision.unit,
                                           std::string(domain::to_string(r.priority)), detail::text_array_param(r.tags),
                                           r.default_unit);
  if (moved.empty()) return false;
  detail::exec_prepared(tx, kInsertDecision, r.anliegen.value, r.decision.unit, r.decision.rule_id, r.decision.rule_name,
                        r.decision.reason, std::string("routing"));
  detail::exec_prepared(tx,
                        "INSERT INTO audit_events (anliegen_id, actor, type, data) VALUES ($1, 'routing', 'rerouted', "
                        "jsonb_build_object('unit', jsonb_build_object('old', $2::text, 'new', $3::text), "
                        "'message_id', $4::bigint))",
                        r.anliegen.value, r.default_unit, r.decision.unit, r.message.value);
  return true;
}

}  // namespace anliegen::storage
