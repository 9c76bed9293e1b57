#include "common/thread_name.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>

namespace polku::common {
namespace {

// Each check runs on a thread of its own, so the test runner's name is
// left alone.
std::string NameAfter(std::string_view name) {
  std::string seen;
  std::thread t([&] {
    SetCurrentThreadName(name);
    seen = CurrentThreadName();
  });
  t.join();
  return seen;
}

TEST(ThreadNameTest, AShortNameIsKept) {
  EXPECT_EQ(NameAfter("polku-writer"), "polku-writer");
}

TEST(ThreadNameTest, ALongNameIsCutToFifteenBytes) {
  EXPECT_EQ(NameAfter("polku-checkpointer-thread"), "polku-checkpoin");
}

TEST(ThreadNameTest, FifteenBytesFitExactly) {
  EXPECT_EQ(NameAfter("abcdefghijklmno"), "abcdefghijklmno");
}

}  // namespace
}  // namespace polku::common
