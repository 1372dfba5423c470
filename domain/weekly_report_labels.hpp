#pragma once
// German labels for channels and kinds in the weekly report (private to the report renderers).
#include <string_view>

namespace anliegen::domain {

std::string_view channel_label(std::string_view channel);
std::string_view kind_label(std::string_view kind);

}  // namespace anliegen::domain
