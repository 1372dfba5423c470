#pragma once
// Conversation threads for chat channels: the citizen's state (24-hour window, auto-reply memory),
// finding the open Anliegen a new message belongs to, appending messages, edits, withdrawals and
// delivery receipts. Used by the ingest path inside the webhook's transaction.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "domain/model.hpp"
#include "storage/database.hpp"

namespace anliegen::storage {

// Claims a platform event key (message id, status id + status, call id + event) for a channel.
// False when the key was claimed before: the event was already acted on.
bool claim_event(Tx& tx, const std::string& channel, const std::string& key);
// Many keys with one statement: result[i] as claim_event for keys[i] = (channel, key); of two equal
// keys only the first is claimed.
std::vector<bool> claim_events(Tx& tx, const std::vector<std::pair<std::string, std::string>>& keys);

struct CitizenState {
  domain::CitizenId id;
  std::optional<domain::Timestamp> last_inbound_at;
  std::optional<domain::Timestamp> last_auto_reply_at;
  std::optional<domain::Timestamp> netiquette_notified_at;
  bool created = false;  // the record was made by this call
};

// Upserts the citizen (as upsert_citizen) and returns their state, locking the row for this
// transaction so that concurrent deliveries of one citizen are applied one after the other.
CitizenState lock_citizen(Tx& tx, const domain::Citizen& citizen);

struct CitizenArrival {
  domain::Citizen citizen;
  std::optional<domain::Timestamp> inbound_at;  // moves last_inbound_at forward (never back)
  // The reply memory a citizen gets when this call creates the record (what the caller will decide for
  // somebody new), so that a new citizen is written once; an existing record keeps its memory.
  std::optional<domain::Timestamp> auto_reply_at_if_new;
  std::optional<domain::Timestamp> netiquette_at_if_new;
};
// lock_citizen for many with one statement (rows locked in a fixed order, so that concurrent groups
// cannot deadlock on each other); result[i] belongs to arrivals[i], equal citizens share one state.
std::vector<CitizenState> lock_citizens(Tx& tx, const std::vector<CitizenArrival>& arrivals);

// What an ingest changed of a citizen's reply memory; empty fields stay as they are.
struct CitizenMemory {
  domain::CitizenId id;
  std::optional<domain::Timestamp> last_auto_reply_at;
  std::optional<domain::Timestamp> netiquette_notified_at;
};
void remember_citizens(Tx& tx, const std::vector<CitizenMemory>& changes);

// The platform announced a citizen's new identity (WhatsApp: a new phone number, a new user id). The
// record keyed `old_key` moves to `new_key` (unless empty) and takes `new_phone` (unless empty). When a
// record with `new_key` exists already (the citizen wrote under it before the notice), the two are
// merged into that one: the old record's Anliegen ("citizen_merged" audit event) and outbox rows move
// there and the old record is deleted. Messages still waiting in the outbox (pending or held) are
// readdressed. False when nobody has `old_key`.
bool change_citizen_identity(Tx& tx, domain::Channel channel, const std::string& old_key, const std::string& new_key,
                             const std::string& new_phone);

struct OpenThread {
  domain::AnliegenId id;
  domain::Status status = domain::Status::new_;
  std::string unit;
  std::string reference;
  std::int64_t sprechstunde = 0;  // the Sprechstunde it was opened in, 0 for none
};

// The citizen's most recent Anliegen on `channel` of `kind` (private messages and public comments never
// share a thread) that is neither closed nor rejected and whose last message is not older than `since`.
std::optional<OpenThread> find_open_thread(Tx& tx, domain::CitizenId citizen, domain::Channel channel,
                                           domain::Kind kind, domain::Timestamp since);

struct ThreadQuery {
  domain::CitizenId citizen;
  domain::Channel channel = domain::Channel::whatsapp;
  domain::Kind kind = domain::Kind::message;
  domain::Timestamp since{};
};
// find_open_thread for many with one statement; result[i] answers queries[i].
std::vector<std::optional<OpenThread>> find_open_threads(Tx& tx, const std::vector<ThreadQuery>& queries);

struct InboundMessageRow {
  domain::AnliegenId anliegen;
  domain::Channel channel = domain::Channel::whatsapp;
  std::string external_id;
  std::string account_id;
  std::string type;
  std::string text;
  std::string reply_to;
  domain::Timestamp sent_at{};
  std::vector<std::string> flags;
  std::optional<double> lat;
  std::optional<double> lon;
};

// Appends a citizen's message to an existing Anliegen: reopens answered/closed ones, moves
// last_message_at/last_inbound_at forward, bumps the version. Returns the new message id.
domain::MessageId append_inbound(Tx& tx, const InboundMessageRow& row);
// Many with one statement; result[i] is the id of rows[i].
std::vector<domain::MessageId> append_inbound_rows(Tx& tx, const std::vector<InboundMessageRow>& rows);

struct PendingMedia {
  domain::AttachmentKind kind = domain::AttachmentKind::document;
  std::string channel;
  std::string media_id;
  std::string url;
  std::string mime_type;
  std::string sha256_base64;
  std::string filename;
};
domain::AttachmentId add_pending_attachment(Tx& tx, domain::MessageId message, const PendingMedia& media);

// The Anliegen of a message by its platform id (inbound unless stated), if we have it.
std::optional<std::pair<domain::AnliegenId, domain::MessageId>> find_message(Tx& tx, domain::Channel channel,
                                                                             const std::string& external_id,
                                                                             domain::Direction direction);
void replace_message_text(Tx& tx, domain::MessageId id, const std::string& text, const std::string& flag);

// Applies a delivery receipt to our outbound message, monotonically (queued < accepted < sent <
// delivered < read/played; failed is final). Unknown ids are kept in pending_receipts and applied when
// the send result is stored. Returns true when a message was updated.
bool apply_receipt(Tx& tx, domain::Channel channel, const std::string& external_id, const std::string& status,
                   domain::Timestamp at, const std::string& error);
// Applies receipts that arrived before we stored `external_id` on message `id`.
void apply_pending_receipts(Tx& tx, domain::Channel channel, const std::string& external_id);
// An edit or withdrawal of a citizen's message that is not stored (yet): parked, to be applied when it
// arrives. `change` is "edited" (with the new text; the latest edit by `at` is kept) or "withdrawn".
void park_message_change(Tx& tx, domain::Channel channel, const std::string& external_id, const std::string& change,
                         const std::string& text, domain::Timestamp at, const std::string& sender_key);
struct ParkedChange {
  domain::Channel channel = domain::Channel::whatsapp;
  std::string external_id;
  std::string change;  // "edited" or "withdrawn"
  std::string text;
};
// Removes and returns up to `limit` parked changes whose message is stored now, edits before
// withdrawals of the same message (the withdrawal has the last word); an edit of a message that is
// withdrawn already is removed without being returned.
std::vector<ParkedChange> take_parked_changes(Tx& tx, int limit);
// Deletes the parked edits of a message that are no newer than `at` (an edit or withdrawal of it that
// came later has been applied directly).
void drop_parked_edits(Tx& tx, domain::Channel channel, const std::string& external_id, domain::Timestamp at);
// Deletes parked changes older than `days` (their message never came). Returns how many.
int purge_parked_changes(Tx& tx, int days);

// Serialises, until the transaction ends, the work on one platform message id: a receipt parked by a
// webhook and the send result that stores the id (outbox_done) cannot miss each other when both run
// at once. apply_receipt takes it itself.
void lock_platform_message(Tx& tx, domain::Channel channel, const std::string& external_id);

// The rank used for monotonic delivery states; -1 for unknown names.
int delivery_rank(const std::string& status);

}  // namespace anliegen::storage
