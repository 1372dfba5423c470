// Reading the API token from the Authorization header.
#include <doctest/doctest.h>

#include "gateway/auth.hpp"

using anliegen::gateway::token_from_authorization;

TEST_CASE("the token comes from Bearer or from Basic's password; the scheme's case does not matter") {
  CHECK(token_from_authorization("Bearer anl_abcdefgh") == "anl_abcdefgh");
  CHECK(token_from_authorization("bearer anl_abcdefgh") == "anl_abcdefgh");
  CHECK(token_from_authorization("BEARER   anl_abcdefgh") == "anl_abcdefgh");
  CHECK(token_from_authorization("Basic dXNlcjphbmxfYWJjZGVmZ2g=") == "anl_abcdefgh");  // user:anl_abcdefgh
  CHECK(token_from_authorization("basic dXNlcjphbmxfYWJjZGVmZ2g=") == "anl_abcdefgh");
  CHECK_FALSE(token_from_authorization("Token anl_abcdefgh"));
  CHECK_FALSE(token_from_authorization("Bearer short"));
  CHECK_FALSE(token_from_authorization("Bearer"));
  CHECK_FALSE(token_from_authorization(""));
  CHECK_FALSE(token_from_authorization("Basic not-base64!"));
}
