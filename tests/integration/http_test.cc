// End-to-end tests of the HTTP/JSON gateway, the xAPI and Caliper
// endpoints and API keys: the real polku-server on free loopback ports,
// called over real HTTP (cpp-httplib's client) and real gRPC, with keys
// made by the real `polku keys` command.
#include <google/protobuf/util/time_util.h>
#include <grpcpp/grpcpp.h>
#include <httplib.h>
#include <signal.h>
#include <simdjson.h>
#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "absl/strings/escaping.h"
#include "api/http_gateway.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "integration/server_process.h"
#include "polku/v1/catalogue_service.grpc.pb.h"
#include "polku/v1/event_service.grpc.pb.h"
#include "polku/v1/insight_service.grpc.pb.h"
#include "polku/v1/privacy_service.grpc.pb.h"
#include "polku/v1/recommendation_service.grpc.pb.h"

namespace polku::testing {
namespace {

namespace fs = std::filesystem;
namespace v1 = ::polku::v1;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kFixtures[] = POLKU_SHARED_DIR "/fixtures";
constexpr char kRejections[] =
    POLKU_SOURCE_DIR "/tests/data/xapi_http_rejections.tsv";
const char* const kScopes[] = {"events:write",         "feedback:write",
                               "recommendations:read", "catalogue:write",
                               "insights:read",        "privacy:delete",
                               "privacy:export"};

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

// `polku keys create`; returns the key ("" on failure).
std::string CreateKey(const std::string& data_dir, const std::string& tenant,
                      const std::string& scopes) {
  std::string out;
  int rc = RunCommand(
      std::string(POLKU_BINARY_DIR "/bin/polku keys create --data_dir=") +
          data_dir + " --tenant=" + tenant + " --scopes=" + scopes +
          " --name=test 2>/dev/null",
      &out);
  EXPECT_EQ(rc, 0) << out;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r'))
    out.pop_back();
  return out;
}

std::string KeyId(const std::string& key) { return key.substr(6, 12); }

// The "message" of a JSON error body.
std::string ErrorMessage(const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(body).get(root)) return "(not JSON) " + body.substr(0, 200);
  std::string_view msg;
  if (root["error"]["message"].get_string().get(msg))
    return "(no message) " + body;
  return std::string(msg);
}

struct Reply {
  int status = 0;  // 0: no response (connection error)
  std::string body;
  httplib::Headers headers;
};

// A small HTTP client for one server; every call has a bound timeout.
class Http {
 public:
  explicit Http(int port) : client_("127.0.0.1", port) {
    client_.set_connection_timeout(5, 0);
    client_.set_read_timeout(60, 0);
    client_.set_write_timeout(60, 0);
  }
  Reply Send(const std::string& method, const std::string& path,
             const std::string& body = "", httplib::Headers headers = {},
             const std::string& content_type = "application/json") {
    httplib::Result r =
        method == "GET"      ? client_.Get(path.c_str(), headers)
        : method == "DELETE" ? client_.Delete(path.c_str(), headers)
        : method == "PUT"
            ? client_.Put(path.c_str(), headers, body, content_type.c_str())
            : client_.Post(path.c_str(), headers, body, content_type.c_str());
    Reply reply;
    if (r) {
      reply.status = r->status;
      reply.body = r->body;
      reply.headers = r->headers;
    }
    return reply;
  }

 private:
  httplib::Client client_;
};

httplib::Headers Bearer(const std::string& key) {
  return {{"Authorization", "Bearer " + key}};
}

httplib::Headers XapiBasic(const std::string& key) {
  // User: the key id part, password: the secret (as an LRS client sends it).
  std::string user = key.substr(0, 18);
  std::string password = key.substr(19);
  std::string creds;
  absl::Base64Escape(absl::string_view(user + ":" + password), &creds);
  return {{"Authorization", "Basic " + creds},
          {"X-Experience-API-Version", "1.0.3"}};
}

httplib::Headers XapiBearer(const std::string& key) {
  httplib::Headers h = Bearer(key);
  h.emplace("X-Experience-API-Version", "1.0.3");
  return h;
}

// A Caliper envelope around `events` (JSON texts).
std::string Envelope(const std::vector<std::string>& events) {
  std::string out =
      R"({"sensor":"https://lms.example.edu/caliper/sensor","sendTime":"2026-01-01T00:00:00.000Z","dataVersion":"http://purl.imsglobal.org/ctx/caliper/v1p2","data":[)";
  for (size_t i = 0; i < events.size(); ++i) out += (i ? "," : "") + events[i];
  return out + "]}";
}

// A completed course by `learner` (xAPI), with `id` and a score.
std::string Statement(const std::string& id, const std::string& learner,
                      double score = 0.5) {
  return R"({"id":")" + id +
         R"(","actor":{"account":{"homePage":"https://lms.example.edu","name":")" +
         learner +
         R"("}},"verb":{"id":"http://adlnet.gov/expapi/verbs/completed"},"object":{"id":"https://lms.example.edu/course/view.php?id=2","definition":{"type":"http://adlnet.gov/expapi/activities/course"}},"result":{"score":{"scaled":)" +
         std::to_string(score) + R"(}},"timestamp":"2025-06-01T10:00:00Z"})";
}

class HttpTest : public ::testing::Test {
 protected:
  // Starts a server (development mode off) with keys for tenants a and b:
  // one with every scope each, and one per scope for tenant a.
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(
        "", std::vector<std::string>{"--dev_mode=false"});
    std::string all;
    for (const char* s : kScopes)
      all += std::string(all.empty() ? "" : ",") + s;
    key_a_ = CreateKey(server_->data_dir(), "a", all);
    key_b_ = CreateKey(server_->data_dir(), "b", all);
    for (const char* s : kScopes)
      scoped_a_[s] = CreateKey(server_->data_dir(), "a", s);
    ASSERT_TRUE(server_->Start())
        << "see " << server_->data_dir() << "/server.log";
    http_ = std::make_unique<Http>(server_->http_port());
    channel_ = grpc::CreateChannel(server_->grpc_address(),
                                   grpc::InsecureChannelCredentials());
  }

