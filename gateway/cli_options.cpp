#include "gateway/cli_options.hpp"

#include "gateway/settings.hpp"

namespace anliegen::gateway {

bool read_options(const std::vector<std::string>& args, const std::map<std::string, bool>& known,
                  std::map<std::string, std::string>& out, std::string& error) {
  for (std::size_t i = 2; i < args.size(); ++i) {
    const auto option = known.find(args[i]);
    if (option == known.end()) {
      error = "unknown argument '" + args[i] + "' for " + args[0] + " " + args[1];
      return false;
    }
    if (!option->second) {
      out[args[i]] = "yes";
    } else if (i + 1 >= args.size() || args[i + 1].empty()) {
      error = args[i] + " needs a value";
      return false;
    } else {
      out[args[i]] = args[i + 1];
      ++i;
    }
  }
  return true;
}

std::unique_ptr<storage::Connection> open_database() {
  const auto settings = load_settings(process_environment());
  return storage::Connection::open(storage::with_connection_defaults(settings.database_url, 5));
}

}  // namespace anliegen::gateway
