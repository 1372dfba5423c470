#pragma once
// Human references for Anliegen, e.g. "A-2026-000123": the Berlin year of receipt and the id.
#include <cstdint>
#include <string>

namespace anliegen::domain {

std::string format_reference(int year, std::int64_t id);

}  // namespace anliegen::domain
