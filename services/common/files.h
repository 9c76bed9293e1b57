// Small files that must never be seen half-written: the API key file and
// the UI tenants file are rewritten whole, and a crash or a power cut in
// the middle must leave either the old or the new content.
#ifndef POLKU_COMMON_FILES_H_
#define POLKU_COMMON_FILES_H_

#include <sys/types.h>

#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace polku::common {

// Replaces the file at `path` with `content`: writes `path`.tmp with
// `mode`, fsyncs it, renames it over `path` and fsyncs the directory, so
// the rename itself survives a power cut. kUnavailable naming the file and
// the system error when any step fails (the old file is then untouched).
absl::Status WriteFileAtomically(const std::string& path,
                                 std::string_view content, mode_t mode = 0600);

// Holds an exclusive flock on `path`.lock while alive, so that two
// processes editing the same file (two `polku` commands, or a command and
// a deployment script) take turns. status() is kUnavailable naming the
// lock file when it cannot be opened or locked.
class FileLock {
 public:
  explicit FileLock(const std::string& path);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  const absl::Status& status() const { return status_; }

 private:
  int fd_ = -1;
  absl::Status status_;
};

}  // namespace polku::common

#endif  // POLKU_COMMON_FILES_H_
