#include "storage/reports.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "storage/detail/pq.hpp"

namespace anliegen::storage {
namespace {

using detail::txn;
using domain::Timestamp;

// The week [$1, $2) in one pass over five index ranges — received, first answered, closed during the
// week, and open at its end (never closed, or closed only later) — grouped twice: per channel and per
// unit. $3 unit codes with $4 their target cutoffs (domain::working_days_cutoff) mark the open Anliegen
// that are over their unit's target. Durations in hours, rounded to 0.01.
constexpr const char* kWeekFigures = R"sql(
WITH cut AS (SELECT * FROM unnest($3::text[], $4::text[]::timestamptz[]) AS t(code, cutoff)),
ev AS (
  SELECT channel, unit_code, 1 AS r, 0 AS a, 0 AS c, 0 AS o, NULL::float8 AS resp, NULL::float8 AS dur, false AS late
  FROM anliegen WHERE received_at >= $1 AND received_at < $2
  UNION ALL SELECT channel, unit_code, 0, 1, 0, 0, extract(epoch FROM first_response_at - received_at), NULL, false
  FROM anliegen WHERE first_response_at >= $1 AND first_response_at < $2
  UNION ALL SELECT channel, unit_code, 0, 0, 1, 0, NULL, extract(epoch FROM closed_at - received_at), false
  FROM anliegen WHERE closed_at >= $1 AND closed_at < $2
  UNION ALL SELECT a.channel, a.unit_code, 0, 0, 0, 1, NULL, NULL, a.received_at < cut.cutoff
  FROM anliegen a LEFT JOIN cut ON cut.code = a.unit_code WHERE a.closed_at IS NULL AND a.received_at < $2
  UNION ALL SELECT a.channel, a.unit_code, 0, 0, 0, 1, NULL, NULL, a.received_at < cut.cutoff
  FROM anliegen a LEFT JOIN cut ON cut.code = a.unit_code WHERE a.closed_at >= $2 AND a.received_at < $2)
SELECT GROUPING(channel), coalesce(channel, unit_code), sum(r)::bigint, sum(a)::bigint, sum(c)::bigint,
       sum(o)::bigint, count(*) FILTER (WHERE late),
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY resp) / 3600)::numeric, 2)::float8,
       round((percentile_cont(0.9) WITHIN GROUP (ORDER BY resp) / 3600)::numeric, 2)::float8,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY dur) / 3600)::numeric, 2)::float8
FROM ev GROUP BY GROUPING SETS ((channel), (unit_code)))sql";

// The same four totals for a week [$1, $2) without the breakdown (the previous week).
constexpr const char* kTotals = R"sql(
SELECT (SELECT count(*) FROM anliegen WHERE received_at >= $1 AND received_at < $2),
       (SELECT count(*) FROM anliegen WHERE first_response_at >= $1 AND first_response_at < $2),
       (SELECT count(*) FROM anliegen WHERE closed_at >= $1 AND closed_at < $2),
       (SELECT count(*) FROM anliegen WHERE closed_at IS NULL AND received_at < $2)
       + (SELECT count(*) FROM anliegen WHERE closed_at >= $2 AND received_at < $2))sql";

constexpr const char* kKinds = R"sql(
SELECT kind, count(*) FROM anliegen WHERE received_at >= $1 AND received_at < $2 GROUP BY kind ORDER BY 2 DESC, 1)sql";

// $1 week start, $2 week end, $3 start of the previous week.
constexpr const char* kCategories = R"sql(
SELECT category, count(*) FILTER (WHERE received_at >= $1), count(*) FILTER (WHERE received_at < $1)
FROM anliegen WHERE received_at >= $3 AND received_at < $2 AND category <> ''
GROUP BY category HAVING count(*) FILTER (WHERE received_at >= $1) > 0
ORDER BY 2 DESC, 1 LIMIT 10)sql";

constexpr const char* kRisingTopics = R"sql(
WITH x AS (
  SELECT 'category' AS type, category AS name, received_at FROM anliegen
  WHERE received_at >= $3 AND received_at < $2 AND category <> ''
  UNION ALL SELECT 'tag', t.tag, a.received_at FROM anliegen a, unnest(a.tags) AS t(tag)
  WHERE a.received_at >= $3 AND a.received_at < $2 AND a.tags <> '{}')
SELECT type, name, cur, prev FROM (
  SELECT type, name, count(*) FILTER (WHERE received_at >= $1) AS cur, count(*) FILTER (WHERE received_at < $1) AS prev
  FROM x GROUP BY type, name) counted
