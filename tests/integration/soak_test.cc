// Soak: sustained ingest (unary and streaming clients) for a bounded time
// (POLKU_SOAK_SECONDS, default 32), sampling the server's resident memory
// (VmRSS) every 2 s. After a warm-up (the first third), memory must stay
// flat: the highest later sample may exceed the first sample after the
// warm-up by at most 20% + 16 MiB. The samples are printed.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "integration/server_process.h"
#include "integration/test_events.h"
#include "polku/v1/event_service.grpc.pb.h"

namespace polku::testing {
namespace {

namespace v1 = ::polku::v1;

std::unique_ptr<grpc::ClientContext> Context() {
  auto c = std::make_unique<grpc::ClientContext>();
  c->AddMetadata("x-polku-tenant", "soak");
  c->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  return c;
}

TEST(Soak, ResidentMemoryStaysFlatUnderSustainedIngest) {
  const char* env = std::getenv("POLKU_SOAK_SECONDS");
  const int seconds = env != nullptr ? std::max(6, std::atoi(env)) : 32;
  // Under AddressSanitizer freed memory waits in a quarantine (256 MiB by
  // default) that would look like growth; keep it small for the server.
  std::string asan =
      std::getenv("ASAN_OPTIONS") != nullptr ? std::getenv("ASAN_OPTIONS") : "";
  setenv("ASAN_OPTIONS", (asan + ":quarantine_size_mb=8").c_str(), 1);
  ServerProcess server;
  bool started = server.Start();
  setenv("ASAN_OPTIONS", asan.c_str(), 1);
  ASSERT_TRUE(started) << "see " << server.data_dir() << "/server.log";

  std::atomic<bool> stop{false};
  std::atomic<long> acknowledged{0}, failed{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 3; ++c) {
    clients.emplace_back([&, c] {
      auto stub = v1::EventService::NewStub(grpc::CreateChannel(
          server.grpc_address(), grpc::InsecureChannelCredentials()));
      for (long n = 0; !stop.load(); ++n) {
        v1::IngestRequest req;
        for (int i = 0; i < 20; ++i) {
          *req.add_events() =
              StableEvent("u" + std::to_string(c) + "-" + std::to_string(n) +
                              "-" + std::to_string(i),
                          1 + (i + n) % 50);
        }
        v1::IngestResponse resp;
        auto ctx = Context();
        if (stub->Ingest(ctx.get(), req, &resp).ok()) {
          acknowledged += resp.accepted() + resp.duplicates();
        } else {
          ++failed;
        }
      }
    });
  }
  clients.emplace_back([&] {
    auto stub = v1::EventService::NewStub(grpc::CreateChannel(
        server.grpc_address(), grpc::InsecureChannelCredentials()));
    for (long s = 0; !stop.load(); ++s) {
      auto ctx = Context();
      auto stream = stub->IngestStream(ctx.get());
      for (int k = 0; k < 50 && !stop.load(); ++k) {
        v1::IngestStreamRequest chunk;
        chunk.set_chunk_id(k);
        for (int i = 0; i < 50; ++i) {
          *chunk.add_events() =
              StableEvent("s" + std::to_string(s) + "-" + std::to_string(k) +
                              "-" + std::to_string(i),
                          1 + i);
        }
        v1::IngestStreamResponse ack;
        if (!stream->Write(chunk) || !stream->Read(&ack)) break;
        acknowledged += ack.accepted() + ack.duplicates();
      }
      stream->WritesDone();
      if (!stream->Finish().ok()) ++failed;
    }
  });

  std::vector<long> samples;
  for (int t = 0; t <= seconds; t += 2) {
    samples.push_back(ResidentKib(server.pid()));
    if (t < seconds) std::this_thread::sleep_for(std::chrono::seconds(2));
  }
  stop = true;
  for (auto& t : clients) t.join();
  EXPECT_EQ(server.Stop(), 0);

  std::string line;
  for (size_t i = 0; i < samples.size(); ++i) {
    line += (i == 0 ? "" : " ") + std::to_string(samples[i] / 1024);
  }
  const size_t warm = samples.size() * 2 / 3;
  const long base = samples[warm];
  const long peak = *std::max_element(samples.begin() + warm, samples.end());
  const long allowed = base + base / 10 + 16 * 1024;
  std::printf(
      "soak: %d s, %ld events acknowledged (%.0f/s), %ld failed calls; VmRSS "
      "MiB every 2 s: %s; start %ld MiB, after warm-up (%zu s) %ld MiB, "
      "peak after warm-up %ld MiB, end %ld MiB, allowed %ld MiB\n",
      seconds, acknowledged.load(),
      static_cast<double>(acknowledged.load()) / seconds, failed.load(),
      line.c_str(), samples.front() / 1024, warm * 2, base / 1024, peak / 1024,
      samples.back() / 1024, allowed / 1024);
  for (long s : samples) ASSERT_GT(s, 0) << "could not read VmRSS";
  EXPECT_EQ(failed.load(), 0);
  EXPECT_GT(acknowledged.load(), 1000) << "too little load to mean anything";
  EXPECT_LE(peak, allowed) << "resident memory grew after the warm-up";
}

}  // namespace
}  // namespace polku::testing
