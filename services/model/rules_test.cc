#include "model/rules.h"

#include "common/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace polku::model {
namespace {

using ::polku::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr char kValid[] = R"(
version: 1
mode: {threshold: 0.3, confidence_weight: 2}
dimension_weights: {goal_link: 0.5}
rules:
  - id: initiative.enrolled_by_staff
    when: {verb: [ENROLLED], initiator: [STAFF, SYSTEM]}
    score: {initiative: -1}
    reason: {en: enrolled by staff, fi: henkilökunta ilmoitti}
  - id: format.course
    when: {object_type: COURSE, required: true}
    score: {format: -0.8, orientation: -0.5}
    weight: 0.7
    reason: {en: a required course, fi: pakollinen kurssi}
)";

TEST(RuleSet, ParsesAndCompilesAValidFile) {
  auto rules = RuleSet::Parse(kValid, "rules.yaml");
  POLKU_ASSERT_OK(rules);
  const RuleSet& set = **rules;
  ASSERT_EQ(set.rules().size(), 2u);
  EXPECT_DOUBLE_EQ(set.mode_settings().threshold, 0.3);
  EXPECT_DOUBLE_EQ(set.dimension_weights()[5], 0.5);
  const Rule& r = set.rules()[0];
  EXPECT_EQ(r.id, "initiative.enrolled_by_staff");
  EXPECT_EQ(r.verb_mask, uint64_t{1} << static_cast<int>(Verb::kEnrolled));
  EXPECT_EQ(r.initiator_mask,
            (uint64_t{1} << static_cast<int>(Initiator::kStaff)) |
                (uint64_t{1} << static_cast<int>(Initiator::kSystem)));
  EXPECT_EQ(set.rules()[1].facts_true, 1u << static_cast<int>(Fact::kRequired));
  EXPECT_EQ(set.rules()[1].Reason("fi-FI"), "pakollinen kurssi");
  EXPECT_EQ(set.digest().size(), 64u);
}

struct BadCase {
  const char* name;
  const char* yaml;
  const char* expected;  // substring of the error
};

class RuleSetErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(RuleSetErrors, NameFileRuleAndKey) {
  auto rules = RuleSet::Parse(GetParam().yaml, "tenant.yaml");
  EXPECT_THAT(rules, StatusIs(absl::StatusCode::kInvalidArgument,
                              AllOf(HasSubstr("tenant.yaml"),
                                    HasSubstr(GetParam().expected))));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, RuleSetErrors,
    ::testing::Values(
        BadCase{"UnknownVerb",
                "version: 1\nrules:\n  - id: a\n    when: {verb: [JUMPED]}\n"
                "    score: {format: 1}\n    reason: {en: x, fi: y}\n",
                "rule 'a': key 'when.verb': unknown value 'JUMPED'"},
        BadCase{"ScoreOutOfRange",
                "version: 1\nrules:\n  - id: b\n    when: {verb: VIEWED}\n"
                "    score: {format: 2}\n    reason: {en: x, fi: y}\n",
                "key 'score.format': must lie in [-1, 1]"},
        BadCase{"MissingFinnish",
                "version: 1\nrules:\n  - id: c\n    when: {verb: VIEWED}\n"
                "    score: {format: 1}\n    reason: {en: x}\n",
                "key 'reason.fi': is required"},
        BadCase{"UnknownKey",
                "version: 1\nrules:\n  - id: d\n    when: {verb: VIEWED}\n"
                "    score: {format: 1}\n    reason: {en: x, fi: y}\n    "
                "colour: red\n",
                "key 'colour': unknown key"},
        BadCase{"UnknownDimension",
                "version: 1\nrules:\n  - id: e\n    when: {verb: VIEWED}\n"
                "    score: {happiness: 1}\n    reason: {en: x, fi: y}\n",
                "key 'score.happiness': unknown dimension"},
        BadCase{"DuplicateId",
                "version: 1\nrules:\n  - id: f\n    when: {verb: VIEWED}\n"
                "    score: {format: 1}\n    reason: {en: x, fi: y}\n"
                "  - id: f\n    when: {verb: VIEWED}\n"
                "    score: {format: 1}\n    reason: {en: x, fi: y}\n",
                "rule 'f': key 'id': is used by an earlier rule"},
        BadCase{"RuleWithoutId",
                "version: 1\nrules:\n  - when: {verb: VIEWED}\n"
                "    score: {format: 1}\n    reason: {en: x, fi: y}\n",
                "rule #1: key 'id': is required"},
        BadCase{"BadYaml", "version: 1\nrules: [\n", "YAML error at line"},
        BadCase{"WrongVersion", "version: 2\nrules: []\n",
                "key 'version': must be 1"},
        BadCase{"FactNotBool",
                "version: 1\nrules:\n  - id: g\n    when: {required: maybe}\n"
                "    score: {format: 1}\n    reason: {en: x, fi: y}\n",
                "key 'when.required': must be true or false"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(RuleSet, LoadReportsMissingFile) {
  EXPECT_THAT(RuleSet::Load("/nonexistent/rules.yaml"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("/nonexistent")));
}

TEST(RuleSet, ShippedDefaultRulesLoad) {
  auto rules = RuleSet::Load(POLKU_SOURCE_DIR "/deploy/config/rules.yaml");
  POLKU_ASSERT_OK(rules);
  EXPECT_GE((*rules)->rules().size(), 10u);
}

}  // namespace
}  // namespace polku::model
