#include "api/limits.h"

#include <simdjson.h>

#include <algorithm>
#include <cmath>

#include "absl/strings/cord.h"
#include "common/field_error.h"
#include "common/str_cat.h"

namespace polku::api {
namespace {

constexpr char kReasonPayload[] = "type.polku.dev/polku.RejectReason";
constexpr char kRetryPayload[] = "type.polku.dev/polku.RetryAfterMillis";

// The delay until `b` holds `needed` tokens at `rate` per second.
int64_t MillisUntil(const double tokens, double needed, double rate) {
  if (tokens >= needed || rate <= 0) return 0;
  return std::max<int64_t>(
      1, static_cast<int64_t>(std::ceil((needed - tokens) * 1000.0 / rate)));
}

}  // namespace

absl::Status ResourceExhaustedError(std::string_view reason,
                                    std::string_view message,
                                    int64_t retry_after_millis) {
  absl::Status s(absl::StatusCode::kResourceExhausted,
                 absl::string_view(message.data(), message.size()));
  s = WithRejectReason(std::move(s), reason);
  if (retry_after_millis > 0) {
    s.SetPayload(kRetryPayload, absl::Cord(std::to_string(retry_after_millis)));
  }
  return s;
}

absl::Status WithRejectReason(absl::Status status, std::string_view reason) {
  status.SetPayload(kReasonPayload, absl::Cord(std::string(reason)));
  return status;
}

std::optional<std::string> RejectReason(const absl::Status& status) {
  auto p = status.GetPayload(kReasonPayload);
  if (!p.has_value()) return std::nullopt;
  return std::string(*p);
}

std::optional<int64_t> RetryAfterMillis(const absl::Status& status) {
  auto p = status.GetPayload(kRetryPayload);
  if (!p.has_value()) return std::nullopt;
  return std::strtoll(std::string(*p).c_str(), nullptr, 10);
}

absl::Status CountRejection(Metrics* metrics, absl::Status status) {
  if (metrics != nullptr) {
    if (auto reason = RejectReason(status); reason.has_value()) {
      metrics->CountRejected(*reason);
    }
  }
  return status;
}

size_t CountEventsInJson(std::string_view body, std::string_view member) {
  thread_local simdjson::ondemand::parser parser;
  simdjson::padded_string padded(body.data(), body.size());
  simdjson::ondemand::document doc;
  if (parser.iterate(padded).get(doc)) return 1;
  simdjson::ondemand::json_type type;
  if (doc.type().get(type)) return 1;
  simdjson::ondemand::array array;
  if (member.empty()) {
    if (type != simdjson::ondemand::json_type::array) return 1;
    if (doc.get_array().get(array)) return 1;
  } else {
    if (type != simdjson::ondemand::json_type::object) return 1;
    simdjson::ondemand::object object;
    if (doc.get_object().get(object)) return 1;
    simdjson::ondemand::value value;
    if (object.find_field_unordered(member).get(value)) return 1;
    if (value.get_array().get(array)) return 1;
  }
  size_t n = 0;
  if (array.count_elements().get(n)) return 1;
  return std::max<size_t>(n, 1);
}

Limiter::Limiter(LimitsConfig config, const common::Clock* clock,
                 Metrics* metrics)
    : config_(config),
      event_capacity_(
          config.event_burst > 0
              ? config.event_burst
              : std::max(config.events_per_second,
                         static_cast<double>(config.max_batch_events))),
      request_capacity_(config.request_burst > 0
                            ? config.request_burst
                            : std::max(config.requests_per_second, 1.0)),
      clock_(clock),
      metrics_(metrics) {}

void Limiter::Refill(Bucket& b, double rate, double capacity, int64_t now) {
  if (now > b.last_millis) {
    b.tokens = std::min(
        capacity,
        b.tokens + rate * static_cast<double>(now - b.last_millis) / 1000.0);
    b.last_millis = now;
  }
}

void Limiter::DropIdleTenants(int64_t now) {
  for (auto it = tenants_.begin(); it != tenants_.end();) {
    TenantBuckets& t = it->second;
    Refill(t.events, config_.events_per_second, event_capacity_, now);
    Refill(t.requests, config_.requests_per_second, request_capacity_, now);
    // A full bucket is the same as a new one: forgetting it changes nothing.
    bool idle = (config_.events_per_second <= 0 ||
                 t.events.tokens >= event_capacity_) &&
                (config_.requests_per_second <= 0 ||
                 t.requests.tokens >= request_capacity_);
    it = idle ? tenants_.erase(it) : std::next(it);
  }
}

absl::Status Limiter::Admit(std::string_view tenant, size_t events,
                            std::string_view field) {
  if (events > config_.max_batch_events) {
    absl::Status s = common::FieldError(
        absl::StatusCode::kResourceExhausted, field,
        common::StrCat("holds ", events, " events, more than the limit of ",
                       config_.max_batch_events, "; split the batch"));
    return CountRejection(metrics_, WithRejectReason(s, kBatchTooLarge));
  }
  const bool limit_events = config_.events_per_second > 0;
  const bool limit_requests = config_.requests_per_second > 0;
  if (!limit_events && !limit_requests) return absl::OkStatus();

  const int64_t now = clock_->NowMillis();
  int64_t wait = 0;
  {
    absl::MutexLock lock(&mu_);
    auto it = tenants_.find(std::string(tenant));
    if (it == tenants_.end()) {
      if (tenants_.size() >= config_.max_tracked_tenants) DropIdleTenants(now);
      TenantBuckets fresh;
      fresh.events = Bucket{event_capacity_, now};
      fresh.requests = Bucket{request_capacity_, now};
      it = tenants_.emplace(std::string(tenant), fresh).first;
    }
    TenantBuckets& t = it->second;
    const double n = static_cast<double>(events);
    // A batch above the burst needs a full bucket and then leaves a debt.
    const double events_needed = std::min(n, event_capacity_);
    if (limit_events) {
      Refill(t.events, config_.events_per_second, event_capacity_, now);
      wait = std::max(wait, MillisUntil(t.events.tokens, events_needed,
                                        config_.events_per_second));
    }
    if (limit_requests) {
      Refill(t.requests, config_.requests_per_second, request_capacity_, now);
      wait = std::max(wait, MillisUntil(t.requests.tokens, 1.0,
                                        config_.requests_per_second));
    }
    if (wait == 0) {
      if (limit_events) t.events.tokens -= n;
      if (limit_requests) t.requests.tokens -= 1.0;
      return absl::OkStatus();
    }
  }
  return CountRejection(
      metrics_,
      ResourceExhaustedError(
          kRateLimited,
          common::StrCat(
              "the tenant's ingest rate limit (", config_.events_per_second,
              " events/s, ", config_.requests_per_second,
              " requests/s; 0 = none) is reached; retry after ", wait, " ms"),
          wait));
}

Limiter::StreamSlot& Limiter::StreamSlot::operator=(
    StreamSlot&& other) noexcept {
  if (this != &other) {
    if (limiter_ != nullptr) {
      absl::MutexLock lock(&limiter_->mu_);
      --limiter_->open_streams_;
    }
    limiter_ = other.limiter_;
    other.limiter_ = nullptr;
  }
  return *this;
}

Limiter::StreamSlot::~StreamSlot() {
  if (limiter_ == nullptr) return;
  absl::MutexLock lock(&limiter_->mu_);
  --limiter_->open_streams_;
}

absl::Status Limiter::AcquireStream(StreamSlot* slot) {
  bool admitted = false;
  {
    absl::MutexLock lock(&mu_);
    if (config_.max_concurrent_streams <= 0 ||
        open_streams_ < config_.max_concurrent_streams) {
      ++open_streams_;
      admitted = true;
    }
  }
  // Outside the lock: assigning releases a slot `slot` may hold.
  if (admitted) {
    *slot = StreamSlot(this);
    return absl::OkStatus();
  }
  return CountRejection(
      metrics_,
      ResourceExhaustedError(
          kTooManyStreams,
          common::StrCat("the server already serves ",
                         config_.max_concurrent_streams,
                         " IngestStream streams (max_concurrent_streams); "
                         "retry later"),
          1000));
}

int Limiter::open_streams() const {
  absl::MutexLock lock(&mu_);
  return open_streams_;
}

size_t Limiter::tracked_tenants() const {
  absl::MutexLock lock(&mu_);
  return tenants_.size();
}

}  // namespace polku::api
