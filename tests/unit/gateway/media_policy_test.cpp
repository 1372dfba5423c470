// The SSRF address classification of net::fetch and the media fetcher's pure rules.
#include <doctest/doctest.h>

#include <boost/asio/ip/address.hpp>

#include "gateway/net/http_client.hpp"
#include "gateway/workers/media_fetcher.hpp"
#include "gateway/workers/media_policy.hpp"

using namespace anliegen::gateway;
using net::AddressClass;

namespace {

AddressClass cls(const char* text) { return net::classify(boost::asio::ip::make_address(text)); }
bool allowed(const char* text, bool allow_private = false) {
  return net::is_allowed(boost::asio::ip::make_address(text), net::AddressPolicy{allow_private});
}

}  // namespace

TEST_CASE("IPv4 addresses are classified") {
  CHECK(cls("8.8.8.8") == AddressClass::public_);
  CHECK(cls("157.240.1.1") == AddressClass::public_);
  CHECK(cls("127.0.0.1") == AddressClass::loopback);
  CHECK(cls("127.255.255.254") == AddressClass::loopback);
  CHECK(cls("10.0.0.1") == AddressClass::private_);
  CHECK(cls("10.255.255.255") == AddressClass::private_);
  CHECK(cls("172.16.0.1") == AddressClass::private_);
  CHECK(cls("172.31.255.255") == AddressClass::private_);
  CHECK(cls("172.15.255.255") == AddressClass::public_);
  CHECK(cls("172.32.0.0") == AddressClass::public_);
  CHECK(cls("192.168.1.1") == AddressClass::private_);
  CHECK(cls("192.169.0.1") == AddressClass::public_);
  CHECK(cls("100.64.0.1") == AddressClass::private_);
  CHECK(cls("100.127.255.255") == AddressClass::private_);
  CHECK(cls("100.128.0.0") == AddressClass::public_);
  CHECK(cls("169.254.169.254") == AddressClass::link_local);
  CHECK(cls("0.0.0.0") == AddressClass::unspecified);
  CHECK(cls("0.1.2.3") == AddressClass::reserved);
  CHECK(cls("224.0.0.1") == AddressClass::multicast);
  CHECK(cls("239.255.255.250") == AddressClass::multicast);
  CHECK(cls("255.255.255.255") == AddressClass::multicast);
  CHECK(cls("240.0.0.1") == AddressClass::reserved);
  CHECK(cls("192.0.2.10") == AddressClass::reserved);
}

TEST_CASE("IPv6 addresses are classified, embedded IPv4 by the address they carry") {
  CHECK(cls("2a03:2880:f12f:83:face:b00c:0:25de") == AddressClass::public_);
  CHECK(cls("::1") == AddressClass::loopback);
  CHECK(cls("::") == AddressClass::unspecified);
  CHECK(cls("fc00::1") == AddressClass::private_);
  CHECK(cls("fd12:3456::1") == AddressClass::private_);
  CHECK(cls("fe80::1") == AddressClass::link_local);
  CHECK(cls("febf::1") == AddressClass::link_local);
  CHECK(cls("ff02::1") == AddressClass::multicast);
  CHECK(cls("::ffff:127.0.0.1") == AddressClass::loopback);
  CHECK(cls("::ffff:10.1.2.3") == AddressClass::private_);
  CHECK(cls("::ffff:8.8.8.8") == AddressClass::public_);
  CHECK(cls("64:ff9b::a9fe:a9fe") == AddressClass::link_local);  // NAT64 of 169.254.169.254
  CHECK(cls("2002:7f00:1::") == AddressClass::loopback);          // 6to4 of 127.0.0.1
  CHECK(cls("2001:db8::1") == AddressClass::reserved);
}

TEST_CASE("the address policy admits public addresses, and loopback/private only when allowed") {
  CHECK(allowed("8.8.8.8"));
  CHECK_FALSE(allowed("127.0.0.1"));
  CHECK_FALSE(allowed("192.168.0.10"));
  CHECK_FALSE(allowed("::1"));
  CHECK(allowed("127.0.0.1", true));
  CHECK(allowed("10.0.0.1", true));
  CHECK(allowed("fd00::1", true));
  CHECK_FALSE(allowed("169.254.169.254", true));  // cloud metadata stays out of reach
  CHECK_FALSE(allowed("0.0.0.0", true));
  CHECK_FALSE(allowed("224.0.0.1", true));
}