  int64_t Rows(const std::string& where = "1=1") {
    sqlite3* db = nullptr;
    sqlite3_open_v2(server_->db_path().c_str(), &db, SQLITE_OPEN_READONLY,
                    nullptr);
    sqlite3_stmt* stmt = nullptr;
    std::string sql = "SELECT count(*) FROM events WHERE " + where;
    sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr);
    int64_t n = -1;
    if (sqlite3_step(stmt) == SQLITE_ROW) n = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return n;
  }

  bool StillServing() {
    Reply about = http_->Send("GET", "/xapi/about");
    auto health = grpc::health::v1::Health::NewStub(channel_);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(5));
    grpc::health::v1::HealthCheckRequest req;
    grpc::health::v1::HealthCheckResponse resp;
    return about.status == 200 && health->Check(&ctx, req, &resp).ok() &&
           resp.status() == grpc::health::v1::HealthCheckResponse::SERVING;
  }

  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<Http> http_;
  std::shared_ptr<grpc::Channel> channel_;
  std::string key_a_, key_b_;
  std::map<std::string, std::string> scoped_a_;
};

// --- Fixtures over real HTTP -----------------------------------------------

std::map<std::string, std::string> ExpectedRejections() {
  std::map<std::string, std::string> out;
  std::ifstream in(kRejections);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t tab = line.find('\t');
    if (tab == std::string::npos) continue;
    out[line.substr(0, tab)] = line.substr(tab + 1);
  }
  return out;
}

// Every statement count of a file: 1 for an object, n for an array.
size_t StatementsIn(const std::string& text) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(text).get(root)) return 0;
  simdjson::dom::array a;
  return root.get_array().get(a) ? 1 : a.size();
}

