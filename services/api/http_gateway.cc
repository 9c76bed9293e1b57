#include "api/http_gateway.h"

#include <google/protobuf/util/json_util.h>
#include <simdjson.h>

#include <chrono>
#include <cstdlib>

#include "absl/strings/cord.h"
#include "api/limits.h"
#include "common/field_error.h"
#include "common/hashing.h"
#include "common/json_writer.h"
#include "common/str_cat.h"
#include "common/strings.h"

namespace polku::api {
namespace {

namespace v1 = ::polku::v1;
using common::InvalidFieldError;
using common::StrCat;

// Carries an HTTP status other than the code's own (415, 405, 404...).
constexpr char kHttpStatusPayload[] = "type.polku.dev/polku.HttpStatus";
constexpr size_t kMaxStatements = 10000;

absl::Status WithHttpStatus(absl::Status s, int http) {
  s.SetPayload(kHttpStatusPayload, absl::Cord(std::to_string(http)));
  return s;
}

std::string_view CodeName(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk:
      return "OK";
    case absl::StatusCode::kCancelled:
      return "CANCELLED";
    case absl::StatusCode::kUnknown:
      return "UNKNOWN";
    case absl::StatusCode::kInvalidArgument:
      return "INVALID_ARGUMENT";
    case absl::StatusCode::kDeadlineExceeded:
      return "DEADLINE_EXCEEDED";
    case absl::StatusCode::kNotFound:
      return "NOT_FOUND";
    case absl::StatusCode::kAlreadyExists:
      return "ALREADY_EXISTS";
    case absl::StatusCode::kPermissionDenied:
      return "PERMISSION_DENIED";
    case absl::StatusCode::kResourceExhausted:
      return "RESOURCE_EXHAUSTED";
    case absl::StatusCode::kFailedPrecondition:
      return "FAILED_PRECONDITION";
    case absl::StatusCode::kAborted:
      return "ABORTED";
    case absl::StatusCode::kOutOfRange:
      return "OUT_OF_RANGE";
    case absl::StatusCode::kUnimplemented:
      return "UNIMPLEMENTED";
    case absl::StatusCode::kInternal:
      return "INTERNAL";
    case absl::StatusCode::kUnavailable:
      return "UNAVAILABLE";
    case absl::StatusCode::kDataLoss:
      return "DATA_LOSS";
    case absl::StatusCode::kUnauthenticated:
      return "UNAUTHENTICATED";
    default:
      return "UNKNOWN";
  }
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes `s` ('+' stays '+' in paths, is a space in queries).
bool PercentDecode(std::string_view s, bool plus_is_space, std::string* out) {
  out->clear();
  out->reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size()) return false;
      int hi = HexDigit(s[i + 1]), lo = HexDigit(s[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out->push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out->push_back(' ');
    } else {
      out->push_back(c);
    }
  }
  return true;
}

std::string FirstHeader(const HttpRequest& r, const std::string& name) {
  auto it = r.headers.find(name);
  return it == r.headers.end() ? std::string() : it->second;
}

// The media type of a Content-Type value, lowercase, without parameters.
std::string MediaType(std::string_view content_type) {
  std::string_view t = content_type.substr(0, content_type.find(';'));
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
  return common::AsciiToLower(t);
}

// Checks the content type and encoding of a JSON body and parses it with the
// calling thread's parser; the element lives until the next call on the
// thread. An empty body is "{}" when `empty_is_object`.
absl::StatusOr<simdjson::dom::element> ParseBody(const HttpRequest& request,
                                                 bool empty_is_object) {
  std::string_view body = request.body;
  if (body.empty() && empty_is_object) body = "{}";
  if (!request.body.empty()) {
    std::string media = MediaType(FirstHeader(request, "content-type"));
    if (media != "application/json") {
      return WithHttpStatus(
          InvalidFieldError("content-type",
                            StrCat("must be application/json, not '",
                                   media.empty() ? std::string("(none)")
                                                 : media.substr(0, 64),
                                   "'")),
          415);
    }
  }
  if (!simdjson::validate_utf8(body.data(), body.size())) {
    return InvalidFieldError("body", "is not valid UTF-8");
  }
  thread_local simdjson::dom::parser parser;
  thread_local simdjson::padded_string buffer;
  buffer = simdjson::padded_string(body.data(), body.size());
  simdjson::dom::element root;
  if (auto error = parser.parse(buffer).get(root)) {
    return InvalidFieldError(
        "body", StrCat("is not valid JSON: ", simdjson::error_message(error)));
  }
  return root;
}

// The members of `object` as JSON text, without `skip` and with
// `prepend` (already encoded "key":value pairs) first.
std::string RebuildObject(simdjson::dom::object object, std::string_view skip,
                          std::string_view prepend) {
  std::string out = "{";
  out.append(prepend);
  bool first = prepend.empty();
  for (auto field : object) {
    if (field.key == skip) continue;
    if (!first) out.push_back(',');
    first = false;
    common::JsonWriter::AppendQuoted(field.key, out);
    out.push_back(':');
    out.append(simdjson::minify(field.value));
  }
  out.push_back('}');
  return out;
}

// A "tenant" member of a body object must name the caller's tenant
// (kPermissionDenied otherwise; kInvalidArgument when not a string).
// `present` tells whether there was one.
absl::Status CheckBodyTenant(simdjson::dom::element element, const Principal& p,
                             std::string_view field, bool* present = nullptr) {
  simdjson::dom::element tenant;
  bool has = element.is_object() && !element["tenant"].get(tenant);
  if (present != nullptr) *present = has;
  if (!has) return absl::OkStatus();
  std::string_view named;
  if (tenant.get_string().get(named)) {
    return InvalidFieldError(field, "must be a string");
  }
  return CheckNamedTenant(p, named, field);
}

// Parses a JSON body into `message` (proto3 JSON mapping), after checking
// content type, UTF-8 and syntax. A "tenant" member must name the caller's
// tenant (else kPermissionDenied) and is then dropped.
absl::Status ParseMessageBody(const HttpRequest& request, const Principal& p,
                              google::protobuf::Message* message) {
  auto root = ParseBody(request, /*empty_is_object=*/true);
  if (!root.ok()) return root.status();
  simdjson::dom::object object;
  if (root->get_object().get(object)) {
    return InvalidFieldError("body", "must be a JSON object");
  }
  std::string stripped;
  std::string_view text = request.body.empty() ? std::string_view("{}")
                                               : std::string_view(request.body);
  bool named = false;
  if (auto s = CheckBodyTenant(*root, p, "tenant", &named); !s.ok()) return s;
  if (named) {
    stripped = RebuildObject(object, "tenant", "");
    text = stripped;
  }
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto s = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(text.data(), text.size()), message,
      options);
  if (!s.ok()) {
    std::string msg(s.message().data(), s.message().size());
    // Protobuf names the field in parentheses: "(events[0].native.verb): ...".
    size_t open = msg.find('(');
    size_t close = msg.find("):", open == std::string::npos ? 0 : open);
    if (open != std::string::npos && close != std::string::npos &&
        close > open + 1) {
      return InvalidFieldError(msg.substr(open + 1, close - open - 1),
                               StrCat("bad JSON for the field: ", msg));
    }
    return InvalidFieldError("body", StrCat("does not fit the request: ", msg));
  }
  return absl::OkStatus();
}