WHERE cur > prev ORDER BY cur - prev DESC, cur DESC, type, name LIMIT 5)sql";

// Sprechstunden that began during the week; answers counted up to the end of the week ($2).
constexpr const char* kSprechstunden = R"sql(
SELECT s.id, s.channel, s.title, s.host_unit, (extract(epoch FROM s.starts_at) * 1000)::bigint,
       (extract(epoch FROM s.ends_at) * 1000)::bigint,
       (SELECT count(*) FROM anliegen a JOIN messages m ON m.anliegen_id = a.id
        WHERE a.sprechstunde_id = s.id AND m.direction = 'inbound' AND m.sent_at >= s.starts_at AND m.sent_at < s.ends_at),
       x.citizens, x.n, x.during, x.later, x.n - x.during - x.later, round(x.median::numeric, 1)::float8
FROM sprechstunden s
CROSS JOIN LATERAL (
  SELECT count(DISTINCT a.citizen_id) AS citizens, count(*) AS n,
         count(*) FILTER (WHERE a.first_response_at < s.ends_at) AS during,
         count(*) FILTER (WHERE a.first_response_at >= s.ends_at AND a.first_response_at < $2) AS later,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM a.first_response_at - a.received_at) / 60)
           FILTER (WHERE a.first_response_at < $2) AS median
  FROM anliegen a WHERE a.sprechstunde_id = s.id) x
WHERE s.cancelled_at IS NULL AND s.starts_at >= $1 AND s.starts_at < $2
ORDER BY s.starts_at, s.id)sql";

constexpr const char* kInvitationCounts = R"sql(
SELECT (SELECT count(*) FROM invitations WHERE created_at >= $1 AND created_at < $2),
       (SELECT count(*) FROM invitations WHERE threshold_reached_at >= $1 AND threshold_reached_at < $2),
       (SELECT count(*) FROM invitations WHERE decided_at >= $1 AND decided_at < $2),
       (SELECT count(*) FROM invitations WHERE decided_at >= $1 AND decided_at < $2 AND decision = 'accepted'),
       (SELECT count(*) FROM invitations WHERE decided_at >= $1 AND decided_at < $2 AND decision = 'declined'))sql";

// Per invitation: the latest count before the end of the week minus the latest before its start.
constexpr const char* kSupporters = R"sql(
WITH e AS (SELECT DISTINCT ON (anliegen_id) anliegen_id, supporters FROM invitation_supporter_counts
           WHERE observed_at < $2 ORDER BY anliegen_id, observed_at DESC),
s AS (SELECT DISTINCT ON (anliegen_id) anliegen_id, supporters FROM invitation_supporter_counts
      WHERE observed_at < $1 ORDER BY anliegen_id, observed_at DESC)
SELECT a.reference, i.title, e.supporters, e.supporters - coalesce(s.supporters, 0) AS gained
FROM e JOIN invitations i ON i.anliegen_id = e.anliegen_id JOIN anliegen a ON a.id = e.anliegen_id
LEFT JOIN s ON s.anliegen_id = e.anliegen_id
WHERE e.supporters - coalesce(s.supporters, 0) <> 0
ORDER BY gained DESC, e.supporters DESC, a.reference)sql";

// Walks the Anliegen from the oldest: open ones are found long before the table ends.
constexpr const char* kOldestOpen = R"sql(
SELECT reference, unit_code, (extract(epoch FROM received_at) * 1000)::bigint FROM anliegen
WHERE received_at < $1 AND (closed_at IS NULL OR closed_at >= $1) ORDER BY received_at, id LIMIT 10)sql";

std::optional<double> optional_double(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return f.as<double>();
}

