// The port's own helpers (learning_store.h).
#include "store/learning_store.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace polku::store {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

ActivityState Touched(std::string id, int64_t last_ms) {
  ActivityState a;
  a.object_id = std::move(id);
  a.last_ms = last_ms;
  return a;
}

TEST(MostRecentlyTouchedTest, LatestFirstTiesById) {
  const std::vector<ActivityState> states = {Touched("c", 5), Touched("a", 9),
                                             Touched("b", 5), Touched("d", 1)};
  EXPECT_THAT(MostRecentlyTouched(states, 3), ElementsAre("a", "b", "c"));
  EXPECT_THAT(MostRecentlyTouched(states, 9), ElementsAre("a", "b", "c", "d"));
  EXPECT_THAT(MostRecentlyTouched(states, 0), IsEmpty());
  EXPECT_THAT(MostRecentlyTouched({}, 5), IsEmpty());
}

}  // namespace
}  // namespace polku::store
