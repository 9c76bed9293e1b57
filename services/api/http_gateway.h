// HttpGateway: the HTTP/1.1 + JSON door of Polku, independent of any HTTP
// library (http_server.h plugs it into one).
//
// Serves the RPCs of polku.v1 as JSON in the proto3 JSON mapping, through
// the same Handlers as the gRPC services, plus an xAPI statements resource
// and a Caliper envelope endpoint:
//
//   POST   /v1/events:ingest                     Ingest
//   POST   /v1/events:tag                        TagEvent
//   GET    /v1/learners/{learner}/recommendations?k=&locale=
//                                                GetRecommendations
//   POST   /v1/feedback                          RecordFeedback
//   GET    /v1/learners/{learner}/profile?locale=  GetLearnerProfile
//   GET    /v1/orgs/{unit}/overview?weeks=       GetOrgOverview ("-": all)
//   POST   /v1/catalogue/activities              UpsertActivities
//   GET    /v1/catalogue/activities?page_size=&page_token=  ListActivities
//   POST   /v1/catalogue/paths                   UpsertPaths
//   GET    /v1/catalogue/paths?page_size=&page_token=       ListPaths
//   GET    /v1/catalogue/paths:suggest?max_suggestions=&min_support=
//                                                SuggestPaths
//   GET    /v1/learners/{learner}/data           ExportLearnerData
//   PUT    /v1/learners/{learner}/profiling      SetProfilingOptOut
//   DELETE /v1/learners/{learner}/data           DeleteLearnerData
//   POST   /xapi/statements   one statement or an array, all or nothing;
//                             200 with the array of ids
//   PUT    /xapi/statements?statementId=   one statement; 204
//   GET    /xapi/about        supported xAPI versions (no credentials)
//   POST   /caliper           an envelope {sensor, sendTime, dataVersion,
//                             data[]}, all or nothing
//
// Each route needs the scope of its RPC (handlers.h: InfoOf); the xAPI and
// Caliper writes need events:write.
//
// Path parameters are percent-decoded segments (a learner key
// "moodle.example.edu#42" is written "moodle.example.edu%2342").
//
// Errors are JSON: {"error": {"code": 3, "status": "INVALID_ARGUMENT",
// "message": "events[0].learner.key: is required", "field":
// "events[0].learner.key"}} with the HTTP status of the gRPC code (400, 401,
// 403, 404, 409, 429, 501, 503...); "field" only when one is known. Bodies
// must be application/json (else 415), valid UTF-8 (else 400) and valid
// JSON (else 400 with the parser's message); the size limit (413,
// RESOURCE_EXHAUSTED, as gRPC answers an oversized message) is enforced by
// the HTTP server before the body is handled. A body (a request object, an
// xAPI statement, a Caliper envelope) whose "tenant" member names another
// tenant than the caller's is 403 (PERMISSION_DENIED), as is an
// "X-Polku-Tenant" header naming another.
//
// Thread-safe: Handle may be called from many threads at once.
#ifndef POLKU_API_HTTP_GATEWAY_H_
#define POLKU_API_HTTP_GATEWAY_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "api/handlers.h"
#include "api/metrics.h"

namespace polku::api {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  // The request target as sent: path and query, still percent-encoded.
  std::string target;
  std::multimap<std::string, std::string> headers;  // lowercase names
  std::string body;
  // The peer in gRPC's form ("ipv4:127.0.0.1:5555", "ipv6:[::1]:5555").
  std::string peer;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// One route, for documentation and tests.
struct HttpRoute {
  std::string_view method;
  std::string_view pattern;  // "/v1/learners/{learner}/profile"
  std::optional<Rpc> rpc;    // the RPC it serves, if any
  std::string_view scope;    // the scope a key needs; "" for none
};

// The HTTP status of a gRPC/absl code (Google's mapping: INVALID_ARGUMENT
// 400, UNAUTHENTICATED 401, PERMISSION_DENIED 403, NOT_FOUND 404,
// ALREADY_EXISTS 409, RESOURCE_EXHAUSTED 429, UNIMPLEMENTED 501,
// UNAVAILABLE 503, ...).
int HttpStatusOf(absl::StatusCode code);

// The JSON error body of `status` (see above).
std::string ErrorJson(const absl::Status& status);

// The error response of `status`: its HTTP status, JSON body and, for
// UNAUTHENTICATED, a WWW-Authenticate header.
HttpResponse ErrorResponse(const absl::Status& status);

class Limiter;

// Serves a part of the URL space by itself: the pages under /ui/
// (ui/ui_pages.h), which authenticate with sessions rather than keys.
class HttpSubHandler {
 public:
  virtual ~HttpSubHandler() = default;
  virtual HttpResponse Handle(const HttpRequest& request) const = 0;
};

class HttpGateway {
 public:
  // No pointer is owned; all must outlive the gateway. `limiter` (may be
  // null: no limits) admits the ingest, xAPI and Caliper writes after
  // authentication (429 with Retry-After beyond a limit).
  HttpGateway(Handlers* handlers, Metrics* metrics, Limiter* limiter = nullptr);

  HttpResponse Handle(const HttpRequest& request) const;

  // Hands "/ui" and every path under "/ui/" to `ui` (not owned; set before
  // serving; null: those paths are 404 like any unknown one).
  void SetUiHandler(const HttpSubHandler* ui) { ui_ = ui; }

  // Every route, in the order of the table above.
  static const std::vector<HttpRoute>& Routes();

 private:
  struct Call;
  using RouteFn = HttpResponse (HttpGateway::*)(const Call& call) const;
  struct RouteEntry;
  static const std::vector<RouteEntry>& Table();

  HttpResponse Ingest(const Call& call) const;
  HttpResponse TagEvent(const Call& call) const;
  HttpResponse GetRecommendations(const Call& call) const;
  HttpResponse RecordFeedback(const Call& call) const;
  HttpResponse GetLearnerProfile(const Call& call) const;
  HttpResponse GetOrgOverview(const Call& call) const;
  HttpResponse UpsertActivities(const Call& call) const;
  HttpResponse ListActivities(const Call& call) const;
  HttpResponse UpsertPaths(const Call& call) const;
  HttpResponse ListPaths(const Call& call) const;
  HttpResponse SuggestPaths(const Call& call) const;
  HttpResponse ExportLearnerData(const Call& call) const;
  HttpResponse SetProfilingOptOut(const Call& call) const;
  HttpResponse DeleteLearnerData(const Call& call) const;
  HttpResponse XapiAbout(const Call& call) const;
  HttpResponse XapiPost(const Call& call) const;
  HttpResponse XapiPut(const Call& call) const;
  HttpResponse Caliper(const Call& call) const;

  Handlers* handlers_;
  Metrics* metrics_;
  Limiter* limiter_;
  const HttpSubHandler* ui_ = nullptr;
};

}  // namespace polku::api

#endif  // POLKU_API_HTTP_GATEWAY_H_
