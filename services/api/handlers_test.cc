#include "api/handlers.h"

#include <memory>

#include "common/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "model/tagger_registry.h"
#include "store/in_memory_event_store.h"

namespace polku::api {
namespace {

namespace v1 = ::polku::v1;
using ::polku::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;

constexpr int64_t kNow = 1767225600000;  // 2026-01-01T00:00:00Z

// A completed course, with an id; `score` varies the content.
std::string Statement(const std::string& id, const std::string& learner = "42",
                      double score = 0.5) {
  return R"({"id":")" + id +
         R"(","actor":{"account":{"homePage":"https://lms.example","name":")" +
         learner +
         R"("}},"verb":{"id":"http://adlnet.gov/expapi/verbs/completed"},"object":{"id":"https://lms.example/course/view.php?id=2","definition":{"type":"http://adlnet.gov/expapi/activities/course"}},"result":{"score":{"scaled":)" +
         std::to_string(score) + R"(}},"timestamp":"2025-06-01T10:00:00Z"})";
}

ingest::SourceEvent Xapi(const std::string& payload) {
  ingest::SourceEvent e;
  e.format = ingest::SourceFormat::kXapi;
  e.payload = payload;
  return e;
}

std::string Field(size_t index, std::string_view field) {
  return "statements[" + std::to_string(index) + "]" +
         (field.empty() ? "" : "." + std::string(field));
}

class HandlersTest : public ::testing::Test {
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
  }
  absl::StatusOr<AtomicIngestResult> Post(const Principal& p,
                                          std::vector<std::string> statements) {
    std::vector<ingest::SourceEvent> items;
    for (auto& s : statements) items.push_back(Xapi(s));
    return handlers_->IngestAllOrNothing(p, std::move(items), {}, Field);
  }
  int64_t Count(const std::string& tenant) { return *store_.Count(tenant); }

