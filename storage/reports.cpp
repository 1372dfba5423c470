#include "storage/reports.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "storage/detail/pq.hpp"

namespace anliegen::storage {
namespace {

using detail::txn;
using domain::Timestamp;

// The four figures of a week [$1, $2) per channel: received, first answered, closed, open at the end.
// Each branch reads one index range (received_at, first_response_at, closed_at, open by received_at).
constexpr const char* kChannelFigures = R"sql(
WITH ev AS (
  SELECT channel, 1 AS r, 0 AS a, 0 AS c, 0 AS o FROM anliegen WHERE received_at >= $1 AND received_at < $2
  UNION ALL SELECT channel, 0, 1, 0, 0 FROM anliegen WHERE first_response_at >= $1 AND first_response_at < $2
  UNION ALL SELECT channel, 0, 0, 1, 0 FROM anliegen WHERE closed_at >= $1 AND closed_at < $2
  UNION ALL SELECT channel, 0, 0, 0, 1 FROM anliegen WHERE closed_at IS NULL AND received_at < $2
  UNION ALL SELECT channel, 0, 0, 0, 1 FROM anliegen WHERE closed_at >= $2 AND received_at < $2)
SELECT channel, sum(r)::bigint, sum(a)::bigint, sum(c)::bigint, sum(o)::bigint FROM ev
GROUP BY channel ORDER BY sum(r) DESC, channel)sql";

// Per unit: the four figures, durations in hours, and how many open Anliegen are past the unit's
// target ($3 unit codes with $4 their cutoff instants, see domain::working_days_cutoff).
constexpr const char* kUnitFigures = R"sql(
WITH cut AS (SELECT * FROM unnest($3::text[], $4::text[]::timestamptz[]) AS t(code, cutoff)),
r AS (SELECT unit_code, count(*) AS n FROM anliegen WHERE received_at >= $1 AND received_at < $2 GROUP BY 1),
a AS (SELECT unit_code, count(*) AS n,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM first_response_at - received_at)) AS m,
        percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM first_response_at - received_at)) AS p90
      FROM anliegen WHERE first_response_at >= $1 AND first_response_at < $2 GROUP BY 1),
c AS (SELECT unit_code, count(*) AS n,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM closed_at - received_at)) AS m
      FROM anliegen WHERE closed_at >= $1 AND closed_at < $2 GROUP BY 1),
open_rows AS (
  SELECT unit_code, received_at FROM anliegen WHERE closed_at IS NULL AND received_at < $2
  UNION ALL SELECT unit_code, received_at FROM anliegen WHERE closed_at >= $2 AND received_at < $2),
o AS (SELECT x.unit_code, count(*) AS n, count(*) FILTER (WHERE x.received_at < cut.cutoff) AS late
      FROM open_rows x LEFT JOIN cut ON cut.code = x.unit_code GROUP BY 1)
SELECT u.code, u.name, u.target_days, coalesce(r.n, 0), coalesce(a.n, 0), coalesce(c.n, 0), coalesce(o.n, 0),
       coalesce(o.late, 0), round((a.m / 3600)::numeric, 2)::float8, round((a.p90 / 3600)::numeric, 2)::float8,
       round((c.m / 3600)::numeric, 2)::float8
FROM units u LEFT JOIN r ON r.unit_code = u.code LEFT JOIN a ON a.unit_code = u.code
LEFT JOIN c ON c.unit_code = u.code LEFT JOIN o ON o.unit_code = u.code
WHERE u.active OR r.n IS NOT NULL OR a.n IS NOT NULL OR c.n IS NOT NULL OR o.n IS NOT NULL
ORDER BY u.code)sql";

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
SELECT type, name, count(*) FILTER (WHERE received_at >= $1) AS cur, count(*) FILTER (WHERE received_at < $1) AS prev
FROM x GROUP BY type, name
HAVING count(*) FILTER (WHERE received_at >= $1) > count(*) FILTER (WHERE received_at < $1)
ORDER BY cur - prev DESC, cur DESC, type, name LIMIT 5)sql";

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

