// Address classification for the SSRF guard of net::fetch.
#include <algorithm>
#include <array>
#include <cstdint>

#include "gateway/net/http_client.hpp"

namespace anliegen::gateway::net {
namespace {

struct V4Range {
  std::uint32_t base;
  int bits;
  AddressClass cls;
};

constexpr std::uint32_t ip(int a, int b, int c, int d) {
  return (static_cast<std::uint32_t>(a) << 24) | (static_cast<std::uint32_t>(b) << 16) |
         (static_cast<std::uint32_t>(c) << 8) | static_cast<std::uint32_t>(d);
}

// Checked in order; the first match wins.
constexpr std::array<V4Range, 15> kV4Ranges{{
    {ip(0, 0, 0, 0), 32, AddressClass::unspecified},
    {ip(255, 255, 255, 255), 32, AddressClass::multicast},  // limited broadcast
    {ip(0, 0, 0, 0), 8, AddressClass::reserved},            // "this network"
    {ip(127, 0, 0, 0), 8, AddressClass::loopback},
    {ip(10, 0, 0, 0), 8, AddressClass::private_},
    {ip(172, 16, 0, 0), 12, AddressClass::private_},
    {ip(192, 168, 0, 0), 16, AddressClass::private_},
    {ip(100, 64, 0, 0), 10, AddressClass::private_},  // carrier-grade NAT
    {ip(169, 254, 0, 0), 16, AddressClass::link_local},
    {ip(224, 0, 0, 0), 4, AddressClass::multicast},
    {ip(240, 0, 0, 0), 4, AddressClass::reserved},
    {ip(192, 0, 0, 0), 24, AddressClass::reserved},   // IETF protocol assignments
    {ip(198, 18, 0, 0), 15, AddressClass::reserved},  // benchmarking
    {ip(192, 0, 2, 0), 24, AddressClass::reserved},   // documentation (TEST-NET-1)
    {ip(198, 51, 100, 0), 24, AddressClass::reserved},
}};

AddressClass classify_v4(std::uint32_t a) {
  for (const auto& r : kV4Ranges) {
    const std::uint32_t mask = r.bits == 0 ? 0 : ~std::uint32_t{0} << (32 - r.bits);
    if ((a & mask) == r.base) return r.cls;
  }
  if ((a & 0xFFFFFF00u) == ip(203, 0, 113, 0)) return AddressClass::reserved;  // TEST-NET-3
  return AddressClass::public_;
}

std::uint32_t v4_at(const boost::asio::ip::address_v6::bytes_type& b, std::size_t offset) {
  return (static_cast<std::uint32_t>(b[offset]) << 24) | (static_cast<std::uint32_t>(b[offset + 1]) << 16) |
         (static_cast<std::uint32_t>(b[offset + 2]) << 8) | static_cast<std::uint32_t>(b[offset + 3]);
}

AddressClass classify_v6(const boost::asio::ip::address_v6& a) {
  const auto b = a.to_bytes();
  if (a.is_unspecified()) return AddressClass::unspecified;
  if (a.is_loopback()) return AddressClass::loopback;
  if (a.is_v4_mapped()) return classify_v4(v4_at(b, 12));
  // NAT64 well-known prefix 64:ff9b::/96 and 6to4 2002::/16 carry an IPv4 address.
  static constexpr std::array<unsigned char, 12> kNat64{0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  if (std::equal(kNat64.begin(), kNat64.end(), b.begin())) return classify_v4(v4_at(b, 12));
  if (b[0] == 0x20 && b[1] == 0x02) return classify_v4(v4_at(b, 2));
  if (b[0] == 0xff) return AddressClass::multicast;
  if ((b[0] & 0xfe) == 0xfc) return AddressClass::private_;                       // fc00::/7 unique local
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return AddressClass::link_local;    // fe80::/10
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return AddressClass::private_;      // fec0::/10 site-local
  // ::/96 (IPv4-compatible, deprecated) and 100::/64 (discard) and 2001:db8::/32 (documentation).
  if (std::all_of(b.begin(), b.begin() + 12, [](unsigned char c) { return c == 0; })) return AddressClass::reserved;
  const auto zero = [](unsigned char c) { return c == 0; };
  if (b[0] == 0x01 && b[1] == 0x00 && std::all_of(b.begin() + 2, b.begin() + 8, zero)) return AddressClass::reserved;
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) return AddressClass::reserved;
  return AddressClass::public_;
}

}  // namespace

std::string_view to_string(AddressClass c) {
  switch (c) {
    case AddressClass::public_: return "public";
    case AddressClass::loopback: return "loopback";
    case AddressClass::private_: return "private";
    case AddressClass::link_local: return "link-local";
    case AddressClass::unspecified: return "unspecified";
    case AddressClass::multicast: return "multicast";
    case AddressClass::reserved: return "reserved";
  }
  return "reserved";
}

AddressClass classify(const boost::asio::ip::address& address) {
  if (address.is_v4()) return classify_v4(address.to_v4().to_uint());
  return classify_v6(address.to_v6());
}

bool is_allowed(const boost::asio::ip::address& address, const AddressPolicy& policy) {
  const auto c = classify(address);
  if (c == AddressClass::public_) return true;
  // Tests and closed intranets may fetch from loopback and private networks; link-local (cloud
  // metadata services live at 169.254.169.254), multicast and reserved addresses stay refused.
  return policy.allow_private && (c == AddressClass::loopback || c == AddressClass::private_);
}

}  // namespace anliegen::gateway::net
