// Overload: the real server beyond its limits (per-tenant rate, concurrent
// streams, batch and message size) answers RESOURCE_EXHAUSTED (with
// google.rpc.RetryInfo when waiting helps) over gRPC and 429 (with
// Retry-After) or 413 over HTTP, counts each refusal in
// polku_rejected_requests_total{reason}, a client that stops reading
// does not stall the others, and busy HTTP connections take turns with
// waiting ones.
#include <grpcpp/grpcpp.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "integration/server_process.h"
#include "integration/test_events.h"
#include "polku/v1/event_service.grpc.pb.h"

namespace polku::testing {
namespace {

namespace v1 = ::polku::v1;
using ::testing::HasSubstr;

std::unique_ptr<grpc::ClientContext> Context(const std::string& tenant,
                                             int timeout_ms = 30000) {
  auto c = std::make_unique<grpc::ClientContext>();
  c->AddMetadata("x-polku-tenant", tenant);
  c->set_deadline(std::chrono::system_clock::now() +
                  std::chrono::milliseconds(timeout_ms));
  return c;
}

v1::IngestRequest Batch(const std::string& prefix, int n) {
  v1::IngestRequest req;
  for (int i = 0; i < n; ++i) {
    *req.add_events() = StableEvent(prefix + "-" + std::to_string(i));
  }
  return req;
}

// The RetryInfo delay of a status in milliseconds, or -1 without one.
int64_t RetryDelayMillis(const grpc::Status& s) {
  google::rpc::Status details;
  if (!details.ParseFromString(s.error_details())) return -1;
  for (const auto& any : details.details()) {
    google::rpc::RetryInfo retry;
    if (any.UnpackTo(&retry)) {
      return retry.retry_delay().seconds() * 1000 +
             retry.retry_delay().nanos() / 1000000;
    }
  }
  return -1;
}

// The field of a BadRequest detail, or "".
std::string BadRequestField(const grpc::Status& s) {
  google::rpc::Status details;
  if (!details.ParseFromString(s.error_details())) return "";
  for (const auto& any : details.details()) {
    google::rpc::BadRequest bad;
    if (any.UnpackTo(&bad) && bad.field_violations_size() > 0) {
      return bad.field_violations(0).field();
    }
  }
  return "";
}

std::string HttpBody(int events, const std::string& prefix) {
  std::string body = R"({"events":[)";
  for (int i = 0; i < events; ++i) {
    if (i > 0) body += ",";
    body +=
        R"({"native":{"eventId":")" + prefix + std::to_string(i) +
        R"(","source":{"platform":"PLATFORM_NATIVE","instance":"lms.example"},"occurredAt":"2025-06-01T10:00:00Z","learner":{"key":"lms.example#1"},"verb":"VERB_COMPLETED","object":{"type":"OBJECT_TYPE_COURSE","id":"c1"},"initiator":"INITIATOR_SELF"}})";
  }
  return body + "]}";
}

double Rejected(const ServerProcess& server, const std::string& reason) {
  return MetricValue(
      HttpGet(server.metrics_port(), "/metrics"),
      "polku_rejected_requests_total{reason=\"" + reason + "\"}");
}

