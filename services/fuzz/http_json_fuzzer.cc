// libFuzzer target: the JSON request decoding of the HTTP gateway
// (api/http_gateway.h). Each input is sent as the body of every route that
// decodes a JSON body, through HttpGateway::Handle with real Handlers, an
// Engine and a SQLite store (in a temporary directory), so the whole path of
// a request body is exercised: content type, UTF-8 and JSON checks, the
// "tenant" member, the proto3 JSON mapping into the request messages, the
// xAPI statement splitting and the Caliper envelope splitting, the limiter's
// event count, the normalisers and the handlers' validation. Only the
// transport (http_server.cc) is left out. Run with scripts/run-fuzz.sh.
//
// Checked for every input and route (__builtin_trap on a violation):
// - Handle returns (no crash, sanitizer report or hang);
// - the status is never 5xx: a body can be refused, but never make the
//   server fail;
// - every response body but a 204's is valid JSON (UTF-8 included), and an
//   error body is {"error": {"code": C, "status": S, ...}} with C != 0;
// - an accepted xAPI POST answers one id per statement; an accepted Caliper
//   envelope's counts add up to its number of ids.
#include <simdjson.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "api/handlers.h"
#include "api/http_gateway.h"
#include "api/limits.h"
#include "api/metrics.h"
#include "common/clock.h"
#include "engine/engine.h"
#include "ingest/ingestor.h"
#include "model/tagger_registry.h"
#include "store/sqlite_event_store.h"

