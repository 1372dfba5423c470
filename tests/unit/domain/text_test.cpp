#include <doctest/doctest.h>

#include "domain/text.hpp"

using namespace anliegen::domain;

TEST_CASE("UTF-8 validation") {
  CHECK(is_valid_utf8("Schlaglöcher in der Straße"));
  CHECK(is_valid_utf8("みどりいろ 😀"));
  CHECK_FALSE(is_valid_utf8("\xC3"));
  CHECK_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong
  CHECK_FALSE(is_valid_utf8("\xED\xA0\x80"));      // surrogate
  CHECK_FALSE(is_valid_utf8("\xFF"));
  CHECK_FALSE(is_valid_utf8("ab\xE2\x82"));
}

TEST_CASE("length counts code points") {
  CHECK(utf8_length("Straße") == 6);
  CHECK(utf8_length("") == 0);
  CHECK(is_blank("  \n\t"));
  CHECK_FALSE(is_blank(" a "));
}

TEST_CASE("placeholders are filled, unknown ones kept") {
  CHECK(fill_placeholders("Nr. {referenz} am {datum} {x}", {{"referenz", "A-2026-000001"}, {"datum", "heute"}}) ==
        "Nr. A-2026-000001 am heute {x}");
  CHECK(fill_placeholders("{", {}) == "{");
  CHECK(fill_placeholders("", {{"a", "b"}}).empty());
}
