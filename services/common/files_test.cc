#include "common/files.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"

namespace polku::common {
namespace {

std::string TempDir() {
  std::string dir = ::testing::TempDir() + "polku-files-XXXXXX";
  EXPECT_NE(::mkdtemp(dir.data()), nullptr);
  return dir;
}

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(WriteFileAtomically, ReplacesTheContentWithTheGivenMode) {
  const std::string path = TempDir() + "/keys.json";
  ASSERT_TRUE(WriteFileAtomically(path, "first\n").ok());
  ASSERT_TRUE(WriteFileAtomically(path, "second\n", 0640).ok());
  EXPECT_EQ(Read(path), "second\n");
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  // No temporary file is left behind.
  EXPECT_NE(::access((path + ".tmp").c_str(), F_OK), 0);
}

TEST(WriteFileAtomically, AFailureNamesTheFileAndKeepsTheOldContent) {
  const std::string dir = TempDir();
  const std::string path = dir + "/keys.json";
  ASSERT_TRUE(WriteFileAtomically(path, "old\n").ok());
  // A directory where the temporary file would go makes the create fail.
  ASSERT_EQ(::mkdir((path + ".tmp").c_str(), 0700), 0);
  absl::Status s = WriteFileAtomically(path, "new\n");
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(s.message().find(path + ".tmp: create failed"), std::string::npos)
      << s;
  EXPECT_EQ(Read(path), "old\n");
}

TEST(WriteFileAtomically, AMissingDirectoryIsAnError) {
  absl::Status s = WriteFileAtomically(TempDir() + "/no/such/file", "x");
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
}

TEST(FileLock, LocksBesideTheFileAndNamesItOnFailure) {
  const std::string dir = TempDir();
  {
    FileLock lock(dir + "/keys.json");
    EXPECT_TRUE(lock.status().ok()) << lock.status();
    EXPECT_EQ(::access((dir + "/keys.json.lock").c_str(), F_OK), 0);
  }
  FileLock missing(dir + "/no/such/keys.json");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(missing.status().message().find("keys.json.lock: open failed"),
            std::string::npos)
      << missing.status();
}

}  // namespace
}  // namespace polku::common
