#pragma once
// A file compiled into the binary (migrations, the demo configuration); see cmake/embed.cmake.
#include <string_view>
#include <vector>

namespace anliegen::domain {

struct EmbeddedFile {
  std::string_view name;
  std::string_view text;
};

}  // namespace anliegen::domain
