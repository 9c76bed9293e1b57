// The measuring parts of polku-bench, apart from what it measures: a
// log-bucketed latency histogram, the monotonic clock it reads, a flat
// JSON object for a scenario's figures, and the process's own memory and
// CPU figures from /proc.
//
// Thread-compatible: a Histogram is filled by one thread and merged.
#ifndef POLKU_BENCH_LOAD_H_
#define POLKU_BENCH_LOAD_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace polku::bench {

// Nanoseconds of the monotonic clock.
int64_t NowNs();

// An HDR-style histogram of non-negative values (nanoseconds here): exact
// below 128, then 64 linear sub-buckets per power of two, so any recorded
// value is known within 1/64 (1.6 %) of itself, at a fixed 30 KiB and
// O(1) per Record.
class Histogram {
 public:
  Histogram();
  void Record(int64_t value);
  void Merge(const Histogram& other);
  int64_t count() const { return count_; }
  int64_t max() const { return max_; }
  double mean() const;
  // The smallest value v such that at least q (0..1) of the recorded
  // values are <= v, to the histogram's resolution (the bucket's upper
  // end, capped at the maximum recorded). 0 when empty.
  int64_t Percentile(double q) const;

 private:
  static size_t IndexOf(uint64_t v);
  static uint64_t UpperOf(size_t index);

  std::vector<int64_t> counts_;
  int64_t count_ = 0;
  int64_t max_ = 0;
  double sum_ = 0;
};

// A scenario's figures as one flat JSON object, in insertion order.
class JsonFigures {
 public:
  void Add(const std::string& key, double value);
  void Add(const std::string& key, int64_t value);
  void Add(const std::string& key, int value) {
    Add(key, static_cast<int64_t>(value));
  }
  void Add(const std::string& key, bool value);
  void Add(const std::string& key, const std::string& value);
  void Add(const std::string& key, const char* value) {
    Add(key, std::string(value));
  }
  // p50, p99, p99.9 and max, in milliseconds, as <prefix>_p50_ms, ...
  void AddLatency(const std::string& prefix, const Histogram& h);
  std::string ToString() const;

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

// Fields of /proc/<pid>/status in bytes ("VmRSS", "VmHWM"); 0 when
// unreadable. pid 0 is this process.
int64_t ProcStatusBytes(int pid, const char* field);
// User plus system CPU seconds of this process so far.
double ProcessCpuSeconds();
// User plus system CPU seconds of process `pid` so far (all its threads),
// from /proc/<pid>/stat; -1 when unreadable.
double ProcCpuSeconds(int pid);

}  // namespace polku::bench

#endif  // POLKU_BENCH_LOAD_H_
