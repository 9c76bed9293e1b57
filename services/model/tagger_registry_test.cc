#include "model/tagger_registry.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace polku::model {
namespace {

using ::polku::testing::StatusIs;
using ::testing::HasSubstr;

std::string RulesWithReason(const std::string& reason) {
  return "version: 1\nrules:\n  - id: r\n    when: {verb: [VIEWED]}\n"
         "    score: {format: 1}\n    reason: {en: " +
         reason + ", fi: " + reason + "}\n";
}

class TaggerRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("polku-registry-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_ / "tenants");
    Write(dir_ / "rules.yaml", RulesWithReason("default"));
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  static void Write(const std::filesystem::path& p, const std::string& text) {
    std::ofstream(p) << text;
  }
  std::string ReasonFor(const TaggerRegistry& r, const std::string& tenant) {
    LearningEvent e;
    e.verb = Verb::kViewed;
    EventTags t = r.ForTenant(tenant)->Tag(e);
    return t.fired.empty() ? "" : t.fired[0]->reason_en;
  }
  std::filesystem::path dir_;
};

TEST_F(TaggerRegistryTest, TenantFileOverridesTheDefault) {
  Write(dir_ / "tenants" / "acme.yaml", RulesWithReason("acme"));
  POLKU_ASSERT_OK_AND_ASSIGN(
      auto registry, TaggerRegistry::Create((dir_ / "rules.yaml").string(),
                                            (dir_ / "tenants").string()));
  EXPECT_EQ(ReasonFor(*registry, "acme"), "acme");
  EXPECT_EQ(ReasonFor(*registry, "globex"), "default");
}

TEST_F(TaggerRegistryTest, ReloadPicksUpChanges) {
  POLKU_ASSERT_OK_AND_ASSIGN(
      auto registry,
      TaggerRegistry::Create((dir_ / "rules.yaml").string(), ""));
  Write(dir_ / "rules.yaml", RulesWithReason("changed"));
  POLKU_ASSERT_OK(registry->Reload());
  EXPECT_EQ(ReasonFor(*registry, "any"), "changed");
}

TEST_F(TaggerRegistryTest, BadFileKeepsTheOldRulesAndSaysWhy) {
  Write(dir_ / "tenants" / "acme.yaml", RulesWithReason("acme"));
  POLKU_ASSERT_OK_AND_ASSIGN(
      auto registry, TaggerRegistry::Create((dir_ / "rules.yaml").string(),
                                            (dir_ / "tenants").string()));
  Write(dir_ / "rules.yaml", RulesWithReason("new"));
  Write(dir_ / "tenants" / "acme.yaml", "version: 1\nrules: [{id: x}]\n");
  EXPECT_THAT(registry->Reload(), StatusIs(absl::StatusCode::kInvalidArgument,
                                           HasSubstr("acme.yaml: rule 'x'")));
  // Neither file took effect: no mix of old and new rules.
  EXPECT_EQ(ReasonFor(*registry, "acme"), "acme");
  EXPECT_EQ(ReasonFor(*registry, "other"), "default");
}

TEST_F(TaggerRegistryTest, CreateFailsOnAMissingDefault) {
  EXPECT_THAT(TaggerRegistry::Create((dir_ / "missing.yaml").string(), ""),
              StatusIs(absl::StatusCode::kNotFound));
}

}  // namespace
}  // namespace polku::model
