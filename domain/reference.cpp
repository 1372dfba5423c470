#include "domain/reference.hpp"

#include <cstdio>

namespace anliegen::domain {

std::string format_reference(int year, std::int64_t id) {
  char buf[48];
  const int n = std::snprintf(buf, sizeof buf, "A-%04d-%06lld", year, static_cast<long long>(id));
  return std::string(buf, static_cast<std::size_t>(n));
}

}  // namespace anliegen::domain
