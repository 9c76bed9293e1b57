// Clock: the source of "now" for everything that depends on time.
//
// Production code uses SystemClock; tests inject a ManualClock so that
// decay, validation windows and expiry are deterministic.
// Both implementations are thread-safe.
#ifndef POLKU_COMMON_CLOCK_H_
#define POLKU_COMMON_CLOCK_H_

#include <atomic>
#include <cstdint>

namespace polku::common {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch.
  virtual int64_t NowMillis() const = 0;
};

// Wall-clock time from the operating system.
class SystemClock final : public Clock {
 public:
  int64_t NowMillis() const override;
  // A process-wide instance.
  static const SystemClock& Get();
};

// A clock that moves only when told to. For tests.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t now_millis) : now_(now_millis) {}
  int64_t NowMillis() const override { return now_.load(); }
  void Set(int64_t now_millis) { now_.store(now_millis); }
  void Advance(int64_t millis) { now_.fetch_add(millis); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace polku::common

#endif  // POLKU_COMMON_CLOCK_H_
