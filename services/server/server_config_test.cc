#include "server/server_config.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "common/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace polku::server {
namespace {

using ::polku::testing::StatusIs;
using ::testing::HasSubstr;

std::string WriteTemp(const std::string& text) {
  char path[] = "/tmp/polku-config-XXXXXX";
  int fd = mkstemp(path);
  close(fd);
  std::ofstream(path) << text;
  return path;
}

TEST(ServerConfig, DefaultsAreLoopback) {
  bool help;
  POLKU_ASSERT_OK_AND_ASSIGN(ServerConfig c, ParseServerConfig({}, &help));
  EXPECT_EQ(c.grpc_address, "127.0.0.1:50051");
  EXPECT_EQ(c.metrics_address, "127.0.0.1:9464");
  EXPECT_EQ(c.http_address, "127.0.0.1:8080");
  EXPECT_FALSE(c.dev_mode);
  EXPECT_EQ(c.durability, "full");
}

TEST(ServerConfig, PostgresStoreTakesItsConnectionStringFromAFileOrTheEnv) {
  bool help;
  unsetenv(kPostgresDsnEnv);
  POLKU_ASSERT_OK_AND_ASSIGN(ServerConfig sqlite, ParseServerConfig({}, &help));
  EXPECT_EQ(sqlite.store, "sqlite");
  EXPECT_THAT(ParseServerConfig({"--store=mysql"}, &help),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("store: must be sqlite or postgres")));
  // Neither a file nor the environment: the error names the field.
  EXPECT_THAT(ParseServerConfig({"--store=postgres"}, &help),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("postgres_dsn_file: is required")));

  const std::string secret = "host=db.internal password=Hunter2-secret";
  const std::string dsn_file = WriteTemp(secret + "\n");
  const std::string config =
      WriteTemp("store: postgres\npostgres_dsn_file: " + dsn_file + "\n");
  POLKU_ASSERT_OK_AND_ASSIGN(ServerConfig pg,
                             ParseServerConfig({"--config", config}, &help));
  EXPECT_EQ(pg.store, "postgres");
  POLKU_ASSERT_OK_AND_ASSIGN(std::string dsn, ResolvePostgresDsn(pg));
  EXPECT_EQ(dsn, secret);

  // The environment variable, when no file is named.
  setenv(kPostgresDsnEnv, "host=from-env", 1);
  POLKU_ASSERT_OK_AND_ASSIGN(ServerConfig env,
                             ParseServerConfig({"--store=postgres"}, &help));
  POLKU_ASSERT_OK_AND_ASSIGN(dsn, ResolvePostgresDsn(env));
  EXPECT_EQ(dsn, "host=from-env");
  setenv(kPostgresDsnEnv, "", 1);
  EXPECT_THAT(ResolvePostgresDsn(env),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("POLKU_POSTGRES_DSN is empty")));
  unsetenv(kPostgresDsnEnv);

  // A missing or empty file is named; its contents never appear.
  pg.postgres_dsn_file = "/nonexistent/dsn";
  EXPECT_THAT(ResolvePostgresDsn(pg),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("postgres_dsn_file: cannot read")));
  const std::string empty = WriteTemp("\n");
  pg.postgres_dsn_file = empty;
  EXPECT_THAT(ResolvePostgresDsn(pg),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("holds no connection string")));
  std::remove(dsn_file.c_str());
  std::remove(config.c_str());
  std::remove(empty.c_str());
}

TEST(ServerConfig, FlagsWinOverTheFile) {
  std::string path =
      WriteTemp("grpc_address: 127.0.0.1:6000\ndata_dir: /tmp/a\n");
  bool help;
  POLKU_ASSERT_OK_AND_ASSIGN(
      ServerConfig c,
      ParseServerConfig({"--data_dir=/tmp/b", "--config", path, "--dev_mode"},
                        &help));
  EXPECT_EQ(c.grpc_address, "127.0.0.1:6000");
  EXPECT_EQ(c.data_dir, "/tmp/b");
  EXPECT_TRUE(c.dev_mode);
  std::remove(path.c_str());
}

TEST(ServerConfig, UnknownKeyInFileIsNamed) {
  std::string path = WriteTemp("grpc_adress: 127.0.0.1:6000\n");
  bool help;
  EXPECT_THAT(ParseServerConfig({"--config=" + path}, &help),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("key 'grpc_adress': unknown setting")));
  std::remove(path.c_str());
}

TEST(ServerConfig, BadValuesNameTheSetting) {
  bool help;
  EXPECT_THAT(
      ParseServerConfig({"--durability=sometimes"}, &help),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("durability")));
  EXPECT_THAT(
      ParseServerConfig({"--grpc_address=nowhere"}, &help),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("grpc_address")));
  EXPECT_THAT(
      ParseServerConfig({"--colour=red"}, &help),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--colour")));
  EXPECT_THAT(ParseServerConfig({"--shutdown_grace_seconds=-1"}, &help),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("shutdown_grace_seconds")));
}

TEST(ServerConfig, DevModeOnlyOnLoopback) {
  bool help;
  EXPECT_THAT(
      ParseServerConfig({"--dev_mode", "--grpc_address=0.0.0.0:50051"}, &help),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("dev_mode")));
}

