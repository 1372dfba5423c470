// anliegen-load: command line of the load generator (see load.hpp). Prints one key=value line.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>

#include "load.hpp"

namespace {

[[noreturn]] void usage(const std::string& why) {
  std::cerr << "anliegen-load: " << why << "\n"
            << "usage: anliegen-load --port N [--host H] [--mode whatsapp|get] [--concurrency N] [--duration S]\n"
            << "         whatsapp: --secret S [--run-id ID] [--acked FILE]\n"
            << "         get:      --targets FILE --token T\n";
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  anliegen::bench::LoadOptions o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (i + 1 >= argc) usage("missing value for " + std::string(flag));
    const std::string value = argv[++i];
    if (flag == "--host") o.host = value;
    else if (flag == "--port") o.port = static_cast<std::uint16_t>(std::stoi(value));
    else if (flag == "--mode") o.mode = value;
    else if (flag == "--concurrency") o.concurrency = std::stoi(value);
    else if (flag == "--duration") o.duration = std::chrono::seconds(std::stoi(value));
    else if (flag == "--secret") o.secret = value;
    else if (flag == "--run-id") o.run_id = value;
    else if (flag == "--acked") o.acked_file = value;
    else if (flag == "--targets") o.targets_file = value;
    else if (flag == "--token") o.token = value;
    else usage("unknown option " + std::string(flag));
  }
  if (o.mode != "whatsapp" && o.mode != "get") usage("--mode must be whatsapp or get");
  if (o.mode == "whatsapp" && o.secret.empty()) usage("--secret is required in whatsapp mode");
  if (o.mode == "get" && (o.targets_file.empty() || o.token.empty())) usage("--targets and --token are required");
  if (o.concurrency < 1 || o.duration.count() < 1) usage("--concurrency and --duration must be positive");
  try {
    const auto r = anliegen::bench::run_load(o);
    if (!o.acked_file.empty()) {
      std::ofstream out(o.acked_file);
      for (const auto& id : r.acked) out << id << '\n';
    }
    std::printf("requests=%llu ok=%llu failed=%llu seconds=%.2f rps=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
                static_cast<unsigned long long>(r.requests), static_cast<unsigned long long>(r.ok),
                static_cast<unsigned long long>(r.failed), r.seconds, static_cast<double>(r.ok) / r.seconds,
                r.p50_ms, r.p99_ms, r.max_ms);
  } catch (const std::exception& e) {
    std::cerr << "anliegen-load: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
