// What clerks do with defect reports beyond the common case API: release an Anliegen and set the
// expected completion (PATCH /api/v1/cases/{id}, via publication.hpp), release photos
// (PATCH /api/v1/attachments/{id}) and merge a confirmed duplicate (POST /api/v1/cases/{id}/merge).
#include <boost/json.hpp>

#include "gateway/api/api_helpers.hpp"
#include "gateway/api/case_json.hpp"
#include "gateway/api/publication.hpp"
#include "gateway/app.hpp"
#include "storage/attachments.hpp"
#include "storage/cases.hpp"
#include "storage/open311.hpp"

namespace anliegen::gateway {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using domain::Role;


json::value time_or_null(const std::optional<domain::Timestamp>& t) {
  return t ? json::value(domain::format_utc(*t)) : json::value(nullptr);
}

std::optional<std::int64_t> read_target_id(FieldReader& r, const json::object& body) {
  const auto* v = body.if_contains("into");
  if (!v || v->is_null()) {
    r.fail("into", "is required");
  } else if (!v->is_int64() || v->as_int64() <= 0) {
    r.fail("into", "must be the id of an Anliegen (a positive whole number)");
  } else {
    return v->as_int64();
  }
  return std::nullopt;
}

enum class MergeOutcome { done, not_found, self, not_defect_report, target_missing, target_not_defect_report,
                          already_merged, target_merged };

struct MergeResult {
  MergeOutcome outcome = MergeOutcome::not_found;
  std::string detail;
};

std::string kind_name(domain::Kind k) { return std::string(domain::to_string(k)); }

// Why the locked rows cannot be merged, or MergeOutcome::done. The target counts as missing when the
// caller may not see it (a clerk learns nothing about other units' Anliegen); only defect reports
// are merged, so no other Anliegen's replies ever become public through a merged Open311 request.
MergeResult check_merge(const storage::MergeRow* source, const storage::MergeRow* target, const Principal& who) {
  if (!source || !may_see_unit(who, source->unit)) return {MergeOutcome::not_found, ""};
  if (target == source) return {MergeOutcome::self, ""};
  if (source->kind != domain::Kind::defect_report) {
    return {MergeOutcome::not_defect_report,
            "only defect reports can be merged; this Anliegen is of kind " + kind_name(source->kind)};
  }
  if (!target || !may_see_unit(who, target->unit)) return {MergeOutcome::target_missing, ""};
  if (target->kind != domain::Kind::defect_report) {
    return {MergeOutcome::target_not_defect_report,
            "must be a defect report; Anliegen " + std::to_string(target->id.value) + " is of kind " + kind_name(target->kind)};
  }
  if (source->merged_into) {
    return {MergeOutcome::already_merged, "this Anliegen was already merged into " + std::to_string(source->merged_into->value)};
  }
  if (target->merged_into) {
    return {MergeOutcome::target_merged, "the target was itself merged into " + std::to_string(target->merged_into->value) +
                                             "; merge into that one instead"};
  }
  return {MergeOutcome::done, ""};
}

// Validates and performs the merge inside the transaction.
MergeResult merge(storage::Tx& tx, domain::AnliegenId from, domain::AnliegenId into, const Principal& who) {
  const auto rows = storage::lock_for_merge(tx, from, into);
  const storage::MergeRow* source = nullptr;
  const storage::MergeRow* target = nullptr;
  for (const auto& r : rows) {
    if (r.id == from) source = &r;
    if (r.id == into) target = &r;
  }
  auto result = check_merge(source, target, who);
  if (result.outcome != MergeOutcome::done) return result;
  storage::merge_into(tx, from, into);
  storage::record_event(tx, from, who.actor(), "merged",
                        json::serialize(json::object{{"into", into.value}, {"into_reference", target->reference},
                                                     {"status", json::object{{"old", domain::to_string(source->status)},
                                                                             {"new", "closed"}}}}));
  storage::record_event(tx, into, who.actor(), "merge_received",
                        json::serialize(json::object{{"from", from.value}, {"from_reference", source->reference}}));
  return {MergeOutcome::done, ""};
}

asio::awaitable<Response> merge_case(App& app, RequestContext& ctx) {
  auto start = co_await begin_change(app, ctx, kAnyRole, "no Anliegen with this id");
  if (auto* refusal = std::get_if<Response>(&start)) co_return std::move(*refusal);
  const auto& [who, raw_id, obj] = std::get<ChangeRequest>(start);
  FieldReader r(obj);
  r.only({"into"});
  const auto into = read_target_id(r, obj);
  if (!r.ok()) co_return validation_problem(std::move(r.errors()));
  const domain::AnliegenId from{raw_id};
  const domain::AnliegenId target{*into};
  MergeResult result;
  std::optional<domain::Anliegen> after;
  co_await app.db().transact([&](storage::Tx& tx) {
    result = merge(tx, from, target, who);
    if (result.outcome == MergeOutcome::done) after = storage::get_case(tx, from);
  });
  ctx.anliegen_id = from.value;
  switch (result.outcome) {
    case MergeOutcome::not_found: co_return problem(http::status::not_found, "no Anliegen with this id");
    case MergeOutcome::self: co_return validation_problem({{"into", "an Anliegen cannot be merged into itself"}});
    case MergeOutcome::target_missing: co_return validation_problem({{"into", "no Anliegen with this id"}});
    case MergeOutcome::target_not_defect_report: co_return validation_problem({{"into", result.detail}});
    case MergeOutcome::not_defect_report:
    case MergeOutcome::already_merged:
    case MergeOutcome::target_merged: co_return problem(http::status::conflict, result.detail);
    case MergeOutcome::done: break;
  }
  auto res = json_response(http::status::ok, case_to_json(*after, who.role));
  res.set(http::field::etag, etag_for(after->version));
  co_return res;
}

asio::awaitable<Response> patch_attachment(App& app, RequestContext& ctx) {
  auto start = co_await begin_change(app, ctx, kAnyRole, "no attachment with this id");
  if (auto* refusal = std::get_if<Response>(&start)) co_return std::move(*refusal);
  const auto& [who, id, obj] = std::get<ChangeRequest>(start);
  FieldReader r(obj);
  r.only({"public"});
  const auto is_public = read_bool(r, obj, "public");
  if (r.ok() && !is_public) r.fail("public", "is required");
  if (!r.ok()) co_return validation_problem(std::move(r.errors()));
  std::optional<storage::AttachmentFile> file;
  co_await app.db().transact([&](storage::Tx& tx) {
    file = storage::get_attachment_file(tx, domain::AttachmentId{id}, false);
    if (!file || !may_see_unit(who, file->unit)) {
      file.reset();
      return;
    }
    if (file->meta.is_public != *is_public) {
      storage::set_attachment_public(tx, domain::AttachmentId{id}, *is_public);
      storage::record_event(tx, file->anliegen, who.actor(), *is_public ? "attachment_released" : "attachment_withdrawn",
                            json::serialize(json::object{{"attachment_id", id}}));
    }
  });
  if (!file) co_return problem(http::status::not_found, "no attachment with this id");
  ctx.anliegen_id = file->anliegen.value;
  co_return json_response(http::status::ok, json::object{{"id", id}, {"public", *is_public}, {"state", file->meta.state}});
}

}  // namespace

