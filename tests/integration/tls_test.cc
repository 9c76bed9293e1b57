// Transport security: polku-server over TLS and mutual TLS on gRPC and
// HTTP, with a CA, server and client certificates (and a rogue CA's client
// certificate) made by the openssl command for each test run. Plaintext
// clients are refused by a TLS server; under required mutual TLS a client
// without a certificate, or with one from another CA, is refused too.
#include <grpcpp/grpcpp.h>
#include <httplib.h>
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "integration/server_process.h"
#include "integration/test_events.h"
#include "polku/v1/event_service.grpc.pb.h"

namespace polku::testing {
namespace {

namespace v1 = ::polku::v1;

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

// A CA, a server certificate for 127.0.0.1/localhost, a client certificate
// from the CA, and a client certificate from another (rogue) CA.
class Certificates {
 public:
  Certificates() {
    char tmpl[] = "/tmp/polku-tls-XXXXXX";
    dir_ = mkdtemp(tmpl);
    const std::string d = dir_ + "/";
    const std::string key =
        "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    std::string script =
        "set -e; cd " + d + "; exec 2>openssl.log\n" + "openssl req -x509 " +
        key + " -keyout ca.key -out ca.pem -days 2 -subj /CN=polku-test-ca\n" +
        "openssl req -x509 " + key +
        " -keyout rogue-ca.key -out rogue-ca.pem -days 2 -subj /CN=rogue-ca\n" +
        "printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n"
        "extendedKeyUsage=serverAuth\\n' > server.ext\n"
        "printf 'extendedKeyUsage=clientAuth\\n' > client.ext\n" +
        "openssl req " + key +
        " -keyout server.key -out server.csr -subj /CN=localhost\n" +
        "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key "
        "-CAcreateserial -out server.pem -days 2 -extfile server.ext\n" +
        "openssl req " + key +
        " -keyout client.key -out client.csr -subj /CN=lms-adapter\n" +
        "openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key "
        "-CAcreateserial -out client.pem -days 2 -extfile client.ext\n" +
        "openssl req " + key +
        " -keyout rogue.key -out rogue.csr -subj /CN=lms-adapter\n" +
        "openssl x509 -req -in rogue.csr -CA rogue-ca.pem -CAkey rogue-ca.key "
        "-CAcreateserial -out rogue.pem -days 2 -extfile client.ext\n";
    std::ofstream(d + "make.sh") << script;
    std::string out;
    ok_ = RunCommand("sh " + d + "make.sh", &out) == 0;
  }
  ~Certificates() { std::filesystem::remove_all(dir_); }
  bool ok() const { return ok_; }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  std::string pem(const std::string& name) const { return Read(path(name)); }

