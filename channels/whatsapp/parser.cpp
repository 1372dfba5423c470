// WhatsApp webhook envelope: object → entry[] → changes[] → value.{messages,statuses,calls,errors}[].
// Top-level shape errors become ParseResult::parse_error (dead letter); problems further down become
// Ignored events so that the rest of a batch is still processed.
#include <boost/json/parse.hpp>

#include <exception>

#include "channels/whatsapp/adapter.hpp"
#include "channels/whatsapp/parser.hpp"

namespace anliegen::channels::whatsapp {
namespace {

using namespace meta;
using detail::ChangeContext;

// The sample payload of the App Dashboard's "Test" button (observed values, see the protocol brief).
constexpr std::string_view kDashboardEntryId = "0";

void parse_statuses(const json::array& statuses, std::vector<InboundEvent>& out) {
  for (const auto& item : statuses) {
    const auto* s = as_obj(item);
    if (!s) {
      out.push_back(Ignored{"status is not an object"});
      continue;
    }
    DeliveryStatus d;
    d.message_id = str(*s, "id");
    d.status = str(*s, "status");
    if (d.message_id.empty() || d.status.empty()) {
      out.push_back(Ignored{"status without id or status"});
      continue;
    }
    d.dedupe_key = d.message_id + ":" + d.status;
    d.at = unix_seconds(*s, "timestamp").value_or(domain::Timestamp{});
    if (const auto* errors = arr(*s, "errors"); errors && !errors->empty()) {
      if (const auto* e = as_obj(errors->front())) {
        const PlatformError pe = detail::parse_error_object(*e);
        d.error_code = pe.code;
        d.error_text = pe.title;
      }
    }
    out.push_back(std::move(d));
  }
}

void parse_calls(const json::array& calls, const ChangeContext& ctx, std::vector<InboundEvent>& out) {
  for (const auto& item : calls) {
    const auto* c = as_obj(item);
    if (!c) {
      out.push_back(Ignored{"call is not an object"});
      continue;
    }
    CallAttempt call;
    call.call_id = str(*c, "id");
    call.event = str(*c, "event");
    if (call.call_id.empty() || call.event.empty()) {
      out.push_back(Ignored{"call without id or event"});
      continue;
    }
    call.dedupe_key = call.call_id + ":" + call.event;
    call.direction = str(*c, "direction");
    call.account_id = ctx.account_id;
    call.at = unix_seconds(*c, "timestamp").value_or(domain::Timestamp{});
    // For calls the city places, the citizen is the callee.
    const bool outgoing = call.direction == "BUSINESS_INITIATED";
    call.sender = detail::resolve_sender(ctx, str(*c, outgoing ? "to_user_id" : "from_user_id"),
                                        str(*c, outgoing ? "to" : "from"));
    out.push_back(std::move(call));
  }
}

void parse_value_errors(const json::array& errors, std::vector<InboundEvent>& out) {
  for (const auto& item : errors) {
    if (const auto* e = as_obj(item)) {
      out.push_back(detail::parse_error_object(*e));
    } else {
      out.push_back(Ignored{"error is not an object"});
    }
  }
}

void parse_change(const json::object& change, std::vector<InboundEvent>& out) {
  const std::string field = str(change, "field");
  const auto* value = obj(change, "value");
  if (!value) {
    out.push_back(Ignored{"change without value object"});
    return;
  }
  if (field != "messages" && field != "calls") {
    out.push_back(Ignored{"field not handled: " + field});
    return;
  }
  ChangeContext ctx;
  if (const auto* metadata = obj(*value, "metadata")) ctx.account_id = str(*metadata, "phone_number_id");
  ctx.contacts = arr(*value, "contacts");

  const std::size_t before = out.size();
  if (const auto* messages = arr(*value, "messages")) {
    for (const auto& item : *messages) {
      if (const auto* m = as_obj(item)) {
        detail::parse_message(*m, ctx, out);
      } else {
        out.push_back(Ignored{"message is not an object"});
      }
    }
  }
  if (const auto* statuses = arr(*value, "statuses")) {
    if (field == "calls") {
      // RINGING/ACCEPTED/REJECTED of calls the city placed; the gateway does not place calls.
      for (std::size_t i = 0; i < statuses->size(); ++i) out.push_back(Ignored{"call status not handled"});
    } else {
      parse_statuses(*statuses, out);
    }
  }
  if (const auto* calls = arr(*value, "calls")) parse_calls(*calls, ctx, out);
  if (const auto* errors = arr(*value, "errors")) parse_value_errors(*errors, out);
  if (out.size() == before) out.push_back(Ignored{"change without messages, statuses, calls or errors"});
}

void parse_entry(const json::object& entry, std::vector<InboundEvent>& out) {
  if (str(entry, "id") == kDashboardEntryId) {
    out.push_back(Ignored{"dashboard test delivery"});
    return;
  }
  const auto* changes = arr(entry, "changes");
  if (!changes) {
    out.push_back(Ignored{"entry without changes array"});
    return;
  }
  for (const auto& item : *changes) {
    if (const auto* change = as_obj(item)) {
      parse_change(*change, out);
    } else {
      out.push_back(Ignored{"change is not an object"});
    }
  }
}

}  // namespace

ParseResult parse_whatsapp(std::string_view body) {
  return meta::parse_envelope(body, "whatsapp_business_account", parse_entry);
}

}  // namespace anliegen::channels::whatsapp
