// Instagram webhook envelope (`object:"instagram"`): entry[] → messaging[]/standby[] (DMs, parsed in
// channels/meta/messaging.cpp) and changes[] (field "comments": public comments on the account's media;
// field "messages" etc. as sent by the dashboard's test button and Instagram-Login apps: a messaging
// event inside `value`). Top-level shape errors become ParseResult::parse_error (dead letter).
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

#include <exception>

#include "channels/instagram/adapter.hpp"
#include "channels/meta/messaging.hpp"

namespace anliegen::channels::instagram {
namespace {

using namespace meta;

void parse_comment(const json::object& value, const json::object& entry, std::vector<InboundEvent>& out) {
  const std::string id = str(value, "id");
  const auto* from = obj(value, "from");
  Sender sender;
  if (from) {
    sender.key = str(*from, "id");
    sender.display_name = str(*from, "username");
  }
  if (id.empty() || sender.key.empty()) {
    out.push_back(Ignored{"comment without id or from.id"});
    return;
  }
  const std::string account = str(entry, "id");
  if (sender.key == account) {
    out.push_back(Ignored{"own comment"});
    return;
  }
  const std::string parent_id = str(value, "parent_id");
  const auto* media = obj(value, "media");
  InboundMessage msg;
  msg.channel = domain::Channel::instagram;
  msg.kind = domain::Kind::comment;
  msg.is_public = true;
  msg.dedupe_key = id;
  msg.account_id = account;
  msg.sender = std::move(sender);
  msg.sent_at = epoch_auto(entry, "time").value_or(domain::Timestamp{});
  msg.type = "comment";
  msg.text = str(value, "text");
  // One thread per top-level comment; the public answer goes under it.
  msg.thread_key = parent_id.empty() ? id : parent_id;
  msg.reply_to = !parent_id.empty() ? parent_id : media ? str(*media, "id") : std::string{};
  if (!parent_id.empty()) msg.flags.push_back("comment_reply");
  if (media) {
    if (const std::string product = str(*media, "media_product_type"); !product.empty()) {
      msg.flags.push_back("media:" + product);
    }
  }
  out.push_back(std::move(msg));
}

void parse_change(const json::object& change, const json::object& entry, std::vector<InboundEvent>& out) {
  const std::string field = str(change, "field");
  const auto* value = obj(change, "value");
  if (!value) {
    out.push_back(Ignored{"change without value object"});
    return;
  }
  if (field == "comments") {
    parse_comment(*value, entry, out);
  } else if (const auto* recipient = obj(*value, "recipient"); recipient && value->contains("sender")) {
    // The dashboard's sample ("random_mid", recipient 23245) is addressed to nobody we know.
    if (str(*recipient, "id") != str(entry, "id")) {
      out.push_back(Ignored{"dashboard test delivery"});
      return;
    }
    const MessagingContext ctx{.channel = domain::Channel::instagram, .account_id = str(entry, "id")};
    parse_messaging_event(*value, ctx, out);
  } else {
    out.push_back(Ignored{"field not handled: " + field});
  }
}

void parse_entry(const json::object& entry, std::vector<InboundEvent>& out) {
  if (str(entry, "id") == "0") {
    out.push_back(Ignored{"dashboard test delivery"});
    return;
  }
  bool any = parse_messaging_arrays(entry, domain::Channel::instagram, out);
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

ParseResult parse_instagram(std::string_view body) {
  return meta::parse_envelope(body, "instagram", parse_entry);
}

}  // namespace anliegen::channels::instagram
