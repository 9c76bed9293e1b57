#include "api/http_gateway.h"

#include <memory>

#include "common/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "model/tagger_registry.h"
#include "store/in_memory_event_store.h"

namespace polku::api {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr int64_t kNow = 1767225600000;  // 2026-01-01T00:00:00Z
constexpr char kId1[] = "11111111-1111-4111-8111-111111111111";

std::string Statement(const std::string& id, double score = 0.5) {
  return R"({"id":")" + id +
         R"(","actor":{"account":{"homePage":"https://lms.example","name":"42"}},"verb":{"id":"http://adlnet.gov/expapi/verbs/completed"},"object":{"id":"https://lms.example/course/view.php?id=2","definition":{"type":"http://adlnet.gov/expapi/activities/course"}},"result":{"score":{"scaled":)" +
         std::to_string(score) + R"(}},"timestamp":"2025-06-01T10:00:00Z"})";
}

// "Bearer a" is tenant-a with every scope; "Bearer a-events" has only
// events:write; anything else is refused.
class FakeAuthenticator final : public Authenticator {
 public:
  absl::StatusOr<Principal> Authenticate(
      const CallInfo& call, std::string_view scope) const override {
    auto it = call.metadata.find("authorization");
    if (it == call.metadata.end())
      return absl::UnauthenticatedError("no credentials");
    if (it->second == "Bearer a") return Principal{"tenant-a", "a"};
    if (it->second == "Bearer a-events") {
      if (scope != kScopeEventsWrite)
        return absl::PermissionDeniedError("scope");
      return Principal{"tenant-a", "a-events"};
    }
    return absl::UnauthenticatedError("bad key");
  }
};

class HttpGatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto taggers = model::TaggerRegistry::Create(
        POLKU_SOURCE_DIR "/deploy/config/rules.yaml", "");
    ASSERT_TRUE(taggers.ok()) << taggers.status();
    taggers_ = std::move(*taggers);
    ingestor_ =
        std::make_unique<ingest::Ingestor>(&store_, taggers_.get(), &clock_);
    handlers_ = std::make_unique<Handlers>(ingestor_.get(), &store_, &auth_,
                                           &metrics_, &clock_);
    gateway_ = std::make_unique<HttpGateway>(handlers_.get(), &metrics_);
  }
  HttpResponse Call(const std::string& method, const std::string& target,
                    const std::string& body = "", const std::string& key = "a",
                    const std::string& content_type = "application/json") {
    HttpRequest r;
    r.method = method;
    r.target = target;
    r.body = body;
    r.peer = "ipv4:127.0.0.1:1000";
    if (!key.empty()) r.headers.emplace("authorization", "Bearer " + key);
    if (!body.empty()) r.headers.emplace("content-type", content_type);
    if (target.rfind("/xapi/", 0) == 0) {
      r.headers.emplace("x-experience-api-version", "1.0.3");
    }
    return gateway_->Handle(r);
  }

  common::ManualClock clock_{kNow};
  store::InMemoryEventStore store_;
  std::unique_ptr<model::TaggerRegistry> taggers_;
  std::unique_ptr<ingest::Ingestor> ingestor_;
  FakeAuthenticator auth_;
  Metrics metrics_;
  std::unique_ptr<Handlers> handlers_;
  std::unique_ptr<HttpGateway> gateway_;
};

TEST(HttpStatus, FollowsGooglesMapping) {
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kUnauthenticated), 401);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kPermissionDenied), 403);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kAlreadyExists), 409);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kUnimplemented), 501);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kUnavailable), 503);
}

TEST(ErrorJson, CarriesCodeStatusMessageAndField) {
  absl::Status s = absl::InvalidArgumentError("x: is required");
  s.SetPayload("type.polku.dev/polku.FieldViolation", absl::Cord("x"));
  EXPECT_EQ(
      ErrorJson(s),
      R"({"error":{"code":3,"status":"INVALID_ARGUMENT","message":"x: is required","field":"x"}})");
}

TEST(Routes, EveryRouteWithAnRpcNeedsItsScope) {
  int with_rpc = 0;
  for (const HttpRoute& r : HttpGateway::Routes()) {
    if (!r.rpc.has_value()) continue;
    ++with_rpc;
    EXPECT_EQ(r.scope, InfoOf(*r.rpc).scope) << r.pattern;
  }
  EXPECT_EQ(with_rpc, 17);
}

