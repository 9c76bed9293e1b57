// HttpServer: serves an HttpGateway over HTTP/1.1 with cpp-httplib.
//
// The only file that knows the HTTP library: it turns library requests into
// HttpRequest, calls HttpGateway::Handle, writes the HttpResponse, and
// answers what the library itself refuses (oversized body: 413, malformed
// request line: 400) with the same JSON error body.
//
// Bounded: `threads` workers serve connections (a keep-alive connection
// holds its worker until it closes or idles out, or until it has been
// answered while another connection waits: then that answer says
// "Connection: close"); at most `max_queued` accepted connections wait for
// a worker, and beyond that the accept loop waits, leaving further
// connections in the kernel's backlog.
// Thread-safe; Stop() is idempotent and called by the destructor.
#ifndef POLKU_API_HTTP_SERVER_H_
#define POLKU_API_HTTP_SERVER_H_

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "api/http_gateway.h"
#include "api/metrics.h"

namespace httplib {
class Server;
}

namespace polku::api {

struct HttpServerOptions {
  int threads = 32;
  int max_queued = 64;
  size_t max_body_bytes = 16 * 1024 * 1024;  // larger bodies: 413
  int read_timeout_seconds = 10;
  int write_timeout_seconds = 10;
  int keep_alive_seconds = 5;
  // Where requests refused before routing (413...) are counted; may be null.
  Metrics* metrics = nullptr;
  // HTTPS when both are set (PEM files). With tls_client_ca_file, client
  // certificates are verified against it (mutual TLS); with
  // tls_require_client_cert a client without a valid one fails the
  // handshake.
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_client_ca_file;
  bool tls_require_client_cert = false;
};

class HttpServer {
 public:
  // Listens on `address` ("host:port"; port 0 picks a free one; IPv6 hosts
  // in brackets) and serves `gateway`, which must outlive the server.
  // kUnavailable when the address cannot be bound; kInvalidArgument naming
  // the setting when a TLS file cannot be loaded.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(
      const std::string& address, const HttpGateway* gateway,
      const HttpServerOptions& options);
  ~HttpServer();

  // Stops accepting, lets the requests being served finish, joins threads.
  void Stop();
  int port() const { return port_; }

 private:
  HttpServer() = default;

  std::unique_ptr<httplib::Server> server_;
  std::thread listener_;
  // Accepted connections waiting for a worker (kept by the task queue).
  std::atomic<size_t> waiting_{0};
  int port_ = 0;
  bool stopped_ = false;
};

}  // namespace polku::api

#endif  // POLKU_API_HTTP_SERVER_H_
