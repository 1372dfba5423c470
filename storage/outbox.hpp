#pragma once
// The transactional outbox: outgoing platform requests written in the same transaction as the message
// they deliver, then claimed by dispatchers (FOR UPDATE SKIP LOCKED, so several gateway instances never
// send one row twice), and finished as done, retried later, or failed for good.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "domain/model.hpp"
#include "storage/database.hpp"

namespace anliegen::storage {

struct NewOutboxItem {
  std::string channel;
  std::string kind;          // reply, template, reject_call, callback, ...
  std::string payload_json;  // what the dispatcher needs to render the platform request
  std::optional<domain::MessageId> message;
  std::optional<domain::AnliegenId> anliegen;
  std::optional<domain::CitizenId> citizen;
  bool held = false;         // waits for release_held (WhatsApp: until the citizen writes again)
};

struct OutboxItem {
  std::int64_t id = 0;
  std::string channel;
  std::string kind;
  std::string payload_json;
  int attempts = 0;
  std::optional<domain::MessageId> message;
  std::string worker;  // who claimed it (claim_outbox)
};

std::int64_t enqueue_outbox(Tx& tx, const NewOutboxItem& item);
// Which rows a dispatcher worker takes: those whose citizen (else Anliegen, else own id) modulo `count`
// is `index`. All rows of one citizen fall into one partition, so one worker sends them, in order.
struct OutboxPartition {
  int index = 0;
  int count = 1;
};

// Claims up to `limit` due rows of `partition` for `worker` (state pending → sending, attempts + 1),
// returned in id order.
std::vector<OutboxItem> claim_outbox(Tx& tx, int limit, const std::string& worker, OutboxPartition partition = {});
// Right before sending a claimed row: true when it is still this worker's, and its claim is renewed
// (locked_at = now), so that fail_stale_sending cannot take it while it is being sent. False when the
// row was failed as stale meanwhile (a long batch against a slow platform): then it must not be sent.
bool outbox_take(Tx& tx, const OutboxItem& item);
// Sent: the row is done; the message gets the platform id and delivery state "accepted", and receipts
// that arrived early are applied.
void outbox_done(Tx& tx, const OutboxItem& item, const std::string& platform_message_id);
// Try again after `delay_ms`. Only a row still being sent by its worker; one failed as stale stays so.
void outbox_retry(Tx& tx, const OutboxItem& item, const std::string& error, std::int64_t delay_ms);
// Failed for good: the message shows delivery state "failed" with the platform's code and text (only
// for a row still being sent by its worker). A failed template fails the replies held behind it for
// the same citizen, since no answer of the citizen will release them.
void outbox_failed(Tx& tx, const OutboxItem& item, const std::string& error);
// A reply the platform refused because the conversation window had closed by the time it was sent
// (WhatsApp 131047): the row and its message are held, as if the window had been closed when the clerk
// wrote, and the approved template `template_name` (with the Anliegen's reference as parameter, to the
// reply's recipient) is queued to re-open the conversation, unless one is already waiting to be sent
// for that citizen. Only for a clerk's reply (not an automatic answer) still being sent by its worker;
// false otherwise, and nothing is changed.
bool outbox_hold_for_template(Tx& tx, const OutboxItem& item, const std::string& template_name,
                              const std::string& language);
// The same for a clerk's reply the platform accepted and later reported undeliverable because the
// window had closed (WhatsApp 131047 in a status webhook): its sent row is held again (the message
// loses the platform id it had) and the template queued. False, and nothing changed, for an automatic
// answer or a message that is not a sent reply.
bool outbox_hold_after_receipt(Tx& tx, domain::Channel channel, const std::string& external_id,
                               const std::string& template_name, const std::string& language);
// A receipt for a template the outbox sent (by the platform id it got back): true if `external_id` is
// one. A `failed` one fails the template and the replies held behind it, with the platform's reason.
bool apply_template_receipt(Tx& tx, domain::Channel channel, const std::string& external_id, const std::string& status,
                            const std::string& error);
// Failed outgoing messages since `since` (by when they failed), optionally of one channel, that may be
// sent again: clerks' replies and callbacks whose payload is kept — not automatic answers (late), not
// templates (a reply sent again asks for its own), not rows whose delivery is unknown (interrupted
// while sending: the platform may have them), not erased ones. Counted per channel.
std::vector<std::pair<std::string, std::int64_t>> count_resendable(Tx& tx, domain::Timestamp since,
                                                                    const std::string& channel);
// Queues those rows again (state pending, attempts 0, due now; their messages back to `queued`).
// Returns how many.
std::int64_t resend_failed(Tx& tx, domain::Timestamp since, const std::string& channel);
// Rows claimed longer ago than `stale_seconds` (their worker died mid-send) are marked failed with
// an explanation: we cannot know whether the platform got them, and must never send twice.
int fail_stale_sending(Tx& tx, int stale_seconds);
// Releases the citizen's held rows (state held → pending). Returns how many.
int release_held(Tx& tx, domain::CitizenId citizen);
// The same for many citizens with one statement.
int release_held(Tx& tx, const std::vector<domain::CitizenId>& citizens);
// Rows waiting to be sent (pending, sending and held).
std::int64_t outbox_depth(Tx& tx);

// Adds an outbound message to an Anliegen (a clerk's reply or an automatic one).
struct OutboundMessageRow {
  domain::AnliegenId anliegen;
  domain::Channel channel = domain::Channel::whatsapp;
  std::string text;
  std::string author;
  std::string delivery_status = "queued";
  std::string delivery_error;
  domain::Timestamp sent_at{};
  std::vector<std::string> flags;
  bool is_activity = true;  // automatic replies do not keep a thread open
};
domain::MessageId insert_outbound(Tx& tx, const OutboundMessageRow& row);

// Automatic answers written with the citizen's message that caused them: each an outbound message
// and its outbox row (the outbox item's `message` is set here). They leave the Anliegen's times and
// version alone, since the same transaction touches that Anliegen with the citizen's message anyway.
struct AutoReply {
  OutboundMessageRow message;
  NewOutboxItem outbox;
};
void queue_auto_replies(Tx& tx, const std::vector<AutoReply>& replies);

}  // namespace anliegen::storage
