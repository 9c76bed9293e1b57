#include "store/testing/learning_records.h"

#include <cmath>
#include <limits>
#include <string_view>

#include "gtest/gtest.h"

namespace polku::store::store_test {

using learning::Profile;
using learning::ProfileDelta;
using model::Dimension;
using model::Verb;

// What the tagger would say about one event, in a few shapes.
model::EventTags Tags(Verb verb) {
  model::EventTags t;
  auto set = [&](Dimension d, double score, double weight) {
    t.score[static_cast<size_t>(d)] = score;
    t.weight[static_cast<size_t>(d)] = weight;
  };
  switch (verb) {
    case Verb::kReplied:
      t.mode = model::Mode::kSelfDirected;
      set(Dimension::kSocial, 1, 1);
      set(Dimension::kInitiative, 0.8, 0.5);
      break;
    case Verb::kCompleted:
      t.mode = model::Mode::kStructured;
      set(Dimension::kFormat, -1, 1);
      set(Dimension::kInitiative, -0.6, 0.7);
      break;
    default:
      t.mode = model::Mode::kBlended;
      set(Dimension::kFormat, 0.3, 0.2);
      set(Dimension::kOrientation, -0.4, 0.3);
      break;
  }
  return t;
}

// A tagged event of `learner` about `object`, with its profile delta.
Made Make(std::string tenant, std::string id, std::string learner,
          std::string object, int64_t at_ms, Verb verb, std::string org_unit) {
  Made m;
  model::LearningEvent& e = m.event;
  e.event_id = std::move(id);
  e.source.platform = model::Platform::kMoodle;
  e.source.instance = "lms.example";
  e.occurred_at_ms = at_ms;
  e.learner.key = std::move(learner);
  e.learner.org_unit = std::move(org_unit);
  e.verb = verb;
  e.object.type = verb == Verb::kReplied ? model::ObjectType::kDiscussion
                                         : model::ObjectType::kCourse;
  e.object.id = std::move(object);
  const model::EventTags tags = Tags(verb);
  m.record = MakeRecord(tenant, e, tags, at_ms + 1000);
  m.record.delta = std::make_shared<const ProfileDelta>(
      learning::MakeDelta(learning::ProfileConfig(), e, tags));
  return m;
}

EventRecord Rec(std::string tenant, std::string id, std::string learner,
                std::string object, int64_t at_ms, Verb verb,
                std::string org_unit) {
  return Make(std::move(tenant), std::move(id), std::move(learner),
              std::move(object), at_ms, verb, std::move(org_unit))
      .record;
}

Profile SumOf(const std::vector<EventRecord>& records) {
  Profile p;
  for (const EventRecord& r : records) p.Add(*r.delta);
  return p;
}

void Near(double got, double want, const char* what) {
  EXPECT_NEAR(got, want, 1e-9 * std::max(1.0, std::fabs(want))) << what;
}

void ExpectSameProfile(const Profile& got, const Profile& want) {
  for (size_t i = 0; i < model::kDimensionCount; ++i) {
    Near(got.sums.score_sum[i], want.sums.score_sum[i], "score_sum");
    Near(got.sums.weight_sum[i], want.sums.weight_sum[i], "weight_sum");
  }
  Near(got.sums.leadership, want.sums.leadership, "leadership");
  Near(got.sums.development, want.sums.development, "development");
  for (size_t i = 0; i < learning::kSignalCount; ++i) {
    Near(got.sums.signals[i], want.sums.signals[i], "signals");
    EXPECT_EQ(got.sums.counts[i], want.sums.counts[i]) << "signal " << i;
    EXPECT_EQ(got.latest[i].at_ms, want.latest[i].at_ms) << "signal " << i;
    EXPECT_EQ(got.latest[i].event_id, want.latest[i].event_id);
    EXPECT_EQ(got.latest[i].object_id, want.latest[i].object_id);
    EXPECT_EQ(got.latest[i].rule_ids, want.latest[i].rule_ids);
  }
  EXPECT_EQ(got.first_event_ms, want.first_event_ms);
  EXPECT_EQ(got.last_event_ms, want.last_event_ms);
  EXPECT_EQ(got.org_unit, want.org_unit);
  EXPECT_EQ(got.role, want.role);
}

std::vector<EventRecord> ThirtyEvents(const std::string& learner) {
  std::vector<EventRecord> v;
  const Verb verbs[] = {Verb::kViewed, Verb::kReplied, Verb::kCompleted};
  for (int i = 0; i < 30; ++i) {
    v.push_back(Rec("t1", "e" + std::to_string(i), learner,
                    "obj" + std::to_string(i % 7),
                    kMonday2024 + (i * 37 % 30) * kDay + i, verbs[i % 3],
                    i % 4 == 0 ? "unit-" + std::to_string(i % 3) : ""));
  }
  return v;
}

// Learner A touches x, y, z, then comes back to y and x with completions;
// learner B touches x, y, w.
std::vector<EventRecord> TwoLearners(const std::string& tenant) {
  const int64_t t = kMonday2024;
  return {
      Rec(tenant, "a1", "A", "x", t + 1 * kDay),
      Rec(tenant, "a2", "A", "y", t + 2 * kDay),
      Rec(tenant, "a3", "A", "z", t + 3 * kDay),
      Rec(tenant, "a4", "A", "y", t + 4 * kDay, Verb::kCompleted),
      Rec(tenant, "a5", "A", "x", t + 5 * kDay, Verb::kCompleted),
      Rec(tenant, "b1", "B", "x", t + 1 * kDay),
      Rec(tenant, "b2", "B", "y", t + 2 * kDay),
      Rec(tenant, "b3", "B", "w", t + 3 * kDay),
  };
}

ServedRecommendation Served(std::string id, std::string learner,
                            std::string kind, std::string segment) {
  ServedRecommendation s;
  s.recommendation_id = std::move(id);
  s.learner_key = std::move(learner);
  s.kind = std::move(kind);
  s.target_id = "x";
  s.segment = std::move(segment);
  s.position = 1;
  s.score = 0.75;
  s.propensity = 0.5;
  s.holdout = true;
  s.served_ms = 1000;
  return s;
}

FeedbackRecord Feedback(const ServedRecommendation& s, FeedbackOutcome o,
                        int64_t at_ms) {
  FeedbackRecord f;
  f.recommendation_id = s.recommendation_id;
  f.learner_key = s.learner_key;
  f.outcome = o;
  f.at_ms = at_ms;
  f.kind = s.kind;
  f.target_id = s.target_id;
  f.segment = s.segment;
  return f;
}

learning::Activity MakeActivity(std::string id, int n) {
  learning::Activity a;
  a.id = std::move(id);
  a.title = "Title " + std::to_string(n);
  a.url = "https://lms.example/a/" + std::to_string(n);
  a.type = model::ObjectType::kCommunity;
  a.visible = n % 2 == 0;
  a.required = n % 3 == 0;
  a.competencies = {"c" + std::to_string(n), "shared"};
  a.goal_ids =
      n % 2 == 0 ? std::vector<std::string>{"g1"} : std::vector<std::string>{};
  a.mode = model::Mode::kSelfDirected;
  a.self_enrol = true;
  return a;
}

void ExpectSameActivity(const learning::Activity& got,
                        const learning::Activity& want) {
  EXPECT_EQ(got.id, want.id);
  EXPECT_EQ(got.title, want.title);
  EXPECT_EQ(got.url, want.url);
  EXPECT_EQ(got.type, want.type);
  EXPECT_EQ(got.visible, want.visible);
  EXPECT_EQ(got.required, want.required);
  EXPECT_EQ(got.competencies, want.competencies);
  EXPECT_EQ(got.goal_ids, want.goal_ids);
  EXPECT_EQ(got.mode, want.mode);
  EXPECT_EQ(got.self_enrol, want.self_enrol);
}

learning::LearningPath MakePath(std::string id) {
  learning::LearningPath p;
  p.id = std::move(id);
  p.title = "Path " + p.id;
  p.goal_id = "g1";
  learning::PathStep s1;
  s1.activity_id = "a1";
  s1.mode = model::Mode::kStructured;
  learning::PathStep s2;
  s2.activity_id = "a2";
  s2.mode = model::Mode::kSelfDirected;
  s2.alternative_activity_ids = {"a3", "a4"};
  s2.optional = true;
  p.steps = {s1, s2};
  return p;
}

// Many events of a few learners over several weeks and activities, with
// revisits, earlier events arriving late, completions, equal times and a
// resent id.
std::vector<EventRecord> ManyEvents(std::mt19937& rng) {
  std::vector<EventRecord> v;
  const Verb verbs[] = {Verb::kViewed, Verb::kReplied, Verb::kCompleted};
  for (int i = 0; i < 240; ++i) {
    const std::string learner = "L" + std::to_string(i % 3);
    const int64_t at = kMonday2024 + static_cast<int64_t>(rng() % 40) * kDay +
                       (i % 5 == 0 ? 0 : static_cast<int64_t>(rng() % 1000));
    v.push_back(Rec("t1", "m" + std::to_string(i), learner,
                    "obj" + std::to_string(rng() % 17), at, verbs[rng() % 3],
                    i % 7 == 0 ? "unit-" + std::to_string(i % 2) : ""));
  }
  v.push_back(v[5]);  // a resend: DUPLICATE, changes nothing
  std::shuffle(v.begin(), v.end(), rng);
  return v;
}

std::vector<std::string> Names(const std::string& prefix, int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(prefix + std::to_string(i));
  return out;
}

LearningSnapshot Snapshot(LearningStore& store, const std::string& tenant,
                          const std::vector<std::string>& learners,
                          const std::vector<std::string>& objects) {
  LearningSnapshot s;
  for (const std::string& l : learners) {
    auto profile = store.GetProfile(tenant, l);
    EXPECT_TRUE(profile.ok()) << profile.status();
    s.profiles.push_back(profile.ok() ? *profile : std::nullopt);
    auto states = store.GetActivityStates(tenant, l);
    EXPECT_TRUE(states.ok()) << states.status();
    s.activities.push_back(states.ok() ? *states
                                       : std::vector<ActivityState>());
  }
  for (const std::string& o : objects) {
    auto next = store.NextActivities(tenant, {o}, 1000);
    EXPECT_TRUE(next.ok()) << next.status();
    if (!next.ok()) continue;
    for (const auto& [to, n] : *next) s.next.emplace_back(o, to, n);
  }
  auto weeks = store.ListWeeks(tenant, "", std::numeric_limits<int64_t>::min());
  EXPECT_TRUE(weeks.ok()) << weeks.status();
  if (weeks.ok()) s.weeks = *weeks;
  EXPECT_TRUE(
      store
          .ForEachCompletionSequence(
              tenant,
              [&](std::string_view l, const std::vector<std::string>& c) {
                s.completions.emplace_back(std::string(l), c);
              })
          .ok());
  return s;
}

void ExpectSameSnapshot(const LearningSnapshot& got,
                        const LearningSnapshot& want, bool same_arrival_order) {
  ASSERT_EQ(got.profiles.size(), want.profiles.size());
  for (size_t i = 0; i < got.profiles.size(); ++i) {
    ASSERT_EQ(got.profiles[i].has_value(), want.profiles[i].has_value());
    if (got.profiles[i]) ExpectSameProfile(*got.profiles[i], *want.profiles[i]);
  }
  ASSERT_EQ(got.activities.size(), want.activities.size());
  for (size_t i = 0; i < got.activities.size(); ++i) {
    ASSERT_EQ(got.activities[i].size(), want.activities[i].size());
    for (size_t j = 0; j < got.activities[i].size(); ++j) {
      const ActivityState& a = got.activities[i][j];
      const ActivityState& b = want.activities[i][j];
      EXPECT_EQ(a.object_id, b.object_id);
      EXPECT_EQ(a.first_ms, b.first_ms) << a.object_id;
      EXPECT_EQ(a.last_ms, b.last_ms) << a.object_id;
      EXPECT_EQ(a.completed_ms, b.completed_ms) << a.object_id;
      EXPECT_EQ(a.events, b.events) << a.object_id;
    }
  }
  if (same_arrival_order) {
    EXPECT_EQ(got.next, want.next);
  }
  ASSERT_EQ(got.weeks.size(), want.weeks.size());
  for (size_t i = 0; i < got.weeks.size(); ++i) {
    EXPECT_EQ(got.weeks[i].learner_key, want.weeks[i].learner_key);
    EXPECT_EQ(got.weeks[i].week, want.weeks[i].week);
    Near(got.weeks[i].leadership, want.weeks[i].leadership, "leadership");
    Near(got.weeks[i].development, want.weeks[i].development, "development");
    EXPECT_EQ(got.weeks[i].events, want.weeks[i].events);
  }
  EXPECT_EQ(got.completions, want.completions);
}

}  // namespace polku::store::store_test
