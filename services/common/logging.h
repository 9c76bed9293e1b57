// Structured logging: one line per notable event, to stderr.
//
// Text form:  2026-11-27T10:00:00.123Z INFO server started grpc=127.0.0.1:50051
// JSON form:  {"ts":"...","level":"INFO","msg":"server started","grpc":"..."}
// Never pass learner personal data (names, e-mails, learner keys) as fields.
// Thread-safe: each line is written with a single write call.
#ifndef POLKU_COMMON_LOGGING_H_
#define POLKU_COMMON_LOGGING_H_

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace polku::common {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

struct LogField {
  LogField(std::string_view k, std::string_view v) : key(k), value(v) {}
  LogField(std::string_view k, const char* v) : key(k), value(v) {}
  LogField(std::string_view k, const std::string& v) : key(k), value(v) {}
  template <typename N, typename = std::enable_if_t<std::is_arithmetic_v<N>>>
  LogField(std::string_view k, N v) : key(k), value(std::to_string(v)) {}
  std::string_view key;
  std::string value;
};

// Process-wide settings; call once at start-up before threads log.
void SetLogFormatJson(bool json);
void SetMinLogLevel(LogLevel level);
// Parses "debug", "info", "warning" or "error"; false if unknown.
bool ParseLogLevel(std::string_view name, LogLevel* level);

void Log(LogLevel level, std::string_view message,
         std::initializer_list<LogField> fields = {});

inline void LogInfo(std::string_view m,
                    std::initializer_list<LogField> f = {}) {
  Log(LogLevel::kInfo, m, f);
}
inline void LogWarning(std::string_view m,
                       std::initializer_list<LogField> f = {}) {
  Log(LogLevel::kWarning, m, f);
}
inline void LogError(std::string_view m,
                     std::initializer_list<LogField> f = {}) {
  Log(LogLevel::kError, m, f);
}

}  // namespace polku::common

#endif  // POLKU_COMMON_LOGGING_H_
