#include "common/hashing.h"

#include <atomic>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace polku::common {
namespace {

using ::polku::testing::StatusIs;

TEST(UuidV5, MatchesRfc4122Example) {
  // The python uuid module's documented example: uuid5(NAMESPACE_DNS,
  // 'python.org').
  auto id = UuidV5(kDnsNamespace, "python.org");
  POLKU_ASSERT_OK(id);
  EXPECT_EQ(*id, "886313e1-3b8a-5372-9b90-0c9aee199e5d");
}

TEST(UuidV5, RejectsBadNamespace) {
  EXPECT_THAT(UuidV5("not-a-uuid", "x"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(UuidV5, EventNamespaceIsDerivedFromUrlNamespace) {
  EXPECT_EQ(EventIdNamespace(), *UuidV5(kUrlNamespace, "urn:polku:event"));
  EXPECT_TRUE(IsUuid(EventIdNamespace()));
}

TEST(UuidV5, SharedVectorsHold) {
  std::ifstream in(POLKU_SOURCE_DIR "/tests/data/uuid5_vectors.json");
  ASSERT_TRUE(in) << "tests/data/uuid5_vectors.json is missing";
  std::stringstream text;
  text << in.rdbuf();
  const std::string s = text.str();
  // The file is small and flat: find each "namespace"/"name"/"uuid" triple.
  size_t pos = 0;
  int cases = 0;
  auto field = [&](const char* key, size_t from, size_t* end) {
    std::string k = std::string("\"") + key + "\": \"";
    size_t b = s.find(k, from);
    if (b == std::string::npos) return std::string();
    b += k.size();
    std::string out;
    size_t i = b;
    for (; i < s.size() && s[i] != '"'; ++i) {
      if (s[i] == '\\' && i + 1 < s.size()) {
        ++i;
        out.push_back(s[i] == 'n' ? '\n' : s[i]);
      } else {
        out.push_back(s[i]);
      }
    }
    *end = i;
    return out;
  };
  size_t end = 0;
  EXPECT_EQ(field("event_namespace", 0, &end), EventIdNamespace());
  while ((pos = s.find("{\"namespace\"", pos)) != std::string::npos) {
    std::string ns = field("namespace", pos, &end);
    std::string name = field("name", end, &end);
    std::string want = field("uuid", end, &end);
    pos = end;
    auto got = UuidV5(ns, name);
    POLKU_ASSERT_OK(got);
    EXPECT_EQ(*got, want) << "name: " << name;
    ++cases;
  }
  EXPECT_GE(cases, 3);
}

TEST(IsUuid, AcceptsHyphenatedHexOnly) {
  EXPECT_TRUE(IsUuid("b52eb5c3-350f-45c2-9f03-aa642b7ad30d"));
  EXPECT_TRUE(IsUuid("B52EB5C3-350F-45C2-9F03-AA642B7AD30D"));
  EXPECT_FALSE(IsUuid("b52eb5c3350f45c29f03aa642b7ad30d"));
  EXPECT_FALSE(IsUuid("g52eb5c3-350f-45c2-9f03-aa642b7ad30d"));
  EXPECT_FALSE(IsUuid(""));
}

TEST(Sha256Hex, KnownDigest) {
  EXPECT_EQ(Sha256Hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256Hex, EmptyInput) {
  EXPECT_EQ(Sha256Hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Hash64, IsTheDigestsFirstEightBytes) {
  // SHA-256("abc") begins ba 78 16 bf 8f 01 cf ea; read in the machine's
  // (little-endian) byte order.
  EXPECT_EQ(Hash64("abc"), 0xeacf018fbf1678baULL);
}

// The digests are fetched once and shared: threads hashing at once get the
// same answers as one thread.
TEST(Sha256Hex, ManyThreadsAgreeWithOne) {
  std::vector<std::string> inputs;
  std::vector<std::string> expected;
  for (int i = 0; i < 64; ++i) {
    inputs.push_back(std::string(static_cast<size_t>(i) * 7, 'a' + i % 26));
    expected.push_back(Sha256Hex(inputs.back()));
  }
  const std::string uuid = *UuidV5(kUrlNamespace, "urn:polku:event");
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int round = 0; round < 200; ++round) {
        for (size_t i = 0; i < inputs.size(); ++i) {
          if (Sha256Hex(inputs[i]) != expected[i]) ++wrong;
        }
        if (*UuidV5(kUrlNamespace, "urn:polku:event") != uuid) ++wrong;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace polku::common
