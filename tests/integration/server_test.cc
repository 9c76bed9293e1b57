// End-to-end tests of polku-server: the real binary on free loopback ports,
// called over real gRPC.
#include <google/protobuf/util/time_util.h>
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <sqlite3.h>

#include <chrono>
#include <set>
#include <thread>

#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "integration/server_process.h"
#include "polku/v1/catalogue_service.grpc.pb.h"
#include "polku/v1/event_service.grpc.pb.h"
#include "polku/v1/insight_service.grpc.pb.h"
#include "polku/v1/privacy_service.grpc.pb.h"
#include "polku/v1/recommendation_service.grpc.pb.h"

namespace polku::testing {
namespace {

namespace v1 = ::polku::v1;
using ::google::protobuf::util::TimeUtil;
using ::testing::HasSubstr;

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A native event: learner `learner` completed course `course`.
v1::IngestItem NativeEvent(const std::string& id,
                           const std::string& learner = "lms.example#1",
                           v1::Verb verb = v1::VERB_COMPLETED) {
  v1::IngestItem item;
  v1::LearningEvent* e = item.mutable_native();
  e->set_event_id(id);
  e->mutable_source()->set_platform(v1::PLATFORM_NATIVE);
  e->mutable_source()->set_instance("lms.example");
  // One fixed time per test run, so that a resend has the same content.
  static const int64_t kOccurredAt = NowMillis() - 3600 * 1000;
  *e->mutable_occurred_at() = TimeUtil::MillisecondsToTimestamp(kOccurredAt);
  e->mutable_learner()->set_key(learner);
  e->set_verb(verb);
  e->mutable_object()->set_type(v1::OBJECT_TYPE_COURSE);
  e->mutable_object()->set_id("lms.example/course/view.php?id=2");
  e->mutable_context()->set_required(true);
  e->set_initiator(v1::INITIATOR_SELF);
  return item;
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>();
    ASSERT_TRUE(server_->Start()) << "polku-server did not start; see "
                                  << server_->data_dir() << "/server.log";
    Connect();
  }
  void Connect() {
    channel_ = grpc::CreateChannel(server_->grpc_address(),
                                   grpc::InsecureChannelCredentials());
    events_ = v1::EventService::NewStub(channel_);
    privacy_ = v1::PrivacyService::NewStub(channel_);
  }
  std::unique_ptr<grpc::ClientContext> Context(
      const std::string& tenant = "acme") {
    auto c = std::make_unique<grpc::ClientContext>();
    c->AddMetadata("x-polku-tenant", tenant);
    c->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::seconds(30));
    return c;
  }
  v1::IngestResponse Ingest(const std::vector<v1::IngestItem>& items,
                            const std::string& tenant = "acme") {
    v1::IngestRequest req;
    for (const auto& i : items) *req.add_events() = i;
    v1::IngestResponse resp;
    auto ctx = Context(tenant);
    grpc::Status s = events_->Ingest(ctx.get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp;
  }
  // Rows in the events table, read straight from the SQLite file.
  int64_t RowsInDatabase(const std::string& where = "1=1") {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open_v2(server_->db_path().c_str(), &db,
                              SQLITE_OPEN_READONLY, nullptr),
              SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    std::string sql = "SELECT count(*) FROM events WHERE " + where;
    sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr);
    int64_t n = -1;
    if (sqlite3_step(stmt) == SQLITE_ROW) n = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return n;
  }

  std::unique_ptr<ServerProcess> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::EventService::Stub> events_;
  std::unique_ptr<v1::PrivacyService::Stub> privacy_;
};

TEST_F(ServerTest, HealthCheckAnswersServing) {
  auto stub = grpc::health::v1::Health::NewStub(channel_);
  grpc::ClientContext ctx;
  grpc::health::v1::HealthCheckRequest req;
  grpc::health::v1::HealthCheckResponse resp;
  ASSERT_TRUE(stub->Check(&ctx, req, &resp).ok());
  EXPECT_EQ(resp.status(), grpc::health::v1::HealthCheckResponse::SERVING);

  std::string out;
  EXPECT_EQ(
      RunCommand(std::string(POLKU_BINARY_DIR "/bin/polku health --address=") +
                     server_->grpc_address(),
                 &out),
      0);
  EXPECT_EQ(out, "SERVING\n");
}

