#include "server/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>

#include "common/logging.h"
#include "common/str_cat.h"
#include "common/thread_name.h"
#include "server/bench_echo.h"
#include "store/postgres_event_store.h"
#include "store/sqlite_event_store.h"

namespace polku::server {
namespace {

// The catalogues cached at start (Server::Start): at most this many
// tenants, the most recently changed first, for at most this long.
constexpr size_t kWarmCatalogues = 100;
constexpr std::chrono::milliseconds kWarmBudget{10000};

absl::StatusOr<std::string> ReadPem(const char* key, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) {
    return absl::InvalidArgumentError(
        common::StrCat(key, ": cannot read '", path, "'"));
  }
  if (text.find("-----BEGIN") == std::string::npos) {
    return absl::InvalidArgumentError(
        common::StrCat(key, ": '", path, "' is not a PEM file"));
  }
  return text;
}

// Plaintext, TLS, or mutual TLS (tls_client_ca_file; required with
// tls_require_client_cert), as configured.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> GrpcServerCredentials(
    const ServerConfig& config) {
  if (config.tls_cert_file.empty()) return grpc::InsecureServerCredentials();
  auto cert = ReadPem("tls_cert_file", config.tls_cert_file);
  if (!cert.ok()) return cert.status();
  auto key = ReadPem("tls_key_file", config.tls_key_file);
  if (!key.ok()) return key.status();
  grpc_ssl_client_certificate_request_type request =
      GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE;
  grpc::SslServerCredentialsOptions options(request);
  if (!config.tls_client_ca_file.empty()) {
    auto ca = ReadPem("tls_client_ca_file", config.tls_client_ca_file);
    if (!ca.ok()) return ca.status();
    options.pem_root_certs = *ca;
    options.client_certificate_request =
        config.tls_require_client_cert
            ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
            : GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  options.pem_key_cert_pairs.push_back({*key, *cert});
  return grpc::SslServerCredentials(options);
}

// The learning side's settings from the server configuration.
engine::EngineConfig EngineConfigOf(const ServerConfig& config) {
  engine::EngineConfig e;
  learning::ProfileConfig& profile = e.recommender.profile;
  profile.half_life_days = config.profile_half_life_days;
  profile.band_low = config.band_low;
  profile.band_high = config.band_high;
  e.recommender.dismiss_days = config.dismiss_days;
  e.recommender.holdout_share = config.holdout_share;
  e.insights.profile = profile;
  e.insights.min_group_size = config.min_group_size;
  return e;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Server>> Server::Start(
    const ServerConfig& config) {
  std::unique_ptr<Server> s(new Server(config));
  s->metrics_ = std::make_unique<api::Metrics>();

  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) {
    return absl::UnavailableError(common::StrCat(
        "data_dir: cannot create '", config.data_dir, "': ", ec.message()));
  }
  api::Metrics* metrics = s->metrics_.get();
  if (config.store == "postgres") {
    // The connection string never reaches a log line or a Status.
    auto dsn = ResolvePostgresDsn(config);
    if (!dsn.ok()) return dsn.status();
    store::PostgresEventStore::Options pg_options;
    pg_options.on_commit = [metrics](const store::CommitStats& stats) {
      metrics->ObserveCommit(stats);
    };
    auto pg = store::PostgresEventStore::Open(*dsn, std::move(pg_options));
    if (!pg.ok()) return pg.status();
    s->learning_store_ = pg->get();
    s->store_ = std::move(*pg);
  } else {
    store::SqliteEventStore::Options store_options;
    store_options.durability =
        config.durability == "normal"
            ? store::SqliteEventStore::Durability::kNormal
            : store::SqliteEventStore::Durability::kFull;
    store_options.on_commit = [metrics](const store::CommitStats& stats) {
      metrics->ObserveCommit(stats);
    };
    s->db_path_ =
        (std::filesystem::path(config.data_dir) / "polku.db").string();
    auto store = store::SqliteEventStore::Open(s->db_path_, store_options);
    if (!store.ok()) return store.status();
    s->learning_store_ = store->get();
    s->sqlite_store_ = store->get();
    s->store_ = std::move(*store);
  }
  s->RefreshDatabaseSize();
  if (s->sqlite_store_ != nullptr) {
    metrics->SetSqliteStore(s->sqlite_store_->stats());
  }

  auto taggers =
      model::TaggerRegistry::Create(config.rules_path, config.rules_dir);
  if (!taggers.ok()) return taggers.status();
  s->taggers_ = std::move(*taggers);

  std::string key_file = config.api_keys_file.empty()
                             ? api::DefaultKeyFile(config.data_dir)
                             : config.api_keys_file;
  auto keys = api::KeyStore::Open(key_file);
  if (!keys.ok()) return keys.status();
  s->keys_ = std::move(*keys);
  s->keys_->StartAutoReload(
      std::chrono::seconds(1), [metrics, key_file](const absl::Status& st) {
        metrics->CountKeyReload(st.ok());
        if (st.ok()) {
          common::LogInfo("API keys reloaded", {{"file", key_file}});
        } else {
          common::LogError("API key reload failed; keeping the previous keys",
                           {{"error", st.ToString()}});
        }
      });
  if (config.dev_mode) {
    s->dev_mode_auth_ = std::make_unique<api::DevModeAuthenticator>();
    common::LogWarning(
        "development mode: calls without credentials take the "
        "tenant from x-polku-tenant, loopback callers only; never "
        "use in production");
  } else if (s->keys_->active_keys() == 0) {
    common::LogWarning(
        "no API keys yet: every call is refused until one is "
        "created with `polku keys create` (or start with "
        "--dev_mode for local development)",
        {{"file", key_file}});
  }
  s->auth_ = std::make_unique<api::CredentialsThenDevMode>(
      s->keys_.get(), s->dev_mode_auth_.get());
  ingest::IngestOptions ingest_options;
  ingest_options.max_batch_events =
      static_cast<size_t>(config.max_batch_events);
  const engine::EngineConfig engine_config = EngineConfigOf(config);
  ingest_options.profile = engine_config.recommender.profile;
  s->ingestor_ = std::make_unique<ingest::Ingestor>(
      s->store_.get(), s->taggers_.get(), &common::SystemClock::Get(),
      ingest_options);
  api::LimitsConfig limits;
  limits.max_batch_events = static_cast<size_t>(config.max_batch_events);
  limits.max_concurrent_streams = config.max_concurrent_streams;
  limits.events_per_second = config.rate_limit_events_per_second;
  limits.event_burst = config.rate_limit_event_burst;
  limits.requests_per_second = config.rate_limit_requests_per_second;
  limits.request_burst = config.rate_limit_request_burst;
  s->limiter_ = std::make_unique<api::Limiter>(
      limits, &common::SystemClock::Get(), metrics);
  s->handlers_ = std::make_unique<api::Handlers>(
      s->ingestor_.get(), s->store_.get(), s->auth_.get(), metrics,
      &common::SystemClock::Get());
  api::Handlers* handlers = s->handlers_.get();
  s->engine_ = std::make_unique<engine::Engine>(
      s->learning_store_, &common::SystemClock::Get(), engine_config);
  s->learning_metrics_ =
      std::make_unique<api::LearningMetrics>(*metrics->registry());
  handlers->SetLearning(s->engine_.get(), s->learning_store_,
                        s->learning_metrics_.get());
  // Catalogues are cached before the first call can arrive: loading and
  // indexing one (10,000 activities: about 0.1 s) would otherwise hold up
  // the first recommendations of each tenant, and every call queued
  // behind them. Bounded, so that a start with many tenants stays quick;
  // the others are loaded on their first call.
  {
    const auto t0 = std::chrono::steady_clock::now();
    auto warmed = s->engine_->WarmCatalogues(kWarmCatalogues, kWarmBudget);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - t0)
                        .count();
    if (warmed.ok()) {
      common::LogInfo(
          "catalogues cached",
          {{"tenants", common::StrCat(*warmed)}, {"ms", common::StrCat(ms)}});
    } else {
      common::LogWarning("catalogues not cached at start",
                         {{"error", warmed.status().ToString()}});
    }
  }
  // The refresh thread reads the engine and the learning metrics: start it
  // once they exist.
  Server* raw = s.get();
  s->size_thread_ = std::thread([raw] {
    common::SetCurrentThreadName("polku-dbsize");
    raw->RefreshDatabaseSizeLoop();
  });
  s->event_service_ = std::make_unique<api::EventServiceImpl>(
      handlers, metrics, s->limiter_.get());
  s->privacy_service_ =
      std::make_unique<api::PrivacyServiceImpl>(handlers, metrics);
  s->catalogue_service_ =
      std::make_unique<api::CatalogueServiceImpl>(handlers, metrics);
  s->recommendation_service_ =
      std::make_unique<api::RecommendationServiceImpl>(handlers, metrics);
  s->insight_service_ =
      std::make_unique<api::InsightServiceImpl>(handlers, metrics);

  try {
    s->exposer_ = std::make_unique<prometheus::Exposer>(config.metrics_address);
  } catch (const std::exception& e) {
    return absl::UnavailableError(
        common::StrCat("metrics_address: cannot listen on '",
                       config.metrics_address, "': ", e.what()));
  }
  s->exposer_->RegisterCollectable(s->metrics_->registry());
  auto ports = s->exposer_->GetListeningPorts();
  s->metrics_port_ = ports.empty() ? 0 : ports.front();

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  auto credentials = GrpcServerCredentials(config);
  if (!credentials.ok()) return credentials.status();
  builder.AddListeningPort(config.grpc_address, *credentials, &s->grpc_port_);
  builder.SetMaxReceiveMessageSize(config.max_message_bytes);
  // The synchronous server runs each call on a thread that was polling for
  // work, and by default lets at most two threads poll: a thread that
  // finishes a call while two others poll exits, and the next call starts
  // a new one. Under load that was a thread created and destroyed per call
  // (single-event Ingest with 32 calls in flight: 3,300 to 3,700 req/s
  // before, 5,500 to 6,900 after). Threads that finished a call now stay
  // to poll, up to 256; an idle one costs a stack.
  builder.SetSyncServerOption(
      grpc::ServerBuilder::SyncServerOption::MIN_POLLERS, 2);
  builder.SetSyncServerOption(
      grpc::ServerBuilder::SyncServerOption::MAX_POLLERS, 256);
  builder.RegisterService(s->event_service_.get());
  builder.RegisterService(s->privacy_service_.get());
  builder.RegisterService(s->catalogue_service_.get());
  builder.RegisterService(s->recommendation_service_.get());
  builder.RegisterService(s->insight_service_.get());
  if (config.bench_echo) {
    s->bench_echo_service_ = NewBenchEchoService();
    builder.RegisterService(s->bench_echo_service_.get());
  }
  s->grpc_server_ = builder.BuildAndStart();
  if (s->grpc_server_ == nullptr || s->grpc_port_ == 0) {
    return absl::UnavailableError(common::StrCat(
        "grpc_address: cannot listen on '", config.grpc_address, "'"));
  }
  s->grpc_server_->GetHealthCheckService()->SetServingStatus(true);

  s->http_gateway_ =
      std::make_unique<api::HttpGateway>(handlers, metrics, s->limiter_.get());
  s->ui_tenants_ = std::make_unique<ui::UiTenantStore>(
      config.ui_tenants_file.empty() ? ui::DefaultUiTenantsFile(config.data_dir)
                                     : config.ui_tenants_file,
      &common::SystemClock::Get());
  ui::UiPagesOptions ui_options;
  ui_options.tls = !config.tls_cert_file.empty() || config.ui_public_https;
  s->ui_pages_ = std::make_unique<ui::UiPages>(
      handlers, s->learning_store_, s->ui_tenants_.get(),
      &common::SystemClock::Get(), ui_options);
  s->http_gateway_->SetUiHandler(s->ui_pages_.get());
  api::HttpServerOptions http_options;
  http_options.threads = config.http_threads;
  http_options.max_body_bytes = static_cast<size_t>(config.max_message_bytes);
  http_options.metrics = metrics;
  http_options.tls_cert_file = config.tls_cert_file;
  http_options.tls_key_file = config.tls_key_file;
  http_options.tls_client_ca_file = config.tls_client_ca_file;
  http_options.tls_require_client_cert = config.tls_require_client_cert;
  auto http = api::HttpServer::Start(config.http_address,
                                     s->http_gateway_.get(), http_options);
  if (!http.ok()) return http.status();
  s->http_server_ = std::move(*http);
  s->http_port_ = s->http_server_->port();

  std::string host =
      config.grpc_address.substr(0, config.grpc_address.rfind(':'));
  std::string metrics_host =
      config.metrics_address.substr(0, config.metrics_address.rfind(':'));
  std::string http_host =
      config.http_address.substr(0, config.http_address.rfind(':'));
  common::LogInfo(
      "polku-server serving",
      {{"grpc", common::StrCat(host, ":", s->grpc_port_)},
       {"http",
        common::StrCat(config.tls_cert_file.empty() ? "http://" : "https://",
                       http_host, ":", s->http_port_)},
       {"tls", config.tls_cert_file.empty()     ? "off"
               : config.tls_require_client_cert ? "mutual"
                                                : "on"},
       {"metrics", common::StrCat("http://", metrics_host, ":",
                                  s->metrics_port_, "/metrics")},
       {"data_dir", config.data_dir}});
  if (!config.ready_file.empty()) {
    std::string tmp = config.ready_file + ".tmp";
    {
      std::ofstream out(tmp);
      out << "{\"grpc_port\": " << s->grpc_port_
          << ", \"metrics_port\": " << s->metrics_port_
          << ", \"http_port\": " << s->http_port_ << "}\n";
    }
    std::filesystem::rename(tmp, config.ready_file, ec);
  }
  return s;
}

