#include "gateway/log.hpp"

#include <boost/json/serialize.hpp>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cxxabi.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <typeinfo>

#include "domain/time.hpp"

namespace anliegen::gateway::log {
namespace {

std::atomic<int> g_min_level{static_cast<int>(Level::info)};

std::shared_ptr<spdlog::logger> logger() {
  static auto instance = [] {
    auto l = spdlog::stderr_logger_mt("anliegen");
    l->set_pattern("%v");
    l->set_level(spdlog::level::trace);
    l->flush_on(spdlog::level::trace);
    return l;
  }();
  return instance;
}

std::string_view name(Level l) {
  switch (l) {
    case Level::debug: return "debug";
    case Level::info: return "info";
    case Level::warn: return "warn";
    case Level::error: return "error";
  }
  return "info";
}

}  // namespace

void init(std::string_view level_name) {
  Level l = Level::info;
  if (level_name == "debug") l = Level::debug;
  if (level_name == "warn") l = Level::warn;
  if (level_name == "error") l = Level::error;
  g_min_level = static_cast<int>(l);
  logger();
}

std::string exception_class(const std::exception& e) {
  const char* mangled = typeid(e).name();
  int status = 0;
  const std::unique_ptr<char, void (*)(void*)> readable(abi::__cxa_demangle(mangled, nullptr, nullptr, &status),
                                                         std::free);
  return status == 0 && readable ? std::string(readable.get()) : std::string(mangled);
}

void write(Level level, std::string_view event, boost::json::object fields) {
  if (static_cast<int>(level) < g_min_level.load()) return;
  boost::json::object line;
  line["ts"] = domain::format_utc(domain::SystemClock{}.now());
  line["level"] = name(level);
  line["event"] = event;
  for (auto& kv : fields) line[kv.key()] = std::move(kv.value());
  logger()->info(boost::json::serialize(line));
}

}  // namespace anliegen::gateway::log
