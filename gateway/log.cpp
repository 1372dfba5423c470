#include "gateway/log.hpp"

#include <boost/json/serialize.hpp>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>

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
