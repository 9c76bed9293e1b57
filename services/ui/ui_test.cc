#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <initializer_list>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "common/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ui/session_store.h"
#include "ui/ui_assets.h"
#include "ui/ui_pages.h"
#include "ui/ui_tenants.h"
#include "ui/ui_token.h"

namespace polku::ui {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kSecret[] = "0123456789abcdef0123456789abcdef";
constexpr int64_t kNow = 1767225600;  // 2026-01-01T00:00:00Z

std::string TempDir() {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "polku_ui_test_XXXXXX")
          .string();
  return mkdtemp(pattern.data());
}

// The secret of the adapters' known vectors (plugins/moodle and
// plugins/openedx test the same tokens).
constexpr char kVectorSecret[] =
    "9f2c4e6a8b0d1f3e5a7c9b1d3f5e7a9c0b2d4f6e8a0c2e4b6d8f0a1c3e5b7d9f";

std::string Bytes(std::initializer_list<unsigned char> b) {
  return std::string(b.begin(), b.end());
}

// Nonce bytes 00 01 .. 0f.
std::string CountingNonce() {
  std::string n;
  for (int i = 0; i < 16; ++i) n.push_back(static_cast<char>(i));
  return n;
}

// A v1 token as adapters of an earlier release mint it.
std::string MintV1(const std::string& secret, const std::string& tenant,
                   const std::string& learner, int64_t expiry) {
  return "v1." + tenant + "." + absl::WebSafeBase64Escape(learner) + "." +
         std::to_string(expiry) + "." +
         absl::WebSafeBase64Escape(
             HmacSha256(secret, TokenSigningInputV1(tenant, learner, expiry)));
}

std::vector<std::string> SplitDots(const std::string& token) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t at; (at = token.find('.', start)) != std::string::npos;
       start = at + 1) {
    parts.push_back(token.substr(start, at - start));
  }
  parts.push_back(token.substr(start));
  return parts;
}

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : ".") + p;
  return out;
}

