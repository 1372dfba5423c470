#include "gateway/ingest/invitation_ingest.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>

#include "channels/crypto.hpp"
#include "domain/status_machine.hpp"
#include "storage/case_updates.hpp"
#include "storage/cases.hpp"
#include "storage/invitations.hpp"
#include "storage/threads.hpp"

namespace anliegen::gateway {
namespace {

namespace json = boost::json;
namespace hb = channels::holdieob;
using domain::Channel;

constexpr std::string_view kChannel = "holdieob";
constexpr std::string_view kActor = "channel:holdieob";

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// The proposer is known by e-mail across invitations (keyed by its hash, so the key itself holds no
// personal data); without one, by the invitation.
domain::Citizen proposer(const hb::InvitationCreated& e) {
  domain::Citizen c;
  c.channel = Channel::holdieob;
  c.external_id = e.proposer.email.empty()
                      ? "invitation:" + e.id
                      : "email-sha256:" + channels::to_hex(channels::sha256(lower(e.proposer.email)));
  c.display_name = e.proposer.name;
  c.email = e.proposer.email;
  return c;
}

std::string first_text(const hb::InvitationCreated& e) {
  if (e.description.empty()) return e.title;
  return e.title + "\n\n" + e.description;
}

void apply_supported(storage::Tx& tx, domain::AnliegenId id, domain::Timestamp at, int supporters,
                     const InvitationEnvironment& env, InvitationOutcome& out) {
  const int current = storage::record_supporters(tx, id, at, supporters);
  // Any reported count at or above the threshold counts as reached, even one that arrived late.
  if (std::max(current, supporters) >= env.support_threshold && storage::mark_threshold_reached(tx, id, at)) {
    storage::record_event(tx, id, std::string(kActor), "invitation_threshold_reached",
                          json::serialize(json::object{{"supporters", std::max(current, supporters)},
                                                       {"threshold", env.support_threshold},
                                                       {"at", domain::format_utc(at)}}));
    out.threshold_reached = true;
  }
}

void apply_withdrawn(storage::Tx& tx, domain::AnliegenId id, domain::Timestamp at, InvitationOutcome& out) {
  if (!storage::mark_withdrawn(tx, id, at)) {
    out.duplicate = true;
    return;
  }
  json::object data{{"at", domain::format_utc(at)}, {"closed", close_if_open(tx, id)}};
  storage::record_event(tx, id, std::string(kActor), "invitation_withdrawn", json::serialize(data));
}

void on_created(storage::Tx& tx, const hb::InvitationCreated& e, const InvitationEnvironment& env,
                InvitationOutcome& out) {
  if (auto existing = storage::find_invitation(tx, e.id)) {
    out.anliegen = existing->value;
    out.duplicate = true;
    return;
  }
  domain::RoutingInput input{.channel = Channel::holdieob,
                             .kind = domain::Kind::invitation,
                             .category = "",
                             .text = first_text(e),
                             .location = e.location.empty() ? std::nullopt : std::optional(e.location),
                             .at = e.created_at,
                             .in_sprechstunde = false};
  const auto rules = env.rules(tx);
  const auto routed = domain::decide(input, *rules);
  storage::NewCase c;
  c.kind = domain::Kind::invitation;
  c.channel = Channel::holdieob;
  c.citizen = proposer(e);
  c.location = e.location;
  c.received_at = e.created_at;
  c.routing = routed.decision;
  c.priority = routed.priority;
  c.tags = routed.tags;
  c.text = first_text(e);
  c.external_message_id = "invitation:" + e.id;
  c.actor = std::string(kActor);
  const auto created = storage::create_case(tx, c);
  storage::insert_invitation(tx, {created.id, e.id, e.title, e.created_at, e.proposed_dates});
  json::object data{{"external_id", e.id}};
  // holdieob has no way to deliver a text to the proposer: an auto_reply of the rule is not sent.
  if (!routed.auto_reply.empty()) data["auto_reply_not_sent"] = routed.auto_reply;
  storage::record_event(tx, created.id, std::string(kActor), "invitation_created", json::serialize(data));
  out.anliegen = created.id.value;
  for (const auto& early : storage::take_early_events(tx, e.id)) {
    if (early.type == "supported") {
      apply_supported(tx, created.id, early.at, early.supporters, env, out);
    } else {
      apply_withdrawn(tx, created.id, early.at, out);
    }
  }
}

}  // namespace

bool close_if_open(storage::Tx& tx, domain::AnliegenId id) {
  const auto cur = storage::lock_case(tx, id);
  if (!cur || domain::check_transition(cur->fields.status, domain::Status::closed)) return false;
  auto next = cur->fields;
  next.status = domain::Status::closed;
  return storage::update_case_fields(tx, id, cur->version, next).has_value();
}

InvitationOutcome apply_invitation_event(storage::Tx& tx, const hb::Event& event, const InvitationEnvironment& env) {
  InvitationOutcome out;
  std::visit(
      [&](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, hb::UnknownEvent>) {
          return;
        } else {
          storage::lock_invitation_key(tx, e.id);
          if constexpr (std::is_same_v<T, hb::InvitationCreated>) {
            on_created(tx, e, env, out);
          } else {
            const auto id = storage::find_invitation(tx, e.id);
            if constexpr (std::is_same_v<T, hb::InvitationSupported>) {
              if (!id) {
                storage::keep_early_event(tx, e.id, {"supported", e.at, e.supporters});
                out.early = true;
                return;
              }
              out.anliegen = id->value;
              apply_supported(tx, *id, e.at, e.supporters, env, out);
            } else {
              if (!id) {
                storage::keep_early_event(tx, e.id, {"withdrawn", e.at, 0});
                out.early = true;
                return;
              }
              out.anliegen = id->value;
              apply_withdrawn(tx, *id, e.at, out);
            }
          }
        }
      },
      event);
  return out;
}

}  // namespace anliegen::gateway
