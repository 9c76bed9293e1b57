#include "api/limits.h"

#include <prometheus/text_serializer.h>

#include <memory>
#include <string>

#include "api/grpc_status.h"
#include "common/clock.h"
#include "common/field_error.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"

namespace polku::api {
namespace {

using ::testing::HasSubstr;

std::string Scrape(const Metrics& metrics) {
  prometheus::TextSerializer serializer;
  return serializer.Serialize(metrics.registry()->Collect());
}

TEST(Limiter, RefusesBeyondTheEventBurstAndRefillsWithTime) {
  common::ManualClock clock(1'000'000);
  Metrics metrics;
  LimitsConfig config;
  config.events_per_second = 100;
  config.event_burst = 200;
  Limiter limiter(config, &clock, &metrics);

  EXPECT_TRUE(limiter.Admit("acme", 150).ok());
  EXPECT_TRUE(limiter.Admit("acme", 50).ok());
  absl::Status refused = limiter.Admit("acme", 10);
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(RejectReason(refused), std::string(kRateLimited));
  // 10 events at 100/s: 100 ms.
  EXPECT_EQ(RetryAfterMillis(refused), 100);
  EXPECT_THAT(Scrape(metrics),
              HasSubstr("polku_rejected_requests_total{reason=\"rate_limited\"}"
                        " 1"));

  clock.Advance(99);
  EXPECT_EQ(limiter.Admit("acme", 10).code(),
            absl::StatusCode::kResourceExhausted);
  clock.Advance(1);
  EXPECT_TRUE(limiter.Admit("acme", 10).ok());
}

TEST(Limiter, TenantsHaveTheirOwnBuckets) {
  common::ManualClock clock(0);
  LimitsConfig config;
  config.events_per_second = 10;
  config.event_burst = 10;
  Limiter limiter(config, &clock, nullptr);
  EXPECT_TRUE(limiter.Admit("acme", 10).ok());
  EXPECT_EQ(limiter.Admit("acme", 1).code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(limiter.Admit("globex", 10).ok());
}

TEST(Limiter, RequestRateIsLimitedIndependentlyOfEvents) {
  common::ManualClock clock(0);
  LimitsConfig config;
  config.requests_per_second = 2;
  config.request_burst = 2;
  Limiter limiter(config, &clock, nullptr);
  EXPECT_TRUE(limiter.Admit("acme", 1).ok());
  EXPECT_TRUE(limiter.Admit("acme", 1).ok());
  absl::Status refused = limiter.Admit("acme", 1);
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(RetryAfterMillis(refused), 500);
  clock.Advance(500);
  EXPECT_TRUE(limiter.Admit("acme", 1).ok());
}

TEST(Limiter, ARefusedCallIsNotCharged) {
  common::ManualClock clock(0);
  LimitsConfig config;
  config.events_per_second = 10;
  config.event_burst = 10;
  config.requests_per_second = 1;
  config.request_burst = 1;
  Limiter limiter(config, &clock, nullptr);
  EXPECT_TRUE(limiter.Admit("acme", 5).ok());
  // Refused for the request rate: the 5 events stay in the bucket.
  EXPECT_FALSE(limiter.Admit("acme", 5).ok());
  clock.Advance(1000);
  // After 1 s both buckets are full again (events capped at 10).
  EXPECT_TRUE(limiter.Admit("acme", 10).ok());
}

TEST(Limiter, ABatchAboveTheBurstPassesOnAFullBucketAndLeavesADebt) {
  common::ManualClock clock(0);
  LimitsConfig config;
  config.events_per_second = 100;
  config.event_burst = 100;
  config.max_batch_events = 1000;
  Limiter limiter(config, &clock, nullptr);
  EXPECT_TRUE(limiter.Admit("acme", 300).ok());
  absl::Status refused = limiter.Admit("acme", 1);
  // 200 events of debt plus one: 2.01 s.
  EXPECT_EQ(RetryAfterMillis(refused), 2010);
}

TEST(Limiter, NoRatesMeansNoRateLimit) {
  common::ManualClock clock(0);
  Limiter limiter(LimitsConfig{}, &clock, nullptr);
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(limiter.Admit("acme", 10000).ok());
}

TEST(Limiter, BatchTooLargeNamesTheFieldAndHasNoRetryDelay) {
  common::ManualClock clock(0);
  Metrics metrics;
  LimitsConfig config;
  config.max_batch_events = 100;
  Limiter limiter(config, &clock, &metrics);
  EXPECT_TRUE(limiter.Admit("acme", 100).ok());
  absl::Status refused = limiter.Admit("acme", 101, "data");
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(common::ErrorField(refused), "data");
  EXPECT_EQ(RejectReason(refused), std::string(kBatchTooLarge));
  EXPECT_FALSE(RetryAfterMillis(refused).has_value());
  EXPECT_THAT(Scrape(metrics),
              HasSubstr("polku_rejected_requests_total{reason=\"batch_too_"
                        "large\"} 1"));
}

TEST(Limiter, StreamSlotsAreBoundedAndReleased) {
  common::ManualClock clock(0);
  Metrics metrics;
  LimitsConfig config;
  config.max_concurrent_streams = 2;
  Limiter limiter(config, &clock, &metrics);
  Limiter::StreamSlot a, b, c;
  ASSERT_TRUE(limiter.AcquireStream(&a).ok());
  ASSERT_TRUE(limiter.AcquireStream(&b).ok());
  absl::Status refused = limiter.AcquireStream(&c);
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(RejectReason(refused), std::string(kTooManyStreams));
  EXPECT_EQ(RetryAfterMillis(refused), 1000);
  EXPECT_EQ(limiter.open_streams(), 2);
  {
    Limiter::StreamSlot moved = std::move(a);
    EXPECT_EQ(limiter.open_streams(), 2);
  }
  EXPECT_EQ(limiter.open_streams(), 1);
  EXPECT_TRUE(limiter.AcquireStream(&c).ok());
  EXPECT_EQ(limiter.open_streams(), 2);
  // Re-acquiring into a held slot releases the old one.
  EXPECT_EQ(limiter.AcquireStream(&c).code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(
      Scrape(metrics),
      HasSubstr(
          "polku_rejected_requests_total{reason=\"too_many_streams\"} 2"));
}

TEST(Limiter, IdleTenantsAreForgottenSoMemoryStaysBounded) {
  common::ManualClock clock(0);
  LimitsConfig config;
  config.events_per_second = 10;
  config.event_burst = 10;
  config.max_tracked_tenants = 3;
  Limiter limiter(config, &clock, nullptr);
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(limiter.Admit("t" + std::to_string(i), 10).ok());
    clock.Advance(1000);  // each bucket is full again a second later
  }
  EXPECT_LE(limiter.tracked_tenants(), 3u);
  // A tenant still in debt is not forgotten: its refusal stands.
  ASSERT_TRUE(limiter.Admit("busy", 10).ok());
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(limiter.Admit("other" + std::to_string(i), 1).ok());
  }
  EXPECT_EQ(limiter.Admit("busy", 1).code(),
            absl::StatusCode::kResourceExhausted);
}

TEST(Limits, ToGrpcStatusCarriesRetryInfo) {
  absl::Status s = ResourceExhaustedError(kRateLimited, "slow down", 2500);
  grpc::Status g = ToGrpcStatus(s);
  EXPECT_EQ(g.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(g.error_details()));
  ASSERT_EQ(details.details_size(), 1);
  google::rpc::RetryInfo retry;
  ASSERT_TRUE(details.details(0).UnpackTo(&retry));
  EXPECT_EQ(retry.retry_delay().seconds(), 2);
  EXPECT_EQ(retry.retry_delay().nanos(), 500000000);
}

TEST(Limits, CountEventsInJsonCountsTheBatchArray) {
  EXPECT_EQ(
      CountEventsInJson(R"({"events":[{},{},{}],"locale":"en"})", "events"),
      3u);
  EXPECT_EQ(
      CountEventsInJson(R"({"locale":"fi","events":[{"a":[1,2]}]})", "events"),
      1u);
  EXPECT_EQ(CountEventsInJson(R"({"sensor":"x","data":[1,2,3,4,5]})", "data"),
            5u);
  EXPECT_EQ(CountEventsInJson(R"([{"id":"a"},{"id":"b"}])", ""), 2u);
  EXPECT_EQ(CountEventsInJson(R"({"id":"a"})", ""), 1u);
  EXPECT_EQ(CountEventsInJson("not json", "events"), 1u);
  EXPECT_EQ(CountEventsInJson("", ""), 1u);
}

}  // namespace
}  // namespace polku::api