// Posts every xAPI fixture file (Moodle statements.json, Open edX xapi/)
// and every Caliper fixture (each wrapped in an envelope). Each must be
// accepted (200 with one id per statement) unless the rejection list names
// it with the rule it breaks; a rejection the list does not name fails.
TEST_F(HttpTest, EveryXapiAndCaliperFixtureIsAcceptedOrListedWithItsRule) {
  ASSERT_TRUE(fs::is_directory(kFixtures)) << kFixtures;
  std::vector<fs::path> xapi, caliper;
  for (const auto& e : fs::recursive_directory_iterator(kFixtures)) {
    if (!e.is_regular_file()) continue;
    std::string rel = fs::relative(e.path(), kFixtures).string();
    if (rel.rfind("moodle/", 0) == 0 &&
        e.path().filename() == "statements.json") {
      xapi.push_back(e.path());
    } else if (rel.rfind("openedx/xapi/", 0) == 0 &&
               e.path().extension() == ".json") {
      xapi.push_back(e.path());
    } else if (rel.rfind("openedx/caliper/", 0) == 0 &&
               e.path().extension() == ".json") {
      caliper.push_back(e.path());
    }
  }
  std::sort(xapi.begin(), xapi.end());
  std::sort(caliper.begin(), caliper.end());
  ASSERT_GT(xapi.size(), 150u);
  ASSERT_GT(caliper.size(), 30u);

  // The upstream projects reuse statement ids across their test files with
  // other content (up to 9 files share one id). Such a file would be a
  // genuine 409 in one tenant, so each file goes to the first of ten
  // tenants where its ids are new or the same: tenant a, then f1..f9.
  std::vector<std::string> tenants = {key_a_};
  for (int i = 1; i <= 9; ++i) {
    tenants.push_back(CreateKey(server_->data_dir(), "f" + std::to_string(i),
                                "events:write"));
  }
  server_->Signal(SIGHUP);  // reload the keys now rather than within a second
  for (int i = 0; i < 100; ++i) {
    if (http_->Send("POST", "/v1/events:tag", "{}", Bearer(tenants.back()))
            .status == 200)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  auto post = [&](const std::string& path, const std::string& body, bool xapi,
                  std::string* rel) {
    Reply r;
    for (const std::string& key : tenants) {
      r = http_->Send("POST", path, body, xapi ? XapiBasic(key) : Bearer(key));
      if (r.status != 409) return r;
    }
    ADD_FAILURE() << *rel << ": conflicts in every tenant: " << r.body;
    return r;
  };

  std::map<std::string, std::string> rejected;  // file -> message
  size_t accepted_statements = 0;
  for (const fs::path& f : xapi) {
    std::string text = ReadFile(f);
    std::string rel = fs::relative(f, kFixtures).string();
    Reply r = post("/xapi/statements", text, true, &rel);
    if (r.status == 200) {
      simdjson::dom::parser parser;
      simdjson::dom::array ids;
      ASSERT_FALSE(parser.parse(r.body).get_array().get(ids))
          << rel << ": " << r.body;
      EXPECT_EQ(ids.size(), StatementsIn(text)) << rel;
      accepted_statements += ids.size();
    } else {
      EXPECT_EQ(r.status, 400) << rel << ": " << r.body;
      rejected[rel] = ErrorMessage(r.body);
    }
  }
  for (const fs::path& f : caliper) {
    std::string rel = fs::relative(f, kFixtures).string();
    Reply r = post("/caliper", Envelope({ReadFile(f)}), false, &rel);
    if (r.status != 200) {
      EXPECT_EQ(r.status, 400) << rel << ": " << r.body;
      rejected[rel] = ErrorMessage(r.body);
    }
  }
  if (std::getenv("POLKU_PRINT_REJECTIONS") != nullptr) {
    for (const auto& [file, msg] : rejected)
      std::cout << file << "\t" << msg << "\n";
  }
  std::map<std::string, std::string> expected = ExpectedRejections();
  for (const auto& [file, msg] : rejected) {
    auto it = expected.find(file);
    if (it == expected.end()) {
      ADD_FAILURE()
          << "rejected but not in tests/data/xapi_http_rejections.tsv (the "
             "list grew):\n"
          << file << "\t" << msg;
    } else {
      EXPECT_THAT(msg, HasSubstr(it->second))
          << file << " breaks another rule now";
    }
  }
  for (const auto& [file, rule] : expected) {
    if (rejected.count(file) == 0) {
      std::cout
          << "note: " << file
          << " is accepted now; remove it from xapi_http_rejections.tsv\n";
    }
  }
  std::cout << xapi.size() << " xAPI files (" << accepted_statements
            << " statements acknowledged), " << caliper.size()
            << " Caliper files; " << Rows()
            << " events stored (the rest are not learning activities)\n";
  EXPECT_GT(accepted_statements, 150u);
  EXPECT_GT(Rows(), 150);
  EXPECT_TRUE(StillServing());
}

// --- Idempotency and conflicts -----------------------------------------------

TEST_F(HttpTest, RepostingTheSameStatementsChangesNothing) {
  std::vector<std::string> files;
  for (const auto& e :
       fs::directory_iterator(std::string(kFixtures) + "/openedx/xapi")) {
    files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  std::map<std::string, std::string> first_ids;
  for (const std::string& f : files) {
    Reply r = http_->Send("POST", "/xapi/statements", ReadFile(f),
                          XapiBearer(key_a_));
    if (r.status == 200) first_ids[f] = r.body;
  }
  ASSERT_GT(first_ids.size(), 50u);
  int64_t rows = Rows();
  std::string before_hashes;
  {
    sqlite3* db = nullptr;
    sqlite3_open_v2(server_->db_path().c_str(), &db, SQLITE_OPEN_READONLY,
                    nullptr);
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(
        db,
        "SELECT group_concat(event_id || content_hash || received_at_ms) FROM "
        "(SELECT * FROM events ORDER BY event_id)",
        -1, &stmt, nullptr);
    if (sqlite3_step(stmt) == SQLITE_ROW) {
      before_hashes =
          reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
  }
  // Once more, also as one array.
  std::string array = "[";
  for (const auto& [f, ids] : first_ids) {
    Reply r = http_->Send("POST", "/xapi/statements", ReadFile(f),
                          XapiBearer(key_a_));
    EXPECT_EQ(r.status, 200) << f << ": " << r.body;
    EXPECT_EQ(r.body, ids) << f;
    array += (array.size() > 1 ? "," : "") + ReadFile(f);
  }
  array += "]";
  EXPECT_EQ(
      http_->Send("POST", "/xapi/statements", array, XapiBearer(key_a_)).status,
      200);
  EXPECT_EQ(Rows(), rows);
  sqlite3* db = nullptr;
  sqlite3_open_v2(server_->db_path().c_str(), &db, SQLITE_OPEN_READONLY,
                  nullptr);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(
      db,
      "SELECT group_concat(event_id || content_hash || received_at_ms) FROM "
      "(SELECT * FROM events ORDER BY event_id)",
      -1, &stmt, nullptr);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_EQ(before_hashes,
            reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
  sqlite3_finalize(stmt);
  sqlite3_close(db);

  // Caliper too.
  std::string event =
      ReadFile(std::string(kFixtures) + "/openedx/caliper/play_video.json");
  Reply c1 = http_->Send("POST", "/caliper", Envelope({event}), Bearer(key_a_));
  ASSERT_EQ(c1.status, 200) << c1.body;
  Reply c2 = http_->Send("POST", "/caliper", Envelope({event}), Bearer(key_a_));
  ASSERT_EQ(c2.status, 200) << c2.body;
  EXPECT_THAT(c2.body, HasSubstr("\"accepted\":0,\"duplicates\":1"));
}

TEST_F(HttpTest, SameIdOtherContentIs409AndStoresNothing) {
  const std::string id = "5b6f0e2a-0c1d-4e8e-9f43-2f7a1c3d9e01";
  Reply first = http_->Send("POST", "/xapi/statements", Statement(id, "7"),
                            XapiBearer(key_a_));
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.body, "[\"" + id + "\"]");
  // Same id, other score, in an array after a new statement: nothing stored.
  const std::string fresh = "8c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f";
  Reply conflict = http_->Send(
      "POST", "/xapi/statements",
      "[" + Statement(fresh, "7") + "," + Statement(id, "7", 0.9) + "]",
      XapiBearer(key_a_));
  EXPECT_EQ(conflict.status, 409) << conflict.body;
  EXPECT_THAT(conflict.body, HasSubstr("statements[1].id"));
  EXPECT_EQ(Rows("event_id='" + fresh + "'"), 0);
  // PUT with the same id and other content: 409; same content: 204.
  EXPECT_EQ(http_
                ->Send("PUT", "/xapi/statements?statementId=" + id,
                       Statement(id, "7", 0.9), XapiBearer(key_a_))
                .status,
            409);
  EXPECT_EQ(http_
                ->Send("PUT", "/xapi/statements?statementId=" + id,
                       Statement(id, "7"), XapiBearer(key_a_))
                .status,
            204);
  EXPECT_EQ(Rows(), 1);
  // Caliper: same id, other content.
  std::string event =
      ReadFile(std::string(kFixtures) + "/openedx/caliper/play_video.json");
  ASSERT_EQ(
      http_->Send("POST", "/caliper", Envelope({event}), Bearer(key_a_)).status,
      200);
  std::string changed = event;
  changed.replace(changed.find("2020-07-15T06:52:55.057Z"), 24,
                  "2020-07-15T06:52:56.057Z");
  EXPECT_EQ(http_->Send("POST", "/caliper", Envelope({changed}), Bearer(key_a_))
                .status,
            409);
}

TEST_F(HttpTest, XapiPostIsAllOrNothingAndNamesTheStatementAndField) {
  const std::string good = "0d8f7a6e-5b4c-4a3d-9e2f-1a0b9c8d7e6f";
  std::string bad = Statement("1e2d3c4b-5a69-4788-9a1b-2c3d4e5f6a7b", "7");
  bad.replace(bad.find("\"timestamp\":\"2025-06-01T10:00:00Z\""), 34,
              "\"timestamp\":\"yesterday\"");
  Reply r = http_->Send("POST", "/xapi/statements",
                        "[" + Statement(good, "7") + "," + bad + "]",
                        XapiBasic(key_a_));
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_THAT(r.body, HasSubstr("\"field\":\"statements[1].timestamp\""));
  EXPECT_EQ(Rows(), 0);

  // The MUST rules that matter for ingest, one statement each.
  struct Case {
    std::string what, from, to, field;
  };
  std::string base = Statement("2f3e4d5c-6b7a-4899-8a0b-1c2d3e4f5a6b", "7");
  std::vector<Case> cases = {
      {"id not a UUID", "2f3e4d5c-6b7a-4899-8a0b-1c2d3e4f5a6b", "not-a-uuid",
       "statement.id"},
      {"two actor identifiers", "{\"account\"",
       "{\"mbox\":\"mailto:a@example.org\",\"account\"", "statement.actor"},
      {"verb id not an IRI", "http://adlnet.gov/expapi/verbs/completed",
       "completed", "statement.verb.id"},
      {"timestamp not ISO 8601", "2025-06-01T10:00:00Z", "01.06.2025",
       "statement.timestamp"},
      {"duration not ISO 8601", "\"result\":{",
       "\"result\":{\"duration\":\"5 minutes\",", "statement.result.duration"},
  };
  for (const Case& c : cases) {
    std::string s = base;
    s.replace(s.find(c.from), c.from.size(), c.to);
    Reply resp = http_->Send("POST", "/xapi/statements", s, XapiBasic(key_a_));
    EXPECT_EQ(resp.status, 400) << c.what << ": " << resp.body;
    EXPECT_THAT(resp.body, HasSubstr("\"field\":\"" + c.field)) << c.what;
  }
  EXPECT_EQ(Rows(), 0);
}

TEST_F(HttpTest, XapiPutAboutAndVersionHeader) {
  const std::string id = "3a4b5c6d-7e8f-4a0b-8c1d-2e3f4a5b6c7d";
  std::string without_id = Statement(id, "9");
  without_id.replace(0, without_id.find(',') + 1, "{");
  Reply put = http_->Send("PUT", "/xapi/statements?statementId=" + id,
                          without_id, XapiBasic(key_a_));
  EXPECT_EQ(put.status, 204) << put.body;
  EXPECT_EQ(put.headers.count("X-Experience-API-Version"), 1u);
  EXPECT_EQ(Rows("event_id='" + id + "'"), 1);

  Reply about = http_->Send("GET", "/xapi/about");
  EXPECT_EQ(about.status, 200);
  EXPECT_THAT(about.body, HasSubstr("\"1.0.3\""));

  httplib::Headers no_version = Bearer(key_a_);
  Reply r =
      http_->Send("POST", "/xapi/statements", Statement(id, "9"), no_version);
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("X-Experience-API-Version"));
  // Basic credentials are for xAPI only.
  httplib::Headers basic = XapiBasic(key_a_);
  basic.erase("X-Experience-API-Version");
  EXPECT_EQ(http_->Send("GET", "/v1/learners/x/data", "", basic).status, 401);
  // An xAPI client without credentials gets a Basic challenge.
  Reply anon = http_->Send("POST", "/xapi/statements", Statement(id, "9"),
                           {{"X-Experience-API-Version", "1.0.3"}});
  EXPECT_EQ(anon.status, 401);
  bool basic_challenge = false;
  for (const auto& [k, v] : anon.headers) {
    basic_challenge |= k == "WWW-Authenticate" && v.rfind("Basic", 0) == 0;
  }
  EXPECT_TRUE(basic_challenge);
}

// --- Isolation and scopes, every route and RPC ------------------------------

// The learner both tenants have.
constexpr char kLearner[] = "lms.example.edu#7";
constexpr char kLearnerPath[] = "lms.example.edu%237";

std::string NativeIngestBody(const std::string& id, const std::string& object) {
  return R"({"events":[{"native":{"eventId":")" + id +
         R"(","source":{"platform":"PLATFORM_NATIVE","instance":"lms.example.edu"},"occurredAt":"2025-06-01T10:00:00Z","learner":{"key":")" +
         std::string(kLearner) +
         R"("},"verb":"VERB_COMPLETED","object":{"type":"OBJECT_TYPE_COURSE","id":")" +
         object + R"("},"initiator":"INITIATOR_SELF"}}]})";
}

