#pragma once
// Internal to the WhatsApp adapter: the pieces of the webhook parser, shared by parser.cpp (envelope,
// statuses, calls, errors) and messages.cpp (one inbound message object → one event).
#include <string>
#include <string_view>
#include <vector>

#include "channels/events.hpp"
#include "channels/meta/json_access.hpp"

namespace anliegen::channels::whatsapp::detail {

namespace json = boost::json;

// What one `changes[].value` tells about all objects inside it.
struct ChangeContext {
  std::string account_id;                 // metadata.phone_number_id
  const json::array* contacts = nullptr;  // value.contacts, may be absent
};

// The citizen behind (user_id, phone): joins value.contacts on user_id or wa_id, never by index.
Sender resolve_sender(const ChangeContext& ctx, std::string_view user_id, std::string_view phone);

// Appends the event for one `messages[]` element (an Ignored one when it cannot be used).
void parse_message(const json::object& message, const ChangeContext& ctx, std::vector<InboundEvent>& out);

// PlatformError from one `errors[]` element ({code, title, message, error_data.details}).
PlatformError parse_error_object(const json::object& error);

}  // namespace anliegen::channels::whatsapp::detail
