// Facebook webhook envelope (`object:"page"`): entry[] → messaging[]/standby[] (Messenger, parsed in
// channels/meta/messaging.cpp) and changes[] (Page feed: comments added, edited, removed). Top-level
// shape errors become ParseResult::parse_error (dead letter); problems further down become Ignored events.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

#include <exception>

#include "channels/crypto.hpp"
#include "channels/facebook/adapter.hpp"
#include "channels/meta/messaging.hpp"

namespace anliegen::channels::facebook {
namespace {

using namespace meta;

constexpr std::string_view kDashboardEntryId = "0";

void parse_comment(const json::object& value, const json::object& entry, std::vector<InboundEvent>& out) {
  const std::string verb = str(value, "verb");
  const std::string comment_id = str(value, "comment_id");
  if (comment_id.empty()) {
    out.push_back(Ignored{"feed comment without comment_id"});
    return;
  }
  const std::string page_id = str(entry, "id");
  const auto* from = obj(value, "from");
  Sender sender;
  if (from) {
    sender.key = str(*from, "id");
    sender.display_name = str(*from, "name");
  }
  const domain::Timestamp at =
      epoch_auto(value, "created_time").value_or(epoch_auto(entry, "time").value_or(domain::Timestamp{}));

  if (verb == "remove") {
    out.push_back(MessageWithdrawn{.channel = domain::Channel::facebook, .dedupe_key = comment_id + ":remove",
                                   .original_id = comment_id, .at = at, .sender_key = sender.key});
    return;
  }
  if (!sender.key.empty() && sender.key == page_id) {
    out.push_back(Ignored{"own comment"});
    return;
  }
  const std::string message = str(value, "message");
  if (verb == "edited") {
    // Several edits of one comment are distinct events; the same edit delivered twice is not.
    const std::string version = to_hex(sha256(message)).substr(0, 16);
    out.push_back(MessageEdited{.channel = domain::Channel::facebook, .dedupe_key = comment_id + ":edited:" + version,
                                .original_id = comment_id, .new_text = message, .at = at,
                                .sender_key = sender.key});
    return;
  }
  if (verb != "add") {
    out.push_back(Ignored{"feed comment verb not handled: " + verb});
    return;
  }
  if (sender.key.empty()) {
    out.push_back(Ignored{"feed comment without from.id"});
    return;
  }
  const std::string post_id = str(value, "post_id");
  const std::string parent_id = str(value, "parent_id");
  const bool top_level = parent_id.empty() || parent_id == post_id;
  InboundMessage msg;
  msg.channel = domain::Channel::facebook;
  msg.kind = domain::Kind::comment;
  msg.is_public = true;
  // Claimed as (comment_id, verb), stored as the bare comment_id that `edited` and `remove` refer to.
  msg.dedupe_key = comment_id + ":add";
  msg.external_id = comment_id;
  msg.account_id = page_id;
  msg.sender = std::move(sender);
  msg.sent_at = at;
  msg.type = "comment";
  msg.text = message;
  // One thread per top-level comment: answers to a reply go under the comment it hangs on.
  msg.thread_key = top_level ? comment_id : parent_id;
  msg.reply_to = top_level ? post_id : parent_id;
  if (const std::string photo = str(value, "photo"); !photo.empty()) {
    msg.media.push_back(MediaRef{.kind = domain::AttachmentKind::image, .url = photo});
  }
  if (!top_level) msg.flags.push_back("comment_reply");
  out.push_back(std::move(msg));
}

void parse_change(const json::object& change, const json::object& entry, std::vector<InboundEvent>& out) {
  const std::string field = str(change, "field");
  const auto* value = obj(change, "value");
  if (!value) {
    out.push_back(Ignored{"change without value object"});
    return;
  }
  if (value->contains("pageId")) {  // the App Dashboard's "Send to My Server" test event
    out.push_back(Ignored{"dashboard test delivery"});
    return;
  }
  if (field != "feed") {
    out.push_back(Ignored{"field not handled: " + field});
    return;
  }
  if (const std::string item = str(*value, "item"); item != "comment") {
    out.push_back(Ignored{"feed item not handled: " + item});
    return;
  }
  parse_comment(*value, entry, out);
}

void parse_entry(const json::object& entry, std::vector<InboundEvent>& out) {
  if (str(entry, "id") == kDashboardEntryId) {
    out.push_back(Ignored{"dashboard test delivery"});
    return;
  }
  bool any = parse_messaging_arrays(entry, domain::Channel::facebook, out);
  if (const auto* changes = arr(entry, "changes")) {
    any = true;
    for (const auto& item : *changes) {
      if (const auto* change = as_obj(item)) {
        parse_change(*change, entry, out);
      } else {
        out.push_back(Ignored{"change is not an object"});
      }
    }
  }
  if (!any) out.push_back(Ignored{"entry without messaging, standby or changes"});
}

}  // namespace

ParseResult parse_facebook(std::string_view body) {
  return meta::parse_envelope(body, "page", parse_entry);
}

}  // namespace anliegen::channels::facebook
