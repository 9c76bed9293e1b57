#include "model/event_codec.h"

#include "common/field_error.h"
#include "common/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace polku::model {
namespace {

using ::polku::testing::StatusIs;
using ::testing::HasSubstr;

constexpr int64_t kNow = 1700000000000;  // 2023-11-14T22:13:20Z

LearningEvent ValidEvent() {
  LearningEvent e;
  e.event_id = "b52eb5c3-350f-45c2-9f03-aa642b7ad30d";
  e.source.platform = Platform::kMoodle;
  e.source.instance = "moodle.example.edu";
  e.source.event_type = "\\core\\event\\course_viewed";
  e.occurred_at_ms = kNow - 1000;
  e.learner.key = "moodle.example.edu#2";
  e.verb = Verb::kViewed;
  e.object.type = ObjectType::kCourse;
  e.object.id = "moodle.example.edu/course/view.php?id=2";
  return e;
}

TEST(ValidateEvent, AcceptsAValidEvent) {
  POLKU_EXPECT_OK(ValidateEvent(ValidEvent(), kNow));
}

TEST(ValidateEvent, NamesTheFieldThatIsWrong) {
  struct Case {
    void (*mutate)(LearningEvent&);
    const char* field;
  } cases[] = {
      {[](LearningEvent& e) { e.event_id.clear(); }, "event_id"},
      {[](LearningEvent& e) { e.learner.key.clear(); }, "learner.key"},
      {[](LearningEvent& e) { e.occurred_at_ms = kNow + 3600 * 1000; },
       "occurred_at"},
      {[](LearningEvent& e) { e.occurred_at_ms = 1000; }, "occurred_at"},
      {[](LearningEvent& e) { e.verb = Verb::kUnspecified; }, "verb"},
      {[](LearningEvent& e) { e.object.id.clear(); }, "object.id"},
      {[](LearningEvent& e) { e.event_id = std::string(300, 'x'); },
       "event_id"},
      {[](LearningEvent& e) { e.result.score_scaled = 1.5; },
       "result.score_scaled"},
      {[](LearningEvent& e) { e.context.goal_ids.push_back(""); },
       "context.goal_ids[0]"},
  };
  for (const Case& c : cases) {
    LearningEvent e = ValidEvent();
    c.mutate(e);
    absl::Status s = ValidateEvent(e, kNow);
    EXPECT_THAT(
        s, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.field)));
    EXPECT_EQ(common::ErrorField(s).value_or(""), c.field);
  }
}

TEST(ContentHash, IgnoresIdButNotContent) {
  LearningEvent a = ValidEvent();
  LearningEvent b = a;
  b.event_id = "other";
  EXPECT_EQ(ContentHash(a), ContentHash(b));
  b.result.score_scaled = 0.5;
  EXPECT_NE(ContentHash(a), ContentHash(b));
}

TEST(DeriveEventId, IsDeterministicAndIncludesTimestamp) {
  LearningEvent a = ValidEvent();
  std::string id1 = DeriveEventId("acme", a);
  EXPECT_EQ(id1, DeriveEventId("acme", a));
  EXPECT_NE(id1, DeriveEventId("other-tenant", a));
  a.occurred_at_ms += 1000;
  EXPECT_NE(id1, DeriveEventId("acme", a));
}

TEST(ParseTimestamp, AcceptsIso8601Forms) {
  EXPECT_EQ(*ParseTimestamp("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*ParseTimestamp("2020-07-15T06:36:01.917775+00:00"), 1594794961917);
  EXPECT_EQ(*ParseTimestamp("2020-07-15T08:36:01.917+02:00"), 1594794961917);
  EXPECT_EQ(*ParseTimestamp("2020-07-15T06:36:01.917Z"), 1594794961917);
  EXPECT_EQ(*ParseTimestamp("2020-07-15T06:36:01"), 1594794961000);
}

TEST(ParseTimestamp, RejectsGarbage) {
  for (const char* bad :
       {"", "yesterday", "2020-13-01T00:00:00Z", "2020-02-30T00:00:00Z",
        "2020-07-15T06:36:01Zjunk", "2020-07-15T06:36:01.Z"}) {
    EXPECT_THAT(ParseTimestamp(bad),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << bad;
  }
}

TEST(FormatTimestamp, RoundTrips) {
  for (int64_t ms :
       {int64_t{0}, int64_t{1594794961917}, int64_t{4102444800000}}) {
    EXPECT_EQ(*ParseTimestamp(FormatTimestamp(ms)), ms);
  }
  EXPECT_EQ(FormatTimestamp(1594794961917), "2020-07-15T06:36:01.917Z");
}

}  // namespace
}  // namespace polku::model
