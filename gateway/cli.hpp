#pragma once
// The `anliegen` command line: serve, migrate, token, report, citizen, --help, --version.
// Exit codes: 0 success, 1 runtime failure (e.g. database unreachable), 2 usage or configuration error.
#include <string>
#include <vector>

namespace anliegen::gateway {

int run_cli(const std::vector<std::string>& args);

// Runs the gateway until SIGINT/SIGTERM. Returns the exit code.
int serve();

}  // namespace anliegen::gateway