TEST(ServerConfig, DevModeNeedsALoopbackHttpAddressToo) {
  bool help;
  EXPECT_THAT(
      ParseServerConfig({"--dev_mode", "--http_address=0.0.0.0:8080"}, &help),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("http_address")));
  POLKU_EXPECT_OK(ParseServerConfig({"--http_address=0.0.0.0:8080"}, &help));
}

TEST(ServerConfig, KeyFileAndHttpThreads) {
  bool help;
  auto c = ParseServerConfig(
      {"--api_keys_file=/etc/polku/keys.json", "--http_threads=4"}, &help);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->api_keys_file, "/etc/polku/keys.json");
  EXPECT_EQ(c->http_threads, 4);
  EXPECT_EQ(ServerConfig().http_address, "127.0.0.1:8080");
  EXPECT_THAT(
      ParseServerConfig({"--http_threads=0"}, &help),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("http_threads")));
}

TEST(ServerConfig, UiPublicHttpsIsAFlagOffByDefault) {
  bool help;
  EXPECT_FALSE(ServerConfig().ui_public_https);
  auto c = ParseServerConfig({"--ui_public_https", "--http_threads=2"}, &help);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->ui_public_https);
  EXPECT_EQ(c->http_threads, 2);
  auto off = ParseServerConfig({"--ui_public_https=false"}, &help);
  ASSERT_TRUE(off.ok()) << off.status();
  EXPECT_FALSE(off->ui_public_https);
  EXPECT_THAT(ParseServerConfig({"--ui_public_https=maybe"}, &help),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("ui_public_https")));
}

TEST(ServerConfig, MissingFileIsNotFound) {
  bool help;
  EXPECT_THAT(ParseServerConfig({"--config=/nonexistent.yaml"}, &help),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST(ServerConfig, LimitDefaultsAndYamlKeys) {
  bool help;
  POLKU_ASSERT_OK_AND_ASSIGN(ServerConfig d, ParseServerConfig({}, &help));
  EXPECT_EQ(d.max_batch_events, 10000);
  EXPECT_EQ(d.max_concurrent_streams, 64);
  EXPECT_EQ(d.rate_limit_events_per_second, 0);
  EXPECT_EQ(d.rate_limit_requests_per_second, 0);
  EXPECT_EQ(d.max_message_bytes, 16 * 1024 * 1024);

  std::string path = WriteTemp(
      "max_batch_events: 500\nmax_concurrent_streams: 4\n"
      "rate_limit_events_per_second: 1000\nrate_limit_event_burst: 2000\n"
      "rate_limit_requests_per_second: 50\nrate_limit_request_burst: 100\n"
      "max_message_bytes: 65536\n");
  POLKU_ASSERT_OK_AND_ASSIGN(
      ServerConfig c,
      ParseServerConfig({"--config=" + path, "--max_concurrent_streams=8"},
                        &help));
  EXPECT_EQ(c.max_batch_events, 500);
  EXPECT_EQ(c.max_concurrent_streams, 8);
  EXPECT_EQ(c.rate_limit_events_per_second, 1000);
  EXPECT_EQ(c.rate_limit_event_burst, 2000);
  EXPECT_EQ(c.rate_limit_requests_per_second, 50);
  EXPECT_EQ(c.rate_limit_request_burst, 100);
  EXPECT_EQ(c.max_message_bytes, 65536);
  std::remove(path.c_str());

  EXPECT_THAT(ParseServerConfig({"--max_batch_events=0"}, &help),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--max_batch_events")));
  EXPECT_THAT(ParseServerConfig({"--rate_limit_events_per_second=-1"}, &help),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--rate_limit_events_per_second")));
}

TEST(ServerConfig, TlsSettingsAreCheckedTogether) {
  std::string cert = WriteTemp("cert");
  std::string key = WriteTemp("key");
  bool help;
  EXPECT_THAT(ParseServerConfig({"--tls_cert_file=" + cert}, &help),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("tls_key_file: is required")));
  EXPECT_THAT(
      ParseServerConfig({"--tls_cert_file=" + cert, "--tls_key_file=" + key,
                         "--tls_require_client_cert"},
                        &help),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("tls_require_client_cert: needs tls_client_ca_file")));
  EXPECT_THAT(ParseServerConfig({"--tls_cert_file=" + cert,
                                 "--tls_key_file=/nonexistent/key.pem"},
                                &help),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("tls_key_file: cannot read")));
  EXPECT_THAT(ParseServerConfig({"--tls_client_ca_file=" + cert}, &help),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("tls_client_ca_file: needs tls_cert_file")));
  std::string path = WriteTemp(
      "tls_cert_file: " + cert + "\ntls_key_file: " + key +
      "\ntls_client_ca_file: " + cert + "\ntls_require_client_cert: true\n");
  POLKU_ASSERT_OK_AND_ASSIGN(ServerConfig c,
                             ParseServerConfig({"--config=" + path}, &help));
  EXPECT_EQ(c.tls_cert_file, cert);
  EXPECT_EQ(c.tls_key_file, key);
  EXPECT_EQ(c.tls_client_ca_file, cert);
  EXPECT_TRUE(c.tls_require_client_cert);
  for (const auto& p : {cert, key, path}) std::remove(p.c_str());
}

}  // namespace
}  // namespace polku::server
