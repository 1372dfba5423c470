// The anliegen executable: hands the command line to gateway/cli.cpp.
#include <string>
#include <vector>

#include "gateway/cli.hpp"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return anliegen::gateway::run_cli(args);
}
