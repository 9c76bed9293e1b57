#include "server/server_config.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>

#include "common/str_cat.h"
#include "common/strings.h"

namespace polku::server {
namespace {

using Setter = std::function<absl::Status(ServerConfig&, const std::string&,
                                          const std::string& where)>;

Setter String(std::string ServerConfig::*field) {
  return [field](ServerConfig& c, const std::string& v, const std::string&) {
    c.*field = v;
    return absl::OkStatus();
  };
}

Setter Bool(bool ServerConfig::*field) {
  return
      [field](ServerConfig& c, const std::string& v, const std::string& where) {
        if (v == "true" || v == "1" || v == "yes") {
          c.*field = true;
        } else if (v == "false" || v == "0" || v == "no") {
          c.*field = false;
        } else {
          return absl::InvalidArgumentError(
              common::StrCat(where, ": must be true or false, not '", v, "'"));
        }
        return absl::OkStatus();
      };
}

Setter Int(int ServerConfig::*field, int min, int max) {
  return [=](ServerConfig& c, const std::string& v, const std::string& where) {
    char* end = nullptr;
    long n = std::strtol(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || n < min || n > max) {
      return absl::InvalidArgumentError(common::StrCat(
          where, ": must be a whole number from ", min, " to ", max));
    }
    c.*field = static_cast<int>(n);
    return absl::OkStatus();
  };
}

Setter Double(double ServerConfig::*field, double min, double max) {
  return [=](ServerConfig& c, const std::string& v, const std::string& where) {
    char* end = nullptr;
    double n = std::strtod(v.c_str(), &end);
    if (v.empty() || *end != '\0' || !(n >= min && n <= max)) {
      return absl::InvalidArgumentError(
          common::StrCat(where, ": must be a number from ", min, " to ", max));
    }
    c.*field = n;
    return absl::OkStatus();
  };
}

const std::map<std::string, Setter>& Settings() {
  static const auto* settings = new std::map<std::string, Setter>{
      {"grpc_address", String(&ServerConfig::grpc_address)},
      {"metrics_address", String(&ServerConfig::metrics_address)},
      {"http_address", String(&ServerConfig::http_address)},
      {"data_dir", String(&ServerConfig::data_dir)},
      {"rules", String(&ServerConfig::rules_path)},
      {"rules_dir", String(&ServerConfig::rules_dir)},
      {"durability", String(&ServerConfig::durability)},
      {"store", String(&ServerConfig::store)},
      {"postgres_dsn_file", String(&ServerConfig::postgres_dsn_file)},
      {"api_keys_file", String(&ServerConfig::api_keys_file)},
      {"ui_tenants_file", String(&ServerConfig::ui_tenants_file)},
      {"ui_public_https", Bool(&ServerConfig::ui_public_https)},
      {"dev_mode", Bool(&ServerConfig::dev_mode)},
      {"http_threads", Int(&ServerConfig::http_threads, 1, 256)},
      {"log_format", String(&ServerConfig::log_format)},
      {"log_level", String(&ServerConfig::log_level)},
      {"ready_file", String(&ServerConfig::ready_file)},
      {"max_message_bytes",
       Int(&ServerConfig::max_message_bytes, 1024, 256 * 1024 * 1024)},
      {"shutdown_grace_seconds",
       Int(&ServerConfig::shutdown_grace_seconds, 0, 600)},
      {"max_batch_events", Int(&ServerConfig::max_batch_events, 1, 1000000)},
      {"max_concurrent_streams",
       Int(&ServerConfig::max_concurrent_streams, 0, 100000)},
      {"rate_limit_events_per_second",
       Int(&ServerConfig::rate_limit_events_per_second, 0, 100000000)},
      {"rate_limit_event_burst",
       Int(&ServerConfig::rate_limit_event_burst, 0, 100000000)},
      {"rate_limit_requests_per_second",
       Int(&ServerConfig::rate_limit_requests_per_second, 0, 10000000)},
      {"rate_limit_request_burst",
       Int(&ServerConfig::rate_limit_request_burst, 0, 10000000)},
      {"tls_cert_file", String(&ServerConfig::tls_cert_file)},
      {"tls_key_file", String(&ServerConfig::tls_key_file)},
      {"tls_client_ca_file", String(&ServerConfig::tls_client_ca_file)},
      {"tls_require_client_cert", Bool(&ServerConfig::tls_require_client_cert)},
      {"profile_half_life_days",
       Double(&ServerConfig::profile_half_life_days, 1, 3650)},
      {"band_low", Double(&ServerConfig::band_low, 0, 1)},
      {"band_high", Double(&ServerConfig::band_high, 0, 1)},
      {"dismiss_days", Double(&ServerConfig::dismiss_days, 0, 3650)},
      {"holdout_share", Double(&ServerConfig::holdout_share, 0, 1)},
      {"min_group_size", Int(&ServerConfig::min_group_size, 1, 1000000)},
      {"insights_refresh_seconds",
       Int(&ServerConfig::insights_refresh_seconds, 1, 86400)},
      {"bench_echo", Bool(&ServerConfig::bench_echo)},
  };
  return *settings;
}

absl::Status ApplyYaml(const std::string& path, ServerConfig& config) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    return absl::NotFoundError(common::StrCat(path, ": cannot be read"));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(common::StrCat(
        path, ": YAML error at line ", e.mark.line + 1, ": ", e.msg));
  }
  if (root.IsNull()) return absl::OkStatus();
  if (!root.IsMap()) {
    return absl::InvalidArgumentError(
        common::StrCat(path, ": must be a mapping of setting: value"));
  }
  for (const auto& kv : root) {
    std::string key = kv.first.as<std::string>();
    std::string where = common::StrCat(path, ": key '", key, "'");
    auto it = Settings().find(key);
    if (it == Settings().end()) {
      return absl::InvalidArgumentError(
          common::StrCat(where, ": unknown setting"));
    }
    if (!kv.second.IsScalar()) {
      return absl::InvalidArgumentError(
          common::StrCat(where, ": must be a single value"));
    }
    if (auto s = it->second(config, kv.second.as<std::string>(), where);
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

bool IsLoopbackHost(std::string_view address) {
  return common::StartsWith(address, "127.") ||
         common::StartsWith(address, "localhost:") ||
         common::StartsWith(address, "[::1]:") ||
         common::StartsWith(address, "unix:");
}

absl::Status CheckAddress(std::string_view name, const std::string& address) {
  if (common::StartsWith(address, "unix:")) return absl::OkStatus();
  size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == address.size()) {
    return absl::InvalidArgumentError(
        common::StrCat(name, ": '", address, "' is not host:port"));
  }
  for (size_t i = colon + 1; i < address.size(); ++i) {
    if (address[i] < '0' || address[i] > '9') {
      return absl::InvalidArgumentError(common::StrCat(
          name, ": '", address, "' has a port that is not a number"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

std::string Usage() {
  return R"(Usage: polku-server [flags]

Flags (each may also be set in the YAML file given by --config; flags win):
  --config=FILE                 YAML file of settings (keys as the flag names)
  --grpc_address=HOST:PORT      gRPC address (default 127.0.0.1:50051; port 0 picks one)
  --metrics_address=HOST:PORT   Prometheus /metrics address (default 127.0.0.1:9464)
  --http_address=HOST:PORT      HTTP/JSON, xAPI and Caliper address (default 127.0.0.1:8080)
  --http_threads=N              HTTP worker threads (default 32)
  --data_dir=DIR                where the SQLite database lives (default ./var/polku)
  --api_keys_file=FILE          API keys (default DATA_DIR/api_keys.json; managed
                                with `polku keys`, reloaded when it changes)
  --ui_tenants_file=FILE        learner widget secrets and frame-ancestors lists
                                (default DATA_DIR/ui_tenants.json; managed with
                                `polku ui`, reloaded when it changes)
  --ui_public_https             browsers reach the HTTP port over HTTPS through a
                                TLS-terminating proxy: cookies for cross-site frames
  --rules=FILE                  default tagging rules (default deploy/config/rules.yaml)
  --rules_dir=DIR               per-tenant rule overrides, <tenant>.yaml
  --durability=full|normal      SQLite synchronous mode (default full: survives power loss)
  --store=sqlite|postgres       where events and learner state live (default sqlite)
  --postgres_dsn_file=FILE      libpq connection string for --store=postgres
                                (default: the environment variable POLKU_POSTGRES_DSN)
  --dev_mode                    development mode: calls without credentials take the
                                tenant from x-polku-tenant; loopback only (never in
                                production)
  --log_format=text|json        log line format (default text)
  --log_level=debug|info|warning|error
  --ready_file=FILE             write the bound addresses here as JSON when serving
  --max_message_bytes=N         largest request (default 16 MiB)
  --shutdown_grace_seconds=N    time in-flight calls get on SIGTERM (default 10)

Limits (beyond them: gRPC RESOURCE_EXHAUSTED with google.rpc.RetryInfo, HTTP
429 with Retry-After; counted in polku_rejected_requests_total{reason}):
  --max_batch_events=N          events per Ingest call, stream chunk, xAPI POST or
                                Caliper envelope (default 10000)
  --max_concurrent_streams=N    IngestStream streams open at once (default 64; 0: none)
  --rate_limit_events_per_second=N   per-tenant ingest rate (default 0: off)
  --rate_limit_event_burst=N         bucket size (default 0: one second's worth,
                                     at least max_batch_events)
  --rate_limit_requests_per_second=N per-tenant ingest calls (default 0: off)
  --rate_limit_request_burst=N       bucket size (default 0: one second's worth)

Transport security (gRPC and HTTP; default plaintext):
  --tls_cert_file=FILE          server certificate chain (PEM)
  --tls_key_file=FILE           its private key (PEM)
  --tls_client_ca_file=FILE     CA bundle for client certificates (mutual TLS)
  --tls_require_client_cert     refuse clients without a valid certificate
                                (needs tls_client_ca_file)

Learning:
  --profile_half_life_days=D    time decay of profiles (default 90; fixed for a
                                database)
  --band_low=X --band_high=X    the balance band, learning-leadership share
                                (default 0.30 and 0.70)
  --dismiss_days=D              how long a dismissed recommendation stays away
                                (default 30)
  --holdout_share=X             learners who get the plain ranking (default 0.05)
  --min_group_size=K            the overview hides groups below K learners
                                (default 5)
  --insights_refresh_seconds=N  refresh of the per-tenant learner gauges
                                (default 60)
  --bench_echo=true             also serve the transport-ceiling echo method
                                for `make bench` (default false)

Signals: SIGTERM/SIGINT shut down gracefully; SIGHUP reloads the rule files
and the API keys.
)";
}

absl::StatusOr<ServerConfig> ParseServerConfig(
    const std::vector<std::string>& args, bool* help) {
  *help = false;
  // name -> value, in order, so that --config is applied first.
  std::vector<std::pair<std::string, std::string>> flags;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      *help = true;
      return ServerConfig();
    }
    if (!common::StartsWith(a, "--")) {
      return absl::InvalidArgumentError(common::StrCat(
          "unexpected argument '", a, "' (flags start with --)"));
    }
    std::string body = a.substr(2);
    size_t eq = body.find('=');
    std::string name = body.substr(0, eq);
    std::string value;
    if (eq != std::string::npos) {
      value = body.substr(eq + 1);
    } else if (name == "dev_mode" || name == "tls_require_client_cert" ||
               name == "ui_public_https") {
      value = "true";
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return absl::InvalidArgumentError(
          common::StrCat("--", name, ": needs a value"));
    }
    if (name != "config" && Settings().find(name) == Settings().end()) {
      return absl::InvalidArgumentError(
          common::StrCat("--", name, ": unknown flag (see --help)"));
    }
    flags.emplace_back(name, value);
  }
  ServerConfig config;
  for (const auto& [name, value] : flags) {
    if (name != "config") continue;
    if (auto s = ApplyYaml(value, config); !s.ok()) return s;
  }
  for (const auto& [name, value] : flags) {
    if (name == "config") continue;
    if (auto s = Settings().at(name)(config, value, common::StrCat("--", name));
        !s.ok()) {
      return s;
    }
  }
  if (auto s = ValidateServerConfig(config); !s.ok()) return s;
  return config;
}

absl::Status ValidateServerConfig(const ServerConfig& c) {
  if (auto s = CheckAddress("grpc_address", c.grpc_address); !s.ok()) return s;
  if (auto s = CheckAddress("metrics_address", c.metrics_address); !s.ok())
    return s;
  if (auto s = CheckAddress("http_address", c.http_address); !s.ok()) return s;
  if (c.durability != "full" && c.durability != "normal") {
    return absl::InvalidArgumentError(common::StrCat(
        "durability: must be full or normal, not '", c.durability, "'"));
  }
  if (c.store != "sqlite" && c.store != "postgres") {
    return absl::InvalidArgumentError(common::StrCat(
        "store: must be sqlite or postgres, not '", c.store, "'"));
  }
  if (c.store == "postgres" && c.postgres_dsn_file.empty() &&
      std::getenv(kPostgresDsnEnv) == nullptr) {
    return absl::InvalidArgumentError(common::StrCat(
        "postgres_dsn_file: is required with store: postgres (or set ",
        kPostgresDsnEnv, ")"));
  }
  if (c.log_format != "text" && c.log_format != "json") {
    return absl::InvalidArgumentError("log_format: must be text or json");
  }
  if (c.log_level != "debug" && c.log_level != "info" &&
      c.log_level != "warning" && c.log_level != "error") {
    return absl::InvalidArgumentError(
        "log_level: must be debug, info, warning or error");
  }
  if (c.data_dir.empty())
    return absl::InvalidArgumentError("data_dir: is required");
  if (c.band_low >= c.band_high) {
    return absl::InvalidArgumentError(
        common::StrCat("band_low: must be below band_high (", c.band_low,
                       " >= ", c.band_high, ")"));
  }
  if (c.rules_path.empty())
    return absl::InvalidArgumentError("rules: is required");
  if (c.tls_cert_file.empty() != c.tls_key_file.empty()) {
    return absl::InvalidArgumentError(
        c.tls_cert_file.empty()
            ? "tls_cert_file: is required with tls_key_file"
            : "tls_key_file: is required with tls_cert_file");
  }
  if (!c.tls_client_ca_file.empty() && c.tls_cert_file.empty()) {
    return absl::InvalidArgumentError(
        "tls_client_ca_file: needs tls_cert_file and tls_key_file (mutual "
        "TLS is TLS first)");
  }
  if (c.tls_require_client_cert && c.tls_client_ca_file.empty()) {
    return absl::InvalidArgumentError(
        "tls_require_client_cert: needs tls_client_ca_file (the CA that "
        "client certificates must chain to)");
  }
  for (const auto& [key, path] :
       {std::pair<const char*, const std::string*>{"tls_cert_file",
                                                   &c.tls_cert_file},
        {"tls_key_file", &c.tls_key_file},
        {"tls_client_ca_file", &c.tls_client_ca_file}}) {
    if (!path->empty() && !std::ifstream(*path).good()) {
      return absl::InvalidArgumentError(
          common::StrCat(key, ": cannot read '", *path, "'"));
    }
  }
  if (c.dev_mode && !IsLoopbackHost(c.grpc_address)) {
    return absl::InvalidArgumentError(common::StrCat(
        "dev_mode: allowed only on a loopback grpc_address, not '",
        c.grpc_address, "'"));
  }
  if (c.dev_mode && !IsLoopbackHost(c.http_address)) {
    return absl::InvalidArgumentError(common::StrCat(
        "dev_mode: allowed only on a loopback http_address, not '",
        c.http_address, "'"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ResolvePostgresDsn(const ServerConfig& config) {
  std::string dsn;
  if (!config.postgres_dsn_file.empty()) {
    std::ifstream in(config.postgres_dsn_file);
    if (!in) {
      return absl::InvalidArgumentError(common::StrCat(
          "postgres_dsn_file: cannot read '", config.postgres_dsn_file, "'"));
    }
    std::getline(in, dsn);
  } else if (const char* env = std::getenv(kPostgresDsnEnv)) {
    dsn = env;
  } else {
    return absl::InvalidArgumentError(common::StrCat(
        "postgres_dsn_file: is required with store: postgres (or set ",
        kPostgresDsnEnv, ")"));
  }
  while (!dsn.empty() && (dsn.back() == '\r' || dsn.back() == ' ')) {
    dsn.pop_back();
  }
  if (dsn.empty()) {
    return absl::InvalidArgumentError(
        config.postgres_dsn_file.empty()
            ? common::StrCat("postgres_dsn_file: not set, and ",
                             kPostgresDsnEnv, " is empty")
            : common::StrCat("postgres_dsn_file: '", config.postgres_dsn_file,
                             "' holds no connection string"));
  }
  return dsn;
}

}  // namespace polku::server
