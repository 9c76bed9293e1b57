// ServerConfig: every setting of polku-server, from flags and an optional
// YAML file (--config). Flags win over the file. Validation errors name the
// flag or the file and key, e.g. "polku.yaml: key 'grpc_address': ...".
#ifndef POLKU_SERVER_SERVER_CONFIG_H_
#define POLKU_SERVER_SERVER_CONFIG_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace polku::server {

struct ServerConfig {
  std::string grpc_address = "127.0.0.1:50051";
  std::string metrics_address = "127.0.0.1:9464";
  std::string http_address = "127.0.0.1:8080";
  // Directory of the SQLite database (polku.db).
  std::string data_dir = "./var/polku";
  // The default rule file and a directory of per-tenant overrides
  // (<tenant>.yaml).
  std::string rules_path = "deploy/config/rules.yaml";
  std::string rules_dir;
  // "full" (survives power loss) or "normal" (may lose the last commits).
  std::string durability = "full";
  // "sqlite" (one file in data_dir) or "postgres" (a database shared by
  // replicas). The PostgreSQL connection string (libpq) is read from
  // postgres_dsn_file, else from the environment variable
  // POLKU_POSTGRES_DSN; it holds a password, so it is never a flag, a
  // config value or a log field.
  std::string store = "sqlite";
  std::string postgres_dsn_file;
  // API key file (see api/key_store.h); empty: <data_dir>/api_keys.json.
  // Re-read when it changes (polled every second) and on SIGHUP.
  std::string api_keys_file;
  // Learner widget secrets and frame-ancestors lists (see ui/ui_tenants.h,
  // `polku ui`); empty: <data_dir>/ui_tenants.json. Re-read when it changes.
  std::string ui_tenants_file;
  // The browser reaches the HTTP port over HTTPS through a TLS-terminating
  // proxy: widget and overview cookies get Secure (and the widget's
  // SameSite=None; Partitioned, so an LMS on another site can frame it),
  // as when the server holds the certificate itself.
  bool ui_public_https = false;
  // Development mode: calls without credentials get the tenant from the
  // "x-polku-tenant" metadata or header; loopback callers and loopback
  // listen addresses only. Calls with credentials are checked as always.
  bool dev_mode = false;
  // Worker threads of the HTTP server (each serves one connection at a time).
  int http_threads = 32;
  std::string log_format = "text";  // or "json"
  std::string log_level = "info";
  // When set, the server writes its bound addresses here as JSON once it
  // serves (for tests and supervisors that start it on port 0).
  std::string ready_file;
  // Largest request message, bytes (gRPC message, HTTP body).
  int max_message_bytes = 16 * 1024 * 1024;
  // Events in one Ingest call, IngestStream chunk, xAPI POST or Caliper
  // envelope; more: RESOURCE_EXHAUSTED / 429 (batch_too_large).
  int max_batch_events = 10000;
  // IngestStream streams open at once, server-wide; 0: no limit.
  int max_concurrent_streams = 64;
  // Per-tenant token buckets on the ingest calls (gRPC Ingest and
  // IngestStream chunks, HTTP ingest, xAPI and Caliper writes); 0 turns a
  // rate off. A burst of 0: one second's worth (events: at least one
  // batch). Beyond: RESOURCE_EXHAUSTED with RetryInfo / 429 with
  // Retry-After.
  int rate_limit_events_per_second = 0;
  int rate_limit_event_burst = 0;
  int rate_limit_requests_per_second = 0;
  int rate_limit_request_burst = 0;
  // TLS for the gRPC and HTTP listeners (PEM files); both empty: plaintext.
  std::string tls_cert_file;
  std::string tls_key_file;
  // CA bundle that client certificates must chain to (mutual TLS). With
  // tls_require_client_cert a client without a valid certificate is
  // refused during the handshake; without it a certificate is optional
  // (but checked when sent).
  std::string tls_client_ca_file;
  bool tls_require_client_cert = false;
  // Seconds in-flight calls get to finish on SIGTERM.
  int shutdown_grace_seconds = 10;

  // Learning (MODEL.md). The half-life of the profiles' time decay, days;
  // fixed for a database (profiles are kept scaled by it).
  double profile_half_life_days = 90;
  // The balance band: the share of learning-leadership weight a learner
  // is steered toward.
  double band_low = 0.30;
  double band_high = 0.70;
  // Days a dismissed recommendation stays away.
  double dismiss_days = 30;
  // Share of learners who get the plain ranking (no bandit, no balance
  // re-rank), for evaluation.
  double holdout_share = 0.05;
  // k-anonymity: the organisation overview hides groups smaller than this.
  int min_group_size = 5;
  // Seconds between refreshes of the per-tenant learner gauges.
  int insights_refresh_seconds = 60;
  // Serves the transport-ceiling echo method (server/bench_echo.h) next to
  // the real services, for `make bench`. Off by default.
  bool bench_echo = false;
};

// The usage text of polku-server.
std::string Usage();

// Parses argv (flags as --name=value or --name value; --dev_mode alone is
// true). Reads --config first, then applies the other flags over it.
// Errors: kInvalidArgument naming the flag or key; kNotFound for a missing
// config file. `help` is set when --help was given.
absl::StatusOr<ServerConfig> ParseServerConfig(
    const std::vector<std::string>& args, bool* help);

// Checks values: addresses are host:port, durability and log settings are
// known, dev_mode only with loopback gRPC and HTTP addresses.
absl::Status ValidateServerConfig(const ServerConfig& config);

// The environment variable that may hold the PostgreSQL connection string.
inline constexpr char kPostgresDsnEnv[] = "POLKU_POSTGRES_DSN";

// The PostgreSQL connection string of `store: postgres`: the first line of
// postgres_dsn_file, else $POLKU_POSTGRES_DSN. Errors (kInvalidArgument,
// naming postgres_dsn_file) never contain the string itself.
absl::StatusOr<std::string> ResolvePostgresDsn(const ServerConfig& config);

}  // namespace polku::server

#endif  // POLKU_SERVER_SERVER_CONFIG_H_
