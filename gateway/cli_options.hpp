#pragma once
// Shared by the command line's subcommands: their options ("anliegen citizen erase --id 7 --yes":
// "--name value" pairs and bare flags, checked against those a subcommand knows) and the database.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "storage/database.hpp"

namespace anliegen::gateway {

// Reads args[2..] (args[0] the command, args[1] the subcommand) into `out` ("yes" for a bare flag).
// `known` maps each option to whether it takes a value. False with `error` set on an unknown option or a
// missing value.
bool read_options(const std::vector<std::string>& args, const std::map<std::string, bool>& known,
                  std::map<std::string, std::string>& out, std::string& error);

// A connection to ANLIEGEN_DATABASE_URL for a command (5 s connect timeout).
std::unique_ptr<storage::Connection> open_database();

}  // namespace anliegen::gateway