struct RouteCase {
  std::string method;
  std::string pattern;  // as HttpGateway::Routes() names it
  std::string path;     // with parameters filled in
  std::string body;
  std::string scope;
  int ok_status;  // with the right scope and tenant
  bool xapi = false;
};

std::vector<RouteCase> RouteCases() {
  const std::string L = kLearnerPath;
  return {
      {"POST", "/v1/events:ingest", "/v1/events:ingest",
       NativeIngestBody("iso-x", "c/x"), "events:write", 200},
      {"POST", "/v1/events:tag", "/v1/events:tag",
       R"({"event":{"native":{"eventId":"t"}},"locale":"en"})", "events:write",
       200},
      {"GET", "/v1/learners/{learner}/recommendations",
       "/v1/learners/" + L + "/recommendations?k=3&locale=fi", "",
       "recommendations:read", 200},
      // Feedback on a recommendation never served to the learner.
      {"POST", "/v1/feedback", "/v1/feedback",
       R"({"learner":"x","recommendationId":"r","outcome":"FEEDBACK_OUTCOME_ACCEPTED"})",
       "feedback:write", 404},
      {"GET", "/v1/learners/{learner}/profile",
       "/v1/learners/" + L + "/profile?locale=en", "", "insights:read", 200},
      {"GET", "/v1/orgs/{unit}/overview", "/v1/orgs/sales/overview?weeks=4", "",
       "insights:read", 200},
      {"POST", "/v1/catalogue/activities", "/v1/catalogue/activities",
       R"({"activities":[{"id":"https://lms.example.edu/c1","title":"Course","type":"OBJECT_TYPE_COURSE","visible":true}]})",
       "catalogue:write", 200},
      {"GET", "/v1/catalogue/activities",
       "/v1/catalogue/activities?page_size=10", "", "catalogue:write", 200},
      // The step names an activity no tenant has: refused, naming it.
      {"POST", "/v1/catalogue/paths", "/v1/catalogue/paths",
       R"({"paths":[{"id":"p1","steps":[{"activityId":"https://lms.example.edu/none"}]}]})",
       "catalogue:write", 400},
      {"GET", "/v1/catalogue/paths", "/v1/catalogue/paths", "",
       "catalogue:write", 200},
      {"GET", "/v1/catalogue/paths:suggest",
       "/v1/catalogue/paths:suggest?max_suggestions=3", "", "catalogue:write",
       200},
      {"PUT", "/v1/learners/{learner}/profiling",
       "/v1/learners/" + L + "/profiling", R"({"optedOut":false})",
       "feedback:write", 200},
      {"GET", "/v1/learners/{learner}/data", "/v1/learners/" + L + "/data", "",
       "privacy:export", 200},
      {"DELETE", "/v1/learners/{learner}/data", "/v1/learners/" + L + "/data",
       "", "privacy:delete", 200},
      {"POST", "/xapi/statements", "/xapi/statements",
       Statement("6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d", "7"), "events:write",
       200, true},
      {"PUT", "/xapi/statements",
       "/xapi/statements?statementId=6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d",
       Statement("6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d", "7"), "events:write",
       204, true},
      {"GET", "/xapi/about", "/xapi/about", "", "", 200, true},
      {"POST", "/caliper", "/caliper",
       Envelope(
           {R"({"@context":"http://purl.imsglobal.org/ctx/caliper/v1p2","id":"urn:uuid:0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e","type":"Event","action":"Viewed","actor":{"id":"https://lms.example.edu/user/7","type":"Person"},"object":{"id":"https://lms.example.edu/course/view.php?id=2","type":"CourseOffering"},"eventTime":"2025-06-01T10:00:00.000Z"})"}),
       "events:write", 200},
  };
}

TEST_F(HttpTest, EveryRouteNeedsItsScopeAndTheCallersTenant) {
  // The table covers every route the gateway serves.
  std::set<std::string> table, served;
  for (const RouteCase& c : RouteCases())
    table.insert(c.method + " " + c.pattern);
  for (const api::HttpRoute& r : api::HttpGateway::Routes()) {
    served.insert(std::string(r.method) + " " + std::string(r.pattern));
  }
  EXPECT_EQ(table, served);

  // Tenant b holds an event of the same learner; nothing tenant a does may
  // show or change it.
  ASSERT_EQ(
      http_
          ->Send("POST", "/v1/events:ingest",
                 NativeIngestBody("b-seed", "course/b-only"), Bearer(key_b_))
          .status,
      200);
  auto b_untouched = [&] {
    Reply b = http_->Send("GET",
                          std::string("/v1/learners/") + kLearnerPath + "/data",
                          "", Bearer(key_b_));
    return Rows("tenant='b'") == 1 && b.status == 200 &&
           b.body.find("course/b-only") != std::string::npos;
  };

  for (const RouteCase& c : RouteCases()) {
    SCOPED_TRACE(c.method + " " + c.path);
    auto with = [&](const std::string& key) {
      httplib::Headers h;
      if (!key.empty()) h = c.xapi ? XapiBearer(key) : Bearer(key);
      if (key.empty() && c.xapi) h.emplace("X-Experience-API-Version", "1.0.3");
      return http_->Send(c.method, c.path, c.body, h);
    };
    if (c.scope.empty()) {  // /xapi/about
      EXPECT_EQ(with("").status, c.ok_status);
      continue;
    }
    Reply none = with("");
    EXPECT_EQ(none.status, 401) << none.body;
    EXPECT_THAT(none.body, HasSubstr("UNAUTHENTICATED"));
    EXPECT_EQ(with("polku_000000000000_" + std::string(64, '0')).status, 401);
    // A key of the same tenant with every other scope is refused.
    for (const char* other : kScopes) {
      if (c.scope == other) continue;
      Reply r = with(scoped_a_[other]);
      EXPECT_EQ(r.status, 403) << other << ": " << r.body;
    }
    Reply ok = with(scoped_a_[c.scope]);
    EXPECT_EQ(ok.status, c.ok_status) << ok.body;
    EXPECT_THAT(ok.body, Not(HasSubstr("b-only")));
    EXPECT_TRUE(b_untouched());
    // The tenant comes from the key: a header or body naming another is
    // refused.
    const httplib::Headers h_a = c.xapi ? XapiBearer(key_a_) : Bearer(key_a_);
    httplib::Headers h = h_a;
    h.emplace("X-Polku-Tenant", "b");
    EXPECT_EQ(http_->Send(c.method, c.path, c.body, h).status, 403);
    if (!c.body.empty()) {
      std::string body = c.body;
      body.insert(1, "\"tenant\":\"b\",");
      Reply named = http_->Send(c.method, c.path, body, h_a);
      EXPECT_EQ(named.status, 403) << named.body;
      EXPECT_THAT(named.body, HasSubstr("PERMISSION_DENIED"));
      body = c.body;
      body.insert(1, "\"tenant\":\"a\",");
      EXPECT_EQ(http_->Send(c.method, c.path, body, h_a).status, c.ok_status);
    }
    EXPECT_TRUE(b_untouched());
  }
}

TEST_F(HttpTest, TenantsWithTheSameLearnerSeeAndChangeOnlyTheirOwnData) {
  // Both tenants send events of the same learner through every ingest door:
  // /v1 JSON, xAPI, Caliper and gRPC.
  const std::string xid = "7b8c9d0e-1f2a-4b3c-8d4e-5f6a7b8c9d0e";
  for (const auto& [tenant, key] :
       {std::pair{"a", key_a_}, std::pair{"b", key_b_}}) {
    std::string t = tenant;
    ASSERT_EQ(http_
                  ->Send("POST", "/v1/events:ingest",
                         NativeIngestBody("n-1", "course/" + t), Bearer(key))
                  .status,
              200);
    ASSERT_EQ(
        http_
            ->Send("POST", "/xapi/statements",
                   Statement(xid, "7", t == "a" ? 0.1 : 0.9), XapiBearer(key))
            .status,
        200);
    auto stub = v1::EventService::NewStub(channel_);
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + key);
    v1::IngestRequest req;
    auto* e = req.add_events()->mutable_native();
    e->set_event_id("g-1");
    e->mutable_source()->set_instance("lms.example.edu");
    *e->mutable_occurred_at() =
        google::protobuf::util::TimeUtil::MillisecondsToTimestamp(
            1748772000000);
    e->mutable_learner()->set_key(kLearner);
    e->set_verb(v1::VERB_VIEWED);
    e->mutable_object()->set_id("grpc/" + t);
    v1::IngestResponse resp;
    ASSERT_TRUE(stub->Ingest(&ctx, req, &resp).ok());
    ASSERT_EQ(resp.accepted(), 1) << resp.DebugString();
  }
  EXPECT_EQ(Rows("tenant='a'"), 3);
  EXPECT_EQ(Rows("tenant='b'"), 3);

  // A's export over HTTP and gRPC: A's three events only.
  Reply a_export =
      http_->Send("GET", std::string("/v1/learners/") + kLearnerPath + "/data",
                  "", Bearer(key_a_));
  ASSERT_EQ(a_export.status, 200) << a_export.body;
  EXPECT_THAT(a_export.body, HasSubstr("course/a"));
  EXPECT_THAT(a_export.body, Not(HasSubstr("course/b")));
  EXPECT_THAT(a_export.body, Not(HasSubstr("grpc/b")));
  auto privacy = v1::PrivacyService::NewStub(channel_);
  {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + key_a_);
    v1::ExportLearnerDataRequest req;
    req.set_learner(kLearner);
    v1::ExportLearnerDataResponse resp;
    ASSERT_TRUE(privacy->ExportLearnerData(&ctx, req, &resp).ok());
    EXPECT_EQ(resp.events_json_size(), 3);
    for (const std::string& e : resp.events_json())
      EXPECT_THAT(e, Not(HasSubstr("/b\"")));
  }
  // A deletes the learner: B's events stay.
  Reply del = http_->Send("DELETE",
                          std::string("/v1/learners/") + kLearnerPath + "/data",
                          "", Bearer(key_a_));
  ASSERT_EQ(del.status, 200) << del.body;
  EXPECT_THAT(del.body, HasSubstr("\"eventsDeleted\":\"3\""));
  EXPECT_EQ(Rows("tenant='a'"), 0);
  EXPECT_EQ(Rows("tenant='b'"), 3);
  Reply b_export =
      http_->Send("GET", std::string("/v1/learners/") + kLearnerPath + "/data",
                  "", Bearer(key_b_));
  EXPECT_THAT(b_export.body, HasSubstr("course/b"));
}

