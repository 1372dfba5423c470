// GET /api/v1/attachments/{id}: the downloaded file of a message attachment, for clerks (own unit
// only; others get 404 as if it did not exist), the office and admins. Pending and failed downloads
// answer 409 with the reason.
#include "gateway/api/api_helpers.hpp"
#include "gateway/app.hpp"
#include "gateway/http/responses.hpp"
#include "gateway/workers/media_policy.hpp"
#include "storage/attachments.hpp"

namespace anliegen::gateway {
namespace {

namespace asio = boost::asio;
using domain::Role;


asio::awaitable<Response> get_attachment(App& app, RequestContext& ctx) {
  auto auth = co_await app.authorize(ctx, kAnyRole);
  if (auto* refusal = std::get_if<Response>(&auth)) co_return std::move(*refusal);
  const auto& who = std::get<Principal>(auth);

  const auto id = parse_path_id(ctx.params.get("id"));
  if (!id) co_return problem(http::status::not_found, "no attachment with this id");
  std::optional<storage::AttachmentFile> file;
  co_await app.db().read(
      [&](storage::Tx& tx) { file = storage::get_attachment_file(tx, domain::AttachmentId{*id}, true); });
  if (!file || !may_see_unit(who, file->unit)) co_return problem(http::status::not_found, "no attachment with this id");
  ctx.anliegen_id = file->anliegen.value;

  if (file->meta.state == "pending") {
    std::string detail = "the file has not been downloaded yet; please retry shortly";
    if (!file->meta.error.empty()) detail += " (last attempt: " + file->meta.error + ")";
    auto res = problem(http::status::conflict, detail);
    res.set(http::field::retry_after, "30");
    co_return res;
  }
  if (file->meta.state != "stored") {
    const auto reason = file->meta.error.empty() ? std::string("unknown error") : file->meta.error;
    co_return problem(http::status::conflict, "the file could not be downloaded: " + reason);
  }

  const auto type = media::media_type(file->meta.mime_type);
  const auto name = media::safe_filename(file->meta.filename, file->meta.id.value, type);
  Response res{http::status::ok, ctx.request.version()};
  res.set(http::field::content_type, type.empty() ? "application/octet-stream" : type);
  // Types a browser could run (HTML, SVG, ...) are never shown inline.
  res.set(http::field::content_disposition,
          std::string(media::is_inline_safe_type(type) ? "inline" : "attachment") + "; filename=\"" + name + "\"");
  res.set(http::field::cache_control, "private, no-store");
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Content-Security-Policy", "sandbox");
  if (!file->meta.sha256.empty()) res.set(http::field::etag, "\"" + file->meta.sha256 + "\"");
  res.body() = std::move(file->content);
  res.prepare_payload();
  co_return res;
}

}  // namespace

void register_attachment_routes(App& app) {
  app.router().add(http::verb::get, "/api/v1/attachments/{id}",
                   [&app](RequestContext& ctx) { return get_attachment(app, ctx); });
}

}  // namespace anliegen::gateway
