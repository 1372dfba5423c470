#include "channels/open311/form.hpp"

#include "channels/url_encoding.hpp"
#include "domain/text.hpp"

namespace anliegen::channels::open311 {
namespace {

std::optional<std::string> decode(std::string_view s) {
  auto out = percent_decode(s);
  if (!out || !domain::is_valid_utf8(*out)) return std::nullopt;
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<Form> parse_form(std::string_view body) {
  Form out;
  while (!body.empty()) {
    const auto amp = body.find('&');
    const auto part = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view() : body.substr(amp + 1);
    if (part.empty()) continue;
    const auto eq = part.find('=');
    auto key = decode(part.substr(0, eq));
    auto value = decode(eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1));
    if (!key || !value) return std::nullopt;
    out.emplace_back(std::move(*key), std::move(*value));
  }
  return out;
}

std::optional<std::string> first(const Form& form, std::string_view key) {
  for (const auto& [k, v] : form) {
    if (k == key && !v.empty()) return v;
  }
  return std::nullopt;
}

std::vector<std::string> all(const Form& form, std::string_view key) {
  std::vector<std::string> out;
  for (const auto& [k, v] : form) {
    if (k == key && !v.empty()) out.push_back(v);
  }
  return out;
}

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  while (true) {
    const auto comma = text.find(',');
    const auto item = trim(text.substr(0, comma));
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace anliegen::channels::open311
