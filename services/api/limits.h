// Limits: what keeps one caller from taking the server down, and the one
// way a refusal is told.
//
// Limiter enforces, per authenticated tenant, a token-bucket rate on events
// per second and on requests per second; server-wide, a cap on concurrent
// IngestStream streams; and per call, the largest batch. Beyond a limit the
// caller gets kResourceExhausted carrying
//   - a reason (RejectReason: "rate_limited", "too_many_streams",
//     "batch_too_large", ...), the bounded label of
//     polku_rejected_requests_total{reason};
//   - for refusals a retry can cure (rate, streams), a retry delay, which
//     the gRPC edge sends as google.rpc.RetryInfo (grpc_status.h) and the
//     HTTP gateway as a Retry-After header with status 429.
// Message size is enforced by the transports themselves (gRPC's maximum
// receive size, the HTTP server's body limit); both count it here as
// "message_too_large".
//
// The adapters call the limiter right after authentication (the tenant is
// known then) and only for the ingest calls: gRPC Ingest and IngestStream,
// HTTP /v1/events:ingest, xAPI and Caliper writes.
//
// Thread-safe. Time comes from an injected common::Clock, so tests are
// deterministic.
#ifndef POLKU_API_LIMITS_H_
#define POLKU_API_LIMITS_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "api/metrics.h"
#include "common/clock.h"

namespace polku::api {

struct LimitsConfig {
  // Per-tenant token buckets; a rate of 0 turns that bucket off. A burst of
  // 0 means "one second's worth" (but at least one batch for events).
  double events_per_second = 0;
  double event_burst = 0;
  double requests_per_second = 0;
  double request_burst = 0;
  // Concurrent IngestStream streams, server-wide; 0: no limit.
  int max_concurrent_streams = 64;
  // Events in one Ingest call, IngestStream chunk, xAPI POST or Caliper
  // envelope.
  size_t max_batch_events = 10000;
  // Buckets kept before idle (full) ones are dropped; bounds memory when
  // many tenants come and go.
  size_t max_tracked_tenants = 10000;
};

// The reason attached to a refusal (see RejectReason), one of:
inline constexpr char kRateLimited[] = "rate_limited";
inline constexpr char kTooManyStreams[] = "too_many_streams";
inline constexpr char kBatchTooLarge[] = "batch_too_large";
inline constexpr char kMessageTooLarge[] = "message_too_large";
inline constexpr char kDeadlineExceeded[] = "deadline_exceeded";

// kResourceExhausted with `reason` attached and, when `retry_after_millis`
// is positive, a retry delay.
absl::Status ResourceExhaustedError(std::string_view reason,
                                    std::string_view message,
                                    int64_t retry_after_millis);
// The reason attached by ResourceExhaustedError (or by the adapters to a
// deadline refusal), if any.
std::optional<std::string> RejectReason(const absl::Status& status);
// Attaches `reason` to `status`.
absl::Status WithRejectReason(absl::Status status, std::string_view reason);
// The retry delay attached by ResourceExhaustedError, if any.
std::optional<int64_t> RetryAfterMillis(const absl::Status& status);

// Counts the rejection in `metrics` (may be null) when `status` carries a
// reason; returns `status`.
absl::Status CountRejection(Metrics* metrics, absl::Status status);

// The number of events in a JSON ingest body, without building a document:
// the length of the top-level member `member` when it is an array ("events"
// of /v1/events:ingest, "data" of a Caliper envelope), or with `member`
// empty, the length of a top-level array, 1 for any other value (an xAPI
// POST). Malformed JSON counts as 1: the handler reports the error.
size_t CountEventsInJson(std::string_view body, std::string_view member);

class Limiter {
 public:
  // `clock` is not owned and must outlive the limiter; `metrics` (may be
  // null) counts refusals by reason.
  Limiter(LimitsConfig config, const common::Clock* clock, Metrics* metrics);

  // Admits one ingest call of `events` events for `tenant`, charging both
  // buckets, or refuses it without charging: kResourceExhausted reason
  // batch_too_large (field "events", no retry delay) when `events` exceeds
  // max_batch_events, reason rate_limited with the delay after which the
  // call would be admitted. A batch larger than the event burst is admitted
  // when the bucket is full and leaves it in debt.
  absl::Status Admit(std::string_view tenant, size_t events,
                     std::string_view field = "events");

  // Holds one IngestStream slot while it lives.
  class StreamSlot {
   public:
    StreamSlot() = default;
    StreamSlot(StreamSlot&& other) noexcept : limiter_(other.limiter_) {
      other.limiter_ = nullptr;
    }
    StreamSlot& operator=(StreamSlot&& other) noexcept;
    StreamSlot(const StreamSlot&) = delete;
    StreamSlot& operator=(const StreamSlot&) = delete;
    ~StreamSlot();

   private:
    friend class Limiter;
    explicit StreamSlot(Limiter* limiter) : limiter_(limiter) {}
    Limiter* limiter_ = nullptr;
  };
  // A slot for one more stream, or kResourceExhausted reason
  // too_many_streams (retry delay 1 s) when max_concurrent_streams are open.
  absl::Status AcquireStream(StreamSlot* slot);
  int open_streams() const;
  // Tenants whose buckets are kept now (for tests).
  size_t tracked_tenants() const;

  const LimitsConfig& config() const { return config_; }

 private:
  struct Bucket {
    double tokens = 0;
    int64_t last_millis = 0;
  };
  struct TenantBuckets {
    Bucket events;
    Bucket requests;
  };
  // Refills `b` up to `capacity` at `rate` per second until `now`.
  static void Refill(Bucket& b, double rate, double capacity, int64_t now);
  void DropIdleTenants(int64_t now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const LimitsConfig config_;
  const double event_capacity_;
  const double request_capacity_;
  const common::Clock* clock_;
  Metrics* metrics_;
  mutable absl::Mutex mu_;
  std::unordered_map<std::string, TenantBuckets> tenants_ ABSL_GUARDED_BY(mu_);
  int open_streams_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace polku::api

#endif  // POLKU_API_LIMITS_H_
