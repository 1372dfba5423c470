#pragma once
// Structured logging: one JSON object per line on standard error (spdlog underneath). Fields are
// chosen by the caller; never pass secrets, message texts, phone numbers or names.
#include <boost/json/object.hpp>

#include <exception>
#include <string>
#include <string_view>

namespace anliegen::gateway::log {

enum class Level { debug, info, warn, error };

void init(std::string_view level_name);  // "debug", "info", "warn", "error"; unknown → info
void write(Level level, std::string_view event, boost::json::object fields = {});

// The exception's type ("std::out_of_range"), for logging instead of what(), which may quote data.
std::string exception_class(const std::exception& e);

inline void info(std::string_view event, boost::json::object fields = {}) { write(Level::info, event, std::move(fields)); }
inline void warn(std::string_view event, boost::json::object fields = {}) { write(Level::warn, event, std::move(fields)); }
inline void error(std::string_view event, boost::json::object fields = {}) {
  write(Level::error, event, std::move(fields));
}

}  // namespace anliegen::gateway::log
