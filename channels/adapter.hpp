#pragma once
// The one interface every channel adapter implements. An adapter is pure: it verifies and parses raw
// HTTP requests and renders outbound requests, but never does I/O itself. The gateway owns the sockets,
// the database and the workers, and wires adapters in gateway/main.cpp.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "channels/events.hpp"

namespace anliegen::channels {

// The request exactly as it came off the wire; `body` is the raw bytes the signature covers.
struct RawRequest {
  std::string_view method;
  std::string_view target;  // path and query, still URL-encoded
  std::string_view body;
  std::vector<std::pair<std::string_view, std::string_view>> headers;

  // Case-insensitive header lookup; empty when absent.
  std::string_view header(std::string_view name) const;
};

// A response the adapter wants sent (handshakes such as hub.challenge or the X CRC answer).
struct HttpReply {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

// Why untrusted input was refused: the HTTP status and a message that is safe to show the sender.
struct Rejection {
  int status = 400;
  std::string message;
};

// What a verified delivery turned into. `parse_error` set means the body was signed but not
// understood: the gateway keeps it as a dead letter and still answers 200.
struct ParseResult {
  std::vector<InboundEvent> events;
  std::string parse_error;
};

// What the gateway knows about the conversation a reply goes into; filled from storage.
struct ReplyTarget {
  std::string account_id;        // our side (WhatsApp phone_number_id, page id, ...)
  std::string recipient_key;     // the citizen's platform id (BSUID, PSID, X user id)
  std::string recipient_phone;   // WhatsApp: phone number when known (preferred for `to`)
  std::string reply_to_id;       // platform id of the citizen's last message, for quoting
  std::string thread_key;        // public comments: the comment/post to answer under
  bool is_public = false;
  bool private_reply = false;    // answer a public comment privately
};

// An HTTP request to the platform API, relative to the channel's configured base URL.
struct OutboundRequest {
  std::string method = "POST";
  std::string path;              // e.g. "/400000000000002/messages"
  std::string content_type = "application/json";
  std::string body;
};

// How a platform answered a send: delivered to the platform, worth retrying, or final failure.
struct SendOutcome {
  enum class Kind { accepted, retry, permanent_failure };
  Kind kind = Kind::retry;
  std::string platform_message_id;  // e.g. the wamid to correlate status webhooks
  std::string error_code;
  std::string error_text;
};

class Adapter {
 public:
  virtual ~Adapter() = default;
  virtual std::string_view name() const = 0;
  // GET on the webhook URL (subscription handshakes).
  virtual HttpReply handshake(const RawRequest& request) const = 0;
  // Signature check over the raw body. std::nullopt = authentic.
  virtual std::optional<Rejection> verify(const RawRequest& request) const = 0;
  virtual ParseResult parse(const RawRequest& request) const = 0;
  // The platform request that sends `text` to the conversation described by `target`.
  virtual OutboundRequest render_reply(const ReplyTarget& target, std::string_view text) const = 0;
  // Classifies the platform's answer to a request made from render_reply (or a channel-specific one).
  virtual SendOutcome interpret_send_response(int http_status, std::string_view body) const = 0;
};

}  // namespace anliegen::channels
