#pragma once
// The closed vocabularies of the model (channel, kind, status, ...) and their wire names.
// Every enum has `to_string` (the lower-case name used in JSON, SQL and URLs) and a `parse_*` that
// returns std::nullopt for a name it does not know, so callers can answer with a clear error.
#include <optional>
#include <span>
#include <string_view>

namespace anliegen::domain {

enum class Channel { whatsapp, facebook, instagram, x, maengelmelder, holdieob, phone, letter, email, in_person };
enum class Kind { message, defect_report, invitation, comment };
enum class Status { new_, in_progress, answered, closed, rejected };
enum class Priority { low, normal, high, urgent };
enum class Direction { inbound, outbound, internal };
enum class AttachmentKind { image, audio, voice, video, document, sticker };
enum class Role { clerk, office, admin };

std::string_view to_string(Channel v);
std::string_view to_string(Kind v);
std::string_view to_string(Status v);
std::string_view to_string(Priority v);
std::string_view to_string(Direction v);
std::string_view to_string(AttachmentKind v);
std::string_view to_string(Role v);

std::optional<Channel> parse_channel(std::string_view s);
std::optional<Kind> parse_kind(std::string_view s);
std::optional<Status> parse_status(std::string_view s);
std::optional<Priority> parse_priority(std::string_view s);
std::optional<Direction> parse_direction(std::string_view s);
std::optional<AttachmentKind> parse_attachment_kind(std::string_view s);
std::optional<Role> parse_role(std::string_view s);

// The names a parse_* accepts, for error messages and the OpenAPI enums.
std::span<const std::string_view> channel_names();
std::span<const std::string_view> status_names();
std::span<const std::string_view> priority_names();

// Channels whose concerns are taken down by staff (phone, letter, e-mail, in person): they have no
// platform to send a reply back through.
bool is_offline_channel(Channel c);

}  // namespace anliegen::domain
