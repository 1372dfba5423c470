#include "storage/cases.hpp"

#include <boost/json.hpp>

#include <stdexcept>

#include "domain/time.hpp"
#include "storage/detail/invitation_row.hpp"
#include "storage/detail/pq.hpp"

namespace anliegen::storage {
namespace {

using detail::txn;
namespace json = boost::json;

// The Anliegen, their first messages, routing decisions and "created" events, any number in one
// statement. The search vectors are written with the Anliegen; the setting names the first messages
// for the messages trigger (V009), which skips exactly those.
constexpr const char* kInsertCases = R"sql(
  WITH u AS MATERIALIZED (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                         $8::text[], $9::text[], $10::text[], $11::bigint[], $12::timestamptz[], $13::text[],
                         $14::text[], $15::text[], $16::text[], $17::text[], $18::text[], $19::text[], $20::text[],
                         $21::text[], $22::text[], $23::text[], $24::text[], $25::text[]) WITH ORDINALITY
      AS u(year, kind, channel, unit_code, priority, tags, category, lat, lon, address, citizen_id, received_at,
           sprechstunde_id, external_id, text, account_id, type, reply_to, flags, message_lat, message_lon,
           rule_id, rule_name, reason, actor, ord)),
  ids AS MATERIALIZED (
    SELECT ord, nextval('anliegen_id_seq') AS id,
           nextval('messages_id_seq') AS message_id
    FROM u ORDER BY ord),
  s AS (SELECT set_config('anliegen.indexed_message', string_agg(message_id::text, ','), true) AS done FROM ids),
  a AS (
    INSERT INTO anliegen (id, reference, kind, channel, status, unit_code, priority, tags, category, lat, lon,
                          address, citizen_id, received_at, updated_at, last_inbound_at, last_message_at,
                          sprechstunde_id, search)
    SELECT ids.id, 'A-' || u.year || '-' || lpad(ids.id::text, greatest(6, length(ids.id::text)), '0'),
           u.kind, u.channel, 'new', u.unit_code, u.priority, u.tags::text[], u.category,
           NULLIF(u.lat, '')::float8, NULLIF(u.lon, '')::float8, u.address, u.citizen_id, u.received_at, now(),
           u.received_at, u.received_at, NULLIF(u.sprechstunde_id, '')::bigint, to_tsvector('german', u.text)
    FROM u JOIN ids USING (ord), s
    RETURNING id, reference),
  m AS (
    INSERT INTO messages (id, anliegen_id, direction, channel, external_id, text, sent_at, author, account_id, type,
                          reply_to, flags, lat, lon)
    SELECT ids.message_id, a.id, 'inbound', u.channel, NULLIF(u.external_id, ''), u.text, u.received_at, '',
           u.account_id, u.type, u.reply_to, u.flags::text[], NULLIF(u.message_lat, '')::float8,
           NULLIF(u.message_lon, '')::float8
    FROM u JOIN ids USING (ord) JOIN a ON a.id = ids.id),
  d AS (
    INSERT INTO routing_decisions (anliegen_id, unit_code, rule_id, rule_name, reason, actor)
    SELECT a.id, u.unit_code, u.rule_id, u.rule_name, u.reason, 'routing' FROM u JOIN ids USING (ord) JOIN a ON a.id = ids.id),
  e AS (
    INSERT INTO audit_events (anliegen_id, actor, type, data)
    SELECT a.id, u.actor, 'created', jsonb_build_object('channel', u.channel, 'unit', u.unit_code)
    FROM u JOIN ids USING (ord) JOIN a ON a.id = ids.id)
  SELECT ids.id, a.reference, ids.message_id FROM ids JOIN a ON a.id = ids.id ORDER BY ids.ord)sql";

// The whole Anliegen in one statement (one round trip): the case with citizen, latest routing decision
// and invitation as columns, the thread as a JSON array of messages, each with its attachments:
// [id, direction, text, sent_at ms, recorded_at ms, author, delivery_status, delivery_error, flags,
//  [[id, kind, mime_type, size, sha256, filename, state, error, public], ...] or null]
constexpr const char* kSelectCaseColumns = R"sql(
  SELECT a.id, a.reference, a.kind, a.channel, a.status, a.unit_code, a.assignee, a.priority,
         array_to_json(a.tags)::text, a.category, a.lat, a.lon, a.address,
         (extract(epoch FROM a.received_at) * 1000)::bigint,
         (extract(epoch FROM a.updated_at) * 1000)::bigint,
         (extract(epoch FROM a.first_response_at) * 1000)::bigint,
         (extract(epoch FROM a.closed_at) * 1000)::bigint,
         a.version,
         c.id, c.channel, c.external_id, c.display_name, c.phone, c.email,
         d.unit_code, d.rule_id, d.rule_name, d.reason,
         a.public, (extract(epoch FROM a.expected_at) * 1000)::bigint, a.possible_duplicate_of, a.merged_into,
         (SELECT json_agg(json_build_array(
                   m.id, m.direction, m.text, (extract(epoch FROM m.sent_at) * 1000)::bigint,
                   (extract(epoch FROM m.recorded_at) * 1000)::bigint, m.author, m.delivery_status,
                   m.delivery_error, m.flags,
                   (SELECT json_agg(json_build_array(t.id, t.kind, t.mime_type, t.size, t.sha256, t.filename,
                                                     t.state, t.error, t.public) ORDER BY t.id)
                    FROM attachments t WHERE t.message_id = m.id))
                 ORDER BY m.sent_at, m.id)
          FROM messages m WHERE m.anliegen_id = a.id)::text,
)sql";

