// SessionStore: the first-party sessions of the widget and overview pages.
//
// A session is a random id (32 bytes, hex) sent to the browser in an
// HttpOnly cookie and kept here with its tenant, its learner (widget) or key
// id (overview), a CSRF token the page sends back on writes, and a fixed
// expiry. The store also remembers which widget tokens were exchanged, so
// a token works once. In memory: a restart signs everyone out, which for
// a page opened from an LMS only means opening it again.
//
// Thread-safe.
#ifndef POLKU_UI_SESSION_STORE_H_
#define POLKU_UI_SESSION_STORE_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"

namespace polku::ui {

enum class SessionKind { kLearner, kAdmin };

struct Session {
  std::string id;
  SessionKind kind = SessionKind::kLearner;
  std::string tenant;
  std::string learner;  // kLearner
  std::string key_id;   // kAdmin: the API key that opened it ("" dev mode)
  std::string csrf;
  int64_t expires_ms = 0;
};

class SessionStore {
 public:
  // Sessions live `ttl_ms`; at most `max_sessions` at once (the oldest go
  // first beyond that). `clock` is not owned.
  SessionStore(const common::Clock* clock, int64_t ttl_ms,
               size_t max_sessions = 100000);

  // A new session with a fresh id and CSRF token.
  Session Create(SessionKind kind, std::string tenant, std::string learner,
                 std::string key_id);
  // The live session of `id` and `kind`; nullopt when unknown or expired.
  std::optional<Session> Find(std::string_view id, SessionKind kind);
  void Remove(std::string_view id);
  // Records a widget token (by its signature) as used until `expiry_ms`;
  // false when it was used before.
  bool MarkTokenUsed(const std::string& signature, int64_t expiry_ms);

  size_t size();

 private:
  void EvictLocked(int64_t now);

  const common::Clock* clock_;
  const int64_t ttl_ms_;
  const size_t max_sessions_;
  std::mutex mu_;
  std::map<std::string, Session, std::less<>> sessions_;
  std::multimap<int64_t, std::string> by_expiry_;
  std::map<std::string, int64_t> used_tokens_;
};

// 32 random bytes as 64 hexadecimal digits (OpenSSL's CSPRNG).
std::string RandomId();

}  // namespace polku::ui

#endif  // POLKU_UI_SESSION_STORE_H_