HttpResponse JsonResponse(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  HttpResponse r;
  auto s =
      google::protobuf::util::MessageToJsonString(message, &r.body, options);
  if (!s.ok()) {
    return ErrorResponse(absl::InternalError(
        StrCat("cannot encode the response: ",
               std::string(s.message().data(), s.message().size()))));
  }
  return r;
}

absl::StatusOr<int32_t> QueryInt(
    const std::multimap<std::string, std::string>& query,
    const std::string& name, int32_t def) {
  auto it = query.find(name);
  if (it == query.end() || it->second.empty()) return def;
  char* end = nullptr;
  long v = std::strtol(it->second.c_str(), &end, 10);
  if (*end != '\0' || v < INT32_MIN || v > INT32_MAX) {
    return InvalidFieldError(name, "must be a whole number");
  }
  return static_cast<int32_t>(v);
}

std::string QueryString(const std::multimap<std::string, std::string>& query,
                        const std::string& name) {
  auto it = query.find(name);
  return it == query.end() ? std::string() : it->second;
}

// xAPI version of a request header value: "1.0.3" or "2.0.0" for the
// response, or an error for a missing or unsupported version.
absl::StatusOr<std::string> XapiVersion(const HttpRequest& r) {
  std::string v = FirstHeader(r, "x-experience-api-version");
  if (v.empty()) {
    return InvalidFieldError("X-Experience-API-Version",
                             "header is required (1.0.3 or 2.0.0)");
  }
  if (v == "1.0" || common::StartsWith(v, "1.0.")) return std::string("1.0.3");
  if (v == "2.0" || common::StartsWith(v, "2.0.")) return std::string("2.0.0");
  return InvalidFieldError(
      "X-Experience-API-Version",
      StrCat("'", v.substr(0, 16), "' is not supported (1.0.x or 2.0.x)"));
}