TEST_F(HttpGatewayTest, IngestsNativeJsonAndExportsIt) {
  std::string body =
      R"({"events":[{"source":{"format":"SOURCE_FORMAT_XAPI","payload":)";
  std::string payload;
  for (char c : Statement(kId1)) {
    if (c == '"') payload += '\\';
    payload += c;
  }
  body += "\"" + payload + "\"}}]}";
  HttpResponse r = Call("POST", "/v1/events:ingest", body);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.body, HasSubstr("\"accepted\":1"));
  EXPECT_THAT(r.body, HasSubstr("EVENT_OUTCOME_ACCEPTED"));
  r = Call("GET", "/v1/learners/lms.example%2342/data");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.body, HasSubstr(kId1));
}

TEST_F(HttpGatewayTest, UnknownRoutesAre404AndWrongMethods405) {
  EXPECT_EQ(Call("GET", "/v1/nothing").status, 404);
  HttpResponse r = Call("GET", "/v1/events:ingest");
  EXPECT_EQ(r.status, 405);
  EXPECT_THAT(r.body, HasSubstr("POST"));
}

TEST_F(HttpGatewayTest, MissingOrBadCredentialsAre401WithAChallenge) {
  HttpResponse r = Call("POST", "/v1/events:ingest", "{}", "");
  EXPECT_EQ(r.status, 401);
  EXPECT_THAT(r.body, HasSubstr("\"status\":\"UNAUTHENTICATED\""));
  bool challenge = false;
  for (const auto& [k, v] : r.headers) challenge |= k == "WWW-Authenticate";
  EXPECT_TRUE(challenge);
  EXPECT_EQ(Call("POST", "/v1/events:ingest", "{}", "nope").status, 401);
}

TEST_F(HttpGatewayTest, KeyWithoutTheRoutesScopeIs403) {
  EXPECT_EQ(Call("GET", "/v1/learners/x/data", "", "a-events").status, 403);
  EXPECT_EQ(Call("DELETE", "/v1/learners/x/data", "", "a-events").status, 403);
}

TEST_F(HttpGatewayTest, LearningRoutesWithoutALearningStoreSaySoAsJson) {
  // This fixture's store keeps events only (see HandlersTest).
  HttpResponse r =
      Call("GET", "/v1/learners/lms.example%2342/recommendations?k=3");
  EXPECT_EQ(r.status, HttpStatusOf(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(r.body, HasSubstr("\"status\":\"FAILED_PRECONDITION\""));
  EXPECT_THAT(r.body, HasSubstr("keeps no learning state"));
  EXPECT_EQ(Call("GET", "/v1/orgs/-/overview?weeks=4").status, r.status);
  EXPECT_EQ(Call("POST", "/v1/feedback", R"({"learner":"x"})").status,
            r.status);
}

TEST_F(HttpGatewayTest, BodyProblemsAreSpecific4xx) {
  EXPECT_EQ(Call("POST", "/v1/events:ingest", "{}", "a", "text/plain").status,
            415);
  HttpResponse bad_json = Call("POST", "/v1/events:ingest", "{\"events\": [");
  EXPECT_EQ(bad_json.status, 400);
  EXPECT_THAT(bad_json.body, HasSubstr("not valid JSON"));
  HttpResponse utf8 =
      Call("POST", "/v1/events:ingest", "{\"locale\": \"\xff\xfe\"}");
  EXPECT_EQ(utf8.status, 400);
  EXPECT_THAT(utf8.body, HasSubstr("UTF-8"));
  HttpResponse wrong_type =
      Call("POST", "/v1/events:ingest", R"({"events": 5})");
  EXPECT_EQ(wrong_type.status, 400);
  HttpResponse unknown = Call("POST", "/v1/events:ingest", R"({"evnts": []})");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(Call("GET", "/v1/learners/x/recommendations?k=many").status, 400);
  EXPECT_EQ(Call("GET", "/v1/learners/x%zz/data").status, 400);
}

TEST_F(HttpGatewayTest, BodyNamingAnotherTenantIs403AndTheOwnTenantIsFine) {
  HttpResponse r =
      Call("POST", "/v1/events:tag", R"({"tenant":"tenant-b","event":{}})");
  EXPECT_EQ(r.status, 403);
  EXPECT_THAT(r.body, HasSubstr("\"field\":\"tenant\""));
  std::string body = R"({"tenant":"tenant-a","event":{"native":{"event_id":")" +
                     std::string(kId1) + R"("}}})";
  EXPECT_EQ(Call("POST", "/v1/events:tag", body).status, 200);
}