TEST_F(ServerTest, PolkuHealthFailsWhenNothingListens) {
  std::string out;
  EXPECT_EQ(
      RunCommand(POLKU_BINARY_DIR
                 "/bin/polku health --address=127.0.0.1:1 --timeout_ms=500",
                 &out),
      1);
  EXPECT_THAT(out, HasSubstr("NOT_SERVING"));
}

TEST_F(ServerTest, SameBatchTwiceIsDuplicateAndChangedContentIsConflict) {
  std::vector<v1::IngestItem> batch = {NativeEvent("e-1"), NativeEvent("e-2"),
                                       NativeEvent("e-3", "lms.example#2")};
  v1::IngestResponse first = Ingest(batch);
  ASSERT_EQ(first.results_size(), 3);
  EXPECT_EQ(first.accepted(), 3);
  for (const auto& r : first.results()) {
    EXPECT_EQ(r.outcome(), v1::EVENT_OUTCOME_ACCEPTED) << r.error().message();
    EXPECT_NE(r.tags().mode(), v1::MODE_UNSPECIFIED);
    EXPECT_GT(r.tags().evidence_size(), 0);
  }
  v1::IngestResponse second = Ingest(batch);
  EXPECT_EQ(second.duplicates(), 3);
  for (const auto& r : second.results()) {
    EXPECT_EQ(r.outcome(), v1::EVENT_OUTCOME_DUPLICATE);
  }
  v1::IngestItem changed = NativeEvent("e-2");
  changed.mutable_native()->mutable_result()->set_score_scaled(0.5);
  v1::IngestResponse third = Ingest({changed});
  ASSERT_EQ(third.results_size(), 1);
  EXPECT_EQ(third.results(0).outcome(), v1::EVENT_OUTCOME_CONFLICT);
  EXPECT_EQ(third.results(0).error().code(), grpc::ALREADY_EXISTS);
  EXPECT_EQ(RowsInDatabase(), 3);
  EXPECT_EQ(RowsInDatabase("event_id='e-2'"), 1);
}

TEST_F(ServerTest, MalformedEventsAreRejectedPerEventNamingTheField) {
  v1::IngestItem missing_id = NativeEvent("");
  v1::IngestItem unknown_enum = NativeEvent("e-enum");
  unknown_enum.mutable_native()->set_verb(static_cast<v1::Verb>(999));
  v1::IngestItem future = NativeEvent("e-future");
  *future.mutable_native()->mutable_occurred_at() =
      TimeUtil::MillisecondsToTimestamp(NowMillis() + 24 * 3600 * 1000);
  v1::IngestItem no_learner = NativeEvent("e-nolearner", "");
  v1::IngestResponse resp =
      Ingest({NativeEvent("ok-1"), missing_id, unknown_enum, future, no_learner,
              NativeEvent("ok-2")});
  ASSERT_EQ(resp.results_size(), 6);
  EXPECT_EQ(resp.accepted(), 2);
  EXPECT_EQ(resp.rejected(), 4);
  EXPECT_EQ(resp.results(0).outcome(), v1::EVENT_OUTCOME_ACCEPTED);
  EXPECT_EQ(resp.results(5).outcome(), v1::EVENT_OUTCOME_ACCEPTED);
  const char* fields[] = {"events[1].event_id", "events[2].native.verb",
                          "events[3].occurred_at", "events[4].learner.key"};
  for (int i = 1; i <= 4; ++i) {
    const auto& r = resp.results(i);
    EXPECT_EQ(r.item_index(), i);
    EXPECT_EQ(r.outcome(), v1::EVENT_OUTCOME_REJECTED);
    EXPECT_EQ(r.error().code(), grpc::INVALID_ARGUMENT);
    ASSERT_EQ(r.error().field_violations_size(), 1) << r.error().message();
    EXPECT_EQ(r.error().field_violations(0).field(), fields[i - 1]);
  }
  EXPECT_EQ(RowsInDatabase(), 2);
}

TEST_F(ServerTest, EmptyBatchIsInvalidArgumentWithBadRequestDetails) {
  v1::IngestRequest req;
  v1::IngestResponse resp;
  auto ctx = Context();
  grpc::Status s = events_->Ingest(ctx.get(), req, &resp);
  EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("events"));
  EXPECT_FALSE(s.error_details().empty());  // google.rpc.Status with BadRequest
}