  common::ManualClock clock_{kNow};
  store::InMemoryEventStore store_;
  std::unique_ptr<model::TaggerRegistry> taggers_;
  std::unique_ptr<ingest::Ingestor> ingestor_;
  DenyAllAuthenticator auth_;
  Metrics metrics_;
  std::unique_ptr<Handlers> handlers_;
  Principal a_{"tenant-a", "k1"};
  Principal b_{"tenant-b", "k2"};
};

constexpr char kId1[] = "11111111-1111-4111-8111-111111111111";
constexpr char kId2[] = "22222222-2222-4222-8222-222222222222";

TEST(RpcTable, EveryRpcHasAKnownScope) {
  for (int i = 0; i < static_cast<int>(Rpc::kCount_); ++i) {
    const RpcInfo& info = InfoOf(static_cast<Rpc>(i));
    EXPECT_TRUE(IsKnownScope(info.scope)) << info.method;
    EXPECT_FALSE(info.service.empty());
  }
  EXPECT_EQ(InfoOf(Rpc::kDeleteLearnerData).scope, kScopePrivacyDelete);
  EXPECT_EQ(InfoOf(Rpc::kGetRecommendations).scope, kScopeRecommendationsRead);
}

TEST_F(HandlersTest, AuthenticateAsksForTheRpcsScope) {
  EXPECT_THAT(handlers_->Authenticate(CallInfo(), Rpc::kIngest),
              StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST_F(HandlersTest, AllOrNothingStoresEveryStatementAndReturnsIdsInOrder) {
  POLKU_ASSERT_OK_AND_ASSIGN(
      AtomicIngestResult r, Post(a_, {Statement(kId1), Statement(kId2, "43")}));
  EXPECT_THAT(r.ids, ElementsAre(kId1, kId2));
  EXPECT_EQ(r.accepted, 2);
  EXPECT_EQ(Count("tenant-a"), 2);
}

TEST_F(HandlersTest, UnmappedStatementsAreAcknowledgedNotStored) {
  std::string unmapped = Statement(kId2);
  unmapped.replace(unmapped.find("http://adlnet.gov/expapi/verbs/completed"),
                   40, "https://example.org/verbs/juggled");
  std::vector<ingest::SourceEvent> items = {Xapi(Statement(kId1)),
                                            Xapi(unmapped)};
  POLKU_ASSERT_OK_AND_ASSIGN(
      AtomicIngestResult r,
      handlers_->IngestAllOrNothing(a_, std::move(items), {"", kId2}, Field));
  EXPECT_THAT(r.ids, ElementsAre(kId1, kId2));
  EXPECT_EQ(r.accepted, 1);
  EXPECT_EQ(r.ignored, 1);
  EXPECT_EQ(Count("tenant-a"), 1);
  // Without an own id the acknowledged id is derived, the same each time.
  POLKU_ASSERT_OK_AND_ASSIGN(AtomicIngestResult once, Post(a_, {unmapped}));
  POLKU_ASSERT_OK_AND_ASSIGN(AtomicIngestResult twice, Post(a_, {unmapped}));
  EXPECT_EQ(once.ids, twice.ids);
  EXPECT_NE(once.ids[0], kId2);
}

TEST_F(HandlersTest, OneInvalidStatementStoresNothingAndNamesIt) {
  std::string bad = Statement(kId2);
  bad.replace(bad.find("http://adlnet.gov/expapi/verbs/completed"), 40,
              "completed");
  EXPECT_THAT(Post(a_, {Statement(kId1), bad}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("statements[1].verb.id")));
  EXPECT_EQ(Count("tenant-a"), 0);
}

TEST_F(HandlersTest, SameIdSameContentIsASuccessAndChangesNothing) {
  POLKU_ASSERT_OK(Post(a_, {Statement(kId1)}));
  POLKU_ASSERT_OK_AND_ASSIGN(AtomicIngestResult again,
                             Post(a_, {Statement(kId1)}));
  EXPECT_EQ(again.duplicates, 1);
  EXPECT_EQ(again.accepted, 0);
  EXPECT_THAT(again.ids, ElementsAre(kId1));
  EXPECT_EQ(Count("tenant-a"), 1);
}

TEST_F(HandlersTest, SameIdOtherContentIsAlreadyExistsAndStoresNothing) {
  POLKU_ASSERT_OK(Post(a_, {Statement(kId1)}));
  EXPECT_THAT(Post(a_, {Statement(kId2), Statement(kId1, "42", 0.9)}),
              StatusIs(absl::StatusCode::kAlreadyExists,
                       HasSubstr("statements[1].id")));
  EXPECT_EQ(Count("tenant-a"), 1);  // kId2 was not stored either
}

TEST_F(HandlersTest, ResentStatementWithIdButNoTimeIsADuplicate) {
  // Without timestamp or stored, the receive time is the event's time; a
  // resend later is still the same statement.
  std::string untimed = Statement(kId1);
  untimed.erase(untimed.find(",\"timestamp\""));
  untimed += "}";
  POLKU_ASSERT_OK_AND_ASSIGN(AtomicIngestResult first, Post(a_, {untimed}));
  EXPECT_EQ(first.accepted, 1);
  clock_.Advance(60000);
  POLKU_ASSERT_OK_AND_ASSIGN(AtomicIngestResult again, Post(a_, {untimed}));
  EXPECT_EQ(again.duplicates, 1);
  // Other content under the same id is still a conflict.
  std::string changed = untimed;
  changed.replace(changed.find("0.5"), 3, "0.7");
  EXPECT_THAT(Post(a_, {changed}), StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_EQ(Count("tenant-a"), 1);
}

TEST_F(HandlersTest, TwoStatementsWithOneIdAndOtherContentConflict) {
  EXPECT_THAT(Post(a_, {Statement(kId1), Statement(kId1, "42", 0.9)}),
              StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_EQ(Count("tenant-a"), 0);
}

TEST_F(HandlersTest, TenantsHoldTheSameIdsApart) {
  POLKU_ASSERT_OK(Post(a_, {Statement(kId1)}));
  // Another tenant may hold the same id with other content.
  POLKU_ASSERT_OK(Post(b_, {Statement(kId1, "42", 0.9)}));
  v1::ExportLearnerDataRequest req;
  req.set_learner("lms.example#42");
  POLKU_ASSERT_OK_AND_ASSIGN(auto a_export,
                             handlers_->ExportLearnerData(a_, req));
  EXPECT_THAT(a_export.events_json(), SizeIs(1));
  v1::DeleteLearnerDataRequest del;
  del.set_learner("lms.example#42");
  POLKU_ASSERT_OK_AND_ASSIGN(auto deleted,
                             handlers_->DeleteLearnerData(a_, del));
  EXPECT_EQ(deleted.events_deleted(), 1);
  EXPECT_EQ(Count("tenant-a"), 0);
  EXPECT_EQ(Count("tenant-b"), 1);
}

TEST_F(HandlersTest, PrivacyRequiresALearner) {
  EXPECT_THAT(
      handlers_->ExportLearnerData(a_, v1::ExportLearnerDataRequest()),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("learner")));
  EXPECT_THAT(
      handlers_->DeleteLearnerData(a_, v1::DeleteLearnerDataRequest()),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("learner")));
}

TEST_F(HandlersTest, IngestReportsPerEventResults) {
  v1::IngestRequest req;
  auto* source = req.add_events()->mutable_source();
  source->set_format(v1::SOURCE_FORMAT_XAPI);
  source->set_payload(Statement(kId1));
  req.add_events()->mutable_native();  // empty: rejected
  POLKU_ASSERT_OK_AND_ASSIGN(v1::IngestResponse resp,
                             handlers_->Ingest(a_, req));
  EXPECT_EQ(resp.accepted(), 1);
  EXPECT_EQ(resp.rejected(), 1);
  EXPECT_THAT(
      handlers_->Ingest(a_, v1::IngestRequest()),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("events")));
}

TEST_F(HandlersTest, LearningRpcsNeedALearningStore) {
  // This fixture's store keeps events only: the learning RPCs say so
  // instead of pretending (the server always connects the SQLite store).
  const auto kNeeds = StatusIs(absl::StatusCode::kFailedPrecondition,
                               HasSubstr("keeps no learning state"));
  EXPECT_THAT(handlers_->GetRecommendations(a_, {}), kNeeds);
  EXPECT_THAT(handlers_->RecordFeedback(a_, {}), kNeeds);
  EXPECT_THAT(handlers_->GetLearnerProfile(a_, {}), kNeeds);
  EXPECT_THAT(handlers_->GetOrgOverview(a_, {}), kNeeds);
  EXPECT_THAT(handlers_->UpsertActivities(a_, {}), kNeeds);
  EXPECT_THAT(handlers_->ListActivities(a_, {}), kNeeds);
  EXPECT_THAT(handlers_->UpsertPaths(a_, {}), kNeeds);
  EXPECT_THAT(handlers_->ListPaths(a_, {}), kNeeds);
  EXPECT_THAT(handlers_->SuggestPaths(a_, {}), kNeeds);
  EXPECT_THAT(handlers_->SetProfilingOptOut(a_, {}), kNeeds);
}

}  // namespace
}  // namespace polku::api