// Fills totals, by_channel and by_unit of the report's week.
void week_figures(Tx& tx, domain::WeeklyReport& r, const std::string& from, const std::string& to) {
  // The cutoff of each unit's target, computed here because working days are Berlin calendar days.
  const auto end_day = domain::iso_week_monday(r.week) + std::chrono::days{7};
  std::vector<std::string> codes, cutoffs;
  std::map<std::string, domain::ReportUnit> all, shown;  // shown: active units and those with figures
  for (const auto& row : txn(tx).exec("SELECT code, name, target_days, active FROM units")) {
    domain::ReportUnit u;
    u.code = row[0].as<std::string>();
    u.name = row[1].as<std::string>();
    u.target_days = row[2].as<int>();
    codes.push_back(u.code);
    cutoffs.push_back(detail::timestamp_param(domain::working_days_cutoff(end_day, u.target_days)));
    if (row[3].as<bool>()) shown[u.code] = u;
    all[u.code] = std::move(u);
  }
  const auto rows = txn(tx).exec_params(kWeekFigures, from, to, detail::text_array_param(codes),
                                        detail::text_array_param(cutoffs));
  for (const auto& row : rows) {
    const domain::ReportTotals figures{row[2].as<std::int64_t>(), row[3].as<std::int64_t>(),
                                       row[4].as<std::int64_t>(), row[5].as<std::int64_t>()};
    const auto key = row[1].as<std::string>();
    if (row[0].as<int>() == 0) {
      r.by_channel.push_back({key, figures});
      continue;
    }
    auto& u = shown.try_emplace(key, all[key]).first->second;
    u.figures = figures;
    u.over_target = row[6].as<std::int64_t>();
    u.first_response_median_hours = optional_double(row[7]);
    u.first_response_p90_hours = optional_double(row[8]);
    u.close_median_hours = optional_double(row[9]);
  }
  std::sort(r.by_channel.begin(), r.by_channel.end(), [](const auto& a, const auto& b) {
    return a.figures.received != b.figures.received ? a.figures.received > b.figures.received : a.channel < b.channel;
  });
  for (auto& [code, u] : shown) r.by_unit.push_back(std::move(u));  // by code, in byte order
  for (const auto& c : r.by_channel) {
    r.totals.received += c.figures.received;
    r.totals.answered += c.figures.answered;
    r.totals.closed += c.figures.closed;
    r.totals.open_at_end += c.figures.open_at_end;
  }
}

domain::ReportTotals week_totals(Tx& tx, const std::string& from, const std::string& to) {
  const auto row = txn(tx).exec_params1(kTotals, from, to);
  return {row[0].as<std::int64_t>(), row[1].as<std::int64_t>(), row[2].as<std::int64_t>(), row[3].as<std::int64_t>()};
}

void topics(Tx& tx, domain::WeeklyReport& r, const std::string& from, const std::string& to, const std::string& prev) {
  for (const auto& row : txn(tx).exec_params(kKinds, from, to)) {
    r.by_kind.push_back({row[0].as<std::string>(), row[1].as<std::int64_t>()});
  }
  std::sort(r.by_kind.begin(), r.by_kind.end(), [](const auto& a, const auto& b) {
    return a.received != b.received ? a.received > b.received : a.kind < b.kind;
  });
  for (const auto& row : txn(tx).exec_params(kCategories, from, to, prev)) {
    r.by_category.push_back({row[0].as<std::string>(), row[1].as<std::int64_t>(), row[2].as<std::int64_t>()});
  }
  for (const auto& row : txn(tx).exec_params(kRisingTopics, from, to, prev)) {
    r.rising_topics.push_back(
        {row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::int64_t>(), row[3].as<std::int64_t>()});
  }
}

void sprechstunden(Tx& tx, domain::WeeklyReport& r, const std::string& from, const std::string& to) {
  for (const auto& row : txn(tx).exec_params(kSprechstunden, from, to)) {
    domain::ReportSprechstunde s;
    s.id = row[0].as<std::int64_t>();
    s.channel = row[1].as<std::string>();
    s.title = row[2].as<std::string>();
    s.host_unit = row[3].as<std::string>();
    s.starts_at = detail::timestamp_from_ms(row[4]);
    s.ends_at = detail::timestamp_from_ms(row[5]);
    s.messages = row[6].as<std::int64_t>();
    s.citizens = row[7].as<std::int64_t>();
    s.anliegen = row[8].as<std::int64_t>();
    s.answered_during = row[9].as<std::int64_t>();
    s.answered_later = row[10].as<std::int64_t>();
    s.unanswered = row[11].as<std::int64_t>();
    s.answer_median_minutes = optional_double(row[12]);
    r.sprechstunden.push_back(std::move(s));
  }
}