TEST_F(ServerTest, AcknowledgedEventsSurviveKillNine) {
  std::set<std::string> acknowledged;
  for (int batch = 0; batch < 20; ++batch) {
    std::vector<v1::IngestItem> items;
    for (int i = 0; i < 25; ++i) {
      items.push_back(
          NativeEvent("k-" + std::to_string(batch) + "-" + std::to_string(i),
                      "lms.example#" + std::to_string(i % 7)));
    }
    v1::IngestResponse resp = Ingest(items);
    for (const auto& r : resp.results()) {
      if (r.outcome() == v1::EVENT_OUTCOME_ACCEPTED)
        acknowledged.insert(r.event_id());
    }
  }
  ASSERT_EQ(acknowledged.size(), 500u);
  server_->Kill();
  std::string dir = server_->data_dir();
  server_ = std::make_unique<ServerProcess>(dir);
  ASSERT_TRUE(server_->Start());
  EXPECT_EQ(RowsInDatabase(), 500);
  // Every acknowledged id is there, and resending them is DUPLICATE.
  Connect();
  std::vector<v1::IngestItem> again;
  for (int i = 0; i < 25; ++i) {
    again.push_back(NativeEvent("k-0-" + std::to_string(i),
                                "lms.example#" + std::to_string(i % 7)));
  }
  EXPECT_EQ(Ingest(again).duplicates(), 25);
}

TEST_F(ServerTest, IngestStreamAcknowledgesEachChunkInOrder) {
  auto ctx = Context();
  auto stream = events_->IngestStream(ctx.get());
  for (int chunk = 0; chunk < 5; ++chunk) {
    v1::IngestStreamRequest req;
    req.set_chunk_id(100 + chunk);
    for (int i = 0; i < 10; ++i) {
      *req.add_events() =
          NativeEvent("s-" + std::to_string(chunk) + "-" + std::to_string(i));
    }
    ASSERT_TRUE(stream->Write(req));
    v1::IngestStreamResponse ack;
    ASSERT_TRUE(stream->Read(&ack));
    EXPECT_EQ(ack.chunk_id(), 100 + chunk);
    EXPECT_EQ(ack.accepted(), 10);
    EXPECT_EQ(ack.results_size(), 0);  // only exceptions are listed by default
  }
  stream->WritesDone();
  EXPECT_TRUE(stream->Finish().ok());
  EXPECT_EQ(RowsInDatabase(), 50);
}

TEST_F(ServerTest, TagEventTagsWithoutStoring) {
  v1::TagEventRequest req;
  *req.mutable_event() = NativeEvent("t-1");
  req.set_locale("fi");
  v1::TagEventResponse resp;
  auto ctx = Context();
  ASSERT_TRUE(events_->TagEvent(ctx.get(), req, &resp).ok());
  ASSERT_EQ(resp.events_size(), 1);
  EXPECT_NE(resp.events(0).tags().mode(), v1::MODE_UNSPECIFIED);
  ASSERT_GT(resp.events(0).tags().evidence_size(), 0);
  EXPECT_FALSE(resp.events(0).tags().evidence(0).reason().empty());
  EXPECT_EQ(RowsInDatabase(), 0);
}

TEST_F(ServerTest, TenantsDoNotSeeEachOthersEvents) {
  Ingest({NativeEvent("same-id")}, "acme");
  v1::IngestResponse other = Ingest({NativeEvent("same-id")}, "globex");
  EXPECT_EQ(other.accepted(), 1);
  v1::ExportLearnerDataRequest req;
  req.set_learner("lms.example#1");
  v1::ExportLearnerDataResponse resp;
  auto ctx = Context("initech");
  ASSERT_TRUE(privacy_->ExportLearnerData(ctx.get(), req, &resp).ok());
  EXPECT_EQ(resp.events_json_size(), 0);
}

TEST_F(ServerTest, DeletedLearnerExportsNothingAndResendsStoreNothing) {
  Ingest({NativeEvent("d-1"), NativeEvent("d-2"),
          NativeEvent("d-3", "lms.example#9")});
  v1::DeleteLearnerDataRequest del;
  del.set_learner("lms.example#1");
  v1::DeleteLearnerDataResponse del_resp;
  auto ctx = Context();
  ASSERT_TRUE(privacy_->DeleteLearnerData(ctx.get(), del, &del_resp).ok());
  EXPECT_EQ(del_resp.events_deleted(), 2);
  v1::ExportLearnerDataRequest exp;
  exp.set_learner("lms.example#1");
  v1::ExportLearnerDataResponse exp_resp;
  auto ctx2 = Context();
  ASSERT_TRUE(privacy_->ExportLearnerData(ctx2.get(), exp, &exp_resp).ok());
  EXPECT_EQ(exp_resp.events_json_size(), 0);
  v1::IngestResponse resend = Ingest({NativeEvent("d-1")});
  EXPECT_EQ(resend.results(0).outcome(), v1::EVENT_OUTCOME_ERASED);
  EXPECT_EQ(RowsInDatabase(), 1);
}

