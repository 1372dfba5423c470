#pragma once
// `anliegen citizen find|export|erase|retention`: the data-protection requests of one citizen (DSGVO
// access and erasure) and the automatic retention, checked or run by hand, for the city's operators.
// Exit codes as in cli.hpp.
#include <string>
#include <vector>

namespace anliegen::gateway {

// `args` starts with "citizen".
int citizen_command(const std::vector<std::string>& args);

}  // namespace anliegen::gateway
