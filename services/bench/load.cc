#include "bench/load.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

namespace polku::bench {
namespace {

constexpr int kSubBits = 6;  // 64 sub-buckets per power of two
constexpr uint64_t kExact = uint64_t{1} << (kSubBits + 1);  // 128
constexpr size_t kBuckets = kExact + (64 - kSubBits - 1) * (1u << kSubBits);

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

Histogram::Histogram() : counts_(kBuckets, 0) {}

size_t Histogram::IndexOf(uint64_t v) {
  if (v < kExact) return static_cast<size_t>(v);
  // v has `width` significant bits; keep the top kSubBits + 1 of them.
  const int width = 64 - __builtin_clzll(v);
  const int shift = width - (kSubBits + 1);
  const uint64_t top = v >> shift;  // in [64, 128)
  return kExact + static_cast<size_t>(shift - 1) * (1u << kSubBits) +
         static_cast<size_t>(top - (1u << kSubBits));
}

uint64_t Histogram::UpperOf(size_t index) {
  if (index < kExact) return index;
  const size_t rel = index - kExact;
  const int shift = static_cast<int>(rel >> kSubBits) + 1;
  const uint64_t top = (rel & ((1u << kSubBits) - 1)) + (1u << kSubBits);
  return ((top + 1) << shift) - 1;
}

void Histogram::Record(int64_t value) {
  const uint64_t v = value < 0 ? 0 : static_cast<uint64_t>(value);
  ++counts_[std::min(IndexOf(v), kBuckets - 1)];
  ++count_;
  max_ = std::max<int64_t>(max_, static_cast<int64_t>(v));
  sum_ += static_cast<double>(v);
}

void Histogram::Merge(const Histogram& other) {
  for (size_t i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
}

double Histogram::mean() const {
  return count_ == 0 ? 0 : sum_ / static_cast<double>(count_);
}

int64_t Histogram::Percentile(double q) const {
  if (count_ == 0) return 0;
  const auto target = static_cast<int64_t>(
      std::ceil(std::clamp(q, 0.0, 1.0) * static_cast<double>(count_)));
  int64_t seen = 0;
  for (size_t i = 0; i < kBuckets; ++i) {
    seen += counts_[i];
    if (seen >= std::max<int64_t>(target, 1)) {
      return std::min<int64_t>(static_cast<int64_t>(UpperOf(i)), max_);
    }
  }
  return max_;
}

void JsonFigures::Add(const std::string& key, double value) {
  char buf[64];
  if (!std::isfinite(value)) {
    fields_.emplace_back(key, "null");
    return;
  }
  std::snprintf(buf, sizeof(buf), "%.6g", value);
  fields_.emplace_back(key, buf);
}

void JsonFigures::Add(const std::string& key, int64_t value) {
  fields_.emplace_back(key, std::to_string(value));
}

void JsonFigures::Add(const std::string& key, bool value) {
  fields_.emplace_back(key, value ? "true" : "false");
}

void JsonFigures::Add(const std::string& key, const std::string& value) {
  fields_.emplace_back(key, Quote(value));
}

void JsonFigures::AddLatency(const std::string& prefix, const Histogram& h) {
  Add(prefix + "_p50_ms", static_cast<double>(h.Percentile(0.50)) / 1e6);
  Add(prefix + "_p99_ms", static_cast<double>(h.Percentile(0.99)) / 1e6);
  Add(prefix + "_p999_ms", static_cast<double>(h.Percentile(0.999)) / 1e6);
  Add(prefix + "_max_ms", static_cast<double>(h.max()) / 1e6);
  Add(prefix + "_count", h.count());
}

std::string JsonFigures::ToString() const {
  std::ostringstream out;
  out << "{";
  for (size_t i = 0; i < fields_.size(); ++i) {
    out << (i == 0 ? "" : ", ") << Quote(fields_[i].first) << ": "
        << fields_[i].second;
  }
  out << "}";
  return out.str();
}

int64_t ProcStatusBytes(int pid, const char* field) {
  std::ifstream in(pid == 0 ? std::string("/proc/self/status")
                            : "/proc/" + std::to_string(pid) + "/status");
  std::string line;
  const size_t n = std::strlen(field);
  while (std::getline(in, line)) {
    if (line.compare(0, n, field) == 0 && line.size() > n && line[n] == ':') {
      return std::atoll(line.c_str() + n + 1) * 1024;  // the file says kB
    }
  }
  return 0;
}

double ProcessCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double ProcCpuSeconds(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  // The command name may hold spaces: fields are counted after its ")".
  const size_t paren = text.rfind(')');
  if (paren == std::string::npos) return -1;
  std::istringstream fields(text.substr(paren + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14 || i == 15) ticks += std::atof(field.c_str());  // utime, stime
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

}  // namespace polku::bench
