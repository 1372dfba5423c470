#include <doctest/doctest.h>

#include "channels/crypto.hpp"

using namespace anliegen::channels;

TEST_CASE("HMAC-SHA256 matches the protocol brief's vectors") {
  CHECK(to_hex(hmac_sha256("gateway-test-secret", R"({"object":"whatsapp_business_account","entry":[]})")) ==
        "0ed1b3c1d0cb735f875d5e3b5dbcbd9f06f5a9776e885854115ddfd9ea00a720");
  CHECK(to_base64(hmac_sha256("gateway-test-consumer-secret", "crc-token-123")) ==
        "rlPDCp0fkuceIZRJysC2pQo1mFjDXX3AI6EnWOKTl/0=");
}

TEST_CASE("hex and base64 round-trip") {
  auto d = sha256("abc");
  CHECK(to_hex(d) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  auto parsed = digest_from_hex("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD");
  REQUIRE(parsed);
  CHECK(*parsed == d);
  CHECK_FALSE(digest_from_hex("zz"));
  auto b = from_base64(to_base64(std::string_view("hello!!")));
  REQUIRE(b);
  CHECK(*b == "hello!!");
  CHECK_FALSE(from_base64("abc"));
}

TEST_CASE("constant-time comparison and random tokens") {
  CHECK(constant_time_equal("abc", "abc"));
  CHECK_FALSE(constant_time_equal("abc", "abd"));
  CHECK_FALSE(constant_time_equal("abc", "abcd"));
  auto t1 = random_token(32);
  auto t2 = random_token(32);
  CHECK(t1.size() == 43);
  CHECK(t1 != t2);
  CHECK(t1.find_first_of("+/=") == std::string::npos);
}