TEST(Overload, TenantRateLimitIsResourceExhaustedWithRetryInfoAnd429) {
  ServerProcess server(
      "", {"--rate_limit_events_per_second=20", "--rate_limit_event_burst=40"});
  ASSERT_TRUE(server.Start()) << "see " << server.data_dir() << "/server.log";
  auto stub = v1::EventService::NewStub(grpc::CreateChannel(
      server.grpc_address(), grpc::InsecureChannelCredentials()));
  EXPECT_EQ(Rejected(server, "rate_limited"), 0);

  v1::IngestResponse resp;
  auto ctx = Context("acme");
  ASSERT_TRUE(stub->Ingest(ctx.get(), Batch("a", 40), &resp).ok());
  EXPECT_EQ(resp.accepted(), 40);

  ctx = Context("acme");
  grpc::Status refused = stub->Ingest(ctx.get(), Batch("b", 10), &resp);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(refused.error_message(), HasSubstr("rate limit"));
  int64_t delay = RetryDelayMillis(refused);
  // 10 events at 20/s: about half a second (less if time passed).
  EXPECT_GT(delay, 0);
  EXPECT_LE(delay, 500);

  // Another tenant has its own bucket.
  ctx = Context("globex");
  EXPECT_TRUE(stub->Ingest(ctx.get(), Batch("g", 10), &resp).ok());

  // The same over HTTP: 429, Retry-After, the gateway's JSON error shape.
  httplib::Client http("127.0.0.1", server.http_port());
  http.set_read_timeout(30, 0);
  auto r = http.Post("/v1/events:ingest", {{"X-Polku-Tenant", "acme"}},
                     HttpBody(10, "h"), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 429);
  ASSERT_TRUE(r->has_header("Retry-After"));
  EXPECT_GE(std::stoi(r->get_header_value("Retry-After")), 1);
  EXPECT_THAT(r->body, HasSubstr(R"("status":"RESOURCE_EXHAUSTED")"));
  EXPECT_THAT(r->body, HasSubstr(R"("code":8)"));
  // xAPI and Caliper writes count against the same bucket.
  r = http.Post("/caliper", {{"X-Polku-Tenant", "acme"}},
                R"({"sensor":"s","sendTime":"2025-06-01T10:00:00Z",)"
                R"("dataVersion":"http://purl.imsglobal.org/ctx/caliper/v1p2",)"
                R"("data":[{},{},{},{},{},{},{},{},{},{},{},{}]})",
                "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 429);

  // After the advertised delay the call goes through.
  std::this_thread::sleep_for(std::chrono::milliseconds(delay + 50));
  ctx = Context("acme");
  EXPECT_TRUE(stub->Ingest(ctx.get(), Batch("b", 10), &resp).ok());

  double counted = Rejected(server, "rate_limited");
  std::printf("rate limit: RetryInfo %lld ms, rejected{rate_limited}=%g\n",
              static_cast<long long>(delay), counted);
  EXPECT_EQ(counted, 3);
}

TEST(Overload, StreamsBeyondTheLimitAreRefusedAndSlotsComeBack) {
  ServerProcess server("", {"--max_concurrent_streams=2"});
  ASSERT_TRUE(server.Start()) << "see " << server.data_dir() << "/server.log";
  auto stub = v1::EventService::NewStub(grpc::CreateChannel(
      server.grpc_address(), grpc::InsecureChannelCredentials()));

  auto open = [&](std::unique_ptr<grpc::ClientContext>* ctx, int id) {
    *ctx = Context("acme");
    auto stream = stub->IngestStream(ctx->get());
    v1::IngestStreamRequest chunk;
    chunk.set_chunk_id(id);
    *chunk.add_events() = StableEvent("st-" + std::to_string(id));
    stream->Write(chunk);
    return stream;
  };
  std::unique_ptr<grpc::ClientContext> c1, c2, c3, c4;
  auto s1 = open(&c1, 1);
  auto s2 = open(&c2, 2);
  v1::IngestStreamResponse ack;
  ASSERT_TRUE(s1->Read(&ack));  // both are being served now
  ASSERT_TRUE(s2->Read(&ack));

  auto s3 = open(&c3, 3);
  EXPECT_FALSE(s3->Read(&ack));
  grpc::Status refused = s3->Finish();
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(refused.error_message(), HasSubstr("max_concurrent_streams"));
  EXPECT_EQ(RetryDelayMillis(refused), 1000);

  s1->WritesDone();
  EXPECT_TRUE(s1->Finish().ok());
  auto s4 = open(&c4, 4);
  EXPECT_TRUE(s4->Read(&ack)) << "the finished stream's slot was not freed";
  s4->WritesDone();
  EXPECT_TRUE(s4->Finish().ok());
  s2->WritesDone();
  EXPECT_TRUE(s2->Finish().ok());
  EXPECT_EQ(Rejected(server, "too_many_streams"), 1);
}

TEST(Overload, OversizedBatchesAndMessagesAreRefused) {
  ServerProcess server("",
                       {"--max_batch_events=50", "--max_message_bytes=65536"});
  ASSERT_TRUE(server.Start()) << "see " << server.data_dir() << "/server.log";
  auto stub = v1::EventService::NewStub(grpc::CreateChannel(
      server.grpc_address(), grpc::InsecureChannelCredentials()));
  v1::IngestResponse resp;
  auto ctx = Context("acme");
  EXPECT_TRUE(stub->Ingest(ctx.get(), Batch("ok", 50), &resp).ok());

  ctx = Context("acme");
  grpc::Status refused = stub->Ingest(ctx.get(), Batch("big", 51), &resp);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(BadRequestField(refused), "events");
  EXPECT_EQ(RetryDelayMillis(refused), -1) << "retrying cannot help";

  // A stream chunk above the limit ends the stream the same way.
  ctx = Context("acme");
  auto stream = stub->IngestStream(ctx.get());
  v1::IngestStreamRequest chunk;
  *chunk.mutable_events() = Batch("chunk", 51).events();
  stream->Write(chunk);
  v1::IngestStreamResponse ack;
  EXPECT_FALSE(stream->Read(&ack));
  EXPECT_EQ(stream->Finish().error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);

  // A message above max_message_bytes: refused by gRPC itself.
  v1::IngestRequest huge = Batch("huge", 1);
  huge.mutable_events(0)->mutable_native()->mutable_object()->set_name(
      std::string(70000, 'x'));
  ctx = Context("acme");
  EXPECT_EQ(stub->Ingest(ctx.get(), huge, &resp).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);

  httplib::Client http("127.0.0.1", server.http_port());
  http.set_read_timeout(30, 0);
  auto r = http.Post("/v1/events:ingest", {{"X-Polku-Tenant", "acme"}},
                     HttpBody(51, "hb"), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 429);
  EXPECT_THAT(r->body, HasSubstr(R"("field":"events")"));
  EXPECT_FALSE(r->has_header("Retry-After"));
  r = http.Post("/v1/events:ingest", {{"X-Polku-Tenant", "acme"}},
                HttpBody(400, "hm"), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_THAT(r->body, HasSubstr("RESOURCE_EXHAUSTED"));

  EXPECT_EQ(Rejected(server, "batch_too_large"), 3);
  EXPECT_EQ(Rejected(server, "message_too_large"), 1);
}

TEST(Overload, AClientThatStopsReadingDoesNotStallOthers) {
  ServerProcess server;
  ASSERT_TRUE(server.Start()) << "see " << server.data_dir() << "/server.log";
  // A small, fixed receive window on the slow client, so that the server's
  // acknowledgements fill it after a few chunks.
  grpc::ChannelArguments slow_args;
  slow_args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  slow_args.SetInt(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, 16384);
  auto slow_stub = v1::EventService::NewStub(grpc::CreateCustomChannel(
      server.grpc_address(), grpc::InsecureChannelCredentials(), slow_args));

  // The slow client: writes chunks asking for full results and never reads
  // an acknowledgement, so they pile up unread (until flow control makes
  // the server's writes, and then the client's, block), and keeps writing
  // while the other clients are served.
  auto slow_ctx = Context("slow", 60000);
  auto slow = slow_stub->IngestStream(slow_ctx.get());
  std::atomic<int> written{0};
  std::atomic<bool> others_done{false};
  std::thread writer([&] {
    for (int n = 0; n < 100000 && !others_done.load(); ++n) {
      v1::IngestStreamRequest chunk;
      chunk.set_chunk_id(n);
      chunk.set_full_results(true);
      *chunk.mutable_events() = Batch("slow-" + std::to_string(n), 20).events();
      if (!slow->Write(chunk)) return;
      ++written;
    }
  });
  // A backlog of unread acknowledgements first (or a stuck writer).
  int last = -1;
  for (int i = 0; i < 600 && written.load() < 300 && written.load() != last;
       ++i) {
    last = written.load();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_GT(written.load(), 0);

  // Other clients, on their own connections, still get answers.
  std::vector<std::thread> others;
  std::atomic<int> answered{0};
  const auto start = std::chrono::steady_clock::now();
  for (int c = 0; c < 4; ++c) {
    others.emplace_back([&, c] {
      grpc::ChannelArguments args;
      args.SetInt("polku.test.channel", c);  // a separate connection
      auto stub = v1::EventService::NewStub(grpc::CreateCustomChannel(
          server.grpc_address(), grpc::InsecureChannelCredentials(), args));
      for (int i = 0; i < 5; ++i) {
        v1::IngestResponse resp;
        auto ctx = Context("other", 10000);
        if (stub->Ingest(
                    ctx.get(),
                    Batch("o" + std::to_string(c) + "-" + std::to_string(i), 5),
                    &resp)
                .ok()) {
          ++answered;
        }
      }
    });
  }
  for (auto& t : others) t.join();
  others_done = true;
  const int written_during = written.load();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  std::printf(
      "slow client: %d chunks written, none of their acknowledgements read; "
      "others got %d/20 answers in %.2f s meanwhile\n",
      written_during, answered.load(), seconds);
  EXPECT_EQ(answered.load(), 20);
  slow_ctx->TryCancel();
  writer.join();
  slow->Finish();
}

// A keep-alive HTTP connection holds its worker; with one worker, a second
// connection would wait until the first idles out. While it waits, the
// first one's answers say "Connection: close", so it is served in turn.
TEST(Overload, BusyKeepAliveConnectionsTakeTurnsWithWaitingOnes) {
  ServerProcess server("", {"--http_threads=1"});
  ASSERT_TRUE(server.Start()) << "see " << server.data_dir() << "/server.log";
  httplib::Client busy("127.0.0.1", server.http_port());
  busy.set_keep_alive(true);
  busy.set_read_timeout(10, 0);
  httplib::Result first = busy.Get("/xapi/about");
  ASSERT_TRUE(first) << httplib::to_string(first.error());
  EXPECT_EQ(first->status, 200);
  EXPECT_NE(first->get_header_value("Connection"), "close");

  // The busy connection now holds the only worker; another one arrives.
  std::atomic<int> waiting_status{0};
  std::atomic<double> waited_s{0};
  std::thread waiting([&] {
    const auto start = std::chrono::steady_clock::now();
    httplib::Client other("127.0.0.1", server.http_port());
    other.set_read_timeout(20, 0);
    httplib::Result r = other.Get("/xapi/about");
    waited_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    waiting_status = r ? r->status : -1;
  });
  // The busy client keeps sending, as a sender with a backlog does, until
  // it is told to close (bounded: 50 requests, half of the 100 after which
  // a keep-alive connection is closed anyway).
  bool told_to_close = false;
  int sent = 0;
  while (sent < 50 && !told_to_close && waiting_status.load() == 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    httplib::Result r = busy.Get("/xapi/about");
    ++sent;
    ASSERT_TRUE(r) << httplib::to_string(r.error());
    EXPECT_EQ(r->status, 200);
    told_to_close = r->get_header_value("Connection") == "close";
  }
  waiting.join();
  std::printf(
      "busy connection told to close after %d requests; the waiting "
      "one answered in %.2f s\n",
      sent, waited_s.load());
  EXPECT_TRUE(told_to_close);
  EXPECT_LE(sent, 25);  // within half a second of the other's arrival
  EXPECT_EQ(waiting_status.load(), 200);
  // Well before the busy connection would have idled out (5 s after its
  // last request).
  EXPECT_LT(waited_s.load(), 4.0);
  // The busy client reconnects and is served again.
  httplib::Result again = busy.Get("/xapi/about");
  ASSERT_TRUE(again) << httplib::to_string(again.error());
  EXPECT_EQ(again->status, 200);
}

}  // namespace
}  // namespace polku::testing
