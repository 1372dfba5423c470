#pragma once
// Options of the command line's subcommands ("anliegen citizen erase --id 7 --yes"): "--name value"
// pairs and bare flags, checked against the options a subcommand knows.
#include <map>
#include <string>
#include <vector>

namespace anliegen::gateway {

// Reads args[2..] (args[0] the command, args[1] the subcommand) into `out` ("yes" for a bare flag).
// `known` maps each option to whether it takes a value. False with `error` set on an unknown option or a
// missing value.
bool read_options(const std::vector<std::string>& args, const std::map<std::string, bool>& known,
                  std::map<std::string, std::string>& out, std::string& error);

}  // namespace anliegen::gateway
