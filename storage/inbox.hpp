#pragma once
// The inbox of raw webhook deliveries. A delivery is stored with a dedupe key (the platform's event id,
// or a hash of the body); storing the same key again is a no-op, which is what makes retried
// deliveries harmless. Deliveries that were signed but could not be understood are kept as dead letters.
#include <string>
#include <vector>

#include "storage/database.hpp"

namespace anliegen::storage {

enum class InboxState { processed, dead_letter };

// True when the delivery is new; false when the (channel, dedupe_key) pair was stored before.
bool insert_inbox(Tx& tx, const std::string& channel, const std::string& dedupe_key, const std::string& body,
                  InboxState state = InboxState::processed, const std::string& error = "");

struct InboxRow {
  std::string channel;
  std::string dedupe_key;
  const std::string* body = nullptr;  // the raw bytes, owned by the caller
  InboxState state = InboxState::processed;
  std::string error;
};
// Many deliveries with one statement; result[i] as insert_inbox for rows[i] (of two equal keys in
// `rows`, the first is the new one).
std::vector<bool> insert_inbox_rows(Tx& tx, const std::vector<InboxRow>& rows);

// Number of stored deliveries for a channel (and state), for tests and metrics.
long long count_inbox(Tx& tx, const std::string& channel, InboxState state);

}  // namespace anliegen::storage

namespace anliegen::storage {

struct Retention {
  int inbox_days = 14;        // raw deliveries (personal data); at least the platforms' retry horizon (7 days)
  int dead_letter_days = 30;  // deliveries we could not parse, kept longer for investigation
  int event_key_days = 30;    // idempotency keys; longer than any platform retries
};

struct Purged {
  long long inbox = 0;
  long long event_keys = 0;
};

// Deletes raw deliveries and idempotency keys older than the retention allows.
Purged purge_expired(Tx& tx, const Retention& retention);

}  // namespace anliegen::storage
