#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <string>

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

TEST(UiToken, SignsTheDocumentedInput) {
  auto token = MintToken(kSecret, "acme", "lms.example#42", kNow + 300);
  ASSERT_TRUE(token.ok()) << token.status();
  std::string mac =
      HmacSha256(kSecret, std::string("polku-ui-v1\nacme\nlms.example#42\n") +
                              std::to_string(kNow + 300));
  std::string learner = absl::WebSafeBase64Escape("lms.example#42");
  EXPECT_EQ(*token, "v1.acme." + learner + "." + std::to_string(kNow + 300) +
                        "." + absl::WebSafeBase64Escape(mac));
  // RFC 4231 test case 2: HMAC-SHA256("Jefe", "what do ya want ...").
  EXPECT_EQ(absl::BytesToHexString(
                HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(UiToken, VerifiesAFreshToken) {
  auto token = MintToken(kSecret, "acme", "lms.example#42", kNow + 300);
  auto claims = VerifyToken(*token, {kSecret}, kNow);
  ASSERT_TRUE(claims.ok()) << claims.status();
  EXPECT_EQ(claims->tenant, "acme");
  EXPECT_EQ(claims->learner, "lms.example#42");
  EXPECT_EQ(claims->expiry_seconds, kNow + 300);
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
  // Garbage and the wrong version.
  for (std::string bad :
       {std::string(""), std::string("v1.acme"), "v2" + token->substr(2),
        *token + ".x", std::string("v1.ACME.bA.1.AAAA")}) {
    EXPECT_EQ(VerifyToken(bad, {kSecret}, kNow).status().code(),
              absl::StatusCode::kUnauthenticated)
        << bad;
  }
  // No secrets at all.
  EXPECT_EQ(VerifyToken(*token, {}, kNow).status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST(UiToken, RefusesATokenForAnotherTenant) {
  // Signed with tenant b's secret but naming tenant a: a's secrets refuse
  // it, and renaming the tenant breaks the signature.
  auto token = MintToken("secret-of-b", "b", "l#1", kNow + 60);
  std::string renamed = "v1.a." + token->substr(5);
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
