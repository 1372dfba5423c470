#pragma once
// The chat ingest's events other than new messages — edits, withdrawals, reactions, delivery receipts,
// calls, fixed answers, identity changes — applied one by one after the messages of a group commit
// (gateway/ingest/chat_ingest.cpp stores those), and the small rules both parts share.
#include <string>

#include "config/city_config.hpp"
#include "domain/time.hpp"
#include "gateway/ingest/chat_ingest.hpp"
#include "storage/database.hpp"

namespace anliegen::gateway::chat_ingest_detail {

// A city text by key; empty when the configuration has none.
std::string text_of(const config::CityConfig& city, const std::string& key);

// Whether a free-form answer to something the citizen did at `sent_at` may still go out now (WhatsApp's
// customer service window, Messenger's and Instagram's standard window: 24 hours). The window runs from
// the message's (or call's) own timestamp, not from when a retried webhook arrived.
bool reply_window_open(domain::Timestamp sent_at, domain::Timestamp now);

// A platform timestamp as the ingest uses it: missing or more than 5 minutes ahead counts as now.
domain::Timestamp usable_time(domain::Timestamp at, domain::Timestamp now);

// Every event of `d` but its messages, in delivery order (the messages are stored by then).
void apply_other_events(storage::Tx& tx, const Delivery& d);

}  // namespace anliegen::gateway::chat_ingest_detail