TEST_CASE("size limits follow WhatsApp's per kind and never exceed the configured maximum") {
  using anliegen::domain::AttachmentKind;
  const std::size_t big = 1000u * 1024 * 1024;
  CHECK(media::size_limit(AttachmentKind::image, big) == 5u * 1024 * 1024);
  CHECK(media::size_limit(AttachmentKind::audio, big) == 16u * 1024 * 1024);
  CHECK(media::size_limit(AttachmentKind::voice, big) == 16u * 1024 * 1024);
  CHECK(media::size_limit(AttachmentKind::video, big) == 16u * 1024 * 1024);
  CHECK(media::size_limit(AttachmentKind::sticker, big) == 500u * 1024);
  CHECK(media::size_limit(AttachmentKind::document, big) == 100u * 1024 * 1024);
  CHECK(media::size_limit(AttachmentKind::document, 25u * 1024 * 1024) == 25u * 1024 * 1024);
  CHECK(media::size_limit(AttachmentKind::image, 1024) == 1024);
}

TEST_CASE("MIME types: parameters dropped, response type preferred unless generic") {
  CHECK(media::media_type("Image/JPEG; charset=binary") == "image/jpeg");
  CHECK(media::media_type(" audio/ogg ") == "audio/ogg");
  CHECK(media::media_type("nonsense").empty());
  CHECK(media::media_type("text/html\r\nX-Evil: 1").empty());
  CHECK(media::choose_mime("image/png", "image/jpeg") == "image/png");
  CHECK(media::choose_mime("application/octet-stream", "audio/ogg; codecs=opus") == "audio/ogg");
  CHECK(media::choose_mime("", "video/mp4") == "video/mp4");
  CHECK(media::choose_mime("", "") == "application/octet-stream");

  CHECK(media::is_accepted_generic_type("image/jpeg"));
  CHECK(media::is_accepted_generic_type("application/pdf"));
  CHECK(media::is_accepted_generic_type("application/vnd.openxmlformats-officedocument.wordprocessingml.document"));
  CHECK(media::is_accepted_generic_type("audio/ogg"));
  CHECK_FALSE(media::is_accepted_generic_type("image/svg+xml"));
  CHECK_FALSE(media::is_accepted_generic_type("text/html"));
  CHECK_FALSE(media::is_accepted_generic_type("application/x-msdownload"));
  CHECK_FALSE(media::is_accepted_generic_type(""));

  CHECK(media::is_inline_safe_type("image/jpeg"));
  CHECK(media::is_inline_safe_type("application/pdf"));
  CHECK_FALSE(media::is_inline_safe_type("image/svg+xml"));
  CHECK_FALSE(media::is_inline_safe_type("text/html"));
}

TEST_CASE("WhatsApp media URLs are followed only to Meta's media hosts or the Graph URL's origin") {
  const std::string graph = "https://graph.facebook.com/v23.0";
  CHECK(media::may_follow_whatsapp_url("https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1", graph));
  CHECK(media::may_follow_whatsapp_url("https://scontent.xx.fbcdn.net/v/t1/abc.jpg", graph));
  CHECK(media::may_follow_whatsapp_url("https://mmg.whatsapp.net/d/f/abc.enc", graph));
  CHECK(media::may_follow_whatsapp_url("https://graph.facebook.com/v23.0/123", graph));
  CHECK_FALSE(media::may_follow_whatsapp_url("http://lookaside.fbsbx.com/x", graph));  // not https
  CHECK_FALSE(media::may_follow_whatsapp_url("https://evilfbsbx.com/x", graph));
  CHECK_FALSE(media::may_follow_whatsapp_url("https://fbsbx.com.evil.example/x", graph));
  CHECK_FALSE(media::may_follow_whatsapp_url("https://lookaside.fbsbx.com:8443/x", graph));
  CHECK_FALSE(media::may_follow_whatsapp_url("https://user@lookaside.fbsbx.com/x", graph));
  CHECK_FALSE(media::may_follow_whatsapp_url("https://example.org/x", graph));
  CHECK_FALSE(media::may_follow_whatsapp_url("file:///etc/passwd", graph));
  CHECK_FALSE(media::may_follow_whatsapp_url("not a url", graph));

  const std::string fake = "http://127.0.0.1:4567/v23.0";
  CHECK(media::may_follow_whatsapp_url("http://127.0.0.1:4567/media-download/1", fake));
  CHECK_FALSE(media::may_follow_whatsapp_url("http://127.0.0.1:4568/media-download/1", fake));
  CHECK_FALSE(media::may_follow_whatsapp_url("https://127.0.0.1:4567/media-download/1", fake));
  CHECK_FALSE(media::may_follow_whatsapp_url("http://localhost:4567/media-download/1", fake));

  CHECK(media::url_host("https://Lookaside.FBSBX.com/x?token=secret") == "lookaside.fbsbx.com");
}

