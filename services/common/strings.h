// String helpers on std::string_view.
//
// Debian 12's Abseil is built with its own absl::string_view, which is not
// std::string_view, so absl's string functions do not take std::string_view
// arguments. The core uses std::string_view throughout and these helpers
// (or Sv() to hand a view to an absl function).
#ifndef POLKU_COMMON_STRINGS_H_
#define POLKU_COMMON_STRINGS_H_

#include <string>
#include <string_view>

#include "absl/strings/string_view.h"

namespace polku::common {

inline absl::string_view Sv(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

inline char AsciiLower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

inline std::string AsciiToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

inline bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

inline bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.substr(s.size() - suffix.size()) == suffix;
}

inline bool Contains(std::string_view s, std::string_view part) {
  return s.find(part) != std::string_view::npos;
}

}  // namespace polku::common

#endif  // POLKU_COMMON_STRINGS_H_
