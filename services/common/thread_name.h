// Names for Polku's own threads, as `top -H`, `ps -L`, perf and gdb show
// them (polku-writer, polku-walsync, ...), so an operator can tell which
// part of the service a busy thread belongs to.
#ifndef POLKU_COMMON_THREAD_NAME_H_
#define POLKU_COMMON_THREAD_NAME_H_

#include <string>
#include <string_view>

namespace polku::common {

// Names the calling thread. Linux keeps at most 15 bytes of a name; a
// longer one is cut to its first 15. Best effort: a failure is ignored.
void SetCurrentThreadName(std::string_view name);

// The calling thread's name ("" when it cannot be read).
std::string CurrentThreadName();

}  // namespace polku::common

#endif  // POLKU_COMMON_THREAD_NAME_H_
