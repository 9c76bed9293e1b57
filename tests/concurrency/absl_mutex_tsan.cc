// ThreadSanitizer annotations for Debian's absl::Mutex (linked into the
// concurrency test in the tsan preset only; tests/concurrency/CMakeLists.txt).
//
// Why: ThreadSanitizer learns the happens-before order of a lock from its
// interceptors (pthread) or from annotations. Abseil's mutex.cc makes those
// annotations (ABSL_TSAN_MUTEX_PRE_LOCK and friends) only when Abseil itself
// is compiled with -fsanitize=thread; Debian's libabsl_synchronization.so
// is not, so every access guarded by an absl::Mutex (the store's queue, its
// connections, the engine's cache) would be reported as a race between two
// Polku frames: a false positive that no suppression could remove without
// suppressing Polku code.
//
// What: the linker (--wrap) sends the calls that Polku's objects make to
// these absl::Mutex and absl::CondVar functions here; each calls the real
// one between the same __tsan_mutex_* annotations Abseil would have made.
// So TSan knows what the lock orders, and still checks everything else:
// no report is suppressed, and a missing lock is still found. Memory
// accesses inside the real call (a Condition evaluated while the lock is
// being taken or given) are ignored by TSan there, as in Abseil's own
// annotated build.
//
// The symbol names are the Itanium-mangled names in Debian's inline
// namespace; CMake reads that namespace from absl/base/options.h and passes
// the mangled prefix as POLKU_ABSL_MANGLED_PREFIX ("_ZN4absl7debian3").
#include <sanitizer/tsan_interface.h>

#include <string_view>

#include "absl/base/macros.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

#ifndef POLKU_ABSL_MANGLED_PREFIX
#error \
    "POLKU_ABSL_MANGLED_PREFIX must be defined (tests/concurrency/CMakeLists.txt)"
#endif

#define POLKU_STR_(x) #x
#define POLKU_STR(x) POLKU_STR_(x)
namespace {
constexpr std::string_view kMangledPrefix = POLKU_ABSL_MANGLED_PREFIX;
constexpr std::string_view kInlineNamespace =
    POLKU_STR(ABSL_OPTION_INLINE_NAMESPACE_NAME);
static_assert(kMangledPrefix.size() > kInlineNamespace.size() &&
                  kMangledPrefix.substr(kMangledPrefix.size() -
                                        kInlineNamespace.size()) ==
                      kInlineNamespace,
              "the mangled prefix does not name Abseil's inline namespace");
}  // namespace

// Declares the real function and defines its wrapper for the member
// function `mangled` (without the prefix) of the given signature.
#define POLKU_REAL(ret, name, mangled, ...) \
  ret Real##name(__VA_ARGS__) asm("__real_" POLKU_ABSL_MANGLED_PREFIX mangled)
#define POLKU_WRAP(ret, name, mangled, ...) \
  ret Wrap##name(__VA_ARGS__) asm("__wrap_" POLKU_ABSL_MANGLED_PREFIX mangled)

namespace {

using absl::Condition;
using absl::CondVar;
using absl::Duration;
using absl::Mutex;

constexpr unsigned kRead = __tsan_mutex_read_lock;
constexpr unsigned kTry = __tsan_mutex_try_lock;
constexpr unsigned kTryFailed = __tsan_mutex_try_lock_failed;

// What a wait on `mu` does: gives the lock up, then takes it again. The
// real call runs inside the lock annotation, so a Condition it evaluates
// with the lock held is not reported.
template <typename Fn>
auto AnnotatedWait(Mutex* mu, unsigned flags, Fn real) {
  __tsan_mutex_pre_unlock(mu, flags);
  __tsan_mutex_post_unlock(mu, flags);
  __tsan_mutex_pre_lock(mu, flags);
  auto result = real();
  __tsan_mutex_post_lock(mu, flags, 0);
  return result;
}

}  // namespace

POLKU_REAL(void, Lock, "5Mutex4LockEv", Mutex*);
POLKU_WRAP(void, Lock, "5Mutex4LockEv", Mutex*);
void WrapLock(Mutex* mu) {
  __tsan_mutex_pre_lock(mu, 0);
  RealLock(mu);
  __tsan_mutex_post_lock(mu, 0, 0);
}

POLKU_REAL(void, ReaderLock, "5Mutex10ReaderLockEv", Mutex*);
POLKU_WRAP(void, ReaderLock, "5Mutex10ReaderLockEv", Mutex*);
void WrapReaderLock(Mutex* mu) {
  __tsan_mutex_pre_lock(mu, kRead);
  RealReaderLock(mu);
  __tsan_mutex_post_lock(mu, kRead, 0);
}

POLKU_REAL(void, Unlock, "5Mutex6UnlockEv", Mutex*);
POLKU_WRAP(void, Unlock, "5Mutex6UnlockEv", Mutex*);
void WrapUnlock(Mutex* mu) {
  __tsan_mutex_pre_unlock(mu, 0);
  RealUnlock(mu);
  __tsan_mutex_post_unlock(mu, 0);
}