// The "id" string of a statement or event object, lowercase; "" if none.
std::string OwnId(simdjson::dom::element e) {
  std::string_view id;
  if (!e.is_object() || e["id"].get_string().get(id)) return std::string();
  return common::AsciiToLower(id.substr(0, 256));
}

// "statements[3].verb.id" / "statement.verb.id".
std::string JoinField(std::string base, std::string_view field) {
  if (!field.empty()) {
    base.push_back('.');
    base.append(field);
  }
  return base;
}

}  // namespace

int HttpStatusOf(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk:
      return 200;
    case absl::StatusCode::kCancelled:
      return 499;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange:
      return 400;
    case absl::StatusCode::kUnauthenticated:
      return 401;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted:
      return 409;
    case absl::StatusCode::kResourceExhausted:
      return 429;
    case absl::StatusCode::kUnimplemented:
      return 501;
    case absl::StatusCode::kUnavailable:
      return 503;
    case absl::StatusCode::kDeadlineExceeded:
      return 504;
    default:
      return 500;
  }
}

std::string ErrorJson(const absl::Status& status) {
  common::JsonWriter w;
  w.BeginObject();
  w.Key("error");
  w.BeginObject();
  w.Key("code");
  w.Int(static_cast<int>(status.code()));
  w.Key("status");
  w.String(CodeName(status.code()));
  w.Key("message");
  w.String(std::string_view(status.message().data(), status.message().size()));
  if (auto field = common::ErrorField(status); field.has_value()) {
    w.Key("field");
    w.String(*field);
  }
  w.EndObject();
  w.EndObject();
  return w.Take();
}

HttpResponse ErrorResponse(const absl::Status& status) {
  HttpResponse r;
  r.status = HttpStatusOf(status.code());
  if (auto http = status.GetPayload(kHttpStatusPayload); http.has_value()) {
    r.status = std::atoi(std::string(*http).c_str());
  }
  r.body = ErrorJson(status);
  if (status.code() == absl::StatusCode::kUnauthenticated) {
    r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"polku\"");
  }
  if (auto retry = RetryAfterMillis(status); retry.has_value()) {
    // Whole seconds, rounded up (RFC 9110 Retry-After).
    int64_t seconds = *retry <= 1000 ? 1 : (*retry + 999) / 1000;
    r.headers.emplace_back("Retry-After", std::to_string(seconds));
  }
  return r;
}

struct HttpGateway::Call {
  const HttpRequest* request = nullptr;
  std::vector<std::string> params;  // decoded path parameters, in order
  std::multimap<std::string, std::string> query;
  Principal principal;
};

struct HttpGateway::RouteEntry {
  HttpRoute route;
  std::vector<std::string_view> segments;  // "{x}" is a parameter
  RouteFn fn;
};

