#include <doctest/doctest.h>

#include "domain/enums.hpp"

using namespace anliegen::domain;

TEST_CASE("every channel name round-trips") {
  for (auto name : channel_names()) {
    auto c = parse_channel(name);
    REQUIRE(c);
    CHECK(to_string(*c) == name);
  }
  CHECK_FALSE(parse_channel("telegram"));
  CHECK_FALSE(parse_channel("WhatsApp"));
}

TEST_CASE("status 'new' is spelled without the C++ suffix") {
  CHECK(to_string(Status::new_) == "new");
  CHECK(parse_status("new") == Status::new_);
  CHECK_FALSE(parse_status("new_"));
}

TEST_CASE("offline channels have no way back") {
  CHECK(is_offline_channel(Channel::phone));
  CHECK(is_offline_channel(Channel::letter));
  CHECK(is_offline_channel(Channel::in_person));
  CHECK(is_offline_channel(Channel::email));
  CHECK_FALSE(is_offline_channel(Channel::whatsapp));
  CHECK_FALSE(is_offline_channel(Channel::maengelmelder));
}

TEST_CASE("roles, kinds and priorities parse") {
  CHECK(parse_role("clerk") == Role::clerk);
  CHECK(parse_role("office") == Role::office);
  CHECK(parse_role("admin") == Role::admin);
  CHECK_FALSE(parse_role("root"));
  CHECK(parse_kind("defect_report") == Kind::defect_report);
  CHECK(parse_priority("urgent") == Priority::urgent);
  CHECK(parse_attachment_kind("voice") == AttachmentKind::voice);
}