 private:
  std::string dir_;
  bool ok_ = false;
};

// SERVING over `credentials`, or the error.
std::string Health(const std::string& address,
                   std::shared_ptr<grpc::ChannelCredentials> credentials) {
  auto stub = grpc::health::v1::Health::NewStub(
      grpc::CreateChannel(address, credentials));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  grpc::health::v1::HealthCheckRequest req;
  grpc::health::v1::HealthCheckResponse resp;
  grpc::Status s = stub->Check(&ctx, req, &resp);
  if (!s.ok()) return "error: " + s.error_message();
  return grpc::health::v1::HealthCheckResponse::ServingStatus_Name(
      resp.status());
}

std::shared_ptr<grpc::ChannelCredentials> Tls(const Certificates& c,
                                              const std::string& client = "") {
  grpc::SslCredentialsOptions o;
  o.pem_root_certs = c.pem("ca.pem");
  if (!client.empty()) {
    o.pem_cert_chain = c.pem(client + ".pem");
    o.pem_private_key = c.pem(client + ".key");
  }
  return grpc::SslCredentials(o);
}

// HTTP status of GET /xapi/about over HTTPS (0: refused/no answer).
int HttpsAbout(const Certificates& c, int port,
               const std::string& client = "") {
  // A server that refuses the handshake closes the socket under the
  // client's writes: an error to report, not a signal that ends the test.
  signal(SIGPIPE, SIG_IGN);
  std::unique_ptr<httplib::SSLClient> cli =
      client.empty() ? std::make_unique<httplib::SSLClient>("127.0.0.1", port)
                     : std::make_unique<httplib::SSLClient>(
                           "127.0.0.1", port, c.path(client + ".pem"),
                           c.path(client + ".key"));
  cli->set_ca_cert_path(c.path("ca.pem").c_str());
  cli->enable_server_certificate_verification(true);
  cli->set_connection_timeout(5, 0);
  cli->set_read_timeout(5, 0);
  auto r = cli->Get("/xapi/about");
  return r ? r->status : 0;
}

int PlainHttpAbout(int port) {
  signal(SIGPIPE, SIG_IGN);
  httplib::Client cli("127.0.0.1", port);
  cli.set_connection_timeout(5, 0);
  cli.set_read_timeout(5, 0);
  auto r = cli.Get("/xapi/about");
  return r ? r->status : 0;
}

int PolkuHealth(const std::string& address, const std::string& flags) {
  std::string out;
  return RunCommand(
      std::string(POLKU_BINARY_DIR "/bin/polku health "
                                   "--timeout_ms=5000 --address=") +
          address + " " + flags + " 2>/dev/null",
      &out);
}

TEST(Tls, ServesGrpcAndHttpOverTlsAndRefusesPlaintext) {
  Certificates certs;
  ASSERT_TRUE(certs.ok()) << "openssl failed; see "
                          << certs.path("openssl.log");
  ServerProcess server("", {"--tls_cert_file=" + certs.path("server.pem"),
                            "--tls_key_file=" + certs.path("server.key")});
  ASSERT_TRUE(server.Start()) << "see " << server.data_dir() << "/server.log";

  EXPECT_EQ(Health(server.grpc_address(), Tls(certs)), "SERVING");
  // An event over TLS is stored as usual.
  auto stub = v1::EventService::NewStub(
      grpc::CreateChannel(server.grpc_address(), Tls(certs)));
  grpc::ClientContext ctx;
  ctx.AddMetadata("x-polku-tenant", "acme");
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::IngestRequest req;
  *req.add_events() = StableEvent("tls-1");
  v1::IngestResponse resp;
  ASSERT_TRUE(stub->Ingest(&ctx, req, &resp).ok());
  EXPECT_EQ(resp.accepted(), 1);

  EXPECT_NE(Health(server.grpc_address(), grpc::InsecureChannelCredentials()),
            "SERVING");
  EXPECT_EQ(HttpsAbout(certs, server.http_port()), 200);
  EXPECT_EQ(PlainHttpAbout(server.http_port()), 0);

  EXPECT_EQ(
      PolkuHealth(server.grpc_address(), "--ca_file=" + certs.path("ca.pem")),
      0);
  EXPECT_NE(PolkuHealth(server.grpc_address(), ""), 0) << "plaintext";
  // The server's certificate is not from the rogue CA.
  EXPECT_NE(PolkuHealth(server.grpc_address(),
                        "--ca_file=" + certs.path("rogue-ca.pem")),
            0);
}

TEST(Tls, MutualTlsRefusesClientsWithoutAValidCertificate) {
  Certificates certs;
  ASSERT_TRUE(certs.ok()) << "openssl failed; see "
                          << certs.path("openssl.log");
  ServerProcess server("", {"--tls_cert_file=" + certs.path("server.pem"),
                            "--tls_key_file=" + certs.path("server.key"),
                            "--tls_client_ca_file=" + certs.path("ca.pem"),
                            "--tls_require_client_cert"});
  ASSERT_TRUE(server.Start()) << "see " << server.data_dir() << "/server.log";

  EXPECT_EQ(Health(server.grpc_address(), Tls(certs, "client")), "SERVING");
  EXPECT_NE(Health(server.grpc_address(), Tls(certs)), "SERVING")
      << "no client certificate";
  EXPECT_NE(Health(server.grpc_address(), Tls(certs, "rogue")), "SERVING")
      << "a client certificate from another CA";
  EXPECT_NE(Health(server.grpc_address(), grpc::InsecureChannelCredentials()),
            "SERVING");

  EXPECT_EQ(HttpsAbout(certs, server.http_port(), "client"), 200);
  EXPECT_EQ(HttpsAbout(certs, server.http_port()), 0);
  EXPECT_EQ(HttpsAbout(certs, server.http_port(), "rogue"), 0);
  EXPECT_EQ(PlainHttpAbout(server.http_port()), 0);

  const std::string ca = "--ca_file=" + certs.path("ca.pem");
  EXPECT_EQ(PolkuHealth(server.grpc_address(),
                        ca + " --cert_file=" + certs.path("client.pem") +
                            " --key_file=" + certs.path("client.key")),
            0);
  EXPECT_NE(PolkuHealth(server.grpc_address(), ca), 0);
  EXPECT_NE(PolkuHealth(server.grpc_address(),
                        ca + " --cert_file=" + certs.path("rogue.pem") +
                            " --key_file=" + certs.path("rogue.key")),
            0);
}

TEST(Tls, ABrokenKeyFileStopsTheServerWithTheSettingNamed) {
  Certificates certs;
  ASSERT_TRUE(certs.ok());
  ServerProcess server("", {"--tls_cert_file=" + certs.path("server.pem"),
                            "--tls_key_file=" + certs.path("server.ext")});
  EXPECT_FALSE(server.Start());
  EXPECT_NE(Read(server.data_dir() + "/server.log").find("tls_key_file"),
            std::string::npos);
}

}  // namespace
}  // namespace polku::testing
