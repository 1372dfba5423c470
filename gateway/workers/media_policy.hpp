#pragma once
// The rules the media fetcher applies, as pure functions: size limits per kind, accepted MIME types,
// which URLs a WhatsApp media lookup may send us to, the retry back-off, and safe download names.
//
//   if (!media::may_follow_whatsapp_url(info.url, settings.graph_url)) refuse(...);
//   const auto limit = media::size_limit(job.kind, options.max_bytes);
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "domain/enums.hpp"

namespace anliegen::gateway::media {

// WhatsApp's limits per kind (image 5 MB, audio/voice/video 16 MB, sticker 500 KB, document 100 MB),
// never above `configured_max`.
std::size_t size_limit(domain::AttachmentKind kind, std::size_t configured_max);

// The media type of a Content-Type value: "Image/JPEG; q=1" → "image/jpeg"; "" when malformed.
std::string media_type(std::string_view content_type);

// The type to store: the response's, unless it is missing or generic (application/octet-stream,
// binary/octet-stream), then the declared one.
std::string choose_mime(std::string_view response_content_type, std::string_view declared);

// Types accepted from generic downloads (Messenger CDN, Open311 media_url): common images (no SVG),
// audio, video, PDF, plain text and office documents.
bool is_accepted_generic_type(std::string_view media_type);

// Types that are safe to show inline in a browser; anything else is served as an attachment.
bool is_inline_safe_type(std::string_view media_type);

// A WhatsApp media URL may be followed only over https to Meta's media hosts (*.fbsbx.com,
// *.fbcdn.net, *.whatsapp.net) or to the scheme, host and port of the configured Graph URL.
bool may_follow_whatsapp_url(std::string_view url, std::string_view graph_url);

// The host of a URL for messages ("" when unparsable). Never the path or query: those can carry tokens.
std::string url_host(std::string_view url);

// Delay before the next attempt after `attempts` failed ones: base·2^(attempts−1) capped at `cap`,
// plus jitter of up to a quarter of that (jitter01 in [0, 1)).
std::chrono::milliseconds retry_delay(int attempts, std::chrono::milliseconds base, std::chrono::milliseconds cap,
                                      double jitter01);

// A filename for Content-Disposition: path parts dropped, only [A-Za-z0-9._ -] kept (others become
// '_'), at most 100 characters; "attachment-<id>" plus an extension from the type when nothing is left.
std::string safe_filename(std::string_view name, std::int64_t id, std::string_view mime);

}  // namespace anliegen::gateway::media
