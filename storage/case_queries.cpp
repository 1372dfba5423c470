#include "storage/case_queries.hpp"

#include "storage/detail/pq.hpp"
#include "storage/detail/row_cursor.hpp"

namespace anliegen::storage {
namespace {

using detail::txn;

// The inner query picks the page from anliegen alone (so the planner can walk an index in order and stop
// after LIMIT rows); the outer query adds the latest routing decision to those rows only.
constexpr const char* kSelectColumns = R"sql(
  SELECT a.id, a.reference, a.kind, a.channel, a.status, a.unit_code, a.assignee, a.priority,
         array_to_json(a.tags)::text, a.category,
         (extract(epoch FROM a.received_at) * 1000)::bigint,
         (extract(epoch FROM a.updated_at) * 1000)::bigint,
         (extract(epoch FROM a.first_response_at) * 1000)::bigint,
         (extract(epoch FROM a.closed_at) * 1000)::bigint,
         a.version, (extract(epoch FROM a.received_at) * 1000000)::bigint,
         d.unit_code, d.rule_id, d.rule_name, d.reason
  FROM (SELECT a.id, a.reference, a.kind, a.channel, a.status, a.unit_code, a.assignee, a.priority, a.tags,
               a.category, a.received_at, a.updated_at, a.first_response_at, a.closed_at, a.version)sql";

// With a search term the matches are collected first (GIN index on `search`) and only then ordered:
// walking the time index and testing every row would read the whole table for a rare word, because
// PostgreSQL cannot estimate how many rows a term matches.
constexpr const char* kSearchFirst = "WITH hits AS MATERIALIZED (SELECT a.id, a.received_at FROM anliegen a WHERE true";

constexpr const char* kLatestDecision = R"sql(
  LEFT JOIN LATERAL (SELECT unit_code, rule_id, rule_name, reason FROM routing_decisions
                     WHERE anliegen_id = a.id ORDER BY id DESC LIMIT 1) d ON true)sql";

constexpr const char* kHasSprechstundeColumn = R"sql(
  SELECT EXISTS (SELECT 1 FROM pg_attribute
                 WHERE attrelid = 'anliegen'::regclass AND attname = 'sprechstunde_id' AND NOT attisdropped))sql";

// A microsecond count back to timestamptz without going through floating-point seconds.
constexpr const char* kMicrosToTime = "(timestamptz 'epoch' + $%::bigint * interval '1 microsecond')";

class Query {
 public:
  // Appends `sql` with every '%' replaced by the number of the parameter added for it.
  void add(const std::string& sql, const std::string& param) {
    params_.push_back(param);
    for (char c : sql) {
      if (c == '%') {
        sql_ += std::to_string(params_.size());
      } else {
        sql_ += c;
      }
    }
  }
  void raw(const std::string& sql) { sql_ += sql; }
  // Adds a parameter without SQL and returns its placeholder ("$3").
  std::string param(const std::string& value) {
    params_.push_back(value);
    return "$" + std::to_string(params_.size());
  }
  const std::string& sql() const { return sql_; }
  const std::vector<std::string>& params() const { return params_; }

 private:
  std::string sql_;
  std::vector<std::string> params_;
};

template <class E>
void any_of(Query& q, const char* column, const std::vector<E>& values) {
  if (values.empty()) return;
  if (values.size() == 1) {
    q.add(std::string(" AND ") + column + " = $%", std::string(domain::to_string(values[0])));
    return;
  }
  std::vector<std::string> names;
  for (auto v : values) names.emplace_back(domain::to_string(v));
  q.add(std::string(" AND ") + column + " = ANY($%::text[])", detail::text_array_param(names));
}

}  // namespace

