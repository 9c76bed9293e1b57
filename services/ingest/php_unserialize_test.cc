#include "ingest/php_unserialize.h"

#include <cmath>
#include <memory>
#include <string>

#include "common/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace polku::ingest {
namespace {

using ::polku::testing::StatusIs;
using ::testing::HasSubstr;

TEST(PhpUnserialize, ReadsScalars) {
  POLKU_ASSERT_OK_AND_ASSIGN(PhpValue n, PhpUnserialize("N;"));
  EXPECT_TRUE(n.is_null());

  POLKU_ASSERT_OK_AND_ASSIGN(PhpValue b, PhpUnserialize("b:1;"));
  EXPECT_EQ(b.type, PhpType::kBool);
  EXPECT_TRUE(b.bool_value);

  POLKU_ASSERT_OK_AND_ASSIGN(PhpValue i, PhpUnserialize("i:-42;"));
  EXPECT_EQ(i.type, PhpType::kInt);
  EXPECT_EQ(i.int_value, -42);

  POLKU_ASSERT_OK_AND_ASSIGN(PhpValue big,
                             PhpUnserialize("i:-9223372036854775808;"));
  EXPECT_EQ(big.int_value, INT64_MIN);

  POLKU_ASSERT_OK_AND_ASSIGN(PhpValue d, PhpUnserialize("d:0.5;"));
  EXPECT_EQ(d.type, PhpType::kDouble);
  EXPECT_DOUBLE_EQ(d.double_value, 0.5);

  POLKU_ASSERT_OK_AND_ASSIGN(PhpValue e, PhpUnserialize("d:1.0E+25;"));
  EXPECT_DOUBLE_EQ(e.double_value, 1.0e25);

  POLKU_ASSERT_OK_AND_ASSIGN(PhpValue inf, PhpUnserialize("d:-INF;"));
  EXPECT_TRUE(std::isinf(inf.double_value));
  POLKU_ASSERT_OK_AND_ASSIGN(PhpValue nan, PhpUnserialize("d:NAN;"));
  EXPECT_TRUE(std::isnan(nan.double_value));

  POLKU_ASSERT_OK_AND_ASSIGN(PhpValue s, PhpUnserialize("s:6:\"manual\";"));
  EXPECT_EQ(s.type, PhpType::kString);
  EXPECT_EQ(s.string_value, "manual");
}

TEST(PhpUnserialize, StringLengthIsInBytesAndMayHoldQuotesAndSemicolons) {
  // "ä" is two bytes in UTF-8; the embedded quote and ';' are data.
  POLKU_ASSERT_OK_AND_ASSIGN(PhpValue s,
                             PhpUnserialize("s:6:\"\xC3\xA4\";x\"\";"));
  EXPECT_EQ(s.string_value, "\xC3\xA4\";x\"");
}

TEST(PhpUnserialize, ReadsMoodleEnrolmentOther) {
  // core/user_enrolment_created/existing_user_enrolled/event.json
  POLKU_ASSERT_OK_AND_ASSIGN(
      PhpValue v, PhpUnserialize("a:1:{s:5:\"enrol\";s:6:\"manual\";}"));
  ASSERT_TRUE(v.is_array());
  const PhpValue* enrol = v.Find("enrol");
  ASSERT_NE(enrol, nullptr);
  EXPECT_EQ(enrol->string_value, "manual");
  EXPECT_EQ(v.Find("missing"), nullptr);
}

TEST(PhpUnserialize, ReadsNestedArraysAndNulls) {
  // core/search_results_viewed/user_viewed_search_results/event.json
  POLKU_ASSERT_OK_AND_ASSIGN(
      PhpValue v,
      PhpUnserialize(
          "a:7:{s:1:\"q\";s:5:\"query\";s:4:\"page\";i:0;s:5:\"title\";"
          "s:0:\"\";s:7:\"areaids\";a:0:{}s:9:\"courseids\";a:0:{}"
          "s:9:\"timestart\";i:0;s:7:\"timeend\";i:0;}"));
  ASSERT_EQ(v.entries.size(), 7u);
  ASSERT_NE(v.Find("areaids"), nullptr);
  EXPECT_TRUE(v.Find("areaids")->is_array());
  EXPECT_TRUE(v.Find("areaids")->entries.empty());
  EXPECT_EQ(v.Find("title")->string_value, "");

  // core/course_module_completion_update/completing_existing_module
  POLKU_ASSERT_OK_AND_ASSIGN(
      PhpValue c,
      PhpUnserialize("a:3:{s:13:\"relateduserid\";i:1;s:10:\"overrideby\";N;"
                     "s:15:\"completionstate\";i:2;}"));
  EXPECT_TRUE(c.Find("overrideby")->is_null());
  EXPECT_EQ(c.Find("completionstate")->AsInt(), 2);
}

TEST(PhpUnserialize, IntegerKeysMatchTheirDecimalText) {
  POLKU_ASSERT_OK_AND_ASSIGN(
      PhpValue v, PhpUnserialize("a:2:{i:0;s:1:\"a\";i:7;s:1:\"b\";}"));
  ASSERT_NE(v.Find("7"), nullptr);
  EXPECT_EQ(v.Find("7")->string_value, "b");
}

TEST(PhpUnserialize, ReadsObjectsLikeArraysWithPropertyVisibility) {
  using namespace std::string_literals;  // "..."s keeps the NUL bytes
  const std::string text =
      "O:8:\"stdClass\":3:{s:4:\"code\";s:3:\"abc\";"
      "s:7:\"\0*\0prot\";i:1;s:9:\"\0Foo\0priv\";i:2;}"s;
  POLKU_ASSERT_OK_AND_ASSIGN(PhpValue v, PhpUnserialize(text));
  EXPECT_TRUE(v.is_object);
  EXPECT_EQ(v.string_value, "stdClass");
  EXPECT_EQ(v.Find("code")->string_value, "abc");
  ASSERT_NE(v.Find("prot"), nullptr);
  EXPECT_EQ(v.Find("prot")->AsInt(), 1);
  ASSERT_NE(v.Find("priv"), nullptr);
  EXPECT_EQ(v.Find("priv")->AsInt(), 2);
}

TEST(PhpUnserialize, LenientScalarReaders) {
  POLKU_ASSERT_OK_AND_ASSIGN(PhpValue s, PhpUnserialize("s:2:\"10\";"));
  EXPECT_EQ(s.AsInt(), 10);
  EXPECT_EQ(s.AsDouble(), 10.0);
  POLKU_ASSERT_OK_AND_ASSIGN(PhpValue t, PhpUnserialize("s:3:\"abc\";"));
  EXPECT_EQ(t.AsInt(), std::nullopt);
  POLKU_ASSERT_OK_AND_ASSIGN(PhpValue d, PhpUnserialize("d:2.5;"));
  EXPECT_EQ(d.AsInt(), std::nullopt);
  EXPECT_EQ(d.AsDouble(), 2.5);
}

TEST(PhpUnserialize, RejectsTruncatedInputAtEveryLength) {
  const std::string full =
      "a:3:{s:13:\"relateduserid\";i:1;s:10:\"overrideby\";N;"
      "s:15:\"completionstate\";i:2;}";
  for (size_t n = 0; n < full.size(); ++n) {
    EXPECT_THAT(PhpUnserialize(std::string_view(full.data(), n)),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << "prefix of length " << n;
  }
  POLKU_EXPECT_OK(PhpUnserialize(full));
}

TEST(PhpUnserialize, RejectsLengthsBeyondTheInput) {
  EXPECT_THAT(PhpUnserialize("s:40:\"short\";"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("exceeds the remaining input")));
  EXPECT_THAT(
      PhpUnserialize("s:99999999999999999999:\"x\";"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("out of range")));
  // A forged element count must not make the reader allocate.
  EXPECT_THAT(PhpUnserialize("a:1000000000:{}"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("exceeds the remaining input")));
}

TEST(PhpUnserialize, RejectsMalformedValues) {
  for (const char* bad :
       {"", "x", "N", "b:2;", "i:;", "i:12", "i:1x;", "d:abc;", "s:1:x\";",
        "s:1:\"xy\";", "a:1:{N;N;}", "a:1:{i:0;N;", "a:-1:{}", "i:1;i:2;",
        "s:-1:\"\";", "O:3:\"Foo\":1:{d:1.0;N;}"}) {
    EXPECT_THAT(PhpUnserialize(bad),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << bad;
  }
}

TEST(PhpUnserialize, RejectsUnsupportedForms) {
  EXPECT_THAT(PhpUnserialize("C:3:\"Foo\":0:{}"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("custom-serialised")));
  EXPECT_THAT(
      PhpUnserialize("a:2:{i:0;i:1;i:1;r:2;}"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("references")));
  EXPECT_THAT(PhpUnserialize("E:7:\"Foo:Bar\";"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("enums")));
}

TEST(PhpUnserialize, BoundsTheNestingDepth) {
  std::string deep;
  for (int i = 0; i < 40; ++i) deep += "a:1:{i:0;";
  deep += "N;";
  for (int i = 0; i < 40; ++i) deep += "}";
  EXPECT_THAT(PhpUnserialize(deep), StatusIs(absl::StatusCode::kInvalidArgument,
                                             HasSubstr("nested deeper")));

  std::string ok;
  for (int i = 0; i < 32; ++i) ok += "a:1:{i:0;";
  ok += "N;";
  for (int i = 0; i < 32; ++i) ok += "}";
  POLKU_EXPECT_OK(PhpUnserialize(ok));
}

TEST(PhpUnserialize, BoundsTheTotalNumberOfEntries) {
  std::string many = "a:100:{";
  for (int i = 0; i < 100; ++i) many += "i:" + std::to_string(i) + ";N;";
  many += "}";
  PhpUnserializeLimits limits;
  limits.max_entries = 50;
  EXPECT_THAT(
      PhpUnserialize(many, limits),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("array entries")));
  POLKU_EXPECT_OK(PhpUnserialize(many));
}

TEST(PhpUnserialize, ErrorsNameTheOffset) {
  EXPECT_THAT(
      PhpUnserialize("a:1:{s:5:\"enrol\";q:1;}"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("offset 17")));
}

TEST(PhpUnserialize, LooksPhpSerializedTellsPhpFromJsonAndText) {
  EXPECT_TRUE(LooksPhpSerialized("a:1:{s:5:\"enrol\";s:6:\"manual\";}"));
  EXPECT_TRUE(LooksPhpSerialized("N;"));
  EXPECT_TRUE(LooksPhpSerialized("O:8:\"stdClass\":0:{}"));
  EXPECT_FALSE(LooksPhpSerialized("{\"enrol\":\"manual\"}"));
  EXPECT_FALSE(LooksPhpSerialized("manual"));
  EXPECT_FALSE(LooksPhpSerialized(""));
}

TEST(PhpUnserialize, NeverReadsPastTheEndOfArbitraryBytes) {
  // A cheap deterministic fuzz: every mutation of a real value either
  // parses or fails cleanly (ASan catches any out-of-bounds read).
  const std::string seed =
      "a:3:{s:12:\"discussionid\";i:1;s:7:\"forumid\";i:2;s:9:\"forumtype\";"
      "s:7:\"general\";}";
  const char alphabet[] = {'a', 's', 'i', 'd', 'N', ':', ';', '{',
                           '}', '"', '0', '9', '-', 'O', 'b'};
  uint32_t state = 12345;
  for (int round = 0; round < 20000; ++round) {
    std::string m = seed;
    int edits = 1 + static_cast<int>(state % 4);
    for (int k = 0; k < edits; ++k) {
      state = state * 1103515245u + 12345u;
      size_t pos = (state >> 8) % m.size();
      state = state * 1103515245u + 12345u;
      char c = alphabet[(state >> 8) % sizeof(alphabet)];
      if ((state >> 20) % 3 == 0) {
        m.erase(pos, 1);
      } else {
        m[pos] = c;
      }
      if (m.empty()) break;
    }
    // Copy into an exactly sized heap buffer so an overread is detectable.
    std::unique_ptr<char[]> buf(new char[m.size()]);
    std::copy(m.begin(), m.end(), buf.get());
    auto result = PhpUnserialize(std::string_view(buf.get(), m.size()));
    if (!result.ok()) {
      EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
    }
  }
}

}  // namespace
}  // namespace polku::ingest
