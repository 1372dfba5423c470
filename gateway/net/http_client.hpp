#pragma once
// A synchronous HTTP/1.1 client for background workers (outbox dispatcher, media fetcher). It blocks
// the calling thread for up to `timeout`, so never call it on an I/O thread.
//
//   net::OutgoingRequest req{.url = graph_url + "/" + media_id, .headers = {{"Authorization", "Bearer " + t}}};
//   net::IncomingResponse res = net::fetch(req);                    // trusted, configured URL
//   net::IncomingResponse got = net::fetch(req, net::AddressPolicy{});  // untrusted URL: public addresses only
//
// http and https (system CA store, SNI, host-name verification). Redirects are not followed; an HTTP
// error status is a normal response. Transport problems throw FetchError with a kind.
#include <boost/asio/ip/address.hpp>

#include <chrono>
#include <cstddef>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace anliegen::gateway::net {

struct OutgoingRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // a User-Agent is added when missing
  std::string body;
  std::chrono::milliseconds timeout{15000};  // for the whole exchange: resolve, connect, TLS, write, read
  std::size_t max_response_bytes = 16 << 20;  // body limit
};

struct IncomingResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string header(std::string_view lower_case_name) const;  // "" when absent
};

enum class FetchErrorKind { invalid_url, connect, timeout, tls, too_large, protocol, forbidden_address };
std::string_view to_string(FetchErrorKind kind);

class FetchError : public std::runtime_error {
 public:
  FetchError(FetchErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  FetchErrorKind kind() const { return kind_; }

 private:
  FetchErrorKind kind_;
};

// Where an untrusted URL may lead. Not allowed by default: loopback, private (10/8, 172.16/12,
// 192.168/16, 100.64/10, fc00::/7), link-local (169.254/16, fe80::/10), unspecified, multicast and
// reserved addresses (allow_private admits loopback and private, never link-local: cloud metadata
// services live there). The host is resolved, every address checked, and the connection goes to the
// checked addresses (a second DNS answer cannot switch it).
struct AddressPolicy {
  bool allow_private = false;
};

enum class AddressClass { public_, loopback, private_, link_local, unspecified, multicast, reserved };
std::string_view to_string(AddressClass c);
// IPv4-mapped, NAT64 (64:ff9b::/96) and 6to4 (2002::/16) IPv6 addresses are classified by the IPv4
// address they carry.
AddressClass classify(const boost::asio::ip::address& address);
bool is_allowed(const boost::asio::ip::address& address, const AddressPolicy& policy);

// A trusted request (configured endpoints): any address.
IncomingResponse fetch(const OutgoingRequest& request);
// An untrusted URL: addresses checked against `policy` before connecting.
IncomingResponse fetch(const OutgoingRequest& request, const AddressPolicy& policy);

}  // namespace anliegen::gateway::net
