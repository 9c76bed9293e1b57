#include "learning/profile.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "learning/test_support.h"
#include "model/rules.h"

namespace polku::learning {
namespace {

using model::Dimension;
using ::testing::DoubleNear;

constexpr size_t D(Dimension d) { return static_cast<size_t>(d); }
constexpr size_t S(Signal s) { return static_cast<size_t>(s); }

model::LearningEvent Event(std::string id, int64_t at_ms, model::Verb verb) {
  model::LearningEvent e;
  e.event_id = std::move(id);
  e.occurred_at_ms = at_ms;
  e.verb = verb;
  e.object.id = "https://lms.example/course/1";
  e.object.type = model::ObjectType::kCourse;
  return e;
}

model::EventTags Tags(std::initializer_list<std::pair<Dimension, double>>
                          scores_and_weights_of_one) {
  model::EventTags t;
  for (const auto& [d, s] : scores_and_weights_of_one) {
    t.score[D(d)] = s;
    t.weight[D(d)] = 1;
  }
  return t;
}

// Two events 90 days (one half-life) apart, computed by hand:
//   A at the epoch (g = 1): initiative +1 with weight 2, format -0.5 weight 1
//   B at epoch + 90 d (g = 2): social +1 weight 1, a reply
// Read at epoch + 90 d (decay 1/2):
//   mean initiative = 2 / 2 = 1, format = -0.5 / 1, social = 2 / 2 = 1
//   leadership = 1*2*1 + 2*1*1 = 4, development = 1*1*0.5 = 0.5
//   balance = 4 / 4.5 = 0.8889; decayed total weight = 4.5 / 2 = 2.25
//   decayed weights: initiative 2/2 = 1, format 1/2, social 2/2 = 1
TEST(Profile, MatchesAHandComputedProfile) {
  ProfileConfig config;
  const int64_t epoch = config.epoch_ms;
  const int64_t half_life_ms = 90LL * 86400000;

  model::EventTags a =
      Tags({{Dimension::kInitiative, 1.0}, {Dimension::kFormat, -0.5}});
  a.weight[D(Dimension::kInitiative)] = 2;
  model::EventTags b = Tags({{Dimension::kSocial, 1.0}});

  Profile p;
  p.Add(MakeDelta(config, Event("a", epoch, model::Verb::kEnrolled), a));
  p.Add(MakeDelta(config,
                  Event("b", epoch + half_life_ms, model::Verb::kReplied), b));

  const ProfileView v = ViewAt(config, p, epoch + half_life_ms);
  EXPECT_THAT(v.mean[D(Dimension::kInitiative)], DoubleNear(1.0, 1e-12));
  EXPECT_THAT(v.mean[D(Dimension::kFormat)], DoubleNear(-0.5, 1e-12));
  EXPECT_THAT(v.mean[D(Dimension::kSocial)], DoubleNear(1.0, 1e-12));
  EXPECT_EQ(v.mean[D(Dimension::kSetting)], 0);
  EXPECT_THAT(v.balance, DoubleNear(4.0 / 4.5, 1e-12));
  EXPECT_THAT(v.total_weight, DoubleNear(2.25, 1e-12));
  EXPECT_THAT(v.weight[D(Dimension::kInitiative)], DoubleNear(1.0, 1e-12));
  EXPECT_THAT(v.weight[D(Dimension::kFormat)], DoubleNear(0.5, 1e-12));
  EXPECT_THAT(v.weight[D(Dimension::kSocial)], DoubleNear(1.0, 1e-12));
  EXPECT_EQ(v.position, BandPosition::kAbove);  // 0.889 > 0.70

  // Counts and signals: two events; one social (the reply) and one
  // self-chosen (initiative +1); decayed signal of B = 2 / 2 = 1.
  EXPECT_EQ(p.sums.counts[S(Signal::kActivity)], 2);
  EXPECT_EQ(p.sums.counts[S(Signal::kSocial)], 1);
  EXPECT_EQ(p.sums.counts[S(Signal::kSelfChosen)], 1);
  EXPECT_EQ(p.sums.counts[S(Signal::kAssigned)], 0);
  EXPECT_THAT(v.signals[S(Signal::kSocial)], DoubleNear(1.0, 1e-12));
  EXPECT_THAT(v.signals[S(Signal::kActivity)], DoubleNear(1.5, 1e-12));
  EXPECT_EQ(p.latest[S(Signal::kSocial)].event_id, "b");
  EXPECT_EQ(p.first_event_ms, epoch);
  EXPECT_EQ(p.last_event_ms, epoch + half_life_ms);

  // A year later the same profile has the same means and balance, with
  // 2^(365/90) times less weight.
  const ProfileView later =
      ViewAt(config, p, epoch + half_life_ms + 365LL * 86400000);
  EXPECT_THAT(later.balance, DoubleNear(v.balance, 1e-12));
  EXPECT_THAT(later.total_weight,
              DoubleNear(2.25 / std::exp2(365.0 / 90.0), 1e-9));
}

TEST(Profile, AddingCommutes) {
  // The same deltas in two orders.
  ProfileConfig config;
  std::vector<ProfileDelta> deltas;
  for (int day = 0; day < 40; ++day) {
    model::LearningEvent e =
        Event(common::StrCat("e", day), testing::kT0 + day * testing::kDayMs,
              day % 3 == 0 ? model::Verb::kReplied : model::Verb::kCompleted);
    e.learner.org_unit = day < 20 ? "sales" : "support";
    deltas.push_back(MakeDelta(config, e, testing::DefaultTagger().Tag(e)));
  }
  Profile forward;
  for (const auto& d : deltas) forward.Add(d);
  std::shuffle(deltas.begin(), deltas.end(), std::mt19937(7));
  Profile shuffled;
  for (const auto& d : deltas) shuffled.Add(d);
  // Floating-point sums in another order differ only in the last bits.
  for (size_t i = 0; i < kSignalCount; ++i) {
    EXPECT_EQ(forward.sums.counts[i], shuffled.sums.counts[i]);
    EXPECT_THAT(forward.sums.signals[i],
                DoubleNear(shuffled.sums.signals[i],
                           1e-12 * std::max(1.0, forward.sums.signals[i])));
  }
  const ProfileView a =
      ViewAt(config, forward, testing::kT0 + 50 * testing::kDayMs);
  const ProfileView b =
      ViewAt(config, shuffled, testing::kT0 + 50 * testing::kDayMs);
  EXPECT_THAT(a.balance, DoubleNear(b.balance, 1e-12));
  for (size_t d = 0; d < model::kDimensionCount; ++d) {
    EXPECT_THAT(a.mean[d], DoubleNear(b.mean[d], 1e-12));
  }
  EXPECT_EQ(forward.org_unit, "support");
  EXPECT_EQ(shuffled.org_unit, "support");
  EXPECT_EQ(forward.latest[0].event_id, shuffled.latest[0].event_id);
}

TEST(Profile, EncodingRoundTripsAndRejectsGarbage) {
  testing::History h;
  h.Add(0, model::Verb::kCompleted, model::ObjectType::kCourse, "c1");
  h.Add(1, model::Verb::kReplied, model::ObjectType::kDiscussion, "d1");
  h.Fold();
  const std::string blob = EncodeProfile(h.profile());
  auto back = DecodeProfile(blob);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(EncodeProfile(*back), blob);
  EXPECT_EQ(back->latest[S(Signal::kCompletion)].object_id, "c1");
  EXPECT_FALSE(back->latest[S(Signal::kCompletion)].rule_ids.empty());

  EXPECT_EQ(DecodeProfile(blob.substr(0, blob.size() / 2)).status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(DecodeProfile("").status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(DecodeProfile(std::string(200, '\x7f')).status().code(),
            absl::StatusCode::kDataLoss);
}

TEST(Profile, PositionNeedsEnoughEvidence) {
  ProfileConfig config;
  EXPECT_EQ(PositionOf(config, 0.5, 0.1), BandPosition::kUnknown);
  EXPECT_EQ(PositionOf(config, 0.1, 5), BandPosition::kBelow);
  EXPECT_EQ(PositionOf(config, 0.5, 5), BandPosition::kInside);
  EXPECT_EQ(PositionOf(config, 0.9, 5), BandPosition::kAbove);
}

}  // namespace
}  // namespace polku::learning
