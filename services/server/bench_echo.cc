#include "server/bench_echo.h"

#include <grpcpp/impl/rpc_service_method.h>
#include <grpcpp/support/method_handler.h>

#include <algorithm>
#include <cstdlib>
#include <string>

namespace polku::server {
namespace {

constexpr long kMaxResponseBytes = 64L << 20;

class BenchEchoService final : public grpc::Service {
 public:
  BenchEchoService() {
    // What generated code does for a method, with ByteBuffer as both
    // message types: gRPC hands over the received slices untouched, so no
    // parsing or copying is measured besides the transport's own.
    AddMethod(new grpc::internal::RpcServiceMethod(
        kBenchEchoMethod, grpc::internal::RpcMethod::NORMAL_RPC,
        new grpc::internal::RpcMethodHandler<BenchEchoService, grpc::ByteBuffer,
                                             grpc::ByteBuffer>(
            [](BenchEchoService* service, grpc::ServerContext* context,
               const grpc::ByteBuffer* request, grpc::ByteBuffer* response) {
              return service->Echo(context, request, response);
            },
            this)));
  }

 private:
  grpc::Status Echo(grpc::ServerContext* context,
                    const grpc::ByteBuffer* request,
                    grpc::ByteBuffer* response) {
    const auto& metadata = context->client_metadata();
    auto it = metadata.find(kBenchEchoResponseBytes);
    if (it == metadata.end()) {
      *response = *request;  // shares the slices (reference counted)
      return grpc::Status::OK;
    }
    const std::string text(it->second.data(), it->second.size());
    char* end = nullptr;
    const long n = std::strtol(text.c_str(), &end, 10);
    if (end == text.c_str() || *end != '\0' || n < 0 || n > kMaxResponseBytes) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "x-bench-response-bytes: must be 0..67108864");
    }
    grpc::Slice slice(static_cast<size_t>(n));
    std::fill_n(const_cast<uint8_t*>(slice.begin()), n, 0);
    *response = grpc::ByteBuffer(&slice, 1);
    return grpc::Status::OK;
  }
};

}  // namespace

std::unique_ptr<grpc::Service> NewBenchEchoService() {
  return std::make_unique<BenchEchoService>();
}

}  // namespace polku::server