Server::~Server() { Shutdown(); }

void Server::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  // HTTP first: it waits for the requests it is serving, which need the
  // store; then gRPC likewise; then the store.
  if (http_server_ != nullptr) http_server_->Stop();
  if (grpc_server_ != nullptr) {
    grpc_server_->GetHealthCheckService()->SetServingStatus(false);
    grpc_server_->Shutdown(
        std::chrono::system_clock::now() +
        std::chrono::seconds(config_.shutdown_grace_seconds));
    grpc_server_->Wait();
  }
  if (size_thread_.joinable()) {
    {
      absl::MutexLock lock(&size_mu_);
      stop_size_thread_ = true;
    }
    size_thread_.join();
  }
  if (store_ != nullptr) {
    if (auto s = store_->Close(); !s.ok()) {
      common::LogError("closing the store failed", {{"error", s.ToString()}});
    }
  }
  common::LogInfo("polku-server stopped");
}

void Server::RefreshDatabaseSize() {
  // PostgreSQL: the database's own exporters report its size.
  if (db_path_.empty()) return;
  double bytes = 0;
  for (const char* suffix : {"", "-wal"}) {
    std::error_code ec;
    auto size = std::filesystem::file_size(db_path_ + suffix, ec);
    if (!ec) bytes += static_cast<double>(size);
  }
  metrics_->SetDatabaseBytes(bytes);
}

