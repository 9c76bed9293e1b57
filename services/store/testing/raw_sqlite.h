// Helpers for tests that drive SQLite directly, beneath the store: a
// fresh directory, a connection, a statement that must succeed and the
// one value a query answers.
#ifndef POLKU_STORE_TESTING_RAW_SQLITE_H_
#define POLKU_STORE_TESTING_RAW_SQLITE_H_

#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "gtest/gtest.h"

namespace polku::store::store_test {

// A new directory under the temporary directory, named after `prefix`.
inline std::string TempDir(const std::string& prefix) {
  std::string dir =
      (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
  EXPECT_NE(mkdtemp(dir.data()), nullptr);
  return dir;
}

// Opens (creating) `path` through the VFS named `vfs` (nullptr: the
// default one).
inline sqlite3* Open(const std::string& path, const char* vfs = nullptr) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db,
                            SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs),
            SQLITE_OK)
      << sqlite3_errmsg(db);
  sqlite3_busy_timeout(db, 10000);
  return db;
}

inline void Exec(sqlite3* db, const std::string& sql) {
  char* error = nullptr;
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
      << sql << ": " << (error != nullptr ? error : "");
}

// One integer (or text) that a query answers.
inline std::string One(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* s = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  std::string out;
  const int rc = sqlite3_step(s);
  EXPECT_EQ(rc, SQLITE_ROW) << sql << ": " << sqlite3_errmsg(db);
  if (rc == SQLITE_ROW) {
    const unsigned char* text = sqlite3_column_text(s, 0);
    out = text != nullptr ? reinterpret_cast<const char*>(text) : "";
  }
  sqlite3_finalize(s);
  return out;
}

}  // namespace polku::store::store_test

#endif  // POLKU_STORE_TESTING_RAW_SQLITE_H_
