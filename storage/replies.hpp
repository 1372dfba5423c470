#pragma once
// What a reply needs to know about its Anliegen and conversation, and recording that it was answered.
#include <optional>
#include <string>

#include "domain/model.hpp"
#include "storage/database.hpp"

namespace anliegen::storage {

struct ReplyContext {
  domain::AnliegenId anliegen;
  std::string reference;
  std::string unit;
  domain::Channel channel = domain::Channel::phone;
  domain::Status status = domain::Status::new_;
  std::optional<domain::CitizenId> citizen;
  std::string citizen_key;    // platform user id
  std::string citizen_phone;
  std::optional<domain::Timestamp> citizen_last_inbound_at;  // the 24-hour window opens here
  std::string last_inbound_id;   // platform id of the citizen's last message in this Anliegen
  std::string account_id;        // our account that received it
  std::string thread_key;        // public comments: the first inbound comment's id, or its parent's
                                 // when it answered another comment
  domain::Kind kind = domain::Kind::message;
  bool is_public = false;        // tagged "public" (a comment answered in public by default)
};

// Locks the Anliegen row for the rest of the transaction.
std::optional<ReplyContext> load_reply_context(Tx& tx, domain::AnliegenId id);

// The first reply sets first_response_at; new/in_progress become answered.
void mark_answered(Tx& tx, domain::AnliegenId id, domain::Timestamp at);

}  // namespace anliegen::storage