CasePage list_cases(Tx& tx, const CaseFilter& f) {
  auto& t = txn(tx);
  CasePage page;
  const bool wants_sprechstunde = f.sprechstunde_id || f.in_any_sprechstunde;
  // The column comes with the Sprechstunden migration; without it no Anliegen belongs to one.
  if (wants_sprechstunde && !t.exec1(kHasSprechstundeColumn)[0].as<bool>()) return page;

  Query where;  // the conditions on anliegen a, parameters numbered from $1
  any_of(where, "a.status", f.statuses);
  any_of(where, "a.channel", f.channels);
  any_of(where, "a.kind", f.kinds);
  if (f.unit) where.add(" AND a.unit_code = $%", *f.unit);
  if (f.category) where.add(" AND a.category = $%", *f.category);
  if (f.tag) where.add(" AND a.tags @> ARRAY[$%::text]", *f.tag);
  if (f.q) where.add(" AND a.search @@ websearch_to_tsquery('german', $%)", *f.q);
  if (f.received_from) where.add(" AND a.received_at >= $%::timestamptz", detail::timestamp_param(*f.received_from));
  if (f.received_to) where.add(" AND a.received_at < $%::timestamptz", detail::timestamp_param(*f.received_to));
  if (f.sprechstunde_id) where.add(" AND a.sprechstunde_id = $%::bigint", std::to_string(*f.sprechstunde_id));
  if (f.in_any_sprechstunde) where.raw(" AND a.sprechstunde_id IS NOT NULL");
  if (f.citizen_id) where.add(" AND a.citizen_id = $%::bigint", std::to_string(*f.citizen_id));
  // The states in the text, not as a parameter: the generic plan can then use the partial index (V015).
  if (f.delivery_failed || f.delivery_held) {
    const std::string states = f.delivery_failed && f.delivery_held ? "'failed', 'held'" : f.delivery_failed ? "'failed'" : "'held'";
    where.raw(" AND a.id IN (SELECT m.anliegen_id FROM messages m WHERE m.delivery_status IN (" + states + "))");
  }
  const char* cmp = f.oldest_first ? ">" : "<";
  const std::string order = f.oldest_first ? "received_at, id" : "received_at DESC, id DESC";
  if (f.after) {
    where.add(std::string(" AND (a.received_at, a.id) ") + cmp + " (" + kMicrosToTime,
              std::to_string(f.after->received_us));
    where.add(", $%::bigint)", std::to_string(f.after->id));
  }
  const int limit = f.limit < 1 ? 1 : (f.limit > 200 ? 200 : f.limit);
  // The limit is part of the text, not a parameter: a plan for an unknown limit assumes a tenth of the
  // table and is never chosen over planning for the values (below).
  const std::string limit_text = std::to_string(limit + 1);
  std::string sql;
  if (f.q) {
    sql = std::string(kSearchFirst) + where.sql() + ")" + kSelectColumns +
          " FROM anliegen a JOIN (SELECT id FROM hits a ORDER BY a." + order + " LIMIT " + limit_text +
          ") h ON h.id = a.id) a";
  } else {
    sql = std::string(kSelectColumns) + " FROM anliegen a WHERE true" + where.sql() + " ORDER BY a." + order +
          " LIMIT " + limit_text + ") a";
  }
  sql += kLatestDecision;
  sql += " ORDER BY a." + order;

  // Equality filters on status, channel, kind and unit, the cursor and the limit are served by the same
  // plan whatever their values (an index on the filtered columns in received order), so that statement
  // is prepared once per connection; after five executions PostgreSQL keeps its generic plan, which is
  // as cheap as the custom ones here, and stops planning each call (planning cost as much as running
  // the query). Search, tags, categories (a partial index), time windows and Sprechstunden are planned
  // for their values on every call, and so are unusual page sizes, which would otherwise each leave a
  // prepared statement behind on every connection.
  const bool common_limit = limit == 10 || limit == 20 || limit == 25 || limit == 50 || limit == 100 || limit == 200;
  const bool plan_for_values =
      !common_limit || f.q || f.tag || f.category || f.received_from || f.received_to || wants_sprechstunde;
  const auto params = pqxx::prepare::make_dynamic_params(where.params());
  const auto rows = plan_for_values ? t.exec_params(sql, params) : detail::exec_prepared(tx, sql, params);
  page.items.reserve(rows.size());
  for (const auto& row : rows) {
    if (static_cast<int>(page.items.size()) == limit) {
      page.next = page.items.back().cursor;
      break;
    }
    CaseSummary s;
    auto& a = s.anliegen;
    detail::RowCursor c(row);
    a.id = domain::AnliegenId{c.int64()};
    a.reference = c.text();
    a.kind = domain::parse_kind(c.view()).value_or(domain::Kind::message);
    a.channel = domain::parse_channel(c.view()).value_or(domain::Channel::phone);
    a.status = domain::parse_status(c.view()).value_or(domain::Status::new_);
    a.unit = c.text();
    a.assignee = c.text();
    a.priority = domain::parse_priority(c.view()).value_or(domain::Priority::normal);
    a.tags = detail::text_array_from_json(c.field());
    c.skip();
    a.category = c.text();
    a.received_at = c.time_ms();
    a.updated_at = c.time_ms();
    a.first_response_at = c.optional_time_ms();
    a.closed_at = c.optional_time_ms();
    a.version = c.int64();
    s.cursor = {c.int64(), a.id.value};
    a.routing.unit = c.text();
    a.routing.rule_id = c.text();
    a.routing.rule_name = c.text();
    a.routing.reason = c.text();
    page.items.push_back(std::move(s));
  }
  return page;
}

}  // namespace anliegen::storage
