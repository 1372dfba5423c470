#pragma once
// Listing Anliegen for GET /api/v1/cases: equality filters, German full-text search over the thread, a
// time window, and keyset pagination in received order (newest first by default).
//
//   storage::CaseFilter f;
//   f.units = {"tiefbau"};
//   f.q = "Schlagloch";
//   auto page = storage::list_cases(tx, f);                // page.items: summaries, no texts
//   f.after = page.next;                                   // std::nullopt on the last page
//
// Pages are stable under inserts: the cursor is the (received_at, id) of the last row returned, with
// received_at in microseconds, so no row is skipped or repeated. docs/api/case-list-queries.md shows
// the query plans and which index serves which filter.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/model.hpp"
#include "storage/database.hpp"

namespace anliegen::storage {

struct CaseCursor {
  std::int64_t received_us = 0;  // received_at in microseconds since the epoch
  std::int64_t id = 0;
  friend bool operator==(const CaseCursor&, const CaseCursor&) = default;
};

struct CaseFilter {
  std::vector<domain::Status> statuses;  // any of; empty = no condition
  std::vector<domain::Channel> channels;
  std::vector<domain::Kind> kinds;
  std::optional<std::string> unit;
  std::optional<std::string> category;
  std::optional<std::string> tag;          // the Anliegen carries this tag
  std::optional<std::string> q;            // websearch syntax, German stemming
  std::optional<domain::Timestamp> received_from;  // inclusive
  std::optional<domain::Timestamp> received_to;    // exclusive
  std::optional<std::int64_t> sprechstunde_id;     // taken during this Sprechstunde
  std::optional<std::int64_t> citizen_id;          // of this citizen record
  // With an outgoing message in one of these delivery states (both set: in either).
  bool delivery_failed = false;  // not delivered
  bool delivery_held = false;    // waiting behind a WhatsApp template
  bool in_any_sprechstunde = false;                // taken during some Sprechstunde
  bool oldest_first = false;
  int limit = 50;
  std::optional<CaseCursor> after;
};

struct CaseSummary {
  domain::Anliegen anliegen;  // without citizen and messages; routing = the latest decision
  CaseCursor cursor;
};

struct CasePage {
  std::vector<CaseSummary> items;
  std::optional<CaseCursor> next;  // set when more rows follow
};

CasePage list_cases(Tx& tx, const CaseFilter& filter);

}  // namespace anliegen::storage