namespace {

std::vector<std::string_view> SplitPattern(std::string_view pattern) {
  std::vector<std::string_view> out;
  size_t start = 1;  // after the leading '/'
  while (start <= pattern.size()) {
    size_t slash = pattern.find('/', start);
    if (slash == std::string_view::npos) slash = pattern.size();
    out.push_back(pattern.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

// One JSON RPC over HTTP: request from path/query (and the body when
// `with_body`), the shared handler, the JSON response.
template <typename Request, typename Response>
HttpResponse JsonRpc(Handlers* handlers, const HttpRequest& http,
                     const Principal& p, Request request, bool with_body,
                     absl::StatusOr<Response> (Handlers::*fn)(const Principal&,
                                                              const Request&)) {
  if (with_body) {
    Request from_body;
    if (auto s = ParseMessageBody(http, p, &from_body); !s.ok()) {
      return ErrorResponse(s);
    }
    request.MergeFrom(from_body);
  }
  absl::StatusOr<Response> response = (handlers->*fn)(p, request);
  if (!response.ok()) return ErrorResponse(response.status());
  return JsonResponse(*response);
}

}  // namespace

const std::vector<HttpGateway::RouteEntry>& HttpGateway::Table() {
  static const auto* table = [] {
    auto* t = new std::vector<RouteEntry>();
    auto add = [t](std::string_view method, std::string_view pattern,
                   std::optional<Rpc> rpc, RouteFn fn) {
      std::string_view scope = rpc.has_value() ? InfoOf(*rpc).scope : "";
      t->push_back(RouteEntry{HttpRoute{method, pattern, rpc, scope},
                              SplitPattern(pattern), fn});
    };
    add("POST", "/v1/events:ingest", Rpc::kIngest, &HttpGateway::Ingest);
    add("POST", "/v1/events:tag", Rpc::kTagEvent, &HttpGateway::TagEvent);
    add("GET", "/v1/learners/{learner}/recommendations",
        Rpc::kGetRecommendations, &HttpGateway::GetRecommendations);
    add("POST", "/v1/feedback", Rpc::kRecordFeedback,
        &HttpGateway::RecordFeedback);
    add("GET", "/v1/learners/{learner}/profile", Rpc::kGetLearnerProfile,
        &HttpGateway::GetLearnerProfile);
    add("GET", "/v1/orgs/{unit}/overview", Rpc::kGetOrgOverview,
        &HttpGateway::GetOrgOverview);
    add("POST", "/v1/catalogue/activities", Rpc::kUpsertActivities,
        &HttpGateway::UpsertActivities);
    add("GET", "/v1/catalogue/activities", Rpc::kListActivities,
        &HttpGateway::ListActivities);
    add("POST", "/v1/catalogue/paths", Rpc::kUpsertPaths,
        &HttpGateway::UpsertPaths);
    add("GET", "/v1/catalogue/paths", Rpc::kListPaths, &HttpGateway::ListPaths);
    add("GET", "/v1/catalogue/paths:suggest", Rpc::kSuggestPaths,
        &HttpGateway::SuggestPaths);
    add("GET", "/v1/learners/{learner}/data", Rpc::kExportLearnerData,
        &HttpGateway::ExportLearnerData);
    add("DELETE", "/v1/learners/{learner}/data", Rpc::kDeleteLearnerData,
        &HttpGateway::DeleteLearnerData);
    add("PUT", "/v1/learners/{learner}/profiling", Rpc::kSetProfilingOptOut,
        &HttpGateway::SetProfilingOptOut);
    add("POST", "/xapi/statements", Rpc::kIngest, &HttpGateway::XapiPost);
    add("PUT", "/xapi/statements", Rpc::kIngest, &HttpGateway::XapiPut);
    add("GET", "/xapi/about", std::nullopt, &HttpGateway::XapiAbout);
    add("POST", "/caliper", Rpc::kIngest, &HttpGateway::Caliper);
    return t;
  }();
  return *table;
}

const std::vector<HttpRoute>& HttpGateway::Routes() {
  static const auto* routes = [] {
    auto* r = new std::vector<HttpRoute>();
    for (const RouteEntry& e : Table()) r->push_back(e.route);
    return r;
  }();
  return *routes;
}

HttpGateway::HttpGateway(Handlers* handlers, Metrics* metrics, Limiter* limiter)
    : handlers_(handlers), metrics_(metrics), limiter_(limiter) {}

HttpResponse HttpGateway::Handle(const HttpRequest& request) const {
  const auto start = std::chrono::steady_clock::now();
  std::string route_label = "unmatched";
  auto finish = [&](HttpResponse r) {
    if (metrics_ != nullptr) {
      metrics_->ObserveHttp(route_label, r.status,
                            std::chrono::duration<double>(
                                std::chrono::steady_clock::now() - start)
                                .count());
    }
    return r;
  };

  std::string_view target = request.target;
  size_t q = target.find('?');
  std::string_view raw_path = target.substr(0, q);
  std::string_view raw_query =
      q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
  if (raw_path.empty() || raw_path.front() != '/') {
    return finish(
        ErrorResponse(InvalidFieldError("path", "must start with '/'")));
  }
  if (ui_ != nullptr &&
      (raw_path == "/ui" || common::StartsWith(raw_path, "/ui/"))) {
    route_label = "/ui";
    return finish(ui_->Handle(request));
  }
  std::vector<std::string> segments;
  for (std::string_view seg : SplitPattern(raw_path)) {
    std::string decoded;
    if (!PercentDecode(seg, /*plus_is_space=*/false, &decoded)) {
      return finish(
          ErrorResponse(InvalidFieldError("path", "has a bad %-escape")));
    }
    segments.push_back(std::move(decoded));
  }
  Call call;
  call.request = &request;
  while (!raw_query.empty()) {
    size_t amp = raw_query.find('&');
    std::string_view pair = raw_query.substr(0, amp);
    raw_query = amp == std::string_view::npos ? std::string_view()
                                              : raw_query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string key, value;
    if (!PercentDecode(pair.substr(0, eq), true, &key) ||
        !PercentDecode(eq == std::string_view::npos ? std::string_view()
                                                    : pair.substr(eq + 1),
                       true, &value)) {
      return finish(
          ErrorResponse(InvalidFieldError("query", "has a bad %-escape")));
    }
    call.query.emplace(std::move(key), std::move(value));
  }

  const RouteEntry* match = nullptr;
  std::string allowed;
  for (const RouteEntry& e : Table()) {
    if (e.segments.size() != segments.size()) continue;
    std::vector<std::string> params;
    bool ok = true;
    for (size_t i = 0; i < segments.size() && ok; ++i) {
      std::string_view want = e.segments[i];
      if (common::StartsWith(want, "{")) {
        ok = !segments[i].empty();
        params.push_back(segments[i]);
      } else {
        ok = want == segments[i];
      }
    }
    if (!ok) continue;
    if (e.route.method != request.method &&
        !(request.method == "HEAD" && e.route.method == "GET")) {
      common::StrAppend(&allowed, allowed.empty() ? "" : ", ", e.route.method);
      continue;
    }
    match = &e;
    call.params = std::move(params);
    break;
  }
  if (match == nullptr) {
    if (!allowed.empty()) {
      HttpResponse r = ErrorResponse(
          WithHttpStatus(absl::UnimplementedError(StrCat(
                             "method ", request.method.substr(0, 16),
                             " is not allowed here; allowed: ", allowed)),
                         405));
      r.headers.emplace_back("Allow", allowed);
      return finish(std::move(r));
    }
    return finish(ErrorResponse(absl::NotFoundError(
        "no such resource (see the README for the routes)")));
  }
  route_label = StrCat(match->route.method, " ", match->route.pattern);
  const bool xapi = common::StartsWith(match->route.pattern, "/xapi/");

  auto respond = [&](HttpResponse r) {
    if (xapi) {
      auto v = XapiVersion(request);
      r.headers.emplace_back("X-Experience-API-Version", v.ok() ? *v : "1.0.3");
      if (r.status == 401) {
        r.headers.emplace_back("WWW-Authenticate",
                               "Basic realm=\"polku xAPI\"");
      }
    }
    return finish(std::move(r));
  };

  if (match->route.rpc.has_value()) {
    CallInfo info;
    info.peer = request.peer;
    info.allow_basic = xapi;
    for (const auto& [k, v] : request.headers) {
      if (k == "authorization" || k == "x-polku-tenant")
        info.metadata.emplace(k, v);
    }
    auto principal = handlers_->Authenticate(info, *match->route.rpc);
    if (!principal.ok()) return respond(ErrorResponse(principal.status()));
    call.principal = std::move(*principal);
    // The ingest writes (native, xAPI, Caliper) count against the tenant's
    // limits (limits.h); an xAPI PUT is one statement.
    if (limiter_ != nullptr && *match->route.rpc == Rpc::kIngest) {
      std::string_view member = match->route.pattern == "/caliper" ? "data"
                                : xapi                             ? ""
                                                                   : "events";
      size_t events =
          request.method == "PUT" ? 1 : CountEventsInJson(request.body, member);
      if (auto s = limiter_->Admit(call.principal.tenant, events,
                                   member.empty() ? "statements" : member);
          !s.ok()) {
        return respond(ErrorResponse(s));
      }
    }
  }
  return respond((this->*(match->fn))(call));
}

HttpResponse HttpGateway::Ingest(const Call& call) const {
  return JsonRpc(handlers_, *call.request, call.principal, v1::IngestRequest(),
                 true, &Handlers::Ingest);
}

HttpResponse HttpGateway::TagEvent(const Call& call) const {
  return JsonRpc(handlers_, *call.request, call.principal,
                 v1::TagEventRequest(), true, &Handlers::TagEvent);
}

HttpResponse HttpGateway::GetRecommendations(const Call& call) const {
  v1::GetRecommendationsRequest request;
  request.set_learner(call.params[0]);
  auto k = QueryInt(call.query, "k", 0);
  if (!k.ok()) return ErrorResponse(k.status());
  request.set_k(*k);
  request.set_locale(QueryString(call.query, "locale"));
  return JsonRpc(handlers_, *call.request, call.principal, std::move(request),
                 false, &Handlers::GetRecommendations);
}

HttpResponse HttpGateway::RecordFeedback(const Call& call) const {
  return JsonRpc(handlers_, *call.request, call.principal,
                 v1::RecordFeedbackRequest(), true, &Handlers::RecordFeedback);
}

HttpResponse HttpGateway::GetLearnerProfile(const Call& call) const {
  v1::GetLearnerProfileRequest request;
  request.set_learner(call.params[0]);
  request.set_locale(QueryString(call.query, "locale"));
  return JsonRpc(handlers_, *call.request, call.principal, std::move(request),
                 false, &Handlers::GetLearnerProfile);
}

HttpResponse HttpGateway::GetOrgOverview(const Call& call) const {
  v1::GetOrgOverviewRequest request;
  request.set_org_unit(call.params[0] == "-" ? std::string() : call.params[0]);
  auto weeks = QueryInt(call.query, "weeks", 0);
  if (!weeks.ok()) return ErrorResponse(weeks.status());
  request.set_weeks(*weeks);
  return JsonRpc(handlers_, *call.request, call.principal, std::move(request),
                 false, &Handlers::GetOrgOverview);
}

HttpResponse HttpGateway::UpsertActivities(const Call& call) const {
  return JsonRpc(handlers_, *call.request, call.principal,
                 v1::UpsertActivitiesRequest(), true,
                 &Handlers::UpsertActivities);
}

HttpResponse HttpGateway::ListActivities(const Call& call) const {
  v1::ListActivitiesRequest request;
  auto size = QueryInt(call.query, "page_size", 0);
  if (!size.ok()) return ErrorResponse(size.status());
  request.set_page_size(*size);
  request.set_page_token(QueryString(call.query, "page_token"));
  return JsonRpc(handlers_, *call.request, call.principal, std::move(request),
                 false, &Handlers::ListActivities);
}

HttpResponse HttpGateway::UpsertPaths(const Call& call) const {
  return JsonRpc(handlers_, *call.request, call.principal,
                 v1::UpsertPathsRequest(), true, &Handlers::UpsertPaths);
}

HttpResponse HttpGateway::ListPaths(const Call& call) const {
  v1::ListPathsRequest request;
  auto size = QueryInt(call.query, "page_size", 0);
  if (!size.ok()) return ErrorResponse(size.status());
  request.set_page_size(*size);
  request.set_page_token(QueryString(call.query, "page_token"));
  return JsonRpc(handlers_, *call.request, call.principal, std::move(request),
                 false, &Handlers::ListPaths);
}

HttpResponse HttpGateway::SuggestPaths(const Call& call) const {
  v1::SuggestPathsRequest request;
  auto max = QueryInt(call.query, "max_suggestions", 0);
  if (!max.ok()) return ErrorResponse(max.status());
  auto support = QueryInt(call.query, "min_support", 0);
  if (!support.ok()) return ErrorResponse(support.status());
  request.set_max_suggestions(*max);
  request.set_min_support(*support);
  return JsonRpc(handlers_, *call.request, call.principal, std::move(request),
                 false, &Handlers::SuggestPaths);
}

HttpResponse HttpGateway::ExportLearnerData(const Call& call) const {
  v1::ExportLearnerDataRequest request;
  request.set_learner(call.params[0]);
  return JsonRpc(handlers_, *call.request, call.principal, std::move(request),
                 false, &Handlers::ExportLearnerData);
}

HttpResponse HttpGateway::DeleteLearnerData(const Call& call) const {
  v1::DeleteLearnerDataRequest request;
  request.set_learner(call.params[0]);
  return JsonRpc(handlers_, *call.request, call.principal, std::move(request),
                 false, &Handlers::DeleteLearnerData);
}

HttpResponse HttpGateway::SetProfilingOptOut(const Call& call) const {
  // The body gives the choice; the learner always comes from the path.
  v1::SetProfilingOptOutRequest request;
  if (auto s = ParseMessageBody(*call.request, call.principal, &request);
      !s.ok()) {
    return ErrorResponse(s);
  }
  request.set_learner(call.params[0]);
  auto response = handlers_->SetProfilingOptOut(call.principal, request);
  if (!response.ok()) return ErrorResponse(response.status());
  return JsonResponse(*response);
}

HttpResponse HttpGateway::XapiAbout(const Call& call) const {
  HttpResponse r;
  r.body =
      R"json({"version":["1.0.3","2.0.0"],"extensions":{"https://polku.dev/xapi/about":"Polku accepts statements; it is not a full LRS (no statement queries)"}})json";
  return r;
}

HttpResponse HttpGateway::XapiPost(const Call& call) const {
  const HttpRequest& request = *call.request;
  if (auto v = XapiVersion(request); !v.ok()) return ErrorResponse(v.status());
  if (MediaType(FirstHeader(request, "content-type")) == "multipart/mixed") {
    return ErrorResponse(WithHttpStatus(
        InvalidFieldError(
            "content-type",
            "statements with attachments (multipart/mixed) are not "
            "supported; send application/json"),
        415));
  }
  auto root = ParseBody(request, /*empty_is_object=*/false);
  if (!root.ok()) return ErrorResponse(root.status());
  std::vector<ingest::SourceEvent> items;
  std::vector<std::string> own_ids;
  bool is_array = root->is_array();
  if (is_array) {
    simdjson::dom::array list = root->get_array().value_unsafe();
    if (list.size() == 0) {
      return ErrorResponse(
          InvalidFieldError("statements", "is an empty array"));
    }
    if (list.size() > kMaxStatements) {
      return ErrorResponse(InvalidFieldError(
          "statements",
          StrCat("holds ", list.size(), " statements; the limit is ",
                 kMaxStatements, " per request")));
    }
    size_t index = 0;
    for (simdjson::dom::element e : list) {
      if (auto s = CheckBodyTenant(e, call.principal,
                                   StrCat("statements[", index++, "].tenant"));
          !s.ok()) {
        return ErrorResponse(s);
      }
      ingest::SourceEvent& item = items.emplace_back();
      item.format = ingest::SourceFormat::kXapi;
      item.payload = simdjson::minify(e);
      own_ids.push_back(OwnId(e));
    }
  } else if (root->is_object()) {
    if (auto s = CheckBodyTenant(*root, call.principal, "statement.tenant");
        !s.ok()) {
      return ErrorResponse(s);
    }
    ingest::SourceEvent& item = items.emplace_back();
    item.format = ingest::SourceFormat::kXapi;
    item.payload = request.body;
    own_ids.push_back(OwnId(*root));
  } else {
    return ErrorResponse(InvalidFieldError(
        "body", "must be a statement or an array of statements"));
  }
  auto result = handlers_->IngestAllOrNothing(
      call.principal, std::move(items), own_ids,
      [is_array](size_t index, std::string_view field) {
        return JoinField(is_array ? StrCat("statements[", index, "]")
                                  : std::string("statement"),
                         field);
      });
  if (!result.ok()) return ErrorResponse(result.status());
  common::JsonWriter w;
  w.BeginArray();
  for (const std::string& id : result->ids) w.String(id);
  w.EndArray();
  HttpResponse r;
  r.body = w.Take();
  return r;
}

HttpResponse HttpGateway::XapiPut(const Call& call) const {
  const HttpRequest& request = *call.request;
  if (auto v = XapiVersion(request); !v.ok()) return ErrorResponse(v.status());
  std::string id = common::AsciiToLower(QueryString(call.query, "statementId"));
  if (id.empty())
    return ErrorResponse(InvalidFieldError("statementId", "is required"));
  if (!common::IsUuid(id)) {
    return ErrorResponse(InvalidFieldError("statementId", "must be a UUID"));
  }
  auto root = ParseBody(request, /*empty_is_object=*/false);
  if (!root.ok()) return ErrorResponse(root.status());
  simdjson::dom::object object;
  if (root->get_object().get(object)) {
    return ErrorResponse(
        InvalidFieldError("statement", "must be one statement object"));
  }
  if (auto s = CheckBodyTenant(*root, call.principal, "statement.tenant");
      !s.ok()) {
    return ErrorResponse(s);
  }
  ingest::SourceEvent item;
  item.format = ingest::SourceFormat::kXapi;
  simdjson::dom::element own_id;
  if (!object.at_key("id").get(own_id)) {
    std::string_view text;
    if (own_id.get_string().get(text) || common::AsciiToLower(text) != id) {
      return ErrorResponse(InvalidFieldError(
          "statement.id", "differs from the statementId parameter"));
    }
    item.payload = request.body;
  } else {
    std::string prepend = "\"id\":";
    common::JsonWriter::AppendQuoted(id, prepend);
    item.payload = RebuildObject(object, "id", prepend);
  }
  std::vector<ingest::SourceEvent> items;
  items.push_back(std::move(item));
  auto result =
      handlers_->IngestAllOrNothing(call.principal, std::move(items), {id},
                                    [](size_t, std::string_view field) {
                                      return JoinField("statement", field);
                                    });
  if (!result.ok()) return ErrorResponse(result.status());
  HttpResponse r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

HttpResponse HttpGateway::Caliper(const Call& call) const {
  const HttpRequest& request = *call.request;
  auto root = ParseBody(request, /*empty_is_object=*/false);
  if (!root.ok()) return ErrorResponse(root.status());
  simdjson::dom::object envelope;
  if (root->get_object().get(envelope)) {
    return ErrorResponse(
        InvalidFieldError("body", "must be a Caliper envelope object"));
  }
  if (auto s = CheckBodyTenant(*root, call.principal, "tenant"); !s.ok()) {
    return ErrorResponse(s);
  }
  simdjson::dom::element data;
  if (envelope.at_key("data").get(data)) {
    return ErrorResponse(
        InvalidFieldError("data",
                          "is required (POST an envelope {sensor, sendTime, "
                          "dataVersion, data})"));
  }
  simdjson::dom::array list;
  if (data.get_array().get(list)) {
    return ErrorResponse(InvalidFieldError("data", "must be an array"));
  }
  if (list.size() == 0)
    return ErrorResponse(InvalidFieldError("data", "is empty"));
  if (list.size() > kMaxStatements) {
    return ErrorResponse(InvalidFieldError(
        "data", StrCat("holds ", list.size(), " entries; the limit is ",
                       kMaxStatements, " per envelope")));
  }
  // Each event travels in an envelope of its own with the same sensor,
  // sendTime and dataVersion, so the normaliser checks those too and the
  // results are per event. Entities described apart are not learning
  // events; they are skipped.
  std::string head = RebuildObject(envelope, "data", "");
  head.pop_back();  // '}'
  if (head.size() > 1) head.push_back(',');
  head.append("\"data\":[");
  std::vector<ingest::SourceEvent> items;
  std::vector<std::string> own_ids;
  std::vector<size_t> entry_of;  // item -> index in data[]
  size_t index = 0;
  for (simdjson::dom::element e : list) {
    simdjson::dom::object event;
    if (e.get_object().get(event)) {
      return ErrorResponse(
          InvalidFieldError(StrCat("data[", index, "]"),
                            "must be a Caliper event or entity object"));
    }
    std::string_view type;
    bool is_event = !event.at_key("action").error() ||
                    (!event.at_key("type").get_string().get(type) &&
                     (type == "Event" || common::EndsWith(type, "Event")));
    if (is_event) {
      ingest::SourceEvent& item = items.emplace_back();
      item.format = ingest::SourceFormat::kCaliper;
      item.payload = StrCat(head, simdjson::minify(e), "]}");
      own_ids.push_back(OwnId(e));
      entry_of.push_back(index);
    }
    ++index;
  }
  if (items.empty()) {
    return ErrorResponse(InvalidFieldError(
        "data",
        "holds only entities and no event (an entity alone is not a "
        "learning event)"));
  }
  auto result = handlers_->IngestAllOrNothing(
      call.principal, std::move(items), own_ids,
      [&entry_of](size_t item, std::string_view field) {
        // The normaliser names fields of the one-event envelope.
        if (common::StartsWith(field, "data[0]")) {
          return StrCat("data[", entry_of[item], "]", field.substr(7));
        }
        return field.empty() ? StrCat("data[", entry_of[item], "]")
                             : std::string(field);
      });
  if (!result.ok()) return ErrorResponse(result.status());
  common::JsonWriter w;
  w.BeginObject();
  w.Key("accepted");
  w.Int(result->accepted);
  w.Key("duplicates");
  w.Int(result->duplicates);
  w.Key("erased");
  w.Int(result->erased);
  w.Key("ignored");
  w.Int(result->ignored);
  w.Key("ids");
  w.BeginArray();
  for (const std::string& id : result->ids) w.String(id);
  w.EndArray();
  w.EndObject();
  HttpResponse r;
  r.body = w.Take();
  return r;
}

}  // namespace polku::api