TEST_F(HttpTest, EveryRpcNeedsItsScopeAndTheCallersTenant) {
  auto events = v1::EventService::NewStub(channel_);
  auto privacy = v1::PrivacyService::NewStub(channel_);
  auto catalogue = v1::CatalogueService::NewStub(channel_);
  auto recs = v1::RecommendationService::NewStub(channel_);
  auto insight = v1::InsightService::NewStub(channel_);
  using Call = std::function<grpc::Status(grpc::ClientContext*)>;
  struct RpcCase {
    std::string name, scope;
    grpc::StatusCode ok_code;
    Call call;
  };
  v1::IngestRequest ingest;
  {
    auto* e = ingest.add_events()->mutable_native();
    e->set_event_id("rpc-1");
    e->mutable_source()->set_instance("lms.example.edu");
    *e->mutable_occurred_at() =
        google::protobuf::util::TimeUtil::MillisecondsToTimestamp(
            1748772000000);
    e->mutable_learner()->set_key(kLearner);
    e->set_verb(v1::VERB_VIEWED);
    e->mutable_object()->set_id("o");
  }
  std::vector<RpcCase> cases = {
      {"Ingest", "events:write", grpc::OK,
       [&](grpc::ClientContext* c) {
         v1::IngestResponse r;
         return events->Ingest(c, ingest, &r);
       }},
      {"IngestStream", "events:write", grpc::OK,
       [&](grpc::ClientContext* c) {
         auto stream = events->IngestStream(c);
         v1::IngestStreamRequest chunk;
         *chunk.mutable_events() = ingest.events();
         stream->Write(chunk);
         v1::IngestStreamResponse ack;
         stream->Read(&ack);
         stream->WritesDone();
         return stream->Finish();
       }},
      {"TagEvent", "events:write", grpc::OK,
       [&](grpc::ClientContext* c) {
         v1::TagEventRequest req;
         *req.mutable_event() = ingest.events(0);
         v1::TagEventResponse r;
         return events->TagEvent(c, req, &r);
       }},
      {"UpsertActivities", "catalogue:write", grpc::INVALID_ARGUMENT,
       [&](grpc::ClientContext* c) {
         v1::UpsertActivitiesResponse r;
         return catalogue->UpsertActivities(c, {}, &r);
       }},
      {"ListActivities", "catalogue:write", grpc::OK,
       [&](grpc::ClientContext* c) {
         v1::ListActivitiesResponse r;
         return catalogue->ListActivities(c, {}, &r);
       }},
      {"UpsertPaths", "catalogue:write", grpc::INVALID_ARGUMENT,
       [&](grpc::ClientContext* c) {
         v1::UpsertPathsResponse r;
         return catalogue->UpsertPaths(c, {}, &r);
       }},
      {"ListPaths", "catalogue:write", grpc::OK,
       [&](grpc::ClientContext* c) {
         v1::ListPathsResponse r;
         return catalogue->ListPaths(c, {}, &r);
       }},
      {"SuggestPaths", "catalogue:write", grpc::OK,
       [&](grpc::ClientContext* c) {
         v1::SuggestPathsResponse r;
         return catalogue->SuggestPaths(c, {}, &r);
       }},
      {"GetRecommendations", "recommendations:read", grpc::INVALID_ARGUMENT,
       [&](grpc::ClientContext* c) {
         v1::GetRecommendationsResponse r;
         return recs->GetRecommendations(c, {}, &r);
       }},
      {"RecordFeedback", "feedback:write", grpc::INVALID_ARGUMENT,
       [&](grpc::ClientContext* c) {
         v1::RecordFeedbackResponse r;
         return recs->RecordFeedback(c, {}, &r);
       }},
      {"GetLearnerProfile", "insights:read", grpc::INVALID_ARGUMENT,
       [&](grpc::ClientContext* c) {
         v1::GetLearnerProfileResponse r;
         return insight->GetLearnerProfile(c, {}, &r);
       }},
      {"GetOrgOverview", "insights:read", grpc::OK,
       [&](grpc::ClientContext* c) {
         v1::GetOrgOverviewResponse r;
         return insight->GetOrgOverview(c, {}, &r);
       }},
      {"DeleteLearnerData", "privacy:delete", grpc::OK,
       [&](grpc::ClientContext* c) {
         v1::DeleteLearnerDataRequest req;
         req.set_learner("nobody#1");
         v1::DeleteLearnerDataResponse r;
         return privacy->DeleteLearnerData(c, req, &r);
       }},
      {"ExportLearnerData", "privacy:export", grpc::OK,
       [&](grpc::ClientContext* c) {
         v1::ExportLearnerDataRequest req;
         req.set_learner(kLearner);
         v1::ExportLearnerDataResponse r;
         return privacy->ExportLearnerData(c, req, &r);
       }},
      {"SetProfilingOptOut", "feedback:write", grpc::OK,
       [&](grpc::ClientContext* c) {
         v1::SetProfilingOptOutRequest req;
         req.set_learner(kLearner);
         v1::SetProfilingOptOutResponse r;
         return privacy->SetProfilingOptOut(c, req, &r);
       }},
  };
  EXPECT_EQ(cases.size(), 15u);  // every RPC of polku.v1
  for (const RpcCase& c : cases) {
    SCOPED_TRACE(c.name);
    auto run = [&](const std::string& key, const std::string& tenant = "") {
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(30));
      if (!key.empty()) ctx.AddMetadata("authorization", "Bearer " + key);
      if (!tenant.empty()) ctx.AddMetadata("x-polku-tenant", tenant);
      return c.call(&ctx).error_code();
    };
    EXPECT_EQ(run(""), grpc::UNAUTHENTICATED);
    EXPECT_EQ(run("", "a"), grpc::UNAUTHENTICATED);  // development mode is off
    EXPECT_EQ(run("polku_nonsense"), grpc::UNAUTHENTICATED);
    for (const char* other : kScopes) {
      if (c.scope != other)
        EXPECT_EQ(run(scoped_a_[other]), grpc::PERMISSION_DENIED) << other;
    }
    EXPECT_EQ(run(scoped_a_[c.scope]), c.ok_code);
    EXPECT_EQ(run(key_a_, "b"), grpc::PERMISSION_DENIED);
    EXPECT_EQ(run(key_a_, "a"), c.ok_code);
  }
  // A's gRPC ingest landed in A only.
  EXPECT_EQ(Rows("tenant='b'"), 0);
  EXPECT_GT(Rows("tenant='a'"), 0);
}

