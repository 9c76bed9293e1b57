#include "api/http_server.h"

#include <httplib.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <vector>

#include "api/limits.h"
#include "common/field_error.h"
#include "common/str_cat.h"
#include "common/strings.h"
#include "common/thread_name.h"

namespace polku::api {
namespace {

// cpp-httplib's own pool queues without limit; this one holds at most
// `max_queued` connections and makes the accept loop wait beyond that.
// `waiting` (owned by the HttpServer) follows how many connections wait
// for a worker.
class BoundedTaskQueue final : public httplib::TaskQueue {
 public:
  BoundedTaskQueue(int threads, int max_queued, std::atomic<size_t>* waiting)
      : max_queued_(static_cast<size_t>(max_queued)), waiting_(waiting) {
    for (int i = 0; i < threads; ++i) {
      workers_.emplace_back([this] {
        common::SetCurrentThreadName("polku-http");
        Work();
      });
    }
  }
  ~BoundedTaskQueue() override = default;

  void enqueue(std::function<void()> fn) override {
    std::unique_lock<std::mutex> lock(mu_);
    space_.wait(lock,
                [this] { return jobs_.size() < max_queued_ || shutdown_; });
    jobs_.push_back(std::move(fn));
    waiting_->store(jobs_.size(), std::memory_order_relaxed);
    work_.notify_one();
  }

  void shutdown() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      shutdown_ = true;
    }
    work_.notify_all();
    space_.notify_all();
    for (std::thread& t : workers_) t.join();
  }

 private:
  void Work() {
    for (;;) {
      std::function<void()> fn;
      {
        std::unique_lock<std::mutex> lock(mu_);
        work_.wait(lock, [this] { return !jobs_.empty() || shutdown_; });
        if (jobs_.empty()) return;  // shut down and drained
        fn = std::move(jobs_.front());
        jobs_.pop_front();
        waiting_->store(jobs_.size(), std::memory_order_relaxed);
        space_.notify_one();
      }
      fn();
    }
  }

  const size_t max_queued_;
  std::atomic<size_t>* const waiting_;
  std::mutex mu_;
  std::condition_variable work_;
  std::condition_variable space_;
  std::deque<std::function<void()>> jobs_;
  bool shutdown_ = false;
  std::vector<std::thread> workers_;
};

// "ipv4:1.2.3.4:5" / "ipv6:[::1]:5", as gRPC writes peers.
std::string PeerOf(const httplib::Request& req) {
  const std::string& a = req.remote_addr;
  if (a.find(':') != std::string::npos) {
    return common::StrCat("ipv6:[", a, "]:", req.remote_port);
  }
  return common::StrCat("ipv4:", a, ":", req.remote_port);
}

void Write(const HttpResponse& from, httplib::Response& to) {
  to.status = from.status;
  for (const auto& [k, v] : from.headers) to.set_header(k, v);
  if (!from.content_type.empty()) {
    to.set_content(from.body, from.content_type);
  } else {
    to.body.clear();
  }
}

std::string OpenSslError() {
  unsigned long e = ERR_get_error();
  if (e == 0) return "unknown error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof(buf));
  return buf;
}