PublicationPatch read_publication_patch(FieldReader& r, const json::object& body) {
  PublicationPatch p;
  p.is_public = read_bool(r, body, "public");
  if (const auto* v = body.if_contains("expected_at")) {
    if (v->is_null()) {
      p.expected_at = std::optional<domain::Timestamp>{};
    } else if (auto text = r.text("expected_at", 40)) {
      if (auto t = domain::parse_iso8601(*text)) {
        p.expected_at = t;
      } else {
        r.fail("expected_at", "must be an ISO 8601 date-time with offset, e.g. 2026-12-04T12:00:00+01:00, or null");
      }
    }
  }
  return p;
}

std::optional<std::string> release_refusal(const PublicationPatch& patch, domain::Kind kind) {
  if (patch.is_public.value_or(false) && kind != domain::Kind::defect_report) {
    return "only defect reports can be released; this Anliegen is of kind " + kind_name(kind);
  }
  return std::nullopt;
}

void apply_publication_patch(storage::Tx& tx, domain::AnliegenId id, const PublicationPatch& patch, const Principal& who) {
  if (patch.empty()) return;
  const auto cur = storage::publication(tx, id);
  if (!cur) return;
  auto next = *cur;
  if (patch.is_public) next.is_public = *patch.is_public;
  if (patch.expected_at) next.expected_at = *patch.expected_at;
  if (next.is_public == cur->is_public && next.expected_at == cur->expected_at) return;
  storage::set_publication(tx, id, next);
  json::object changes;
  if (next.is_public != cur->is_public) changes["public"] = json::object{{"old", cur->is_public}, {"new", next.is_public}};
  if (next.expected_at != cur->expected_at) {
    changes["expected_at"] = json::object{{"old", time_or_null(cur->expected_at)}, {"new", time_or_null(next.expected_at)}};
  }
  const char* type = next.is_public == cur->is_public ? "updated" : (next.is_public ? "released" : "withdrawn");
  storage::record_event(tx, id, who.actor(), type, json::serialize(changes));
}

void register_defect_report_routes(App& app) {
  app.router().add(http::verb::post, "/api/v1/cases/{id}/merge", [&app](RequestContext& c) { return merge_case(app, c); });
  app.router().add(http::verb::patch, "/api/v1/attachments/{id}",
                   [&app](RequestContext& c) { return patch_attachment(app, c); });
}

}  // namespace anliegen::gateway