TEST_F(HttpGatewayTest,
       XapiStatementOrCaliperEnvelopeNamingAnotherTenantIs403) {
  std::string s = Statement(kId1);
  s.insert(1, "\"tenant\":\"tenant-b\",");
  HttpResponse r =
      Call("POST", "/xapi/statements", "[" + Statement(kId1) + "," + s + "]");
  EXPECT_EQ(r.status, 403);
  EXPECT_THAT(r.body, HasSubstr("statements[1].tenant"));
  EXPECT_EQ(Call("PUT", std::string("/xapi/statements?statementId=") + kId1, s)
                .status,
            403);
  EXPECT_EQ(Call("POST", "/caliper",
                 R"({"tenant":"tenant-b","sensor":"s","data":[]})")
                .status,
            403);
  EXPECT_EQ(*store_.Count("tenant-a"), 0);
}

TEST_F(HttpGatewayTest, XapiPostReturnsIdsAndIsAllOrNothing) {
  HttpResponse r =
      Call("POST", "/xapi/statements", "[" + Statement(kId1) + "]");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, "[\"" + std::string(kId1) + "\"]");
  r = Call("POST", "/xapi/statements", Statement(kId1));  // same again
  EXPECT_EQ(r.status, 200) << r.body;
  r = Call("POST", "/xapi/statements", Statement(kId1, 0.9));
  EXPECT_EQ(r.status, 409) << r.body;
  r = Call("POST", "/xapi/statements",
           "[" + Statement("22222222-2222-4222-8222-222222222222") +
               ",{\"id\":\"x\"}]");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("statements[1].id"));
  EXPECT_EQ(*store_.Count("tenant-a"), 1);
}

TEST_F(HttpGatewayTest, XapiNeedsTheVersionHeader) {
  HttpRequest r;
  r.method = "POST";
  r.target = "/xapi/statements";
  r.body = Statement(kId1);
  r.headers.emplace("authorization", "Bearer a");
  r.headers.emplace("content-type", "application/json");
  HttpResponse resp = gateway_->Handle(r);
  EXPECT_EQ(resp.status, 400);
  EXPECT_THAT(resp.body, HasSubstr("X-Experience-API-Version"));
}

TEST_F(HttpGatewayTest, XapiPutChecksTheIdAndAnswers204) {
  std::string id = "33333333-3333-4333-8333-333333333333";
  std::string without_id = Statement(id);
  without_id.replace(0, without_id.find(',') + 1, "{");
  HttpResponse r =
      Call("PUT", "/xapi/statements?statementId=" + id, without_id);
  EXPECT_EQ(r.status, 204) << r.body;
  EXPECT_EQ(
      Call("PUT", "/xapi/statements?statementId=" + id, Statement(id)).status,
      204);
  EXPECT_EQ(
      Call("PUT", "/xapi/statements?statementId=" + id, Statement(id, 0.1))
          .status,
      409);
  EXPECT_EQ(Call("PUT", "/xapi/statements?statementId=" + std::string(kId1),
                 Statement(id))
                .status,
            400);
  EXPECT_EQ(
      Call("PUT", "/xapi/statements?statementId=nope", Statement(id)).status,
      400);
}

TEST_F(HttpGatewayTest, XapiAboutNeedsNoCredentials) {
  HttpResponse r = Call("GET", "/xapi/about", "", "");
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("1.0.3"));
}

TEST_F(HttpGatewayTest, CaliperEnvelopeNeedsData) {
  EXPECT_EQ(Call("POST", "/caliper", R"({"sensor":"s"})").status, 400);
  EXPECT_EQ(Call("POST", "/caliper", R"({"sensor":"s","data":[]})").status,
            400);
  HttpResponse r = Call(
      "POST", "/caliper",
      R"({"sensor":"s","sendTime":"2025-01-01T00:00:00Z","dataVersion":"http://purl.imsglobal.org/ctx/caliper/v1p2","data":[{"id":"x","type":"Person"}]})");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("only entities"));
}

}  // namespace
}  // namespace polku::api