void Server::RefreshDatabaseSizeLoop() {
  // Wakes every second; the database size every 10 s, the tenant gauges
  // every insights_refresh_seconds (first right away).
  int64_t tick = 0;
  const int64_t every = std::max(1, config_.insights_refresh_seconds);
  for (;; ++tick) {
    if (tick % every == 0) RefreshTenantGauges();
    {
      absl::MutexLock lock(&size_mu_);
      if (size_mu_.AwaitWithTimeout(absl::Condition(&stop_size_thread_),
                                    absl::Seconds(1))) {
        return;
      }
    }
    if (tick % 10 == 9) RefreshDatabaseSize();
    if (sqlite_store_ != nullptr) {
      metrics_->SetSqliteStore(sqlite_store_->stats());
    }
  }
}

void Server::RefreshTenantGauges() {
  // The tenants: those with API keys and those seen since start.
  std::set<std::string> tenants;
  for (const std::string& t : learning_metrics_->SeenTenants()) {
    tenants.insert(t);
  }
  for (const std::string& t : keys_->active_tenants()) tenants.insert(t);
  for (const std::string& tenant : tenants) {
    auto overview = engine_->OrgOverview(tenant, "", 1);
    if (!overview.ok()) {
      common::LogWarning(
          "refreshing the tenant gauges failed",
          {{"tenant", tenant}, {"error", overview.status().ToString()}});
      continue;
    }
    if (overview->total.learners == 0) continue;
    // Below k the shares are not shown anywhere, metrics included.
    if (overview->total.suppressed) {
      learning_metrics_->SetTenantBalance(
          tenant, static_cast<double>(overview->total.learners), -1, -1);
      continue;
    }
    learning_metrics_->SetTenantBalance(
        tenant, static_cast<double>(overview->total.learners),
        overview->total.share_in_band, overview->total.mean_balance);
  }
}

absl::Status Server::ReloadKeys() {
  absl::Status s = keys_->Reload();
  metrics_->CountKeyReload(s.ok());
  if (s.ok()) {
    common::LogInfo(
        "API keys reloaded",
        {{"file", keys_->path()}, {"active_keys", keys_->active_keys()}});
  } else {
    common::LogError("API key reload failed; keeping the previous keys",
                     {{"error", s.ToString()}});
  }
  return s;
}

absl::Status Server::ReloadRules() {
  absl::Status s = taggers_->Reload();
  metrics_->CountRuleReload(s.ok());
  if (s.ok()) {
    common::LogInfo("rules reloaded", {{"rules", config_.rules_path}});
  } else {
    common::LogError("rule reload failed; keeping the previous rules",
                     {{"error", s.ToString()}});
  }
  return s;
}

}  // namespace polku::server