constexpr const char* kOldestOpen = R"sql(
SELECT reference, unit_code, (extract(epoch FROM received_at) * 1000)::bigint FROM (
  (SELECT id, reference, unit_code, received_at FROM anliegen WHERE closed_at IS NULL AND received_at < $1
   ORDER BY received_at, id LIMIT 10)
  UNION ALL
  (SELECT id, reference, unit_code, received_at FROM anliegen WHERE closed_at >= $1 AND received_at < $1
   ORDER BY received_at, id LIMIT 10)) x
ORDER BY received_at, id LIMIT 10)sql";

std::optional<double> optional_double(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return f.as<double>();
}

domain::ReportTotals totals_of(const pqxx::row& row, int first) {
  return {row[first].as<std::int64_t>(), row[first + 1].as<std::int64_t>(), row[first + 2].as<std::int64_t>(),
          row[first + 3].as<std::int64_t>()};
}

std::vector<domain::ReportChannel> channel_figures(Tx& tx, const std::string& from, const std::string& to) {
  std::vector<domain::ReportChannel> out;
  for (const auto& row : txn(tx).exec_params(kChannelFigures, from, to)) {
    out.push_back({row[0].as<std::string>(), totals_of(row, 1)});
  }
  return out;
}

domain::ReportTotals sum(const std::vector<domain::ReportChannel>& channels) {
  domain::ReportTotals t;
  for (const auto& c : channels) {
    t.received += c.figures.received;
    t.answered += c.figures.answered;
    t.closed += c.figures.closed;
    t.open_at_end += c.figures.open_at_end;
  }
  return t;
}

std::vector<domain::ReportUnit> unit_figures(Tx& tx, domain::IsoWeek week, const std::string& from,
                                             const std::string& to) {
  // The cutoff of each unit's target, computed here because working days are Berlin calendar days.
  const auto end_day = domain::iso_week_monday(week) + std::chrono::days{7};
  std::vector<std::string> codes, cutoffs;
  std::map<int, std::string> by_target;
  for (const auto& row : txn(tx).exec("SELECT code, target_days FROM units")) {
    const int target = row[1].as<int>();
    if (!by_target.count(target)) {
      by_target[target] = detail::timestamp_param(domain::working_days_cutoff(end_day, target));
    }
    codes.push_back(row[0].as<std::string>());
    cutoffs.push_back(by_target[target]);
  }
  std::vector<domain::ReportUnit> out;
  const auto rows = txn(tx).exec_params(kUnitFigures, from, to, detail::text_array_param(codes),
                                        detail::text_array_param(cutoffs));
  for (const auto& row : rows) {
    domain::ReportUnit u;
    u.code = row[0].as<std::string>();
    u.name = row[1].as<std::string>();
    u.target_days = row[2].as<int>();
    u.figures = totals_of(row, 3);
    u.over_target = row[7].as<std::int64_t>();
    u.first_response_median_hours = optional_double(row[8]);
    u.first_response_p90_hours = optional_double(row[9]);
    u.close_median_hours = optional_double(row[10]);
    out.push_back(std::move(u));
  }
  // By code in byte order, whatever the database's collation (the JSON round trip relies on it).
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.code < b.code; });
  return out;
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
  r.by_channel = channel_figures(tx, from, to);
  r.totals = sum(r.by_channel);
  r.previous = sum(channel_figures(tx, prev, from));
  r.by_unit = unit_figures(tx, week, from, to);
  topics(tx, r, from, to, prev);
  sprechstunden(tx, r, from, to);
  invitations(tx, r, from, to);
  oldest_open(tx, r, to);
  return r;
}

std::optional<StoredReport> find_weekly_report(Tx& tx, const std::string& week) {
  const auto rows = txn(tx).exec_params(
      "SELECT week, (extract(epoch FROM generated_at) * 1000)::bigint, report::text, html FROM weekly_reports "
      "WHERE week = $1",
      week);
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

void lock_weekly_reports(Tx& tx) { txn(tx).exec("SELECT pg_advisory_xact_lock(hashtext('anliegen.weekly_reports'))"); }

}  // namespace anliegen::storage