constexpr const char* kSelectCaseFrom = R"sql(
  FROM anliegen a
  LEFT JOIN citizens c ON c.id = a.citizen_id
  LEFT JOIN LATERAL (SELECT unit_code, rule_id, rule_name, reason FROM routing_decisions
                     WHERE anliegen_id = a.id ORDER BY id DESC LIMIT 1) d ON true
  LEFT JOIN invitations i ON i.anliegen_id = a.id AND a.kind = 'invitation'
  WHERE a.id = $1)sql";

const std::string& select_case_sql() {
  static const std::string sql = std::string(kSelectCaseColumns) + detail::kInvitationColumns + kSelectCaseFrom;
  return sql;
}

std::string str(const pqxx::field& f) { return f.is_null() ? std::string() : f.as<std::string>(); }

std::string text(const json::value& v) { return v.is_string() ? std::string(v.get_string()) : std::string(); }
std::int64_t number(const json::value& v) { return v.is_number() ? v.to_number<std::int64_t>() : 0; }

domain::Attachment attachment_from_json(const json::array& f) {
  domain::Attachment att;
  att.id = domain::AttachmentId{number(f.at(0))};
  att.kind = domain::parse_attachment_kind(text(f.at(1))).value_or(domain::AttachmentKind::document);
  att.mime_type = text(f.at(2));
  att.size = number(f.at(3));
  att.sha256 = text(f.at(4));
  att.filename = text(f.at(5));
  att.state = text(f.at(6));
  att.error = text(f.at(7));
  att.is_public = f.at(8).is_bool() && f.at(8).get_bool();
  return att;
}

domain::Message message_from_json(const json::array& m) {
  domain::Message msg;
  msg.id = domain::MessageId{number(m.at(0))};
  msg.direction = domain::parse_direction(text(m.at(1))).value_or(domain::Direction::inbound);
  msg.text = text(m.at(2));
  msg.sent_at = domain::from_unix_ms(number(m.at(3)));
  msg.recorded_at = domain::from_unix_ms(number(m.at(4)));
  msg.author = text(m.at(5));
  msg.delivery_status = text(m.at(6));
  msg.delivery_error = text(m.at(7));
  if (const auto* flags = m.at(8).if_array()) {
    for (const auto& f : *flags) msg.flags.push_back(text(f));
  }
  if (const auto* atts = m.at(9).if_array()) {
    for (const auto& f : *atts) msg.attachments.push_back(attachment_from_json(f.as_array()));
  }
  return msg;
}

// The thread column of kSelectCaseColumns; null when the Anliegen has no messages.
std::vector<domain::Message> thread_from_json(const pqxx::field& f) {
  std::vector<domain::Message> out;
  if (f.is_null()) return out;
  const auto thread = json::parse(std::string_view(f.c_str(), f.size()));
  for (const auto& m : thread.as_array()) out.push_back(message_from_json(m.as_array()));
  return out;
}

}  // namespace

domain::CitizenId upsert_citizen(Tx& tx, const domain::Citizen& c) {
  const auto row = detail::exec_prepared1(tx, 
      "INSERT INTO citizens (channel, external_id, display_name, phone, email) VALUES ($1, $2, $3, $4, $5) "
      "ON CONFLICT (channel, external_id) DO UPDATE SET "
      "  display_name = CASE WHEN EXCLUDED.display_name <> '' THEN EXCLUDED.display_name ELSE citizens.display_name END,"
      "  phone = CASE WHEN EXCLUDED.phone <> '' THEN EXCLUDED.phone ELSE citizens.phone END,"
      "  email = CASE WHEN EXCLUDED.email <> '' THEN EXCLUDED.email ELSE citizens.email END,"
      "  updated_at = now() "
      "RETURNING id",
      std::string(domain::to_string(c.channel)), c.external_id, c.display_name, c.phone, c.email);
  return domain::CitizenId{row[0].as<std::int64_t>()};
}

CreatedCase create_case(Tx& tx, const NewCase& in) {
  if (in.citizen.id.value) return create_cases(tx, {in}).front();
  NewCase with_citizen = in;
  with_citizen.citizen.id = upsert_citizen(tx, in.citizen);
  return create_cases(tx, {with_citizen}).front();
}