// The learning side end to end over gRPC: a catalogue with a path, a
// learner who finished its first step, an explained recommendation of the
// next step, feedback, the profile, the export of everything, the opt-out
// and the erasure of it all.
TEST_F(ServerTest, CatalogueRecommendationsFeedbackProfileExportAndErasure) {
  auto catalogue = v1::CatalogueService::NewStub(channel_);
  auto recs = v1::RecommendationService::NewStub(channel_);
  auto insight = v1::InsightService::NewStub(channel_);
  const std::string course = "lms.example/course/view.php?id=2";
  const std::string community = "lms.example/community/peers";
  {
    v1::UpsertActivitiesRequest req;
    v1::Activity* a = req.add_activities();
    a->set_id(course);
    a->set_title("Safety basics");
    a->set_type(v1::OBJECT_TYPE_COURSE);
    a->set_mode(v1::MODE_STRUCTURED);
    a->set_visible(true);
    v1::Activity* b = req.add_activities();
    b->set_id(community);
    b->set_title("Peer circle");
    b->set_url("https://lms.example/community/peers");
    b->set_type(v1::OBJECT_TYPE_COMMUNITY);
    b->set_mode(v1::MODE_SELF_DIRECTED);
    b->set_visible(true);
    v1::UpsertActivitiesResponse resp;
    auto ctx = Context();
    ASSERT_TRUE(catalogue->UpsertActivities(ctx.get(), req, &resp).ok());
    EXPECT_EQ(resp.upserted(), 2);
  }
  {
    v1::UpsertPathsRequest req;
    v1::LearningPath* p = req.add_paths();
    p->set_id("p-safe");
    p->set_title("Safe at work");
    p->add_steps()->set_activity_id(course);
    p->add_steps()->set_activity_id(community);
    v1::UpsertPathsResponse resp;
    auto ctx = Context();
    ASSERT_TRUE(catalogue->UpsertPaths(ctx.get(), req, &resp).ok());
    // A step naming an unknown activity: INVALID_ARGUMENT naming the step.
    p->add_steps()->set_activity_id("lms.example/nope");
    auto ctx2 = Context();
    grpc::Status bad = catalogue->UpsertPaths(ctx2.get(), req, &resp);
    EXPECT_EQ(bad.error_code(), grpc::INVALID_ARGUMENT);
    EXPECT_THAT(bad.error_message(), HasSubstr("paths[0].steps[2]"));
  }
  Ingest({NativeEvent("l-1")});  // the learner completed the course

  v1::GetRecommendationsRequest get;
  get.set_learner("lms.example#1");
  get.set_k(5);
  get.set_locale("fi");
  v1::GetRecommendationsResponse got;
  auto ctx = Context();
  ASSERT_TRUE(recs->GetRecommendations(ctx.get(), get, &got).ok());
  const v1::Recommendation* next = nullptr;
  for (const auto& r : got.recommendations()) {
    EXPECT_NE(r.target_id(), course);  // completed: never again
    if (r.kind() == v1::NUDGE_KIND_CONTINUE_PATH) next = &r;
  }
  ASSERT_NE(next, nullptr);
  EXPECT_EQ(next->target_id(), community);
  EXPECT_EQ(next->target_title(), "Peer circle");
  EXPECT_EQ(next->target_url(), "https://lms.example/community/peers");
  EXPECT_THAT(next->text(), HasSubstr("Safe at work"));
  EXPECT_THAT(next->text(), HasSubstr("Seuraava askel"));
  ASSERT_EQ(next->evidence_event_ids_size(), 1);
  EXPECT_EQ(next->evidence_event_ids(0), "l-1");
  EXPECT_GT(next->evidence_rule_ids_size(), 0);

  v1::RecordFeedbackRequest fb;
  fb.set_learner("lms.example#1");
  fb.set_recommendation_id(next->recommendation_id());
  fb.set_outcome(v1::FEEDBACK_OUTCOME_ACCEPTED);
  v1::RecordFeedbackResponse fb_resp;
  auto ctx3 = Context();
  EXPECT_TRUE(recs->RecordFeedback(ctx3.get(), fb, &fb_resp).ok());
  // Another tenant cannot give feedback on it.
  auto ctx4 = Context("other");
  EXPECT_EQ(recs->RecordFeedback(ctx4.get(), fb, &fb_resp).error_code(),
            grpc::NOT_FOUND);

  v1::GetLearnerProfileRequest prof;
  prof.set_learner("lms.example#1");
  prof.set_locale("en");
  v1::GetLearnerProfileResponse prof_resp;
  auto ctx5 = Context();
  ASSERT_TRUE(insight->GetLearnerProfile(ctx5.get(), prof, &prof_resp).ok());
  EXPECT_EQ(prof_resp.event_count(), 1);
  EXPECT_FALSE(prof_resp.explanation().empty());
  EXPECT_EQ(prof_resp.band_low(), 0.30);

  // The export holds the profile, the activity, the recommendation served
  // and the feedback.
  v1::ExportLearnerDataRequest exp;
  exp.set_learner("lms.example#1");
  v1::ExportLearnerDataResponse exp_resp;
  auto ctx6 = Context();
  ASSERT_TRUE(privacy_->ExportLearnerData(ctx6.get(), exp, &exp_resp).ok());
  EXPECT_EQ(exp_resp.events_json_size(), 1);
  EXPECT_THAT(exp_resp.state_json(), HasSubstr(next->recommendation_id()));
  EXPECT_THAT(exp_resp.state_json(), HasSubstr("\"outcome\":\"accepted\""));
  EXPECT_THAT(exp_resp.state_json(), HasSubstr(course));

  // Opted out: no recommendations.
  v1::SetProfilingOptOutRequest out;
  out.set_learner("lms.example#1");
  out.set_opted_out(true);
  v1::SetProfilingOptOutResponse out_resp;
  auto ctx7 = Context();
  ASSERT_TRUE(privacy_->SetProfilingOptOut(ctx7.get(), out, &out_resp).ok());
  auto ctx8 = Context();
  ASSERT_TRUE(recs->GetRecommendations(ctx8.get(), get, &got).ok());
  EXPECT_TRUE(got.opted_out());
  EXPECT_EQ(got.recommendations_size(), 0);

  // Erased: the export is empty, a resend stores nothing.
  v1::DeleteLearnerDataRequest del;
  del.set_learner("lms.example#1");
  v1::DeleteLearnerDataResponse del_resp;
  auto ctx9 = Context();
  ASSERT_TRUE(privacy_->DeleteLearnerData(ctx9.get(), del, &del_resp).ok());
  auto ctx10 = Context();
  ASSERT_TRUE(privacy_->ExportLearnerData(ctx10.get(), exp, &exp_resp).ok());
  EXPECT_EQ(exp_resp.events_json_size(), 0);
  EXPECT_EQ(exp_resp.state_json(), "");
  EXPECT_EQ(Ingest({NativeEvent("l-1")}).results(0).outcome(),
            v1::EVENT_OUTCOME_ERASED);
  auto ctx11 = Context();
  ASSERT_TRUE(insight->GetLearnerProfile(ctx11.get(), prof, &prof_resp).ok());
  EXPECT_EQ(prof_resp.event_count(), 0);
}

