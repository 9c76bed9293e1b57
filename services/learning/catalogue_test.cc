#include "learning/catalogue.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "common/field_error.h"
#include "learning/test_support.h"

namespace polku::learning {
namespace {

using model::Mode;
using model::ObjectType;
using ::testing::HasSubstr;

TEST(Catalogue, AStepNamingAnUnknownActivityIsAnError) {
  std::vector<Activity> acts = {
      testing::MakeActivity("a", ObjectType::kCourse, Mode::kStructured)};
  LearningPath p;
  p.id = "p";
  p.steps = {{"a", Mode::kStructured, {}, false},
             {"missing", Mode::kSelfDirected, {}, false}};
  auto c = Catalogue::Build(acts, {p});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(common::ErrorField(c.status()), "paths[0].steps[1].activity_id");
  EXPECT_THAT(std::string(c.status().message()), HasSubstr("\"missing\""));
}

TEST(Catalogue, ARepeatedActivityIdIsAnError) {
  std::vector<Activity> acts = {
      testing::MakeActivity("a", ObjectType::kCourse, Mode::kStructured),
      testing::MakeActivity("b", ObjectType::kCourse, Mode::kStructured),
      testing::MakeActivity("a", ObjectType::kNote, Mode::kSelfDirected)};
  auto c = Catalogue::Build(acts, {});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(common::ErrorField(c.status()), "activities[2].id");
  EXPECT_THAT(std::string(c.status().message()), HasSubstr("activities[0]"));
}

TEST(Catalogue, ARepeatedPathIdIsAnError) {
  std::vector<Activity> acts = {
      testing::MakeActivity("a", ObjectType::kCourse, Mode::kStructured)};
  std::vector<LearningPath> paths(3);
  for (LearningPath& p : paths) p.steps = {{"a", Mode::kStructured, {}, false}};
  paths[0].id = "onboarding";
  paths[1].id = "leadership";
  paths[2].id = "leadership";
  auto c = Catalogue::Build(acts, paths);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(common::ErrorField(c.status()), "paths[2].id");
  EXPECT_THAT(std::string(c.status().message()), HasSubstr("paths[1]"));
}

TEST(Catalogue, FindsByIdAndKnowsTheIndex) {
  std::vector<Activity> acts = {
      testing::MakeActivity("first", ObjectType::kCourse, Mode::kStructured),
      testing::MakeActivity("a-rather-long-activity-id-beyond-sso",
                            ObjectType::kNote, Mode::kSelfDirected)};
  auto c = Catalogue::Build(acts, {});
  ASSERT_TRUE(c.ok()) << c.status();
  const std::string_view id = "a-rather-long-activity-id-beyond-sso";
  const Activity* a = (*c)->FindActivity(id);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->id, id);
  EXPECT_EQ((*c)->IndexOf(*a), 1u);
  EXPECT_EQ((*c)->FindActivity("missing"), nullptr);
  EXPECT_EQ((*c)->FindPath("missing"), nullptr);
  EXPECT_TRUE((*c)->PathsWithActivity("first").empty());
}

TEST(Catalogue, ValidationNamesTheField) {
  Activity a =
      testing::MakeActivity("a", ObjectType::kCourse, Mode::kStructured);
  EXPECT_TRUE(ValidateActivity(a).ok());
  Activity no_id = a;
  no_id.id.clear();
  EXPECT_EQ(common::ErrorField(ValidateActivity(no_id)), "id");
  Activity bad_url = a;
  bad_url.url = "javascript:alert(1)";
  EXPECT_EQ(common::ErrorField(ValidateActivity(bad_url)), "url");
  Activity no_type = a;
  no_type.type = ObjectType::kUnspecified;
  EXPECT_EQ(common::ErrorField(ValidateActivity(no_type)), "type");
  Activity many = a;
  many.competencies.assign(kMaxTags + 1, "x");
  EXPECT_EQ(common::ErrorField(ValidateActivity(many)), "competencies");
}

TEST(Catalogue, IndexesPathsAndComposition) {
  std::vector<Activity> acts = {
      testing::MakeActivity("a", ObjectType::kCourse, Mode::kStructured),
      testing::MakeActivity("b", ObjectType::kCommunity, Mode::kSelfDirected),
      testing::MakeActivity("h", ObjectType::kWorkAssignment,
                            Mode::kSelfDirected)};
  acts[2].visible = false;
  LearningPath p;
  p.id = "p";
  p.steps = {{"a", Mode::kStructured, {"b"}, false}};
  // A path naming "a" twice lists it once.
  LearningPath q;
  q.id = "q";
  q.steps = {{"a", Mode::kStructured, {}, false},
             {"b", Mode::kSelfDirected, {"a"}, false}};
  auto c = Catalogue::Build(acts, {p, q});
  ASSERT_TRUE(c.ok()) << c.status();
  using ::testing::ElementsAre;
  EXPECT_THAT((*c)->PathsWithActivity("a"), ElementsAre(0u, 1u));
  EXPECT_THAT((*c)->PathsWithActivity("b"), ElementsAre(0u, 1u));  // alt
  EXPECT_THAT((*c)->PathsWithActivityAt(0), ElementsAre(0u, 1u));
  EXPECT_TRUE((*c)->PathsWithActivity("h").empty());
  EXPECT_TRUE((*c)->PathsWithActivity("missing").empty());
  Catalogue::Composition comp = (*c)->Compose();
  EXPECT_EQ(comp.visible, 2u);  // the hidden one does not count
  EXPECT_EQ(comp.structured, 1u);
  EXPECT_EQ(comp.self_directed, 1u);
  EXPECT_EQ(comp.social, 1u);
  EXPECT_EQ(comp.at_work, 0u);
}

TEST(Catalogue, ListsVisibleActivitiesByTypeRequiredAndSelfEnrolInOrder) {
  std::vector<Activity> acts = {
      testing::MakeActivity("c1", ObjectType::kCourse, Mode::kStructured),
      testing::MakeActivity("n1", ObjectType::kNote, Mode::kSelfDirected),
      testing::MakeActivity("c2", ObjectType::kCourse, Mode::kStructured),
      testing::MakeActivity("c3", ObjectType::kCourse, Mode::kStructured),
      testing::MakeActivity("n2", ObjectType::kNote, Mode::kSelfDirected)};
  acts[2].visible = false;  // hidden: in no list
  acts[2].required = true;
  acts[3].required = true;
  acts[4].required = true;
  acts[1].self_enrol = true;
  acts[2].self_enrol = true;
  auto c = Catalogue::Build(acts, {});
  ASSERT_TRUE(c.ok()) << c.status();
  using ::testing::ElementsAre;
  EXPECT_THAT((*c)->Visible(), ElementsAre(0u, 1u, 3u, 4u));
  EXPECT_THAT((*c)->VisibleOfType(ObjectType::kCourse), ElementsAre(0u, 3u));
  EXPECT_THAT((*c)->VisibleOfType(ObjectType::kNote), ElementsAre(1u, 4u));
  EXPECT_TRUE((*c)->VisibleOfType(ObjectType::kCommunity).empty());
  EXPECT_THAT((*c)->VisibleRequired(), ElementsAre(3u, 4u));
  EXPECT_THAT((*c)->VisibleSelfEnrol(), ElementsAre(1u));
}

TEST(Catalogue, ListsTheVisibleActivitiesOfEachTopicOnce) {
  std::vector<Activity> acts = {
      testing::MakeActivity("c1", ObjectType::kCourse, Mode::kStructured),
      testing::MakeActivity("c2", ObjectType::kCourse, Mode::kStructured),
      testing::MakeActivity("c3", ObjectType::kCourse, Mode::kStructured),
      testing::MakeActivity("c4", ObjectType::kCourse, Mode::kStructured)};
  acts[0].competencies = {"data", "data"};
  acts[0].goal_ids = {"g"};
  acts[1].competencies = {"g"};  // the competency "g", not the goal
  acts[2].competencies = {"data"};
  acts[2].visible = false;
  acts[3].goal_ids = {"g"};
  acts[3].competencies = {"data"};
  auto c = Catalogue::Build(acts, {});
  ASSERT_TRUE(c.ok()) << c.status();
  using ::testing::ElementsAre;
  const std::vector<uint32_t>& topics = (*c)->TopicsOf(0);
  ASSERT_EQ(topics.size(), 3u);  // data, data, goal g
  EXPECT_THAT((*c)->VisibleWithTopic(topics[0]), ElementsAre(0u, 3u));
  EXPECT_THAT((*c)->VisibleWithTopic(topics[2]), ElementsAre(0u, 3u));
  const std::vector<uint32_t>& competency_g = (*c)->TopicsOf(1);
  ASSERT_EQ(competency_g.size(), 1u);
  EXPECT_THAT((*c)->VisibleWithTopic(competency_g[0]), ElementsAre(1u));
}

TEST(CatalogueFile, TheShippedExampleLoadsAndBuilds) {
  std::ifstream in(POLKU_SOURCE_DIR "/deploy/config/catalogue.yaml");
  std::stringstream text;
  text << in.rdbuf();
  auto file = ParseCatalogueYaml(text.str(), "catalogue.yaml");
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_GE(file->activities.size(), 10u);
  EXPECT_GE(file->paths.size(), 2u);
  auto c = Catalogue::Build(file->activities, file->paths);
  ASSERT_TRUE(c.ok()) << c.status();
  // Every path mixes structured and self-directed steps.
  for (const LearningPath& p : (*c)->paths()) {
    bool structured = false;
    bool self_directed = false;
    for (const PathStep& s : p.steps) {
      structured = structured || s.mode == Mode::kStructured;
      self_directed = self_directed || s.mode == Mode::kSelfDirected;
    }
    EXPECT_TRUE(structured && self_directed) << p.id;
  }
}

TEST(CatalogueFile, ErrorsNameTheFileEntryAndField) {
  auto bad_type = ParseCatalogueYaml(
      "activities:\n  - {id: a, type: SPACESHIP}\n", "cat.yaml");
  ASSERT_FALSE(bad_type.ok());
  EXPECT_THAT(std::string(bad_type.status().message()),
              HasSubstr("cat.yaml: activities[0].type: unknown activity type "
                        "\"SPACESHIP\""));
  auto bad_mode = ParseCatalogueYaml(
      "activities:\n  - {id: a, type: COURSE, mode: SOMETIMES}\n", "cat.yaml");
  EXPECT_THAT(std::string(bad_mode.status().message()),
              HasSubstr("activities[0].mode: unknown mode"));
  auto bad_key = ParseCatalogueYaml("courses: []\n", "cat.yaml");
  EXPECT_THAT(std::string(bad_key.status().message()),
              HasSubstr("courses: is not a known key"));
  auto bad_yaml = ParseCatalogueYaml("activities: [\n", "cat.yaml");
  EXPECT_EQ(bad_yaml.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad_yaml.status().message()), HasSubstr("cat.yaml:"));
  auto no_url = ParseCatalogueYaml(
      "activities:\n  - {id: a, type: COURSE, url: ftp://x}\n", "cat.yaml");
  EXPECT_THAT(std::string(no_url.status().message()),
              HasSubstr("activities[0].url: must be an http or https URL"));
}

}  // namespace
}  // namespace polku::learning
