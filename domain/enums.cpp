#include "domain/enums.hpp"

#include <array>

namespace anliegen::domain {
namespace {

constexpr std::array<std::string_view, 10> kChannels = {"whatsapp",      "facebook", "instagram", "x",     "maengelmelder",
                                                        "holdieob",      "phone",    "letter",    "email", "in_person"};
constexpr std::array<std::string_view, 4> kKinds = {"message", "defect_report", "invitation", "comment"};
constexpr std::array<std::string_view, 5> kStatuses = {"new", "in_progress", "answered", "closed", "rejected"};
constexpr std::array<std::string_view, 4> kPriorities = {"low", "normal", "high", "urgent"};
constexpr std::array<std::string_view, 3> kDirections = {"inbound", "outbound", "internal"};
constexpr std::array<std::string_view, 6> kAttachmentKinds = {"image", "audio", "voice", "video", "document", "sticker"};
constexpr std::array<std::string_view, 3> kRoles = {"clerk", "office", "admin"};

template <class E, std::size_t N>
std::optional<E> parse_in(const std::array<std::string_view, N>& names, std::string_view s) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == s) return static_cast<E>(i);
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(Channel v) { return kChannels.at(static_cast<std::size_t>(v)); }
std::string_view to_string(Kind v) { return kKinds.at(static_cast<std::size_t>(v)); }
std::string_view to_string(Status v) { return kStatuses.at(static_cast<std::size_t>(v)); }
std::string_view to_string(Priority v) { return kPriorities.at(static_cast<std::size_t>(v)); }
std::string_view to_string(Direction v) { return kDirections.at(static_cast<std::size_t>(v)); }
std::string_view to_string(AttachmentKind v) { return kAttachmentKinds.at(static_cast<std::size_t>(v)); }
std::string_view to_string(Role v) { return kRoles.at(static_cast<std::size_t>(v)); }

std::optional<Channel> parse_channel(std::string_view s) { return parse_in<Channel>(kChannels, s); }
std::optional<Kind> parse_kind(std::string_view s) { return parse_in<Kind>(kKinds, s); }
std::optional<Status> parse_status(std::string_view s) { return parse_in<Status>(kStatuses, s); }
std::optional<Priority> parse_priority(std::string_view s) { return parse_in<Priority>(kPriorities, s); }
std::optional<Direction> parse_direction(std::string_view s) { return parse_in<Direction>(kDirections, s); }
std::optional<AttachmentKind> parse_attachment_kind(std::string_view s) {
  return parse_in<AttachmentKind>(kAttachmentKinds, s);
}
std::optional<Role> parse_role(std::string_view s) { return parse_in<Role>(kRoles, s); }

std::span<const std::string_view> channel_names() { return kChannels; }
std::span<const std::string_view> status_names() { return kStatuses; }
std::span<const std::string_view> priority_names() { return kPriorities; }

bool is_offline_channel(Channel c) {
  return c == Channel::phone || c == Channel::letter || c == Channel::email || c == Channel::in_person;
}

}  // namespace anliegen::domain