// --- Malformed requests ------------------------------------------------------

TEST_F(HttpTest, MalformedBodiesGet4xxAndTheServerKeepsServing) {
  struct Case {
    std::string what, method, path, body, content_type;
    int status;
  };
  std::string good = NativeIngestBody("m-1", "c");
  std::string invalid_utf8 = good;
  invalid_utf8.replace(invalid_utf8.find("lms.example.edu"), 3, "\xc3\x28\xff");
  std::vector<Case> cases = {
      {"truncated JSON", "POST", "/v1/events:ingest",
       good.substr(0, good.size() / 2), "application/json", 400},
      {"truncated xAPI", "POST", "/xapi/statements", "[{\"actor\": {",
       "application/json", 400},
      {"truncated Caliper", "POST", "/caliper", "{\"data\": [",
       "application/json", 400},
      {"wrong types", "POST", "/v1/events:ingest",
       R"({"events": {"native": 5}})", "application/json", 400},
      {"wrong type for a string", "POST", "/v1/events:tag", R"({"locale": 42})",
       "application/json", 400},
      {"wrong enum", "POST", "/v1/events:ingest",
       R"({"events":[{"native":{"verb":"VERB_DANCED"}}]})", "application/json",
       400},
      {"xAPI statement of wrong type", "POST", "/xapi/statements", "42",
       "application/json", 400},
      {"invalid UTF-8", "POST", "/v1/events:ingest", invalid_utf8,
       "application/json", 400},
      {"invalid UTF-8 xAPI", "POST", "/xapi/statements",
       "{\"actor\":\"\xed\xa0\x80\"}", "application/json", 400},
      {"wrong content type", "POST", "/v1/events:ingest", good, "text/plain",
       415},
      {"form instead of JSON", "POST", "/xapi/statements", "a=b",
       "application/x-www-form-urlencoded", 415},
      {"20 MB body", "POST", "/v1/events:ingest",
       std::string(20 * 1000 * 1000, ' '), "application/json", 413},
      {"20 MB xAPI body", "POST", "/xapi/statements",
       std::string(20 * 1000 * 1000, '['), "application/json", 413},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    httplib::Headers h =
        c.path.rfind("/xapi", 0) == 0 ? XapiBearer(key_a_) : Bearer(key_a_);
    Reply r = http_->Send(c.method, c.path, c.body, h, c.content_type);
    EXPECT_EQ(r.status, c.status) << r.body.substr(0, 300);
    if (r.status >= 400) {
      EXPECT_THAT(r.body, HasSubstr("\"error\"")) << r.body.substr(0, 300);
    }
    ASSERT_TRUE(StillServing());
  }
  // The parser's message reaches the client.
  Reply bad = http_->Send("POST", "/v1/events:ingest", "{\"events\": [1,",
                          Bearer(key_a_));
  EXPECT_THAT(ErrorMessage(bad.body), HasSubstr("not valid JSON"));
  EXPECT_EQ(Rows(), 0);
  // And a good request still works.
  EXPECT_EQ(
      http_->Send("POST", "/v1/events:ingest", good, Bearer(key_a_)).status,
      200);
}