void invitations(Tx& tx, domain::WeeklyReport& r, const std::string& from, const std::string& to) {
  const auto c = txn(tx).exec_params1(kInvitationCounts, from, to);
  auto& inv = r.invitations;
  inv.created = c[0].as<std::int64_t>();
  inv.threshold_reached = c[1].as<std::int64_t>();
  inv.decided = c[2].as<std::int64_t>();
  inv.accepted = c[3].as<std::int64_t>();
  inv.declined = c[4].as<std::int64_t>();
  for (const auto& row : txn(tx).exec_params(kSupporters, from, to)) {
    const auto gained = row[3].as<std::int64_t>();
    inv.supporters_gained += gained;
    if (inv.most_supported.size() < 10) {
      inv.most_supported.push_back(
          {row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::int64_t>(), gained});
    }
  }
}

void oldest_open(Tx& tx, domain::WeeklyReport& r, const std::string& to) {
  for (const auto& row : txn(tx).exec_params(kOldestOpen, to)) {
    domain::ReportOpenCase o;
    o.reference = row[0].as<std::string>();
    o.unit = row[1].as<std::string>();
    o.received_at = detail::timestamp_from_ms(row[2]);
    const double days = std::chrono::duration<double>(r.to - o.received_at).count() / 86400.0;
    o.age_days = std::round(days * 10.0) / 10.0;
    r.oldest_open.push_back(std::move(o));
  }
}

// The columns stored_from_row reads.
constexpr const char* kSelectStored =
    "SELECT week, (extract(epoch FROM generated_at) * 1000)::bigint, report::text, html FROM weekly_reports ";

StoredReport stored_from_row(const pqxx::row& row) {
  return {row[0].as<std::string>(), detail::timestamp_from_ms(row[1]), row[2].as<std::string>(),
          row[3].as<std::string>(), false};
}

}  // namespace

domain::WeeklyReport compute_weekly_report(Tx& tx, domain::IsoWeek week, Timestamp generated_at) {
  domain::WeeklyReport r;
  r.week = week;
  const auto interval = domain::week_interval(week);
  r.from = interval.from;
  r.to = interval.to;
  r.generated_at = generated_at;
  const auto from = detail::timestamp_param(r.from);
  const auto to = detail::timestamp_param(r.to);
  const auto prev = detail::timestamp_param(domain::week_interval(domain::previous_week(week)).from);
  week_figures(tx, r, from, to);
  r.previous = week_totals(tx, prev, from);
  topics(tx, r, from, to, prev);
  sprechstunden(tx, r, from, to);
  invitations(tx, r, from, to);
  oldest_open(tx, r, to);
  return r;
}

std::optional<StoredReport> find_weekly_report(Tx& tx, const std::string& week) {
  const auto rows = txn(tx).exec_params(std::string(kSelectStored) + "WHERE week = $1", week);
  if (rows.empty()) return std::nullopt;
  return stored_from_row(rows[0]);
}

StoredReport store_weekly_report(Tx& tx, const std::string& week, const std::string& json, const std::string& html) {
  const bool inserted = !txn(tx)
                             .exec_params("INSERT INTO weekly_reports (week, report, html) VALUES ($1, $2::jsonb, $3) "
                                          "ON CONFLICT (week) DO NOTHING RETURNING week",
                                          week, json, html)
                             .empty();
  auto stored = find_weekly_report(tx, week);
  if (!stored) throw std::logic_error("weekly report " + week + " vanished after it was stored");
  stored->inserted = inserted;
  return *stored;
}

void mark_report_notified(Tx& tx, const std::string& week) {
  txn(tx).exec_params("UPDATE weekly_reports SET notified_at = now() WHERE week = $1 AND notified_at IS NULL", week);
}

std::vector<StoredReport> stored_reports_listing(Tx& tx, const std::vector<std::string>& invitation_references) {
  std::vector<StoredReport> out;
  if (invitation_references.empty()) return out;
  const auto rows = txn(tx).exec_params(
      std::string(kSelectStored) +
      "WHERE EXISTS (SELECT 1 FROM jsonb_array_elements(report->'invitations'->'most_supported') AS i "
      "              WHERE i->>'reference' = ANY($1::text[])) "
      "ORDER BY week FOR UPDATE",
      detail::text_array_param(invitation_references));
  for (const auto& row : rows) out.push_back(stored_from_row(row));
  return out;
}

void replace_stored_report(Tx& tx, const std::string& week, const std::string& json, const std::string& html) {
  txn(tx).exec_params("UPDATE weekly_reports SET report = $2::jsonb, html = $3 WHERE week = $1", week, json, html);
}

void lock_weekly_reports(Tx& tx) { txn(tx).exec("SELECT pg_advisory_xact_lock(hashtext('anliegen.weekly_reports'))"); }

}  // namespace anliegen::storage
