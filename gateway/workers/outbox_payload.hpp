#pragma once
// Reading the JSON payload of an outbox row: its string fields and the reply target that ingest and the
// replies API wrote ({"target": {"account_id", "recipient_key", "recipient_phone", "reply_to_id",
// "thread_key", "is_public", "private_reply"}}).
#include <boost/json/object.hpp>

#include <string>
#include <string_view>

#include "channels/adapter.hpp"

namespace anliegen::gateway {

std::string payload_string(const boost::json::object& o, std::string_view key);
bool payload_flag(const boost::json::object& o, std::string_view key);
channels::ReplyTarget payload_target(const boost::json::object& payload);

}  // namespace anliegen::gateway
