#include "common/logging.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <ctime>

#include "common/json_writer.h"

namespace polku::common {
namespace {

std::atomic<bool> g_json{false};
std::atomic<int> g_min_level{static_cast<int>(LogLevel::kInfo)};

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "DEBUG";
    case LogLevel::kInfo:
      return "INFO";
    case LogLevel::kWarning:
      return "WARNING";
    case LogLevel::kError:
      return "ERROR";
  }
  return "INFO";
}

std::string Timestamp() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                now.time_since_epoch())
                .count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm;
  gmtime_r(&secs, &tm);
  char buf[40];
  size_t n = std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof(buf) - n, ".%03dZ",
                static_cast<int>(ms % 1000));
  return buf;
}

}  // namespace

void SetLogFormatJson(bool json) { g_json.store(json); }
void SetMinLogLevel(LogLevel level) {
  g_min_level.store(static_cast<int>(level));
}

bool ParseLogLevel(std::string_view name, LogLevel* level) {
  if (name == "debug")
    *level = LogLevel::kDebug;
  else if (name == "info")
    *level = LogLevel::kInfo;
  else if (name == "warning")
    *level = LogLevel::kWarning;
  else if (name == "error")
    *level = LogLevel::kError;
  else
    return false;
  return true;
}

void Log(LogLevel level, std::string_view message,
         std::initializer_list<LogField> fields) {
  if (static_cast<int>(level) < g_min_level.load()) return;
  std::string line;
  if (g_json.load()) {
    JsonWriter w;
    w.BeginObject();
    w.Key("ts");
    w.String(Timestamp());
    w.Key("level");
    w.String(LevelName(level));
    w.Key("msg");
    w.String(message);
    for (const LogField& f : fields) {
      w.Key(f.key);
      w.String(f.value);
    }
    w.EndObject();
    line = w.Take();
  } else {
    line = Timestamp();
    line.push_back(' ');
    line.append(LevelName(level));
    line.push_back(' ');
    line.append(message);
    for (const LogField& f : fields) {
      line.push_back(' ');
      line.append(f.key);
      line.push_back('=');
      line.append(f.value);
    }
  }
  line.push_back('\n');
  // One write per line keeps lines whole when threads log at once.
  ssize_t unused = ::write(STDERR_FILENO, line.data(), line.size());
  (void)unused;
}

}  // namespace polku::common