TEST_F(HttpTest, UnknownRoutesAndMethodsAreJson404And405) {
  Reply r = http_->Send("GET", "/v2/things", "", Bearer(key_a_));
  EXPECT_EQ(r.status, 404);
  EXPECT_THAT(r.body, HasSubstr("NOT_FOUND"));
  r = http_->Send("DELETE", "/xapi/statements", "", XapiBearer(key_a_));
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.headers.count("Allow"), 1u);
}

// --- Keys: created, rotated and revoked while the server runs ---------------

TEST_F(HttpTest, KeysArePickedUpRotatedAndRevokedWithoutRestart) {
  auto wait_for = [&](const std::string& key, int status) {
    for (int i = 0; i < 100; ++i) {
      if (http_->Send("GET", "/v1/learners/x%231/data", "", Bearer(key))
              .status == status) {
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  };
  std::string key = CreateKey(server_->data_dir(), "c", "privacy:export");
  ASSERT_TRUE(wait_for(key, 200)) << "a key made after start was not picked up";

  std::string out;
  ASSERT_EQ(
      RunCommand(
          std::string(POLKU_BINARY_DIR "/bin/polku keys rotate --data_dir=") +
              server_->data_dir() + " --id=" + KeyId(key) + " 2>/dev/null",
          &out),
      0);
  std::string rotated = out.substr(0, out.find('\n'));
  EXPECT_TRUE(wait_for(rotated, 200));
  EXPECT_TRUE(wait_for(key, 401)) << "the old key still works after rotation";

  ASSERT_EQ(
      RunCommand(
          std::string(POLKU_BINARY_DIR "/bin/polku keys revoke --data_dir=") +
              server_->data_dir() + " --id=" + KeyId(key) + " 2>/dev/null",
          &out),
      0);
  EXPECT_TRUE(wait_for(rotated, 401)) << "a revoked key still works";

  // `polku keys list` shows ids and states, never secrets or hashes.
  ASSERT_EQ(RunCommand(std::string(POLKU_BINARY_DIR
                                   "/bin/polku keys list --data_dir=") +
                           server_->data_dir(),
                       &out),
            0);
  EXPECT_THAT(out, HasSubstr(KeyId(key) + "\tc\tprivacy:export\trevoked"));
  EXPECT_THAT(out, Not(HasSubstr(rotated.substr(19))));
  // The key file holds hashes only.
  std::string file = ReadFile(server_->data_dir() + "/api_keys.json");
  EXPECT_THAT(file, Not(HasSubstr(key_a_.substr(19))));
  EXPECT_THAT(file, Not(HasSubstr(rotated.substr(19))));
  // The server log never shows a secret.
  std::string log = ReadFile(server_->data_dir() + "/server.log");
  EXPECT_THAT(log, Not(HasSubstr(key_a_.substr(19))));
  EXPECT_THAT(log, HasSubstr("API keys reloaded"));
}

// --- Development mode --------------------------------------------------------

// (That development mode is off by default is checked in
// server_config_test; HttpTest above runs with it off.)
TEST(HttpDevMode, AppliesToHttpOnlyForCallsWithoutCredentialsOnLoopback) {
  ServerProcess dev;  // development mode on
  ASSERT_TRUE(dev.Start());
  Http http(dev.http_port());
  Reply ok =
      http.Send("POST", "/v1/events:ingest", NativeIngestBody("d-1", "c"),
                {{"X-Polku-Tenant", "devtenant"}});
  EXPECT_EQ(ok.status, 200) << ok.body;
  // Credentials are still checked in development mode.
  Reply bad = http.Send("POST", "/v1/events:ingest",
                        NativeIngestBody("d-2", "c"), Bearer("polku_nonsense"));
  EXPECT_EQ(bad.status, 401);

  // Refused on a non-loopback address (before binding anything).
  std::string out;
  EXPECT_EQ(RunCommand(
                "timeout 20 " POLKU_BINARY_DIR
                "/bin/polku-server --dev_mode --http_address=0.0.0.0:0 "
                "--grpc_address=127.0.0.1:0 --metrics_address=127.0.0.1:0 2>&1",
                &out),
            2);
  EXPECT_THAT(out, HasSubstr("dev_mode"));
}

}  // namespace
}  // namespace polku::testing