// An HTTPS server: TLS 1.2 or later, the certificate chain and key, and for
// mutual TLS the client CA (verified; required with
// tls_require_client_cert).
absl::StatusOr<std::unique_ptr<httplib::Server>> MakeTlsServer(
    const HttpServerOptions& options) {
  absl::Status error;
  auto setup = [&options, &error](SSL_CTX& ctx) {
    SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(
        &ctx,
        SSL_OP_NO_COMPRESSION | SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION);
    if (SSL_CTX_use_certificate_chain_file(
            &ctx, options.tls_cert_file.c_str()) != 1) {
      error = absl::InvalidArgumentError(
          common::StrCat("tls_cert_file: cannot load '", options.tls_cert_file,
                         "': ", OpenSslError()));
      return false;
    }
    if (SSL_CTX_use_PrivateKey_file(&ctx, options.tls_key_file.c_str(),
                                    SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(&ctx) != 1) {
      error = absl::InvalidArgumentError(common::StrCat(
          "tls_key_file: cannot load '", options.tls_key_file,
          "' or it does not match the certificate: ", OpenSslError()));
      return false;
    }
    if (!options.tls_client_ca_file.empty()) {
      const char* ca = options.tls_client_ca_file.c_str();
      STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(ca);
      if (names == nullptr ||
          SSL_CTX_load_verify_locations(&ctx, ca, nullptr) != 1) {
        if (names != nullptr) sk_X509_NAME_pop_free(names, X509_NAME_free);
        error = absl::InvalidArgumentError(
            common::StrCat("tls_client_ca_file: cannot load '",
                           options.tls_client_ca_file, "': ", OpenSslError()));
        return false;
      }
      SSL_CTX_set_client_CA_list(&ctx, names);
      SSL_CTX_set_verify(
          &ctx,
          SSL_VERIFY_PEER |
              (options.tls_require_client_cert ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT
                                               : 0),
          nullptr);
    }
    return true;
  };
  auto server = std::make_unique<httplib::SSLServer>(setup);
  if (!server->is_valid()) {
    if (error.ok()) {
      error = absl::InvalidArgumentError(
          common::StrCat("tls: cannot set up TLS: ", OpenSslError()));
    }
    return error;
  }
  return std::unique_ptr<httplib::Server>(std::move(server));
}

}  // namespace

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(
    const std::string& address, const HttpGateway* gateway,
    const HttpServerOptions& options) {
  size_t colon = address.rfind(':');
  if (colon == std::string::npos) {
    return absl::InvalidArgumentError(
        common::StrCat("http_address: '", address, "' is not host:port"));
  }
  std::string host = address.substr(0, colon);
  int port = std::atoi(address.c_str() + colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }

  std::unique_ptr<HttpServer> s(new HttpServer());
  if (options.tls_cert_file.empty()) {
    s->server_ = std::make_unique<httplib::Server>();
  } else {
    auto tls = MakeTlsServer(options);
    if (!tls.ok()) return tls.status();
    s->server_ = std::move(*tls);
  }
  httplib::Server& server = *s->server_;
  const int threads = options.threads;
  const int max_queued = options.max_queued;
  std::atomic<size_t>* waiting = &s->waiting_;
  server.new_task_queue = [threads, max_queued, waiting] {
    return new BoundedTaskQueue(threads, max_queued, waiting);
  };
  server.set_payload_max_length(options.max_body_bytes);
  server.set_read_timeout(options.read_timeout_seconds, 0);
  server.set_write_timeout(options.write_timeout_seconds, 0);
  server.set_keep_alive_timeout(options.keep_alive_seconds);
  server.set_keep_alive_max_count(100);
  // Answers are written in more than one send (headers, then body); with
  // Nagle on, the second waits for the client's delayed ACK (40 ms on
  // Linux), which capped a keep-alive client at about 20 requests/s.
  server.set_tcp_nodelay(true);

  auto handle = [gateway, waiting](const httplib::Request& req,
                                   httplib::Response& res) {
    HttpRequest request;
    request.method = req.method;
    request.target = req.target;
    request.peer = PeerOf(req);
    for (const auto& [k, v] : req.headers) {
      request.headers.emplace(common::AsciiToLower(k), v);
    }
    request.body = req.body;
    Write(gateway->Handle(request), res);
    // A keep-alive connection holds its worker for up to 100 requests;
    // while other connections wait for one, this one is closed after its
    // answer (the client reconnects and queues behind them), so every
    // connection is served in turn instead of waiting for a busy one to
    // idle out.
    if (waiting->load(std::memory_order_relaxed) > 0) {
      res.set_header("Connection", "close");
    }
  };
  // Every path goes to the gateway, which routes by itself.
  server.Get(".*", handle);
  server.Post(".*", handle);
  server.Put(".*", handle);
  server.Delete(".*", handle);
  server.Patch(".*", handle);
  server.Options(".*", handle);
  // What the library refuses before routing (413, 414, a malformed request
  // line: 400) gets the JSON error shape too, and is counted.
  const size_t limit = options.max_body_bytes;
  Metrics* metrics = options.metrics;
  server.set_error_handler(httplib::Server::HandlerWithResponse(
      [limit, metrics](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty())
          return httplib::Server::HandlerResponse::Unhandled;
        absl::Status status;
        switch (res.status) {
          case 413:
            // As gRPC answers an oversized message: RESOURCE_EXHAUSTED.
            status = CountRejection(
                metrics, WithRejectReason(
                             common::FieldError(
                                 absl::StatusCode::kResourceExhausted, "body",
                                 common::StrCat("is larger than the limit of ",
                                                limit, " bytes")),
                             kMessageTooLarge));
            break;
          case 414:
            status =
                absl::InvalidArgumentError("the request target is too long");
            break;
          default:
            status = absl::InvalidArgumentError(common::StrCat(
                "the request was refused (HTTP ", res.status, ")"));
            break;
        }
        if (metrics != nullptr) metrics->ObserveHttp("refused", res.status, 0);
        res.set_content(ErrorJson(status), "application/json");
        return httplib::Server::HandlerResponse::Handled;
      }));
  server.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        res.status = 500;
        res.set_content(ErrorJson(absl::InternalError("internal error")),
                        "application/json");
      });

  if (port == 0) {
    s->port_ = server.bind_to_any_port(host);
  } else if (server.bind_to_port(host, port)) {
    s->port_ = port;
  } else {
    s->port_ = -1;
  }
  if (s->port_ <= 0) {
    return absl::UnavailableError(
        common::StrCat("http_address: cannot listen on '", address, "'"));
  }
  s->listener_ = std::thread([&server] {
    common::SetCurrentThreadName("polku-accept");
    server.listen_after_bind();
  });
  // stop() is a no-op until the loop runs; wait for it, so that a Stop()
  // right after Start() cannot miss it.
  for (int i = 0; i < 5000 && !server.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return s;
}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Stop() {
  if (stopped_) return;
  stopped_ = true;
  if (server_ != nullptr) server_->stop();
  if (listener_.joinable()) listener_.join();
}

}  // namespace polku::api