POLKU_REAL(void, ReaderUnlock, "5Mutex12ReaderUnlockEv", Mutex*);
POLKU_WRAP(void, ReaderUnlock, "5Mutex12ReaderUnlockEv", Mutex*);
void WrapReaderUnlock(Mutex* mu) {
  __tsan_mutex_pre_unlock(mu, kRead);
  RealReaderUnlock(mu);
  __tsan_mutex_post_unlock(mu, kRead);
}

POLKU_REAL(bool, TryLock, "5Mutex7TryLockEv", Mutex*);
POLKU_WRAP(bool, TryLock, "5Mutex7TryLockEv", Mutex*);
bool WrapTryLock(Mutex* mu) {
  __tsan_mutex_pre_lock(mu, kTry);
  bool locked = RealTryLock(mu);
  __tsan_mutex_post_lock(mu, kTry | (locked ? 0 : kTryFailed), 0);
  return locked;
}

POLKU_REAL(bool, ReaderTryLock, "5Mutex13ReaderTryLockEv", Mutex*);
POLKU_WRAP(bool, ReaderTryLock, "5Mutex13ReaderTryLockEv", Mutex*);
bool WrapReaderTryLock(Mutex* mu) {
  __tsan_mutex_pre_lock(mu, kRead | kTry);
  bool locked = RealReaderTryLock(mu);
  __tsan_mutex_post_lock(mu, kRead | kTry | (locked ? 0 : kTryFailed), 0);
  return locked;
}

POLKU_REAL(void, LockWhen, "5Mutex8LockWhenERKNS0_9ConditionE", Mutex*,
           const Condition&);
POLKU_WRAP(void, LockWhen, "5Mutex8LockWhenERKNS0_9ConditionE", Mutex*,
           const Condition&);
void WrapLockWhen(Mutex* mu, const Condition& cond) {
  __tsan_mutex_pre_lock(mu, 0);
  RealLockWhen(mu, cond);
  __tsan_mutex_post_lock(mu, 0, 0);
}

POLKU_REAL(void, ReaderLockWhen, "5Mutex14ReaderLockWhenERKNS0_9ConditionE",
           Mutex*, const Condition&);
POLKU_WRAP(void, ReaderLockWhen, "5Mutex14ReaderLockWhenERKNS0_9ConditionE",
           Mutex*, const Condition&);
void WrapReaderLockWhen(Mutex* mu, const Condition& cond) {
  __tsan_mutex_pre_lock(mu, kRead);
  RealReaderLockWhen(mu, cond);
  __tsan_mutex_post_lock(mu, kRead, 0);
}

POLKU_REAL(void, Await, "5Mutex5AwaitERKNS0_9ConditionE", Mutex*,
           const Condition&);
POLKU_WRAP(void, Await, "5Mutex5AwaitERKNS0_9ConditionE", Mutex*,
           const Condition&);
void WrapAwait(Mutex* mu, const Condition& cond) {
  AnnotatedWait(mu, 0, [&] {
    RealAwait(mu, cond);
    return true;
  });
}

POLKU_REAL(bool, AwaitWithTimeout,
           "5Mutex16AwaitWithTimeoutERKNS0_9ConditionENS0_8DurationE", Mutex*,
           const Condition&, Duration);
POLKU_WRAP(bool, AwaitWithTimeout,
           "5Mutex16AwaitWithTimeoutERKNS0_9ConditionENS0_8DurationE", Mutex*,
           const Condition&, Duration);
bool WrapAwaitWithTimeout(Mutex* mu, const Condition& cond, Duration timeout) {
  return AnnotatedWait(mu, 0,
                       [&] { return RealAwaitWithTimeout(mu, cond, timeout); });
}

POLKU_REAL(void, CondVarWait, "7CondVar4WaitEPNS0_5MutexE", CondVar*, Mutex*);
POLKU_WRAP(void, CondVarWait, "7CondVar4WaitEPNS0_5MutexE", CondVar*, Mutex*);
void WrapCondVarWait(CondVar* cv, Mutex* mu) {
  AnnotatedWait(mu, 0, [&] {
    RealCondVarWait(cv, mu);
    return true;
  });
}

POLKU_REAL(bool, CondVarWaitWithTimeout,
           "7CondVar15WaitWithTimeoutEPNS0_5MutexENS0_8DurationE", CondVar*,
           Mutex*, Duration);
POLKU_WRAP(bool, CondVarWaitWithTimeout,
           "7CondVar15WaitWithTimeoutEPNS0_5MutexENS0_8DurationE", CondVar*,
           Mutex*, Duration);
bool WrapCondVarWaitWithTimeout(CondVar* cv, Mutex* mu, Duration timeout) {
  return AnnotatedWait(
      mu, 0, [&] { return RealCondVarWaitWithTimeout(cv, mu, timeout); });
}
