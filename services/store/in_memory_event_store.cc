#include "store/in_memory_event_store.h"

#include <algorithm>
#include <iterator>

namespace polku::store {

absl::StatusOr<std::vector<WriteOutcome>> InMemoryEventStore::Append(
    absl::Span<const EventRecord> records) {
  absl::MutexLock lock(&mu_);
  if (closed_) return absl::FailedPreconditionError("store is closed");
  std::vector<WriteOutcome> out;
  out.reserve(records.size());
  for (const EventRecord& r : records) {
    if (tombstones_.count({r.tenant, r.learner_key})) {
      out.push_back(WriteOutcome::kErased);
      continue;
    }
    auto cut = cutoffs_.find(r.tenant);
    if (cut != cutoffs_.end() && r.occurred_at_ms < cut->second) {
      out.push_back(WriteOutcome::kDuplicate);  // past retention
      continue;
    }
    auto [it, inserted] = events_.try_emplace({r.tenant, r.event_id}, r);
    if (inserted) {
      out.push_back(WriteOutcome::kAccepted);
    } else {
      out.push_back(it->second.content_hash == r.content_hash
                        ? WriteOutcome::kDuplicate
                        : WriteOutcome::kConflict);
    }
  }
  return out;
}

absl::StatusOr<std::optional<EventRecord>> InMemoryEventStore::Get(
    std::string_view tenant, std::string_view event_id) {
  absl::MutexLock lock(&mu_);
  if (closed_) return absl::FailedPreconditionError("store is closed");
  auto it = events_.find({std::string(tenant), std::string(event_id)});
  if (it == events_.end()) return std::nullopt;
  return it->second;
}

absl::StatusOr<int64_t> InMemoryEventStore::Count(std::string_view tenant) {
  absl::MutexLock lock(&mu_);
  if (closed_) return absl::FailedPreconditionError("store is closed");
  int64_t n = 0;
  for (const auto& [key, r] : events_) n += key.first == tenant;
  return n;
}

absl::StatusOr<std::vector<EventRecord>> InMemoryEventStore::ListByLearner(
    std::string_view tenant, std::string_view learner_key, size_t limit) {
  absl::MutexLock lock(&mu_);
  if (closed_) return absl::FailedPreconditionError("store is closed");
  std::vector<EventRecord> out;
  for (const auto& [key, r] : events_) {
    if (key.first == tenant && r.learner_key == learner_key) out.push_back(r);
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::tie(a.occurred_at_ms, a.event_id) <
           std::tie(b.occurred_at_ms, b.event_id);
  });
  if (out.size() > limit) out.resize(limit);
  return out;
}

absl::StatusOr<int64_t> InMemoryEventStore::EraseLearner(
    std::string_view tenant, std::string_view learner_key, int64_t now_ms) {
  absl::MutexLock lock(&mu_);
  if (closed_) return absl::FailedPreconditionError("store is closed");
  int64_t n = 0;
  for (auto it = events_.begin(); it != events_.end();) {
    if (it->first.first == tenant && it->second.learner_key == learner_key) {
      it = events_.erase(it);
      ++n;
    } else {
      ++it;
    }
  }
  tombstones_.insert({std::string(tenant), std::string(learner_key)});
  return n;
}

absl::StatusOr<int64_t> InMemoryEventStore::DeleteTenant(
    std::string_view tenant) {
  absl::MutexLock lock(&mu_);
  if (closed_) return absl::FailedPreconditionError("store is closed");
  int64_t n = 0;
  for (auto it = events_.begin(); it != events_.end();) {
    if (it->first.first == tenant) {
      it = events_.erase(it);
      ++n;
    } else {
      ++it;
    }
  }
  for (auto it = tombstones_.begin(); it != tombstones_.end();) {
    it = it->first == tenant ? tombstones_.erase(it) : std::next(it);
  }
  if (auto it = cutoffs_.find(tenant); it != cutoffs_.end()) {
    cutoffs_.erase(it);
  }
  return n;
}

absl::StatusOr<int64_t> InMemoryEventStore::DeleteEventsBefore(
    std::string_view tenant, int64_t cutoff_ms) {
  absl::MutexLock lock(&mu_);
  if (closed_) return absl::FailedPreconditionError("store is closed");
  int64_t n = 0;
  for (auto it = events_.begin(); it != events_.end();) {
    if (it->first.first == tenant && it->second.occurred_at_ms < cutoff_ms) {
      it = events_.erase(it);
      ++n;
    } else {
      ++it;
    }
  }
  auto [it, inserted] = cutoffs_.try_emplace(std::string(tenant), cutoff_ms);
  if (!inserted) it->second = std::max(it->second, cutoff_ms);
  return n;
}

absl::Status InMemoryEventStore::Close() {
  absl::MutexLock lock(&mu_);
  closed_ = true;
  return absl::OkStatus();
}

}  // namespace polku::store
