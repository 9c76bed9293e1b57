// The throwaway PostgreSQL that the store tests (and later multi-replica
// tests) run against.
//
// Under CTest a fixture starts one cluster for the whole run
// (tests/postgres/pg_cluster.sh start, stopped by the matching cleanup
// test even when tests fail) and passes its connection string in the file
// named by POLKU_TEST_POSTGRES_DSN_FILE. A test binary run by hand starts
// its own cluster instead, once, through PostgresClusterEnvironment, and
// stops it when the binary ends (a watchdog stops it if the binary
// crashes).
//
// Without PostgreSQL's server binaries these fail with a message naming
// the packages to install; they never skip.
#ifndef POLKU_STORE_TESTING_POSTGRES_CLUSTER_H_
#define POLKU_STORE_TESTING_POSTGRES_CLUSTER_H_

#include <string>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"

namespace polku::store::store_test {

// The cluster's connection string (keyword/value form): the fixture's, or
// the one PostgresClusterEnvironment started.
absl::StatusOr<std::string> ClusterDsn();

// Creates an empty schema and returns a connection string whose
// search_path is that schema: a fresh, empty database for one test.
absl::StatusOr<std::string> FreshSchemaDsn();

// Runs `sql` on the cluster (for tests that set up or inspect state).
absl::Status RunSql(const std::string& dsn, const std::string& sql);

// Starts a cluster in SetUp unless a CTest fixture provides one, and stops
// it in TearDown. Register once per test binary:
//   ::testing::AddGlobalTestEnvironment(new PostgresClusterEnvironment);
class PostgresClusterEnvironment : public ::testing::Environment {
 public:
  void SetUp() override;
  void TearDown() override;
};

}  // namespace polku::store::store_test

#endif  // POLKU_STORE_TESTING_POSTGRES_CLUSTER_H_