TEST(UiToken, SignsTheDocumentedInput) {
  auto token = MintTokenWithNonce(kSecret, "acme", "lms.example#42", kNow + 300,
                                  CountingNonce());
  ASSERT_TRUE(token.ok()) << token.status();
  std::string nonce = absl::WebSafeBase64Escape(CountingNonce());
  EXPECT_EQ(nonce, "AAECAwQFBgcICQoLDA0ODw");
  std::string mac =
      HmacSha256(kSecret, std::string("polku-ui-v2\nacme\nlms.example#42\n") +
                              std::to_string(kNow + 300) + "\n" + nonce);
  std::string learner = absl::WebSafeBase64Escape("lms.example#42");
  EXPECT_EQ(*token, "v2.acme." + learner + "." + std::to_string(kNow + 300) +
                        "." + nonce + "." + absl::WebSafeBase64Escape(mac));
  EXPECT_EQ(TokenSigningInputV1("acme", "l#1", 5), "polku-ui-v1\nacme\nl#1\n5");
  // RFC 4231 test case 2: HMAC-SHA256("Jefe", "what do ya want ...").
  EXPECT_EQ(absl::BytesToHexString(
                HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(UiToken, MatchesTheVectorsComputedWithOpenssl) {
  // printf 'polku-ui-v2\nacme\nmoodle.example.edu#42\n1767225600\n<nonce>' |
  //   openssl dgst -sha256 -hmac <kVectorSecret> -binary | base64, then
  // '+/' -> '-_' without '='. The same vectors are in the Moodle and
  // Open edX plugins' tests.
  EXPECT_EQ(*MintTokenWithNonce(kVectorSecret, "acme", "moodle.example.edu#42",
                                kNow, CountingNonce()),
            "v2.acme.bW9vZGxlLmV4YW1wbGUuZWR1IzQy.1767225600."
            "AAECAwQFBgcICQoLDA0ODw."
            "AxKdMF5p5zb2q6zqrjA16tNVTJTuOsEda8X41JKLPzY");
  EXPECT_EQ(
      *MintTokenWithNonce(kVectorSecret, "moodle-test",
                          "lms.example.org/moodle#7", kNow, CountingNonce()),
      "v2.moodle-test.bG1zLmV4YW1wbGUub3JnL21vb2RsZSM3.1767225600."
      "AAECAwQFBgcICQoLDA0ODw."
      "VmzDuBEAgR3fJhzl4qjBslc96SVviz1MbXJnXGpK-2k");
  // Nonce bytes ff fe .. f0: '-' and '_' in the nonce and the signature.
  std::string nonce;
  for (int i = 0; i < 16; ++i) nonce.push_back(static_cast<char>(0xff - i));
  std::string token = *MintTokenWithNonce(kVectorSecret, "acme",
                                          "moodle.example.edu#42", kNow, nonce);
  EXPECT_EQ(token,
            "v2.acme.bW9vZGxlLmV4YW1wbGUuZWR1IzQy.1767225600."
            "__79_Pv6-fj39vX08_Lx8A."
            "qp_JqT7tBp3LjZyPE-tsVMREa6ylBHF7j_m6HD67HoA");
  auto claims = VerifyToken(token, {kVectorSecret}, kNow);
  ASSERT_TRUE(claims.ok()) << claims.status();
  EXPECT_EQ(claims->version, 2);
  EXPECT_EQ(claims->nonce, "__79_Pv6-fj39vX08_Lx8A");
  // The v1 vector of the earlier release (openssl dgst the same way).
  EXPECT_EQ(MintV1(kVectorSecret, "acme", "moodle.example.edu#42", kNow),
            "v1.acme.bW9vZGxlLmV4YW1wbGUuZWR1IzQy.1767225600."
            "RMpWrpW5l5_-bGLebr_Dt3xemA8HlPhRlMhBVNKG_s8");
}

TEST(UiToken, VerifiesAFreshToken) {
  auto token = MintToken(kSecret, "acme", "lms.example#42", kNow + 300);
  ASSERT_TRUE(token.ok()) << token.status();
  EXPECT_EQ(token->substr(0, 3), "v2.");
  EXPECT_EQ(SplitDots(*token).size(), 6u) << *token;
  auto claims = VerifyToken(*token, {kSecret}, kNow);
  ASSERT_TRUE(claims.ok()) << claims.status();
  EXPECT_EQ(claims->version, 2);
  EXPECT_EQ(claims->tenant, "acme");
  EXPECT_EQ(claims->learner, "lms.example#42");
  EXPECT_EQ(claims->expiry_seconds, kNow + 300);
  EXPECT_EQ(claims->nonce.size(), kNonceChars);
  EXPECT_EQ(claims->nonce, SplitDots(*token)[4]);
  EXPECT_EQ(absl::WebSafeBase64Escape(claims->signature), SplitDots(*token)[5]);
}

TEST(UiToken, StillAcceptsVersion1Tokens) {
  // Adapters of an earlier release mint v1 until they are upgraded.
  std::string v1 = MintV1(kSecret, "acme", "lms.example#42", kNow + 300);
  auto claims = VerifyToken(v1, {kSecret}, kNow);
  ASSERT_TRUE(claims.ok()) << claims.status();
  EXPECT_EQ(claims->version, 1);
  EXPECT_EQ(claims->tenant, "acme");
  EXPECT_EQ(claims->learner, "lms.example#42");
  EXPECT_EQ(claims->expiry_seconds, kNow + 300);
  EXPECT_EQ(claims->nonce, "");
  EXPECT_EQ(claims->signature.size(), 32u);
  // Still checked as before: another secret, an expired one.
  EXPECT_EQ(VerifyToken(v1, {"another secret"}, kNow).status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(
      VerifyToken(MintV1(kSecret, "acme", "l#1", kNow - 100), {kSecret}, kNow)
          .status()
          .code(),
      absl::StatusCode::kUnauthenticated);
  // A v1 signature under the v2 label (or the other way round) is refused.
  std::vector<std::string> parts = SplitDots(v1);
  parts[0] = "v2";
  parts.insert(parts.begin() + 4, "AAECAwQFBgcICQoLDA0ODw");
  EXPECT_EQ(VerifyToken(Join(parts), {kSecret}, kNow).status().code(),
            absl::StatusCode::kUnauthenticated);
  std::vector<std::string> v2 =
      SplitDots(*MintToken(kSecret, "acme", "l#1", kNow + 60));
  v2.erase(v2.begin() + 4);
  v2[0] = "v1";
  auto relabelled = VerifyToken(Join(v2), {kSecret}, kNow);
  EXPECT_EQ(relabelled.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(std::string(relabelled.status().message()),
              HasSubstr("the signature does not match"));
}

TEST(UiToken, TwoTokensInTheSameSecondDifferAndBothVerify) {
  auto first = MintToken(kSecret, "acme", "l#1", kNow + 300);
  auto second = MintToken(kSecret, "acme", "l#1", kNow + 300);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_NE(*first, *second);
  auto a = VerifyToken(*first, {kSecret}, kNow);
  auto b = VerifyToken(*second, {kSecret}, kNow);
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_NE(a->nonce, b->nonce);
  // Single use is keyed by the signature: each is its own token.
  EXPECT_NE(a->signature, b->signature);
  common::ManualClock clock(kNow * 1000);
  SessionStore store(&clock, 60000);
  EXPECT_TRUE(store.MarkTokenUsed(a->signature, (kNow + 330) * 1000));
  EXPECT_TRUE(store.MarkTokenUsed(b->signature, (kNow + 330) * 1000));
  EXPECT_FALSE(store.MarkTokenUsed(a->signature, (kNow + 330) * 1000));
}

TEST(UiToken, RefusesATamperedNonce) {
  std::vector<std::string> parts = SplitDots(
      *MintTokenWithNonce(kSecret, "acme", "l#1", kNow + 60, CountingNonce()));
  ASSERT_EQ(parts.size(), 6u);
  parts[4] = absl::WebSafeBase64Escape(
      Bytes({1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}));
  auto claims = VerifyToken(Join(parts), {kSecret}, kNow);
  EXPECT_EQ(claims.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(std::string(claims.status().message()),
              HasSubstr("the signature does not match"));
}

TEST(UiToken, RefusesAMalformedNonceSayingWhy) {
  std::vector<std::string> parts =
      SplitDots(*MintToken(kSecret, "acme", "l#1", kNow + 60));
  ASSERT_EQ(parts.size(), 6u);
  const std::string good = parts[4];
  struct Case {
    std::string nonce;
    std::string why;
  };
  for (const Case& c : std::vector<Case>{
           {"", "it has 0 characters, not the 22 of 16 bytes"},
           {good.substr(0, 21), "it has 21 characters, not the 22"},
           {good + "A", "it has 23 characters, not the 22"},
           {good.substr(0, 20) + "==", "it may hold only A-Z, a-z, 0-9"},
           {good.substr(0, 21) + "+", "it may hold only A-Z, a-z, 0-9"},
           {"AAECAwQFBgcICQoLDA0OD/", "it may hold only A-Z, a-z, 0-9"},
           // 22 good characters whose 4 spare bits are not zero.
           {"AAECAwQFBgcICQoLDA0ODx", "not the canonical base64url of 16"},
       }) {
    std::vector<std::string> bad = parts;
    bad[4] = c.nonce;
    auto claims = VerifyToken(Join(bad), {kSecret}, kNow);
    EXPECT_EQ(claims.status().code(), absl::StatusCode::kUnauthenticated)
        << c.nonce;
    EXPECT_THAT(std::string(claims.status().message()),
                HasSubstr("the widget token is refused: bad nonce: " + c.why))
        << c.nonce;
  }
  // A v2 token without its nonce says which form it expects.
  std::vector<std::string> missing = parts;
  missing.erase(missing.begin() + 4);
  EXPECT_THAT(
      std::string(
          VerifyToken(Join(missing), {kSecret}, kNow).status().message()),
      HasSubstr("not a v2 widget token (v2.tenant.learner.expiry.nonce."));
  // Minting checks the nonce's length too.
  EXPECT_EQ(
      MintTokenWithNonce(kSecret, "acme", "l#1", kNow, "short").status().code(),
      absl::StatusCode::kInvalidArgument);
}

TEST(UiToken, RefusesAnExpiredToken) {
  auto token = MintToken(kSecret, "acme", "l#1", kNow - kClockSkewSeconds - 1);
  auto claims = VerifyToken(*token, {kSecret}, kNow);
  EXPECT_EQ(claims.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(std::string(claims.status().message()), HasSubstr("expired"));
  // Within the tolerated skew it still works.
  auto late = MintToken(kSecret, "acme", "l#1", kNow - 5);
  EXPECT_TRUE(VerifyToken(*late, {kSecret}, kNow).ok());
}

TEST(UiToken, RefusesATokenLivingTooLong) {
  auto token =
      MintToken(kSecret, "acme", "l#1",
                kNow + kMaxTokenLifetimeSeconds + kClockSkewSeconds + 1);
  EXPECT_EQ(VerifyToken(*token, {kSecret}, kNow).status().code(),
            absl::StatusCode::kUnauthenticated);
  std::string v1 =
      MintV1(kSecret, "acme", "l#1",
             kNow + kMaxTokenLifetimeSeconds + kClockSkewSeconds + 1);
  EXPECT_EQ(VerifyToken(v1, {kSecret}, kNow).status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST(UiToken, RefusesForgedTokens) {
  auto token = MintToken(kSecret, "acme", "l#1", kNow + 60);
  // Another secret.
  auto other = MintToken("another secret", "acme", "l#1", kNow + 60);
  EXPECT_EQ(VerifyToken(*other, {kSecret}, kNow).status().code(),
            absl::StatusCode::kUnauthenticated);
  // Another learner with the original signature.
  std::string swapped = *token;
  std::string l1 = absl::WebSafeBase64Escape("l#1");
  swapped.replace(swapped.find(l1), l1.size(),
                  absl::WebSafeBase64Escape("l#2"));
  EXPECT_EQ(VerifyToken(swapped, {kSecret}, kNow).status().code(),
            absl::StatusCode::kUnauthenticated);
  // A later expiry with the original signature.
  std::string later = *token;
  later.replace(later.find(std::to_string(kNow + 60)), 10,
                std::to_string(kNow + 61));
  EXPECT_EQ(VerifyToken(later, {kSecret}, kNow).status().code(),
            absl::StatusCode::kUnauthenticated);
  // Garbage and unknown versions.
  for (std::string bad :
       {std::string(""), std::string("v1.acme"), std::string("v2.acme"),
        "v3" + token->substr(2), "V2" + token->substr(2), *token + ".x",
        std::string("v1.ACME.bA.1.AAAA")}) {
    EXPECT_EQ(VerifyToken(bad, {kSecret}, kNow).status().code(),
              absl::StatusCode::kUnauthenticated)
        << bad;
  }
  EXPECT_THAT(std::string(VerifyToken("v3" + token->substr(2), {kSecret}, kNow)
                              .status()
                              .message()),
              HasSubstr("must start with v2. or v1."));
  // No secrets at all.
  EXPECT_EQ(VerifyToken(*token, {}, kNow).status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST(UiToken, RefusesATokenForAnotherTenant) {
  // Signed with tenant b's secret but naming tenant a: a's secrets refuse
  // it, and renaming the tenant breaks the signature.
  auto token = MintToken("secret-of-b", "b", "l#1", kNow + 60);
  std::string renamed = "v2.a." + token->substr(5);
  EXPECT_EQ(VerifyToken(renamed, {"secret-of-b"}, kNow).status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(VerifyToken(*token, {"secret-of-a"}, kNow).status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST(UiToken, MintChecksItsInput) {
  EXPECT_EQ(MintToken(kSecret, "Bad Tenant", "l", 1).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MintToken(kSecret, "acme", "", 1).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MintToken("", "acme", "l", 1).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(UiTenants, RotationKeepsThePreviousSecretForTheGrace) {
  std::string path = TempDir() + "/ui_tenants.json";
  auto first = RotateUiSecret(path, "acme", 3600 * 1000, kNow * 1000);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->secret.size(), 64u);
  EXPECT_TRUE(first->previous_secret.empty());
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);

  auto old_token = MintToken(first->secret, "acme", "l#1", kNow + 60);
  auto second = RotateUiSecret(path, "acme", 3600 * 1000, kNow * 1000);
  ASSERT_TRUE(second.ok());
  EXPECT_NE(second->secret, first->secret);
  EXPECT_EQ(second->previous_secret, first->secret);
  // During the grace: old and new tokens both verify.
  EXPECT_TRUE(
      VerifyToken(*old_token, second->SecretsAt(kNow * 1000), kNow).ok());
  auto new_token = MintToken(second->secret, "acme", "l#1", kNow + 60);
  EXPECT_TRUE(
      VerifyToken(*new_token, second->SecretsAt(kNow * 1000), kNow).ok());
  // After it, only the new secret.
  int64_t after_ms = kNow * 1000 + 3600 * 1000;
  auto old_after =
      MintToken(first->secret, "acme", "l#1", after_ms / 1000 + 60);
  EXPECT_EQ(
      VerifyToken(*old_after, second->SecretsAt(after_ms), after_ms / 1000)
          .status()
          .code(),
      absl::StatusCode::kUnauthenticated);

  auto read = ReadUiTenantsFile(path);
  ASSERT_TRUE(read.ok());
  ASSERT_EQ(read->size(), 1u);
  EXPECT_EQ((*read)[0].secret, second->secret);
}

TEST(UiTenants, FrameAncestorsAreValidated) {
  std::string path = TempDir() + "/ui_tenants.json";
  for (const char* good :
       {"https://moodle.example.edu", "http://127.0.0.1:8080",
        "https://*.example.edu", "'self'"}) {
    EXPECT_TRUE(ValidateFrameAncestor(good, "f").ok()) << good;
  }
  for (const char* bad :
       {"moodle.example.edu", "https://a.example; script-src *",
        "https://a.example/path", "https://a.example b.example",
        "javascript:alert(1)", "https://", "http://a.example:x", "*",
        "'unsafe-inline'", "https://a\"b"}) {
    EXPECT_EQ(ValidateFrameAncestor(bad, "f").code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
  EXPECT_EQ(SetFrameAncestors(path, "acme", {"https://ok.example", "bad"}, kNow)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  auto set = SetFrameAncestors(path, "acme", {"https://lms.example.edu"}, kNow);
  ASSERT_TRUE(set.ok()) << set.status();
  common::ManualClock clock(kNow * 1000);
  UiTenantStore store(path, &clock);
  ASSERT_TRUE(store.Find("acme").has_value());
  EXPECT_EQ(store.Find("acme")->frame_ancestors,
            std::vector<std::string>{"https://lms.example.edu"});
  EXPECT_FALSE(store.Find("other").has_value());
  // A change is picked up (checked at most once a second).
  ASSERT_TRUE(
      SetFrameAncestors(path, "acme", {"https://new.example.edu"}, kNow).ok());
  clock.Advance(1500);
  EXPECT_EQ(store.Find("acme")->frame_ancestors,
            std::vector<std::string>{"https://new.example.edu"});
}

TEST(Csp, ListsTheAllowedAncestorsOnly) {
  EXPECT_THAT(ContentSecurityPolicy({}), HasSubstr("frame-ancestors 'self'"));
  std::string csp = ContentSecurityPolicy(
      {"https://lms.example.edu", "http://127.0.0.1:9000"});
  EXPECT_THAT(csp, HasSubstr("frame-ancestors https://lms.example.edu "
                             "http://127.0.0.1:9000"));
  EXPECT_THAT(csp, HasSubstr("script-src 'self'"));
  EXPECT_THAT(csp, HasSubstr("default-src 'none'"));
  // An entry that would add a directive is dropped, never copied.
  std::string injected =
      ContentSecurityPolicy({"https://a.example; script-src *"});
  EXPECT_THAT(injected, Not(HasSubstr("script-src *")));
  EXPECT_THAT(injected, HasSubstr("frame-ancestors 'self'"));
}

TEST(Language, QueryThenAcceptLanguage) {
  EXPECT_EQ(PickLanguage("fi", "en-GB"), "fi");
  EXPECT_EQ(PickLanguage("", "sv-FI, fi;q=0.8, en;q=0.5"), "fi");
  EXPECT_EQ(PickLanguage("de", "en-US,en"), "en");
  EXPECT_EQ(PickLanguage("", ""), "en");
}

TEST(SessionStore, CreatesFindsAndExpires) {
  common::ManualClock clock(1000);
  SessionStore store(&clock, 60000);
  Session s = store.Create(SessionKind::kLearner, "acme", "l#1", "");
  EXPECT_EQ(s.id.size(), 64u);
  EXPECT_EQ(s.csrf.size(), 64u);
  EXPECT_NE(s.id, s.csrf);
  auto found = store.Find(s.id, SessionKind::kLearner);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->learner, "l#1");
  EXPECT_FALSE(store.Find(s.id, SessionKind::kAdmin).has_value());
  EXPECT_FALSE(store.Find("nope", SessionKind::kLearner).has_value());
  clock.Advance(60000);
  EXPECT_FALSE(store.Find(s.id, SessionKind::kLearner).has_value());
  Session t = store.Create(SessionKind::kAdmin, "acme", "", "k1");
  EXPECT_EQ(store.size(), 1u);  // the expired one was evicted
  store.Remove(t.id);
  EXPECT_FALSE(store.Find(t.id, SessionKind::kAdmin).has_value());
}

TEST(SessionStore, BoundedAndTokensWorkOnce) {
  common::ManualClock clock(1000);
  SessionStore store(&clock, 60000, /*max_sessions=*/2);
  Session a = store.Create(SessionKind::kLearner, "t", "a", "");
  clock.Advance(1);
  store.Create(SessionKind::kLearner, "t", "b", "");
  clock.Advance(1);
  store.Create(SessionKind::kLearner, "t", "c", "");
  EXPECT_EQ(store.size(), 2u);
  EXPECT_FALSE(store.Find(a.id, SessionKind::kLearner).has_value());
  EXPECT_TRUE(store.MarkTokenUsed("sig", 5000));
  EXPECT_FALSE(store.MarkTokenUsed("sig", 5000));
}

std::string HeaderOf(const api::HttpResponse& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

TEST(UiPages, ExchangesATokenOnceForASessionCookie) {
  std::string path = TempDir() + "/ui_tenants.json";
  auto tenant = RotateUiSecret(path, "acme", 0, kNow * 1000);
  ASSERT_TRUE(
      SetFrameAncestors(path, "acme", {"https://lms.example.edu"}, kNow).ok());
  common::ManualClock clock(kNow * 1000);
  UiTenantStore tenants(path, &clock);
  UiPages pages(nullptr, nullptr, &tenants, &clock, UiPagesOptions());
  auto token = MintToken(tenant->secret, "acme", "l#1", kNow + 120);

  api::HttpRequest exchange;
  exchange.method = "GET";
  exchange.target = "/ui/learner?token=" + *token + "&lang=fi";
  api::HttpResponse r = pages.Handle(exchange);
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(HeaderOf(r, "Location"), "/ui/learner?lang=fi");
  std::string cookie = HeaderOf(r, "Set-Cookie");
  EXPECT_THAT(cookie, HasSubstr("polku_ui_learner="));
  EXPECT_THAT(cookie, HasSubstr("HttpOnly"));
  EXPECT_THAT(cookie, HasSubstr("SameSite=Lax"));
  EXPECT_THAT(cookie, Not(HasSubstr("Secure")));
  EXPECT_EQ(HeaderOf(r, "Referrer-Policy"), "no-referrer");

  api::HttpRequest page;
  page.method = "GET";
  page.target = "/ui/learner?lang=fi";
  page.headers.emplace("cookie", cookie.substr(0, cookie.find(';')));
  api::HttpResponse p = pages.Handle(page);
  EXPECT_EQ(p.status, 200);
  EXPECT_THAT(p.body, HasSubstr("lang=\"fi\""));
  EXPECT_THAT(p.body, HasSubstr("Seuraavat askeleesi"));
  EXPECT_THAT(HeaderOf(p, "Content-Security-Policy"),
              HasSubstr("frame-ancestors https://lms.example.edu"));

  // The same token again: refused.
  api::HttpResponse again = pages.Handle(exchange);
  EXPECT_EQ(again.status, 401);
  EXPECT_THAT(again.body, HasSubstr("already used"));
  // Another token for the same learner in the same second: its own nonce,
  // so it is a new token and is exchanged too, once.
  auto second = MintToken(tenant->secret, "acme", "l#1", kNow + 120);
  ASSERT_NE(*second, *token);
  api::HttpRequest exchange2 = exchange;
  exchange2.target = "/ui/learner?token=" + *second;
  EXPECT_EQ(pages.Handle(exchange2).status, 303);
  EXPECT_EQ(pages.Handle(exchange2).status, 401);
  // A v1 token from an adapter of an earlier release: exchanged, once.
  exchange2.target =
      "/ui/learner?token=" + MintV1(tenant->secret, "acme", "l#1", kNow + 120);
  EXPECT_EQ(pages.Handle(exchange2).status, 303);
  api::HttpResponse v1_again = pages.Handle(exchange2);
  EXPECT_EQ(v1_again.status, 401);
  EXPECT_THAT(v1_again.body, HasSubstr("already used"));
  // No cookie: refused, and the page is never framed by others.
  page.headers.clear();
  EXPECT_EQ(pages.Handle(page).status, 401);
  // An expired token.
  auto expired = MintToken(tenant->secret, "acme", "l#1", kNow - 100);
  exchange.target = "/ui/learner?token=" + *expired;
  api::HttpResponse e = pages.Handle(exchange);
  EXPECT_EQ(e.status, 401);
  EXPECT_THAT(e.body, HasSubstr("expired"));
  EXPECT_THAT(HeaderOf(e, "Set-Cookie"), "");
}

TEST(UiPages, TlsCookiesArePartitionedAndSecure) {
  EXPECT_EQ(SessionCookie("c", "id", "/ui/learner", true, true, 60),
            "c=id; Path=/ui/learner; Max-Age=60; HttpOnly; Secure; "
            "SameSite=None; Partitioned");
  EXPECT_EQ(SessionCookie("c", "id", "/ui/overview", false, true, 60),
            "c=id; Path=/ui/overview; Max-Age=60; HttpOnly; SameSite=Strict; "
            "Secure");
}

TEST(UiPages, ServesItsAssetsAndNothingElse) {
  common::ManualClock clock(kNow * 1000);
  UiTenantStore tenants(TempDir() + "/none.json", &clock);
  UiPages pages(nullptr, nullptr, &tenants, &clock, UiPagesOptions());
  api::HttpRequest r;
  r.method = "GET";
  for (const char* name : {"learner.js", "overview.js", "ui.css"}) {
    r.target = std::string("/ui/assets/") + name;
    api::HttpResponse a = pages.Handle(r);
    EXPECT_EQ(a.status, 200) << name;
    EXPECT_EQ(a.body, std::string(FindAsset(name)->body));
    EXPECT_THAT(HeaderOf(a, "Content-Security-Policy"),
                HasSubstr("frame-ancestors 'none'"));
  }
  r.target = "/ui/assets/../../etc/passwd";
  EXPECT_EQ(pages.Handle(r).status, 404);
  r.target = "/ui/overview/data";
  EXPECT_EQ(pages.Handle(r).status, 401);
}

}  // namespace
}  // namespace polku::ui
