#include "engine/served_log.h"

#include <algorithm>
#include <utility>

namespace polku::engine {

absl::Status ServedLog::Record(
    std::string_view tenant, std::vector<store::ServedRecommendation> served) {
  if (served.empty()) return absl::OkStatus();
  Pending self{std::string(tenant), std::move(served), absl::OkStatus(), false};
  absl::MutexLock lock(&mu_);
  queue_.push_back(&self);
  for (;;) {
    auto ready = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      return self.done || !writing_;
    };
    mu_.Await(absl::Condition(&ready));
    if (self.done) return self.status;
    // No commit in flight and ours not written: lead the next one, with
    // everything queued meanwhile.
    writing_ = true;
    std::vector<Pending*> batch;
    batch.swap(queue_);
    mu_.Unlock();
    Write(batch);
    mu_.Lock();
    for (Pending* p : batch) p->done = true;
    writing_ = false;
  }
}

void ServedLog::Write(const std::vector<Pending*>& batch) {
  // Tenants in order of arrival; each tenant's records in one transaction.
  std::vector<std::string_view> tenants;
  for (const Pending* p : batch) {
    if (std::find(tenants.begin(), tenants.end(), p->tenant) == tenants.end()) {
      tenants.push_back(p->tenant);
    }
  }
  int64_t commits = 0;
  for (std::string_view tenant : tenants) {
    std::vector<store::ServedRecommendation> rows;
    for (const Pending* p : batch) {
      if (p->tenant != tenant) continue;
      rows.insert(rows.end(), p->served.begin(), p->served.end());
    }
    const absl::Status s = write_(tenant, rows);
    ++commits;
    for (Pending* p : batch) {
      if (p->tenant == tenant) p->status = s;
    }
  }
  absl::MutexLock lock(&mu_);
  counts_.commits += commits;
  counts_.callers += static_cast<int64_t>(batch.size());
}

ServedLog::Counts ServedLog::counts() const {
  absl::MutexLock lock(&mu_);
  return counts_;
}

size_t ServedLog::queued() const {
  absl::MutexLock lock(&mu_);
  return queue_.size();
}

}  // namespace polku::engine
