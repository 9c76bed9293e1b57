#include "api/key_store.h"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/escaping.h"
#include "common/status_matchers.h"
#include "common/strings.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace polku::api {
namespace {

using ::polku::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int64_t kNow = 1767225600000;  // 2026-01-01T00:00:00Z

std::string TempDir() {
  char tmpl[] = "/tmp/polku-keys-XXXXXX";
  return mkdtemp(tmpl);
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

CallInfo Bearer(const std::string& key) {
  CallInfo call;
  call.peer = "ipv4:10.0.0.5:1234";
  call.metadata.emplace("authorization", "Bearer " + key);
  return call;
}

CallInfo Basic(const std::string& user, const std::string& password) {
  CallInfo call;
  call.peer = "ipv4:10.0.0.5:1234";
  call.allow_basic = true;
  std::string encoded;
  absl::Base64Escape(common::Sv(user + ":" + password), &encoded);
  call.metadata.emplace("authorization", "Basic " + encoded);
  return call;
}

class KeyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TempDir();
    file_ = DefaultKeyFile(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  NewApiKey Create(const std::string& tenant, std::vector<std::string> scopes) {
    auto key = CreateApiKey(file_, tenant, scopes, "test", kNow);
    EXPECT_TRUE(key.ok()) << key.status();
    return *key;
  }
  std::string dir_;
  std::string file_;
};

TEST_F(KeyStoreTest, CreatedKeyHasTheDocumentedShapeAndIsStoredOnlyHashed) {
  NewApiKey key = Create("acme", {kScopeEventsWrite});
  std::string_view id, secret;
  ASSERT_TRUE(ParseApiKey(key.key, &id, &secret));
  EXPECT_EQ(id, key.record.id);
  EXPECT_EQ(secret.size(), 64u);
  std::string text = ReadAll(file_);
  EXPECT_THAT(text, Not(HasSubstr(std::string(secret))));
  EXPECT_THAT(text, HasSubstr(key.record.sha256));
  EXPECT_THAT(text, HasSubstr("\"tenant\":\"acme\""));
  struct stat st;
  ASSERT_EQ(stat(file_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
}

TEST_F(KeyStoreTest, BearerKeyAuthenticatesAsItsTenant) {
  NewApiKey key = Create("acme", {kScopeEventsWrite, kScopePrivacyExport});
  POLKU_ASSERT_OK_AND_ASSIGN(auto store, KeyStore::Open(file_));
  POLKU_ASSERT_OK_AND_ASSIGN(
      Principal p, store->Authenticate(Bearer(key.key), kScopeEventsWrite));
  EXPECT_EQ(p.tenant, "acme");
  EXPECT_EQ(p.key_id, key.record.id);
}

TEST_F(KeyStoreTest, KeyWithoutTheScopeIsPermissionDenied) {
  NewApiKey key = Create("acme", {kScopeEventsWrite});
  POLKU_ASSERT_OK_AND_ASSIGN(auto store, KeyStore::Open(file_));
  EXPECT_THAT(store->Authenticate(Bearer(key.key), kScopePrivacyDelete),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       HasSubstr("privacy:delete")));
}

TEST_F(KeyStoreTest, WrongSecretUnknownIdAndGarbageAreUnauthenticated) {
  NewApiKey key = Create("acme", {kScopeEventsWrite});
  POLKU_ASSERT_OK_AND_ASSIGN(auto store, KeyStore::Open(file_));
  std::string wrong = key.key;
  wrong.back() = wrong.back() == '0' ? '1' : '0';
  EXPECT_THAT(store->Authenticate(Bearer(wrong), kScopeEventsWrite),
              StatusIs(absl::StatusCode::kUnauthenticated));
  std::string other_id = "polku_000000000000_" + std::string(64, 'a');
  EXPECT_THAT(store->Authenticate(Bearer(other_id), kScopeEventsWrite),
              StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(
      store->Authenticate(Bearer("hello"), kScopeEventsWrite),
      StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("malformed")));
  CallInfo none;
  EXPECT_THAT(
      store->Authenticate(none, kScopeEventsWrite),
      StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("missing")));
  CallInfo digest;
  digest.metadata.emplace("authorization", "Digest abc");
  EXPECT_THAT(store->Authenticate(digest, kScopeEventsWrite),
              StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST_F(KeyStoreTest, ErrorsNeverContainTheSecret) {
  NewApiKey key = Create("acme", {kScopeEventsWrite});
  POLKU_ASSERT_OK_AND_ASSIGN(auto store, KeyStore::Open(file_));
  std::string_view id, secret;
  ASSERT_TRUE(ParseApiKey(key.key, &id, &secret));
  auto denied = store->Authenticate(Bearer(key.key), kScopeInsightsRead);
  EXPECT_THAT(std::string(denied.status().message()),
              Not(HasSubstr(std::string(secret))));
}

TEST_F(KeyStoreTest, BasicCredentialsWorkOnlyWhereAllowed) {
  NewApiKey key = Create("acme", {kScopeEventsWrite});
  POLKU_ASSERT_OK_AND_ASSIGN(auto store, KeyStore::Open(file_));
  std::string_view id, secret;
  ASSERT_TRUE(ParseApiKey(key.key, &id, &secret));
  // id as user, secret as password; the whole key as password; as user.
  for (const CallInfo& call :
       {Basic("polku_" + std::string(id), std::string(secret)),
        Basic("moodle", key.key), Basic(key.key, "")}) {
    POLKU_ASSERT_OK_AND_ASSIGN(Principal p,
                               store->Authenticate(call, kScopeEventsWrite));
    EXPECT_EQ(p.tenant, "acme");
  }
  CallInfo not_xapi = Basic(key.key, "");
  not_xapi.allow_basic = false;
  EXPECT_THAT(store->Authenticate(not_xapi, kScopeEventsWrite),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("xAPI")));
}

TEST_F(KeyStoreTest, TenantHeaderNamingAnotherTenantIsPermissionDenied) {
  NewApiKey key = Create("acme", {kScopeEventsWrite});
  POLKU_ASSERT_OK_AND_ASSIGN(auto store, KeyStore::Open(file_));
  CallInfo call = Bearer(key.key);
  call.metadata.emplace("x-polku-tenant", "globex");
  EXPECT_THAT(store->Authenticate(call, kScopeEventsWrite),
              StatusIs(absl::StatusCode::kPermissionDenied));
  CallInfo same = Bearer(key.key);
  same.metadata.emplace("x-polku-tenant", "acme");
  POLKU_EXPECT_OK(store->Authenticate(same, kScopeEventsWrite));
}

TEST_F(KeyStoreTest, RotateReplacesTheSecretAndRevokeRefusesTheKey) {
  NewApiKey key = Create("acme", {kScopeEventsWrite});
  POLKU_ASSERT_OK_AND_ASSIGN(NewApiKey rotated,
                             RotateApiKey(file_, key.record.id, kNow));
  EXPECT_EQ(rotated.record.id, key.record.id);
  EXPECT_NE(rotated.key, key.key);
  POLKU_ASSERT_OK_AND_ASSIGN(auto store, KeyStore::Open(file_));
  EXPECT_THAT(store->Authenticate(Bearer(key.key), kScopeEventsWrite),
              StatusIs(absl::StatusCode::kUnauthenticated));
  POLKU_EXPECT_OK(store->Authenticate(Bearer(rotated.key), kScopeEventsWrite));

  POLKU_ASSERT_OK(RevokeApiKey(file_, key.record.id, kNow));
  POLKU_ASSERT_OK(RevokeApiKey(file_, key.record.id, kNow));  // idempotent
  POLKU_ASSERT_OK(store->Reload());
  EXPECT_THAT(store->Authenticate(Bearer(rotated.key), kScopeEventsWrite),
              StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(RotateApiKey(file_, key.record.id, kNow),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(RevokeApiKey(file_, "ffffffffffff", kNow),
              StatusIs(absl::StatusCode::kNotFound));
  POLKU_ASSERT_OK_AND_ASSIGN(auto listed, ReadKeyFile(file_));
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_FALSE(listed[0].active());
}

TEST_F(KeyStoreTest, ActiveTenantsComeFromTheSnapshotWithoutRevokedKeys) {
  Create("acme", {kScopeEventsWrite});
  Create("acme", {kScopeInsightsRead});
  NewApiKey globex = Create("globex", {kScopeEventsWrite});
  POLKU_ASSERT_OK_AND_ASSIGN(auto store, KeyStore::Open(file_));
  EXPECT_THAT(store->active_tenants(), ElementsAre("acme", "globex"));
  POLKU_ASSERT_OK(RevokeApiKey(file_, globex.record.id, kNow + 1));
  // The snapshot, not the file: unchanged until the store reloads.
  EXPECT_THAT(store->active_tenants(), ElementsAre("acme", "globex"));
  POLKU_ASSERT_OK(store->Reload());
  EXPECT_THAT(store->active_tenants(), ElementsAre("acme"));
}

TEST_F(KeyStoreTest, CreateRefusesBadTenantsAndScopes) {
  EXPECT_THAT(CreateApiKey(file_, "Bad Tenant", {kScopeEventsWrite}, "", kNow),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(
      CreateApiKey(file_, "acme", {"events:read"}, "", kNow),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("events:read")));
  EXPECT_THAT(CreateApiKey(file_, "acme", {}, "", kNow),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(KeyStoreTest, ReloadIfChangedPicksUpNewKeysAndKeepsOldOnABadFile) {
  POLKU_ASSERT_OK_AND_ASSIGN(auto store, KeyStore::Open(file_));  // no file yet
  EXPECT_EQ(store->active_keys(), 0u);
  POLKU_ASSERT_OK_AND_ASSIGN(bool changed, store->ReloadIfChanged());
  EXPECT_FALSE(changed);
  NewApiKey key = Create("acme", {kScopeEventsWrite});
  POLKU_ASSERT_OK_AND_ASSIGN(changed, store->ReloadIfChanged());
  EXPECT_TRUE(changed);
  POLKU_EXPECT_OK(store->Authenticate(Bearer(key.key), kScopeEventsWrite));

  {
    std::ofstream out(file_ + ".new");
    out << "{\"version\": 1, \"keys\": [{\"id\": \"nothex\"}]}";
  }
  ASSERT_EQ(std::rename((file_ + ".new").c_str(), file_.c_str()), 0);
  EXPECT_THAT(
      store->ReloadIfChanged(),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("keys[0]")));
  POLKU_EXPECT_OK(store->Authenticate(Bearer(key.key), kScopeEventsWrite));
}

TEST_F(KeyStoreTest, AutoReloadSeesAKeyCreatedAfterStart) {
  POLKU_ASSERT_OK_AND_ASSIGN(auto store, KeyStore::Open(file_));
  std::atomic<int> reloads{0};
  store->StartAutoReload(
      std::chrono::milliseconds(20),
      [&](const absl::Status& s) { reloads += s.ok() ? 1 : 0; });
  NewApiKey key = Create("acme", {kScopeEventsWrite});
  for (int i = 0; i < 200 && !store->Authenticate(Bearer(key.key), "").ok();
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  POLKU_EXPECT_OK(store->Authenticate(Bearer(key.key), kScopeEventsWrite));
  EXPECT_GE(reloads.load(), 1);
}

TEST(CredentialsThenDevMode, CredentialsAreCheckedEvenWhenDevModeIsOn) {
  std::string dir = TempDir();
  std::string file = DefaultKeyFile(dir);
  POLKU_ASSERT_OK_AND_ASSIGN(auto keys, KeyStore::Open(file));
  DevModeAuthenticator dev;
  CredentialsThenDevMode auth(keys.get(), &dev);
  CallInfo loopback;
  loopback.peer = "ipv4:127.0.0.1:5000";
  loopback.metadata.emplace("x-polku-tenant", "acme");
  POLKU_ASSERT_OK_AND_ASSIGN(Principal p,
                             auth.Authenticate(loopback, kScopeEventsWrite));
  EXPECT_EQ(p.tenant, "acme");
  CallInfo bad = loopback;
  bad.metadata.emplace("authorization", "Bearer nonsense");
  EXPECT_THAT(auth.Authenticate(bad, kScopeEventsWrite),
              StatusIs(absl::StatusCode::kUnauthenticated));
  CallInfo remote = loopback;
  remote.peer = "ipv4:10.1.2.3:5000";
  EXPECT_THAT(auth.Authenticate(remote, kScopeEventsWrite),
              StatusIs(absl::StatusCode::kUnauthenticated));

  CredentialsThenDevMode keys_only(keys.get(), nullptr);
  EXPECT_THAT(keys_only.Authenticate(loopback, kScopeEventsWrite),
              StatusIs(absl::StatusCode::kUnauthenticated));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace polku::api
