// BenchEchoService: the transport ceiling that `polku-bench echo` and h2load
// measure Polku against. One unary method, kBenchEchoMethod, that answers
// with the request's bytes (or, when the caller sends the metadata
// "x-bench-response-bytes: N", with N zero bytes, so a call can mirror the
// request and response sizes of a real RPC). No proto: the method takes
// and returns raw bytes, so it costs only what gRPC itself costs.
//
// It is a synchronous service like Polku's own, registered on the same
// grpc::Server, so it runs on the same completion queues and worker
// threads as Ingest. Served only when polku-server runs with
// --bench_echo=true (off by default): it is a benchmark aid, not an API.
//
// Thread-safe.
#ifndef POLKU_SERVER_BENCH_ECHO_H_
#define POLKU_SERVER_BENCH_ECHO_H_

#include <grpcpp/grpcpp.h>

#include <memory>

namespace polku::server {

// The full method name (HTTP/2 :path) of the echo call.
inline constexpr char kBenchEchoMethod[] = "/polku.bench.v1.BenchEcho/Echo";
// Request metadata naming the size of the reply, bytes (at most 64 MiB).
inline constexpr char kBenchEchoResponseBytes[] = "x-bench-response-bytes";

// A new echo service, to pass to grpc::ServerBuilder::RegisterService.
std::unique_ptr<grpc::Service> NewBenchEchoService();

}  // namespace polku::server

#endif  // POLKU_SERVER_BENCH_ECHO_H_