TEST_F(ServerTest, MetricsPassPromtoolAndCountIngestedEvents) {
  Ingest({NativeEvent("m-1"), NativeEvent("m-2"),
          NativeEvent("", "lms.example#1")});
  Ingest({NativeEvent("m-1")});
  std::string body = HttpGet(server_->metrics_port(), "/metrics");
  ASSERT_FALSE(body.empty());
  std::string path = server_->data_dir() + "/metrics.txt";
  {
    FILE* f = std::fopen(path.c_str(), "w");
    std::fwrite(body.data(), 1, body.size(), f);
    std::fclose(f);
  }
  std::string out;
  int rc = RunCommand("promtool check metrics < " + path + " 2>&1", &out);
  EXPECT_EQ(rc, 0) << out;
  // Two accepted, one duplicate, one rejected; the modes come from the rules.
  auto value = [&](const std::string& prefix) {
    double total = 0;
    size_t pos = 0;
    while ((pos = body.find(prefix, pos)) != std::string::npos) {
      size_t end = body.find('\n', pos);
      std::string line = body.substr(pos, end - pos);
      total += std::stod(line.substr(line.rfind(' ') + 1));
      pos = end;
    }
    return total;
  };
  auto count = [&](const std::string& result) {
    double total = 0;
    size_t pos = 0;
    while ((pos = body.find("polku_events_ingested_total{", pos)) !=
           std::string::npos) {
      size_t end = body.find('\n', pos);
      std::string line = body.substr(pos, end - pos);
      if (line.find("result=\"" + result + "\"") != std::string::npos) {
        total += std::stod(line.substr(line.rfind(' ') + 1));
      }
      pos = end;
    }
    return total;
  };
  EXPECT_EQ(count("accepted"), 2);
  EXPECT_EQ(count("duplicate"), 1);
  EXPECT_EQ(count("rejected"), 1);
  EXPECT_EQ(value("polku_grpc_requests_total{code=\"OK\",method=\"Ingest\"}"),
            2);
  EXPECT_GE(value("polku_store_commit_batch_events_count"), 2);
  EXPECT_THAT(body, HasSubstr("polku_grpc_request_duration_seconds_bucket"));
  EXPECT_THAT(body, HasSubstr("polku_build_info"));
}

