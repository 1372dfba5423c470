#pragma once
// `anliegen outbox resend`: after an outage of a platform's side (an expired or revoked access token, a
// suspended number) the replies that failed meanwhile are queued again, instead of clerks writing each
// one anew. Exit codes as in cli.hpp.
#include <string>
#include <vector>

namespace anliegen::gateway {

// `args` starts with "outbox".
int outbox_command(const std::vector<std::string>& args);

}  // namespace anliegen::gateway
