// Defaults of the gateway's settings that depend on the machine, and the X channel's ways to authorise.
#include <doctest/doctest.h>

#include <algorithm>
#include <thread>

#include "gateway/settings.hpp"

using namespace anliegen::gateway;

TEST_CASE("the database pool has one thread per core, at least 2 and at most 16, unless set") {
  const int cores = static_cast<int>(std::thread::hardware_concurrency());
  const auto s = load_settings({{"ANLIEGEN_DATABASE_URL", "host=/tmp"}});
  CHECK(s.db_pool_size == std::clamp(cores, 2, 16));
  CHECK(s.db_pool_size >= 2);
  CHECK(s.db_pool_size <= 16);
  CHECK(load_settings({{"ANLIEGEN_DATABASE_URL", "host=/tmp"}, {"ANLIEGEN_DB_POOL_SIZE", "7"}}).db_pool_size == 7);
}

namespace {

Environment x_env(std::initializer_list<std::pair<const std::string, std::string>> extra) {
  Environment env{{"ANLIEGEN_DATABASE_URL", "host=/tmp"}, {"X_CONSUMER_SECRET", "consumer-secret"}};
  env.insert(extra);
  return env;
}

// The variable a SettingsError names, or "" when the settings load.
std::string x_error_key(const Environment& env) {
  try {
    load_settings(env);
    return "";
  } catch (const SettingsError& e) {
    return e.key();
  }
}

}  // namespace

TEST_CASE("X acts as the city account either with OAuth 1.0a (all three keys) or with X_USER_TOKEN") {
  const auto oauth1 = load_settings(
      x_env({{"X_CONSUMER_KEY", "key"}, {"X_ACCESS_TOKEN", "token"}, {"X_ACCESS_TOKEN_SECRET", "token-secret"}}));
  CHECK(oauth1.x.enabled);
  CHECK(oauth1.x.consumer_key == "key");
  CHECK(oauth1.x.access_token == "token");
  CHECK(oauth1.x.access_token_secret == "token-secret");
  CHECK(oauth1.x.user_token.empty());
  const auto bearer = load_settings(x_env({{"X_USER_TOKEN", "user-token"}}));
  CHECK(bearer.x.user_token == "user-token");
  CHECK(bearer.x.access_token.empty());
  // Neither: the error names both ways.
  try {
    load_settings(x_env({}));
    FAIL("expected a SettingsError");
  } catch (const SettingsError& e) {
    CHECK(std::string(e.what()).find("X_ACCESS_TOKEN_SECRET") != std::string::npos);
    CHECK(std::string(e.what()).find("X_USER_TOKEN") != std::string::npos);
  }
}

TEST_CASE("X: a partial OAuth 1.0a set, both ways at once, or OAuth 1.0a keys without X_CONSUMER_SECRET are errors") {
  CHECK(x_error_key(x_env({{"X_CONSUMER_KEY", "k"}, {"X_ACCESS_TOKEN", "t"}})) == "X_ACCESS_TOKEN_SECRET");
  CHECK(x_error_key(x_env({{"X_ACCESS_TOKEN", "t"}, {"X_ACCESS_TOKEN_SECRET", "s"}})) == "X_CONSUMER_KEY");
  CHECK(x_error_key(x_env({{"X_CONSUMER_KEY", "k"}, {"X_ACCESS_TOKEN_SECRET", "s"}})) == "X_ACCESS_TOKEN");
  CHECK(x_error_key(x_env({{"X_CONSUMER_KEY", "k"}, {"X_ACCESS_TOKEN", "t"}, {"X_ACCESS_TOKEN_SECRET", "s"},
                           {"X_USER_TOKEN", "u"}})) == "X_USER_TOKEN");
  CHECK(x_error_key(x_env({{"X_ACCESS_TOKEN", "t"}, {"X_USER_TOKEN", "u"}})) == "X_USER_TOKEN");
  CHECK(x_error_key({{"ANLIEGEN_DATABASE_URL", "host=/tmp"}, {"X_ACCESS_TOKEN", "t"}}) == "X_CONSUMER_SECRET");
  CHECK(x_error_key({{"ANLIEGEN_DATABASE_URL", "host=/tmp"}, {"X_USER_TOKEN", "u"}}).empty());  // X stays off
}