TEST_F(ServerTest, SigtermShutsDownCleanly) {
  Ingest({NativeEvent("g-1")});
  EXPECT_EQ(server_->Stop(), 0);
  EXPECT_EQ(RowsInDatabase(), 1);
}

double MetricValue(const std::string& body, const std::string& series) {
  size_t pos = body.find(series + " ");
  if (pos == std::string::npos) return -1;
  return std::stod(body.substr(pos + series.size() + 1));
}

TEST(ServerReload, SighupReloadsRulesAndABadFileKeepsTheOld) {
  char tmpl[] = "/tmp/polku-rules-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::string rules = dir + "/rules.yaml";
  auto write = [&](const std::string& text) {
    FILE* f = std::fopen(rules.c_str(), "w");
    std::fputs(text.c_str(), f);
    std::fclose(f);
  };
  write(
      "version: 1\nrules:\n  - id: first\n    when: {verb: [COMPLETED]}\n"
      "    score: {format: -1}\n    reason: {en: first, fi: ensimmäinen}\n");
  ServerProcess server("", {"--rules=" + rules});
  ASSERT_TRUE(server.Start());
  auto stub = v1::EventService::NewStub(grpc::CreateChannel(
      server.grpc_address(), grpc::InsecureChannelCredentials()));
  auto first_rule = [&]() {
    v1::TagEventRequest req;
    *req.mutable_event() = NativeEvent("r-1");
    v1::TagEventResponse resp;
    grpc::ClientContext ctx;
    EXPECT_TRUE(stub->TagEvent(&ctx, req, &resp).ok());
    return resp.events(0).tags().evidence_size() > 0
               ? resp.events(0).tags().evidence(0).rule_id()
               : std::string();
  };
  auto wait_for_reloads = [&](const std::string& series, double want) {
    for (int i = 0; i < 100; ++i) {
      if (MetricValue(HttpGet(server.metrics_port(), "/metrics"), series) >=
          want)
        return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  };
  EXPECT_EQ(first_rule(), "first");
  write("version: 1\nrules: [{id: broken}]\n");
  server.Signal(SIGHUP);
  ASSERT_TRUE(
      wait_for_reloads("polku_rule_reloads_total{result=\"failed\"}", 1));
  EXPECT_EQ(first_rule(), "first");  // old rules kept, still serving
  write(
      "version: 1\nrules:\n  - id: second\n    when: {verb: [COMPLETED]}\n"
      "    score: {format: -1}\n    reason: {en: second, fi: toinen}\n");
  server.Signal(SIGHUP);
  ASSERT_TRUE(wait_for_reloads("polku_rule_reloads_total{result=\"ok\"}", 1));
  EXPECT_EQ(first_rule(), "second");
}

TEST_F(ServerTest, CallsWithoutDevModeOrKeysAreUnauthenticated) {
  ServerProcess locked("", {"--dev_mode=false"});
  ASSERT_TRUE(locked.Start());
  auto stub = v1::EventService::NewStub(grpc::CreateChannel(
      locked.grpc_address(), grpc::InsecureChannelCredentials()));
  v1::IngestRequest req;
  *req.add_events() = NativeEvent("u-1");
  v1::IngestResponse resp;
  grpc::ClientContext ctx;
  EXPECT_EQ(stub->Ingest(&ctx, req, &resp).error_code(), grpc::UNAUTHENTICATED);
}

}  // namespace
}  // namespace polku::testing