std::vector<CreatedCase> create_cases(Tx& tx, const std::vector<NewCase>& cases) {
  detail::Columns columns(25);
  for (const auto& in : cases) {
    if (!in.citizen.id.value) throw std::logic_error("create_cases: every case needs its citizen's id");
    columns.add_row({std::to_string(domain::berlin_year(in.received_at)), std::string(domain::to_string(in.kind)),
                     std::string(domain::to_string(in.channel)), in.routing.unit,
                     std::string(domain::to_string(in.priority)), detail::text_array_param(in.tags), in.category,
                     detail::optional_double_param(in.location.lat), detail::optional_double_param(in.location.lon),
                     in.location.address, std::to_string(in.citizen.id.value), detail::timestamp_param(in.received_at),
                     in.sprechstunde_id ? std::to_string(*in.sprechstunde_id) : std::string(), in.external_message_id,
                     in.text, in.account_id, in.message_type, in.reply_to, detail::text_array_param(in.message_flags),
                     detail::optional_double_param(in.message_lat), detail::optional_double_param(in.message_lon),
                     in.routing.rule_id, in.routing.rule_name, in.routing.reason, in.actor});
  }
  std::vector<CreatedCase> out;
  out.reserve(cases.size());
  for (const auto& row : detail::exec_columns(tx, kInsertCases, columns)) {
    out.push_back({domain::AnliegenId{row[0].as<std::int64_t>()}, row[1].as<std::string>(),
                   domain::MessageId{row[2].as<std::int64_t>()}});
  }
  return out;
}

std::optional<domain::Anliegen> get_case(Tx& tx, domain::AnliegenId id) {
  const auto r = detail::exec_prepared(tx, select_case_sql(), id.value);
  if (r.empty()) return std::nullopt;
  const auto& row = r[0];
  domain::Anliegen a;
  a.id = domain::AnliegenId{row[0].as<std::int64_t>()};
  a.reference = row[1].as<std::string>();
  a.kind = domain::parse_kind(row[2].as<std::string>()).value_or(domain::Kind::message);
  a.channel = domain::parse_channel(row[3].as<std::string>()).value_or(domain::Channel::phone);
  a.status = domain::parse_status(row[4].as<std::string>()).value_or(domain::Status::new_);
  a.unit = row[5].as<std::string>();
  a.assignee = row[6].as<std::string>();
  a.priority = domain::parse_priority(row[7].as<std::string>()).value_or(domain::Priority::normal);
  a.tags = detail::text_array_from_json(row[8]);
  a.category = row[9].as<std::string>();
  if (!row[10].is_null()) a.location.lat = row[10].as<double>();
  if (!row[11].is_null()) a.location.lon = row[11].as<double>();
  a.location.address = row[12].as<std::string>();
  a.received_at = detail::timestamp_from_ms(row[13]);
  a.updated_at = detail::timestamp_from_ms(row[14]);
  a.first_response_at = detail::optional_timestamp_from_ms(row[15]);
  a.closed_at = detail::optional_timestamp_from_ms(row[16]);
  a.version = row[17].as<std::int64_t>();
  if (!row[18].is_null()) {
    domain::Citizen c;
    c.id = domain::CitizenId{row[18].as<std::int64_t>()};
    c.channel = domain::parse_channel(row[19].as<std::string>()).value_or(a.channel);
    c.external_id = row[20].as<std::string>();
    c.display_name = row[21].as<std::string>();
    c.phone = row[22].as<std::string>();
    c.email = row[23].as<std::string>();
    a.citizen = std::move(c);
  }
  a.routing.unit = str(row[24]);
  a.routing.rule_id = str(row[25]);
  a.routing.rule_name = str(row[26]);
  a.routing.reason = str(row[27]);
  a.is_public = row[28].as<bool>();
  a.expected_at = detail::optional_timestamp_from_ms(row[29]);
  if (!row[30].is_null()) a.possible_duplicate_of = domain::AnliegenId{row[30].as<std::int64_t>()};
  if (!row[31].is_null()) a.merged_into = domain::AnliegenId{row[31].as<std::int64_t>()};

  a.messages = thread_from_json(row[32]);
  if (!row[33].is_null()) a.invitation = detail::invitation_from_row(row, 33);
  return a;
}

void record_event(Tx& tx, domain::AnliegenId id, const std::string& actor, const std::string& type,
                  const std::string& data_json) {
  detail::exec_prepared(tx, "INSERT INTO audit_events (anliegen_id, actor, type, data) VALUES ($1, $2, $3, $4::jsonb)",
                      id.value, actor, type, data_json);
}

std::vector<AuditEvent> list_events(Tx& tx, domain::AnliegenId id) {
  std::vector<AuditEvent> out;
  for (const auto& r : detail::exec_prepared(tx, 
           "SELECT id, (extract(epoch FROM at) * 1000)::bigint, actor, type, data::text FROM audit_events "
           "WHERE anliegen_id = $1 ORDER BY id",
           id.value)) {
    out.push_back({r[0].as<std::int64_t>(), detail::timestamp_from_ms(r[1]), r[2].as<std::string>(),
                   r[3].as<std::string>(), r[4].as<std::string>()});
  }
  return out;
}

}  // namespace anliegen::storage