namespace polku::fuzz {
namespace {

constexpr int64_t kNowMs = 1767225600000;  // 2026-01-01T00:00:00Z
constexpr char kTenant[] = "fuzz-tenant";

void Check(bool ok) {
  if (!ok) __builtin_trap();
}

// Every caller is the fuzz tenant with every scope: the fuzzer aims at the
// decoding behind authentication, not at authentication itself.
class AllowAll final : public api::Authenticator {
 public:
  absl::StatusOr<api::Principal> Authenticate(
      const api::CallInfo& call, std::string_view scope) const override {
    return api::Principal{kTenant, "fuzz-key"};
  }
};

// The routes whose request body is JSON (http_gateway.h lists them all).
struct BodyRoute {
  const char* method;
  const char* target;
  bool xapi;  // needs X-Experience-API-Version
};
constexpr BodyRoute kRoutes[] = {
    {"POST", "/v1/events:ingest", false},
    {"POST", "/v1/events:tag", false},
    {"POST", "/v1/feedback", false},
    {"POST", "/v1/catalogue/activities", false},
    {"POST", "/v1/catalogue/paths", false},
    {"PUT", "/v1/learners/fuzz%23learner/profiling", false},
    {"POST", "/xapi/statements", true},
    {"PUT", "/xapi/statements?statementId=11111111-1111-4111-8111-111111111111",
     true},
    {"POST", "/caliper", false},
};

// The wiring of a server (services/server/server.cc) without its
// transports. Built once: a fresh store per input would cost more than the
// decoding under test. The database lives in a temporary directory that is
// removed at exit.
class Service {
 public:
  Service() {
    char dir_template[] = "/tmp/polku-http-fuzz-XXXXXX";
    Check(mkdtemp(dir_template) != nullptr);
    dir_ = dir_template;
    store::SqliteEventStore::Options options;
    // Durability is not under test; an fsync per input would be most of
    // the run.
    options.durability = store::SqliteEventStore::Durability::kNormal;
    auto store = store::SqliteEventStore::Open(dir_ + "/polku.db", options);
    Check(store.ok());
    store_ = std::move(*store);
    auto taggers = model::TaggerRegistry::Create(
        POLKU_SOURCE_DIR "/deploy/config/rules.yaml", "");
    Check(taggers.ok());
    taggers_ = std::move(*taggers);
    engine_ = std::make_unique<engine::Engine>(store_.get(), &clock_,
                                               engine::EngineConfig());
    ingest::IngestOptions ingest_options;
    ingest_options.profile = engine_->config().recommender.profile;
    ingestor_ = std::make_unique<ingest::Ingestor>(store_.get(), taggers_.get(),
                                                   &clock_, ingest_options);
    handlers_ = std::make_unique<api::Handlers>(ingestor_.get(), store_.get(),
                                                &auth_, &metrics_, &clock_);
    handlers_->SetLearning(engine_.get(), store_.get(), nullptr);
    // No rate limits, but the batch limit: so the limiter's event count
    // (CountEventsInJson) sees every body too.
    limiter_ =
        std::make_unique<api::Limiter>(api::LimitsConfig(), &clock_, &metrics_);
    gateway_ = std::make_unique<api::HttpGateway>(handlers_.get(), &metrics_,
                                                  limiter_.get());
  }
  ~Service() {
    gateway_.reset();
    handlers_.reset();
    ingestor_.reset();
    engine_.reset();
    (void)store_->Close();
    store_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  const api::HttpGateway& gateway() const { return *gateway_; }

 private:
  std::string dir_;
  common::ManualClock clock_{kNowMs};
  AllowAll auth_;
  api::Metrics metrics_;
  std::unique_ptr<store::SqliteEventStore> store_;
  std::unique_ptr<model::TaggerRegistry> taggers_;
  std::unique_ptr<engine::Engine> engine_;
  std::unique_ptr<ingest::Ingestor> ingestor_;
  std::unique_ptr<api::Handlers> handlers_;
  std::unique_ptr<api::Limiter> limiter_;
  std::unique_ptr<api::HttpGateway> gateway_;
};

Service& TheService() {
  // Destroyed at exit (libFuzzer exits through exit()), which removes the
  // temporary database.
  static Service service;
  return service;
}

// The number of statements of an xAPI body the gateway accepted: the
// length of a top-level array, else 1.
size_t StatementCount(simdjson::dom::element body) {
  simdjson::dom::array list;
  if (!body.get_array().get(list)) return list.size();
  return 1;
}

void CheckResponse(const BodyRoute& route, simdjson::dom::element request,
                   bool request_parsed, const api::HttpResponse& response) {
  Check(response.status >= 200 && response.status < 500);
  if (response.status == 204) {
    Check(response.body.empty());
    return;
  }
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element body;
  Check(!parser.parse(response.body).get(body));
  if (response.status >= 400) {
    int64_t code = 0;
    std::string_view status;
    Check(!body["error"]["code"].get_int64().get(code) && code != 0);
    Check(!body["error"]["status"].get_string().get(status) && !status.empty());
    return;
  }
  std::string_view target = route.target;
  if (target == "/xapi/statements" && request_parsed) {
    simdjson::dom::array ids;
    Check(!body.get_array().get(ids));
    Check(ids.size() == StatementCount(request));
  } else if (target == "/caliper") {
    int64_t accepted = 0, duplicates = 0, erased = 0, ignored = 0;
    simdjson::dom::array ids;
    Check(!body["accepted"].get_int64().get(accepted));
    Check(!body["duplicates"].get_int64().get(duplicates));
    Check(!body["erased"].get_int64().get(erased));
    Check(!body["ignored"].get_int64().get(ignored));
    Check(!body["ids"].get_array().get(ids));
    Check(static_cast<size_t>(accepted + duplicates + erased + ignored) ==
          ids.size());
  }
}

}  // namespace
}  // namespace polku::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using polku::fuzz::kRoutes;
  const polku::api::HttpGateway& gateway = polku::fuzz::TheService().gateway();
  polku::api::HttpRequest request;
  request.body.assign(reinterpret_cast<const char*>(data), size);
  request.peer = "ipv4:127.0.0.1:4242";
  request.headers.emplace("authorization", "Bearer fuzz");
  request.headers.emplace("content-type", "application/json; charset=utf-8");
  // The request as JSON, for the checks on accepted bodies; a separate
  // parser, since the gateway's thread-local one is reused for each call.
  simdjson::dom::parser parser;
  simdjson::dom::element parsed;
  bool request_parsed = !parser.parse(request.body).get(parsed);
  // POLKU_FUZZ_VERBOSE=1 prints each route's answer (to study an input).
  static const bool verbose = std::getenv("POLKU_FUZZ_VERBOSE") != nullptr;
  for (const polku::fuzz::BodyRoute& route : kRoutes) {
    request.method = route.method;
    request.target = route.target;
    request.headers.erase("x-experience-api-version");
    if (route.xapi)
      request.headers.emplace("x-experience-api-version", "1.0.3");
    polku::api::HttpResponse response = gateway.Handle(request);
    if (verbose) {
      std::fprintf(stderr, "%s %s -> %d %.200s\n", route.method, route.target,
                   response.status, response.body.c_str());
    }
    polku::fuzz::CheckResponse(route, parsed, request_parsed, response);
  }
  return 0;
}
