// Keyword matching for routing: German-aware folding, word splitting and prefix matching.
#include <cstdint>

#include "domain/routing.hpp"
#include "domain/text.hpp"

namespace anliegen::domain {
namespace {

// Decodes one UTF-8 code point at s[i]; returns its length (1 for an invalid byte, cp = 0xFFFD then).
std::size_t decode(std::string_view s, std::size_t i, char32_t& cp) {
  const std::size_t n = decode_utf8(s, i, cp);
  if (n == 0) {
    cp = 0xFFFD;
    return 1;
  }
  return n;
}

bool is_ascii_alnum(char32_t cp) {
  return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
}

// Letters and digits of any script count as word characters; ASCII punctuation, Latin-1 symbols
// (no-break space, « », §, °, ...), general punctuation (dashes, typographic quotes), arrows and other
// symbols, CJK punctuation, variation selectors and emoji separate words.
bool is_word_char(char32_t cp) {
  if (cp < 0x80) return is_ascii_alnum(cp);
  if (cp == 0xFFFD) return false;
  if (cp <= 0xBF || cp == 0xD7 || cp == 0xF7) return false;
  if (cp >= 0x2000 && cp <= 0x2BFF) return false;
  if (cp >= 0x3000 && cp <= 0x303F) return false;
  if (cp >= 0xFE00 && cp <= 0xFE0F) return false;
  if (cp >= 0x1F000) return false;
  return true;
}

}  // namespace

std::string fold_german(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool can_absorb_e = false;  // the last output is a plain a/o/u that may take an 'e' (ae, oe, ue)
  std::size_t i = 0;
  while (i < s.size()) {
    char32_t cp = 0;
    const std::size_t n = decode(s, i, cp);
    char base = 0;
    if (cp < 0x80) {
      char c = static_cast<char>(cp);
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c == 'e' && can_absorb_e) {
        can_absorb_e = false;
        i += n;
        continue;
      }
      out += c;
      can_absorb_e = c == 'a' || c == 'o' || c == 'u';
      i += n;
      continue;
    }
    switch (cp) {
      case 0xC4: case 0xE4: base = 'a'; break;  // Ä ä
      case 0xD6: case 0xF6: base = 'o'; break;  // Ö ö
      case 0xDC: case 0xFC: base = 'u'; break;  // Ü ü
      case 0xDF: case 0x1E9E: base = 's'; break;  // ß ẞ
      default: break;
    }
    if (base == 's') {
      out += "ss";
    } else if (base != 0) {
      out += base;
    } else {
      out.append(s.substr(i, n));
    }
    can_absorb_e = false;
    i += n;
  }
  return out;
}

std::vector<std::string> folded_words(std::string_view s) {
  const std::string folded = fold_german(s);
  const std::string_view f = folded;
  std::vector<std::string> words;
  std::string current;
  std::size_t i = 0;
  while (i < f.size()) {
    char32_t cp = 0;
    const std::size_t n = decode(f, i, cp);
    if (is_word_char(cp)) {
      current.append(f.substr(i, n));
    } else if (!current.empty()) {
      words.push_back(std::move(current));
      current.clear();
    }
    i += n;
  }
  if (!current.empty()) words.push_back(std::move(current));
  return words;
}

bool keyword_matches(std::string_view keyword, const std::vector<std::string>& words) {
  const std::vector<std::string> parts = folded_words(keyword);
  if (parts.empty() || parts.size() > words.size()) return false;
  for (std::size_t start = 0; start + parts.size() <= words.size(); ++start) {
    bool all = true;
    for (std::size_t k = 0; k < parts.size() && all; ++k) {
      all = words[start + k].starts_with(parts[k]);
    }
    if (all) return true;
  }
  return false;
}

}  // namespace anliegen::domain
