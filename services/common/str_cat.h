// StrCat / StrAppend that accept std::string_view.
//
// absl::StrCat in Debian 12's Abseil takes absl::string_view, which is not
// std::string_view there; the core uses these instead. Arguments may be
// strings, string views, C strings, chars, integers and floating-point
// numbers (written with %g).
#ifndef POLKU_COMMON_STR_CAT_H_
#define POLKU_COMMON_STR_CAT_H_

#include <cstdio>
#include <string>
#include <string_view>
#include <type_traits>

namespace polku::common {
namespace str_cat_internal {

inline void Append(std::string& out, std::string_view s) { out.append(s); }
inline void Append(std::string& out, const std::string& s) { out.append(s); }
inline void Append(std::string& out, const char* s) { out.append(s); }
inline void Append(std::string& out, char c) { out.push_back(c); }
template <typename T>
std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, char> &&
                 !std::is_same_v<T, bool>>
Append(std::string& out, T v) {
  out.append(std::to_string(v));
}
template <typename T>
std::enable_if_t<std::is_floating_point_v<T>> Append(std::string& out, T v) {
  char buf[32];
  int n = std::snprintf(buf, sizeof(buf), "%g", static_cast<double>(v));
  out.append(buf, static_cast<size_t>(n));
}

}  // namespace str_cat_internal

template <typename... Args>
void StrAppend(std::string* out, const Args&... args) {
  (str_cat_internal::Append(*out, args), ...);
}

template <typename... Args>
std::string StrCat(const Args&... args) {
  std::string out;
  (str_cat_internal::Append(out, args), ...);
  return out;
}

}  // namespace polku::common

#endif  // POLKU_COMMON_STR_CAT_H_
