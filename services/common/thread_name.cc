#include "common/thread_name.h"

#include <pthread.h>

#include <array>

namespace polku::common {

namespace {
// The kernel's TASK_COMM_LEN, terminating zero included.
constexpr size_t kNameBytes = 16;
}  // namespace

void SetCurrentThreadName(std::string_view name) {
  std::array<char, kNameBytes> buf{};
  name = name.substr(0, kNameBytes - 1);
  name.copy(buf.data(), name.size());
  pthread_setname_np(pthread_self(), buf.data());
}

std::string CurrentThreadName() {
  std::array<char, kNameBytes> buf{};
  if (pthread_getname_np(pthread_self(), buf.data(), buf.size()) != 0) {
    return "";
  }
  return std::string(buf.data());
}

}  // namespace polku::common
