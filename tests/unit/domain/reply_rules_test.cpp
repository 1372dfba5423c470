// Per-channel reply rules: the longest text each platform delivers, and no private answer on X.
#include <doctest/doctest.h>

#include "domain/reply_rules.hpp"

using namespace anliegen::domain;

TEST_CASE("replies longer than the platform delivers are refused with the platform's limit") {
  CHECK_FALSE(reply_refusal(Channel::whatsapp, false, std::string(4096, 'a'), false));
  const auto wa = reply_refusal(Channel::whatsapp, false, std::string(4097, 'a'), false);
  REQUIRE(wa);
  CHECK(wa->field == "text");
  CHECK(wa->message.find("WhatsApp") != std::string::npos);
  CHECK(wa->message.find("4096") != std::string::npos);

  CHECK_FALSE(reply_refusal(Channel::facebook, false, std::string(2000, 'a'), false));
  CHECK(reply_refusal(Channel::facebook, false, std::string(2001, 'a'), false));
  // A public comment is answered under it (longer texts), a private answer goes through Messenger.
  CHECK_FALSE(reply_refusal(Channel::facebook, true, std::string(2001, 'a'), false));
  CHECK(reply_refusal(Channel::facebook, true, std::string(2001, 'a'), true));

  CHECK_FALSE(reply_refusal(Channel::x, true, std::string(280, 'a'), false));
  CHECK(reply_refusal(Channel::x, true, std::string(281, 'a'), false));
  CHECK_FALSE(reply_refusal(Channel::x, false, std::string(5000, 'a'), false));  // a DM
}

TEST_CASE("characters are counted as code points, Instagram messages as UTF-8 bytes") {
  std::string umlauts;
  for (int i = 0; i < 2000; ++i) umlauts += "ä";  // 2 bytes each
  CHECK_FALSE(reply_refusal(Channel::facebook, false, umlauts, false));
  CHECK(reply_refusal(Channel::instagram, false, std::string(1000, 'a'), false) == std::nullopt);
  const auto ig = reply_refusal(Channel::instagram, false, umlauts.substr(0, 1002), false);  // 501 letters
  REQUIRE(ig);
  CHECK(ig->message.find("bytes") != std::string::npos);
}

TEST_CASE("X cannot answer a public post privately") {
  const auto why = reply_refusal(Channel::x, true, "Danke", true);
  REQUIRE(why);
  CHECK(why->field == "private");
  CHECK_FALSE(reply_refusal(Channel::facebook, true, "Danke", true));
  CHECK_FALSE(reply_refusal(Channel::x, false, "Danke", true));  // a DM is private anyway
}