TEST_CASE("retry delays grow exponentially from the base, with jitter, capped") {
  using std::chrono::milliseconds;
  const milliseconds base{30000}, cap{3600000};
  CHECK(media::retry_delay(1, base, cap, 0.0) == milliseconds(30000));
  CHECK(media::retry_delay(2, base, cap, 0.0) == milliseconds(60000));
  CHECK(media::retry_delay(3, base, cap, 0.0) == milliseconds(120000));
  CHECK(media::retry_delay(4, base, cap, 0.99).count() >= 240000);
  CHECK(media::retry_delay(4, base, cap, 0.99).count() <= 300000);
  CHECK(media::retry_delay(20, base, cap, 0.0) == cap);
  CHECK(media::retry_delay(1000, base, cap, 0.5).count() <= cap.count() * 5 / 4);
  CHECK(media::retry_delay(0, base, cap, 0.0) == milliseconds(30000));
}

TEST_CASE("download names are sanitised for Content-Disposition") {
  CHECK(media::safe_filename("Antrag.pdf", 7, "application/pdf") == "Antrag.pdf");
  CHECK(media::safe_filename("../../etc/passwd", 7, "") == "passwd");
  CHECK(media::safe_filename("C:\\Users\\x\\Foto 1.jpg", 7, "") == "Foto 1.jpg");
  CHECK(media::safe_filename("a\"b;\r\nc.txt", 7, "") == "a_b___c.txt");
  CHECK(media::safe_filename("Straße.png", 7, "") == "Stra__e.png");
  CHECK(media::safe_filename("", 42, "image/jpeg; x=y") == "attachment-42.jpg");
  CHECK(media::safe_filename("...", 42, "audio/ogg") == "attachment-42.ogg");
  CHECK(media::safe_filename("", 42, "application/x-unknown") == "attachment-42");
  CHECK(media::safe_filename(std::string(300, 'a'), 1, "").size() == 100);
}

TEST_CASE("media settings come from the environment, with defaults and range checks") {
  Settings s;
  s.whatsapp.graph_url = "http://127.0.0.1:9/v23.0";
  s.whatsapp.access_token = "t";
  s.fetch_allow_private = true;
  auto o = media_fetcher_options(s, {});
  CHECK(o.graph_url == "http://127.0.0.1:9/v23.0");
  CHECK(o.access_token == "t");
  CHECK(o.allow_private);
  CHECK(o.max_bytes == 25u * 1024 * 1024);
  CHECK(o.retry_base == std::chrono::milliseconds(30000));
  CHECK(o.max_attempts == 8);
  CHECK(o.user_agent.rfind("anliegen/", 0) == 0);
  o = media_fetcher_options(s, {{"ANLIEGEN_MEDIA_RETRY_BASE_MS", "50"}, {"ANLIEGEN_MEDIA_MAX_ATTEMPTS", "3"},
                                {"ANLIEGEN_MEDIA_MAX_BYTES", "1048576"}, {"ANLIEGEN_MEDIA_TIMEOUT_MS", "2000"}});
  CHECK(o.retry_base == std::chrono::milliseconds(50));
  CHECK(o.max_attempts == 3);
  CHECK(o.max_bytes == 1048576u);
  CHECK(o.request_timeout == std::chrono::milliseconds(2000));
  CHECK_THROWS_AS(media_fetcher_options(s, {{"ANLIEGEN_MEDIA_RETRY_BASE_MS", "soon"}}), SettingsError);
  CHECK_THROWS_AS(media_fetcher_options(s, {{"ANLIEGEN_MEDIA_MAX_ATTEMPTS", "0"}}), SettingsError);
  CHECK_THROWS_AS(media_fetcher_options(s, {{"ANLIEGEN_MEDIA_MAX_BYTES", "999999999999"}}), SettingsError);
}
