#include "store/testing/postgres_cluster.h"

#include <libpq-fe.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

#include "absl/synchronization/mutex.h"
#include "common/str_cat.h"

namespace polku::store::store_test {
namespace {

absl::Mutex mu;
std::string* own_state_dir ABSL_GUARDED_BY(mu) = nullptr;  // when we started it
std::string* start_error ABSL_GUARDED_BY(mu) = nullptr;

std::string Script() {
  return common::StrCat(POLKU_SOURCE_DIR, "/tests/postgres/pg_cluster.sh");
}

absl::StatusOr<std::string> ReadDsnFile(const std::string& path) {
  std::ifstream in(path);
  std::string dsn;
  if (!in || !std::getline(in, dsn) || dsn.empty()) {
    return absl::FailedPreconditionError(common::StrCat(
        "no PostgreSQL test cluster: cannot read ", path,
        " (the CTest fixture postgres_cluster_start failed or did not run; "
        "PostgreSQL comes with the Debian packages postgresql and libpq-dev, "
        "see scripts/install-deps.sh)"));
  }
  return dsn;
}

}  // namespace

void PostgresClusterEnvironment::SetUp() {
  if (std::getenv("POLKU_TEST_POSTGRES_DSN_FILE") != nullptr) return;
  char tmpl[] = "/tmp/polku-pg-state.XXXXXX";
  if (mkdtemp(tmpl) == nullptr) {
    FAIL() << "cannot create a state directory under /tmp";
  }
  const std::string state = tmpl;
  const std::string log = state + "/start.log";
  // The watchdog stops the cluster if this process dies before TearDown.
  const std::string cmd =
      common::StrCat(Script(), " start ", state, " --watch-pid ", getpid(),
                     " >", log, " 2>&1");
  const int rc = std::system(cmd.c_str());
  absl::MutexLock lock(&mu);
  own_state_dir = new std::string(state);
  if (rc != 0) {
    std::ifstream in(log);
    std::stringstream text;
    text << in.rdbuf();
    start_error = new std::string(
        common::StrCat("cannot start a PostgreSQL test cluster (", Script(),
                       "): ", text.str()));
    FAIL() << *start_error;
  }
}

void PostgresClusterEnvironment::TearDown() {
  absl::MutexLock lock(&mu);
  if (own_state_dir == nullptr) return;
  const std::string cmd =
      common::StrCat(Script(), " stop ", *own_state_dir, " >/dev/null 2>&1");
  if (std::system(cmd.c_str()) != 0) {
    ADD_FAILURE() << "pg_cluster.sh stop failed";
  }
  std::string rm = common::StrCat("rm -rf ", *own_state_dir);
  std::system(rm.c_str());
  delete own_state_dir;
  own_state_dir = nullptr;
}

absl::StatusOr<std::string> ClusterDsn() {
  if (const char* file = std::getenv("POLKU_TEST_POSTGRES_DSN_FILE")) {
    return ReadDsnFile(file);
  }
  absl::MutexLock lock(&mu);
  if (start_error != nullptr) {
    return absl::FailedPreconditionError(*start_error);
  }
  if (own_state_dir == nullptr) {
    return absl::FailedPreconditionError(
        "no PostgreSQL test cluster: register PostgresClusterEnvironment or "
        "set POLKU_TEST_POSTGRES_DSN_FILE");
  }
  return ReadDsnFile(*own_state_dir + "/dsn");
}

absl::Status RunSql(const std::string& dsn, const std::string& sql) {
  PGconn* c = PQconnectdb(dsn.c_str());
  if (PQstatus(c) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(c);
    PQfinish(c);
    return absl::UnavailableError(common::StrCat("connect: ", msg));
  }
  PQsetNoticeProcessor(
      c, [](void*, const char*) {}, nullptr);
  PGresult* r = PQexec(c, sql.c_str());
  const ExecStatusType st = PQresultStatus(r);
  std::string msg = PQresultErrorMessage(r);
  PQclear(r);
  PQfinish(c);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    return absl::InternalError(common::StrCat(sql, ": ", msg));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> FreshSchemaDsn() {
  static std::atomic<int> counter{0};
  auto dsn = ClusterDsn();
  if (!dsn.ok()) return dsn.status();
  // Unique within the cluster: the pid and a counter of this process, and
  // a random part, since a later test process may get the same pid.
  static const uint32_t salt = std::random_device()();
  const std::string schema =
      common::StrCat("test_", getpid(), "_", salt, "_", counter++);
  absl::Status s = RunSql(*dsn, common::StrCat("CREATE SCHEMA ", schema));
  if (!s.ok()) return s;
  return common::StrCat(*dsn, " options='-c search_path=", schema, "'");
}

}  // namespace polku::store::store_test
